/*
 * pkgdb.h - which installed package owns a file, and the digest it
 * recorded: one interface over the package backends (why/dpkg.h, read
 * directly; why/rpmdb.h, through librpm), opened once per run under a
 * root (the host, or a container's /proc/PID/root).
 */
#ifndef PS_PKGDB_H
#define PS_PKGDB_H

#include <stddef.h>

#include "why/dpkg.h"
#include "why/pkgtypes.h"
#include "why/rpmdb.h"

struct pkgdb {
	enum pkg_manager	 pm;
	char			*error;		/* why nothing could be read */
	struct dpkg		 dpkg;		/* PM_DPKG */
	struct rpmdb		*rpm;		/* PM_RPM, once open */
};

/* What -v says of the database. */
struct pkgdb_stats {
	size_t		 npkgs, ndivs;
	unsigned int	 lists_read, malformed;
};

/* Open the database under root ("" or NULL: the live system): dpkg's,
 * else rpm's; db->error says why none could be read. */
void pkgdb_open(struct pkgdb *db, const char *root);
void pkgdb_release(struct pkgdb *db);
/* Whether owners and digests can be looked up at all. */
int pkgdb_usable(const struct pkgdb *db);
void pkgdb_stats(const struct pkgdb *db, struct pkgdb_stats *st);

/* Owners of paths[0..n) (every executable of a run at once). */
void pkgdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out);
/*
 * The digest the owning package recorded for o->listed: 0 with *algo
 * and hex filled, or -1 when the package recorded none.
 */
int pkgdb_digest(const struct pkgdb *db, const struct pkg_owner *o,
    enum digest_algo *algo, char hex[DIGEST_HEX_MAX]);
/* The algorithm this database usually records (to hash ahead). */
enum digest_algo pkgdb_default_algo(const struct pkgdb *db);
/* Find a package by name (any architecture); NULL if not installed. */
const struct pkg_info *pkgdb_find(const struct pkgdb *db, const char *name);

#endif
