/*
 * pkgdb.c - the package database of a root, whichever backend holds it:
 * dpkg's files when /var/lib/dpkg/status exists, else rpm's database
 * through librpm.  Callers see one interface (why/pkgdb.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "why/pkgdb.h"
#include "util/xmalloc.h"
#include "util/banned.h"

void
pkgdb_open(struct pkgdb *db, const char *root)
{
	static const char *const rpmdirs[] = {
		"/var/lib/rpm", "/usr/lib/sysimage/rpm"
	};
	struct stat st;
	char *cause = NULL;
	int rc;

	memset(db, 0, sizeof(*db));
	rc = dpkg_load(&db->dpkg, root, &cause);
	if (rc != 0) {
		db->pm = PM_DPKG;
		db->error = cause;
		return;
	}
	for (size_t i = 0; i < 2 && db->pm == PM_NONE; i++) {
		char *p = xasprintf("%s%s", root ? root : "", rpmdirs[i]);

		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			db->pm = PM_RPM;
			db->rpm = rpmdb_open(root ? root : "", rpmdirs[i],
			    &db->error);
		}
		free(p);
	}
	if (db->pm == PM_NONE)
		db->error = xstrdup("unknown package manager: no dpkg or rpm "
		    "database");
}

void
pkgdb_release(struct pkgdb *db)
{
	dpkg_release(&db->dpkg);
	rpmdb_free(db->rpm);
	free(db->error);
	memset(db, 0, sizeof(*db));
}

int
pkgdb_usable(const struct pkgdb *db)
{
	return (db->pm == PM_DPKG && db->error == NULL) ||
	    (db->pm == PM_RPM && db->rpm != NULL);
}

void
pkgdb_stats(const struct pkgdb *db, struct pkgdb_stats *st)
{
	st->npkgs = db->dpkg.npkgs;
	st->ndivs = db->dpkg.ndivs;
	st->lists_read = db->dpkg.lists_read;
	st->malformed = db->dpkg.malformed;
}

void
pkgdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	memset(out, 0, n * sizeof(*out));
	if (db->pm == PM_DPKG && db->error == NULL)
		dpkg_owners(&db->dpkg, paths, n, out);
	else if (db->pm == PM_RPM)
		rpmdb_owners(db->rpm, paths, n, out);
}

int
pkgdb_digest(const struct pkgdb *db, const struct pkg_owner *o,
    enum digest_algo *algo, char hex[DIGEST_HEX_MAX])
{
	if (o->pkg == NULL)
		return -1;
	if (db->pm == PM_RPM) {
		/* librpm gave it with the owner, from the header */
		if (o->algo == DIGEST_NONE || o->digest[0] == '\0')
			return -1;
		*algo = o->algo;
		memcpy(hex, o->digest, DIGEST_HEX_MAX);
		return 0;
	}
	if (db->pm != PM_DPKG)
		return -1;
	return dpkg_digest(&db->dpkg, o, algo, hex);
}

enum digest_algo
pkgdb_default_algo(const struct pkgdb *db)
{
	return db->pm == PM_RPM ? DIGEST_SHA256 : DIGEST_MD5;
}

const struct pkg_info *
pkgdb_find(const struct pkgdb *db, const char *name)
{
	if (db->pm == PM_RPM)
		return rpmdb_find(db->rpm, name);
	return dpkg_find(&db->dpkg, name);
}
