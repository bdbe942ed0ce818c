/*
 * rpmdb.h - rpm's database through librpm (a package backend behind
 * why/pkgdb.h).  Without librpm in the build, opening says so.
 */
#ifndef PS_WHY_RPMDB_H
#define PS_WHY_RPMDB_H

#include <stddef.h>

#include "why/pkgtypes.h"

struct rpmdb;

/*
 * Open the rpm database in dbdir ("/var/lib/rpm") under root ("" for the
 * live system), read-only.  NULL with *cause (caller frees) when it
 * cannot be opened, or when this build has no librpm.
 */
struct rpmdb *rpmdb_open(const char *root, const char *dbdir, char **cause);
void rpmdb_free(struct rpmdb *r);
/* Owners of paths[0..n); each owner carries the digest its header
 * recorded (o->algo, o->digest). */
void rpmdb_owners(struct rpmdb *r, const char *const *paths, size_t n,
    struct pkg_owner *out);
/* A package met by rpmdb_owners, by name; NULL if none. */
const struct pkg_info *rpmdb_find(const struct rpmdb *r, const char *name);

#endif
