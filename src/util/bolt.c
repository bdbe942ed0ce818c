/*
 * bolt.c - bounded lookups in a bbolt file (see bolt.h).
 *
 * Layout (little-endian, as bbolt writes it on the machines it runs on):
 * every page starts with a 16-byte header (id u64, flags u16, count u16,
 * overflow u32); pages 0 and 1 are meta pages (magic, version, page
 * size, flags, the root bucket {root page u64, sequence u64}, freelist,
 * high-water page, transaction id, and an FNV-1a checksum of the fields
 * before it); branch pages hold count elements {pos u32, ksize u32,
 * page u64}, leaf pages {flags u32, pos u32, ksize u32, vsize u32},
 * pos counted from the element itself.  A leaf value flagged as a
 * bucket starts with {root page, sequence}; root page 0 means the
 * bucket's one page follows inline in the value.
 */
#include <stdlib.h>
#include <string.h>

#include "util/bolt.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define PAGE_HDR	16
#define ELEM_SZ		16
#define F_BRANCH	0x01
#define F_LEAF		0x02
#define F_META		0x04
#define LEAF_BUCKET	0x01
#define MAGIC		0xED0CDAEDu
#define VERSION		2
#define MAX_DEPTH	32

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint16_t
rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* A page's bytes: its start and how far it may reach. */
struct span {
	const unsigned char	*p;
	size_t			 len;
};

static int
page_at(const struct bolt *b, uint64_t pgid, struct span *out)
{
	uint64_t off, span;

	if (pgid == 0 || pgid > b->len / b->psz)
		return -1;
	off = pgid * b->psz;
	if (off + PAGE_HDR > b->len)
		return -1;
	span = ((uint64_t)rd32(b->buf + off + 12) + 1) * b->psz;
	if (span > b->len - off)
		span = b->len - off;
	out->p = b->buf + off;
	out->len = (size_t)span;
	return 0;
}

static int
meta_ok(const unsigned char *m, size_t avail, uint32_t *psz, uint64_t *root,
    uint64_t *txid)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	if (avail < PAGE_HDR + 64 || !(rd16(m + 8) & F_META))
		return 0;
	m += PAGE_HDR;
	for (int i = 0; i < 56; i++) {
		h ^= m[i];
		h *= 0x100000001b3ULL;
	}
	if (rd32(m) != MAGIC || rd32(m + 4) != VERSION || rd64(m + 56) != h)
		return 0;
	*psz = rd32(m + 8);
	*root = rd64(m + 16);
	*txid = rd64(m + 48);
	return *psz >= 512 && *psz <= 65536 && (*psz & (*psz - 1)) == 0;
}

int
bolt_open(struct bolt *b, const void *buf, size_t len, char **cause)
{
	static const uint32_t sizes[] = { 4096, 8192, 16384, 65536, 512,
	    1024, 2048, 32768 };
	uint32_t psz0 = 0, psz1 = 0;
	uint64_t root0 = 0, root1 = 0, tx0 = 0, tx1 = 0;
	int ok0, ok1 = 0;

	memset(b, 0, sizeof(*b));
	*cause = NULL;
	ok0 = meta_ok(buf, len, &psz0, &root0, &tx0);
	/* the second meta page sits one page in: the size the first says,
	 * or, when the first is torn, one of the usual sizes */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !ok1; i++) {
		uint32_t try = ok0 ? psz0 : sizes[i];

		if (try < len)
			ok1 = meta_ok((const unsigned char *)buf + try,
			    len - try, &psz1, &root1, &tx1) && psz1 == try;
		if (ok0)
			break;
	}
	if (!ok0 && !ok1) {
		*cause = xstrdup("not a bbolt database (no valid meta page)");
		return -1;
	}
	b->buf = buf;
	b->len = len;
	if (ok1 && (!ok0 || tx1 > tx0)) {
		b->psz = psz1;
		b->root = root1;
	} else {
		b->psz = psz0;
		b->root = root0;
	}
	if (b->root < 2 || b->root > len / b->psz) {
		*cause = xstrdup("bbolt database: root page out of the file");
		return -1;
	}
	return 0;
}

void
bolt_root(const struct bolt *b, struct bolt_bucket *out)
{
	memset(out, 0, sizeof(*out));
	out->pgid = b->root;
}

