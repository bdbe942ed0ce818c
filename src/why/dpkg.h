/*
 * dpkg.h - dpkg's database read directly from /var/lib/dpkg: the status
 * file, diversions, file lists and md5sums (a package backend behind
 * why/pkgdb.h).
 *
 * dpkg_owners() takes every executable at once and makes one pass over
 * the file lists, trying the merged-/usr alias of each path and
 * following dpkg-divert's diversions.  Recorded MD5 digests are read
 * from the owning package's md5sums file when asked for.
 */
#ifndef PS_WHY_DPKG_H
#define PS_WHY_DPKG_H

#include <stddef.h>

#include "why/pkgtypes.h"

struct diversion {
	char	*from, *to, *by;	/* by: package, or ":" for local */
};

struct dpkg {
	char			*root;		/* prefix: "" = live system */
	struct pkg_info		*pkgs;		/* sorted by name, then arch */
	size_t			 npkgs;
	struct diversion	*divs;
	size_t			 ndivs;
	unsigned int		 malformed;	/* skipped records/lines */
	unsigned int		 lists_read;	/* file lists scanned */
};

/*
 * Read the database under root ("" or NULL: the live system).  Returns 1
 * when it was read, 0 when there is no dpkg database there, -1 when there
 * is one that cannot be read (*cause says why; the caller frees it).
 * dpkg_release() is needed in every case.
 */
int dpkg_load(struct dpkg *db, const char *root, char **cause);
void dpkg_release(struct dpkg *db);
/* Owners of paths[0..n), in one pass over the file lists. */
void dpkg_owners(struct dpkg *db, const char *const *paths, size_t n,
    struct pkg_owner *out);
/* The MD5 the owning package recorded for o->listed: 0, or -1. */
int dpkg_digest(const struct dpkg *db, const struct pkg_owner *o,
    enum digest_algo *algo, char hex[DIGEST_HEX_MAX]);
/* A package by name (any architecture); NULL if not installed. */
const struct pkg_info *dpkg_find(const struct dpkg *db, const char *name);

/* Parsers, pure, exposed for unit tests and fuzzing. */
void dpkg_parse_status(struct dpkg *db, const char *buf, size_t len);
void dpkg_parse_diversions(struct dpkg *db, const char *buf, size_t len);
int dpkg_md5sums_find(const char *buf, size_t len, const char *path,
    char hex[33]);

#endif
