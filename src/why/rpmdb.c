/*
 * rpmdb.c - the rpm database, through librpm (when the build has it).
 *
 * librpm is the only supported reader of rpm's database (Berkeley DB,
 * ndb or sqlite depending on the distribution): the database is opened
 * read-only under the system root, like `rpm -q --root` does, and each
 * executable is looked up by file name (RPMDBI_INSTFILENAMES), with the
 * merged-/usr alias as a second try.  The owner carries the digest the
 * header recorded for that file, and its algorithm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "why/pkgdb.h"
#include "util/xmalloc.h"

#ifdef HAVE_RPM
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmts.h>
#endif

#include "util/banned.h"

#ifdef HAVE_RPM

static enum digest_algo
algo_of(int pgp)
{
	switch (pgp) {
	case PGPHASHALGO_MD5:
		return DIGEST_MD5;
	case PGPHASHALGO_SHA1:
		return DIGEST_SHA1;
	case PGPHASHALGO_SHA224:
		return DIGEST_SHA224;
	case PGPHASHALGO_SHA256:
		return DIGEST_SHA256;
	case PGPHASHALGO_SHA384:
		return DIGEST_SHA384;
	case PGPHASHALGO_SHA512:
		return DIGEST_SHA512;
	default:
		return DIGEST_NONE;
	}
}

int
rpmdb_open(struct pkgdb *db, const char *dbdir)
{
	static int configured;
	rpmts ts;

	if (!configured) {
		rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));
		if (rpmReadConfigFiles(NULL, NULL) != 0) {
			db->error = xstrdup("cannot read librpm's configuration");
			return -1;
		}
		configured = 1;
	}
	rpmPushMacro(NULL, "_dbpath", NULL, dbdir, RMIL_CMDLINE);
	ts = rpmtsCreate();
	if (rpmtsSetRootDir(ts, db->root[0] ? db->root : "/") != 0 ||
	    rpmtsOpenDB(ts, O_RDONLY) != 0) {
		db->error = xasprintf("cannot open the rpm database in '%s'",
		    dbdir);
		rpmtsFree(ts);
		return -1;
	}
	db->rpm = ts;
	return 0;
}

static const struct pkg_info *
pkg_of(struct pkgdb *db, Header h)
{
	const char *name = headerGetString(h, RPMTAG_NAME);
	const char *ver = headerGetString(h, RPMTAG_VERSION);
	const char *rel = headerGetString(h, RPMTAG_RELEASE);
	const char *arch = headerGetString(h, RPMTAG_ARCH);
	const char *sum = headerGetString(h, RPMTAG_SUMMARY);
	uint64_t epoch = headerGetNumber(h, RPMTAG_EPOCH);
	char *version;
	struct pkg_info *p;

	if (name == NULL)
		return NULL;
	if (epoch)
		version = xasprintf("%llu:%s-%s", (unsigned long long)epoch,
		    ver ? ver : "?", rel ? rel : "?");
	else
		version = xasprintf("%s-%s", ver ? ver : "?", rel ? rel : "?");
	for (size_t i = 0; i < db->nrpm; i++)
		if (strcmp(db->rpm_pkgs[i]->name, name) == 0 &&
		    strcmp(db->rpm_pkgs[i]->version, version) == 0) {
			free(version);
			return db->rpm_pkgs[i];
		}
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	p->arch = xstrdup(arch ? arch : "");
	p->version = version;
	p->desc = sum ? xstrdup(sum) : NULL;
	p->installed = 1;
	xgrow((void **)&db->rpm_pkgs, &db->rpmcap, db->nrpm + 1,
	    sizeof(*db->rpm_pkgs));
	db->rpm_pkgs[db->nrpm++] = p;
	return p;
}

static int
lookup(struct pkgdb *db, const char *path, struct pkg_owner *o)
{
	static const char digits[] = "0123456789abcdef";
	rpmdbMatchIterator mi;
	Header h;
	int found = 0;

	mi = rpmtsInitIterator(db->rpm, RPMDBI_INSTFILENAMES, path, 0);
	if (mi == NULL)
		return 0;
	if ((h = rpmdbNextIterator(mi)) != NULL &&
	    (o->pkg = pkg_of(db, h)) != NULL) {
		rpmfiles files = rpmfilesNew(NULL, h, RPMTAG_BASENAMES,
		    RPMFI_FLAGS_QUERY);
		int ix = files ? rpmfilesFindFN(files, path) : -1;

		found = 1;
		o->listed = xstrdup(path);
		if (ix >= 0) {
			int pgp = 0;
			size_t len = 0;
			const unsigned char *dg = rpmfilesFDigest(files, ix,
			    &pgp, &len);

			if (dg && len > 0 && len * 2 < DIGEST_HEX_MAX &&
			    algo_of(pgp) != DIGEST_NONE) {
				for (size_t i = 0; i < len; i++) {
					o->digest[2 * i] = digits[dg[i] >> 4];
					o->digest[2 * i + 1] = digits[dg[i] & 15];
				}
				o->digest[2 * len] = '\0';
				o->algo = algo_of(pgp);
			}
		}
		rpmfilesFree(files);
	}
	rpmdbFreeIterator(mi);
	return found;
}

void
rpmdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	for (size_t i = 0; db->rpm && i < n; i++) {
		char *alias;

		if (paths[i] == NULL || paths[i][0] != '/')
			continue;
		if (lookup(db, paths[i], &out[i]))
			continue;
		if ((alias = pkgdb_usr_alias(paths[i])) != NULL) {
			lookup(db, alias, &out[i]);
			free(alias);
		}
	}
}

void
rpmdb_close(struct pkgdb *db)
{
	if (db->rpm) {
		rpmtsCloseDB(db->rpm);
		rpmtsFree(db->rpm);
		db->rpm = NULL;
	}
}

#else	/* no librpm in this build */

int
rpmdb_open(struct pkgdb *db, const char *dbdir)
{
	db->error = xasprintf("an rpm database is in '%s', but this build "
	    "has no librpm to read it", dbdir);
	return -1;
}

void
rpmdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	(void)db;
	(void)paths;
	(void)n;
	(void)out;
}

void
rpmdb_close(struct pkgdb *db)
{
	(void)db;
}

#endif