static int
key_cmp(const unsigned char *a, size_t alen, const char *k, size_t klen)
{
	int c = memcmp(a, k, alen < klen ? alen : klen);

	if (c != 0)
		return c;
	return (alen > klen) - (alen < klen);
}

/* Element i of a page: its key (and for a leaf its value and flags). */
static int
element(const struct span *pg, unsigned int i, int leaf,
    const unsigned char **key, size_t *klen, const unsigned char **val,
    size_t *vlen, uint32_t *flags, uint64_t *child)
{
	size_t e = PAGE_HDR + (size_t)i * ELEM_SZ;
	const unsigned char *el;
	uint64_t pos, ks, vs = 0;

	if (e + ELEM_SZ > pg->len)
		return -1;
	el = pg->p + e;
	if (leaf) {
		*flags = rd32(el);
		pos = rd32(el + 4);
		ks = rd32(el + 8);
		vs = rd32(el + 12);
	} else {
		pos = rd32(el);
		ks = rd32(el + 4);
		*child = rd64(el + 8);
	}
	if (e + pos + ks + vs > pg->len)
		return -1;
	*key = el + pos;
	*klen = (size_t)ks;
	if (leaf) {
		*val = el + pos + ks;
		*vlen = (size_t)vs;
	}
	return 0;
}

int
bolt_get(const struct bolt *b, const struct bolt_bucket *in,
    const char *key, size_t klen, const unsigned char **val, size_t *vlen,
    int *is_bucket)
{
	struct span pg;

	if (in->pgid == 0) {
		if (in->inl == NULL || in->inl_len < PAGE_HDR)
			return 0;
		pg.p = in->inl;
		pg.len = in->inl_len;
	} else if (page_at(b, in->pgid, &pg) < 0) {
		return 0;
	}
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		uint16_t flags = rd16(pg.p + 8), count = rd16(pg.p + 10);
		const unsigned char *k, *v;
		size_t kl, vl;
		uint32_t ef;
		uint64_t child = 0, pick = 0;

		if (flags & F_LEAF) {
			for (unsigned int i = 0; i < count; i++) {
				if (element(&pg, i, 1, &k, &kl, &v, &vl, &ef,
				    NULL) < 0)
					return 0;
				if (key_cmp(k, kl, key, klen) == 0) {
					*val = v;
					*vlen = vl;
					*is_bucket = (ef & LEAF_BUCKET) != 0;
					return 1;
				}
			}
			return 0;
		}
		if (!(flags & F_BRANCH) || count == 0 || in->pgid == 0)
			return 0;
		/* the last child whose first key is not past the key */
		for (unsigned int i = 0; i < count; i++) {
			if (element(&pg, i, 0, &k, &kl, NULL, NULL, NULL,
			    &child) < 0)
				return 0;
			if (i > 0 && key_cmp(k, kl, key, klen) > 0)
				break;
			pick = child;
		}
		if (page_at(b, pick, &pg) < 0)
			return 0;
	}
	return 0;
}

int
bolt_bucket_get(const struct bolt *b, const struct bolt_bucket *in,
    const char *key, struct bolt_bucket *out)
{
	const unsigned char *v;
	size_t vl;
	int bucket = 0;

	if (!bolt_get(b, in, key, strlen(key), &v, &vl, &bucket) || !bucket ||
	    vl < 16)
		return 0;
	memset(out, 0, sizeof(*out));
	out->pgid = rd64(v);
	if (out->pgid == 0) {
		out->inl = v + 16;
		out->inl_len = vl - 16;
	}
	return 1;
}

int
bolt_path(const struct bolt *b, const char *const *path, size_t n,
    const unsigned char **val, size_t *vlen)
{
	struct bolt_bucket cur, next;
	int bucket = 0;

	if (n == 0)
		return 0;
	bolt_root(b, &cur);
	for (size_t i = 0; i + 1 < n; i++) {
		if (!bolt_bucket_get(b, &cur, path[i], &next))
			return 0;
		cur = next;
	}
	return bolt_get(b, &cur, path[n - 1], strlen(path[n - 1]), val, vlen,
	    &bucket) && !bucket;
}
