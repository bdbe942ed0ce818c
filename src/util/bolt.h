/*
 * bolt.h - read-only lookups in a bbolt (BoltDB) file held in memory:
 * the key/value store podman keeps its containers' state in
 * (libpod/bolt_state.db).  No Debian library reads the format, and
 * only lookups by key are needed, so this is a small bounded reader.
 *
 * The file is untrusted: every page number, offset and length is
 * checked against the buffer, the tree depth is capped, and a meta page
 * counts only with a valid checksum.  Nothing is written, and nothing
 * is locked (bbolt's readers do not lock either; a torn read of a file
 * being written shows as a lookup that fails, never as a crash).
 */
#ifndef PS_UTIL_BOLT_H
#define PS_UTIL_BOLT_H

#include <stddef.h>
#include <stdint.h>

struct bolt {
	const unsigned char	*buf;
	size_t			 len;
	uint32_t		 psz;		/* page size */
	uint64_t		 root;		/* the root bucket's page */
};

/* A bucket: its root page, or (inline) a page inside a value. */
struct bolt_bucket {
	uint64_t		 pgid;		/* 0: inline */
	const unsigned char	*inl;		/* the inline page */
	size_t			 inl_len;
};

/*
 * Check buf (len bytes) is a bbolt file and pick its newest valid meta
 * page.  0, or -1 with *cause (caller frees).  buf must outlive *b.
 */
int bolt_open(struct bolt *b, const void *buf, size_t len, char **cause);
/* The root bucket. */
void bolt_root(const struct bolt *b, struct bolt_bucket *out);
/*
 * Look key up in bucket in: 1 with the value (*val, *vlen, pointing into
 * the file) and *is_bucket, 0 when absent or unreadable.
 */
int bolt_get(const struct bolt *b, const struct bolt_bucket *in,
    const char *key, size_t klen, const unsigned char **val, size_t *vlen,
    int *is_bucket);
/* The sub-bucket key of in: 1 with *out, or 0. */
int bolt_bucket_get(const struct bolt *b, const struct bolt_bucket *in,
    const char *key, struct bolt_bucket *out);
/*
 * Follow a path of bucket names from the root and return the value of
 * the last element (a plain key): 1 with *val and *vlen, or 0.
 */
int bolt_path(const struct bolt *b, const char *const *path, size_t n,
    const unsigned char **val, size_t *vlen);

#endif
