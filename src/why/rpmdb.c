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

#include "why/rpmdb.h"
#include "util/dl.h"
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

/* librpm, and librpmio through it: opened for the first database
 * (util/dl.h) */
static struct {
	__typeof__(rpmlogSetMask)	*rpmlogSetMask;
	__typeof__(rpmReadConfigFiles)	*rpmReadConfigFiles;
	__typeof__(rpmPushMacro)	*rpmPushMacro;
	__typeof__(rpmtsCreate)		*rpmtsCreate;
	__typeof__(rpmtsSetRootDir)	*rpmtsSetRootDir;
	__typeof__(rpmtsOpenDB)		*rpmtsOpenDB;
	__typeof__(rpmtsFree)		*rpmtsFree;
	__typeof__(rpmtsCloseDB)	*rpmtsCloseDB;
	__typeof__(headerGetString)	*headerGetString;
	__typeof__(headerGetNumber)	*headerGetNumber;
	__typeof__(rpmtsInitIterator)	*rpmtsInitIterator;
	__typeof__(rpmdbNextIterator)	*rpmdbNextIterator;
	__typeof__(rpmfilesNew)		*rpmfilesNew;
	__typeof__(rpmfilesFindFN)	*rpmfilesFindFN;
	__typeof__(rpmfilesFDigest)	*rpmfilesFDigest;
	__typeof__(rpmfilesFree)	*rpmfilesFree;
	__typeof__(rpmdbFreeIterator)	*rpmdbFreeIterator;
} rpm;
static const struct dl_sym rpm_syms[] = {
	DL_SYM(rpm, rpmlogSetMask),
	DL_SYM(rpm, rpmReadConfigFiles),
	DL_SYM(rpm, rpmPushMacro),
	DL_SYM(rpm, rpmtsCreate),
	DL_SYM(rpm, rpmtsSetRootDir),
	DL_SYM(rpm, rpmtsOpenDB),
	DL_SYM(rpm, rpmtsFree),
	DL_SYM(rpm, rpmtsCloseDB),
	DL_SYM(rpm, headerGetString),
	DL_SYM(rpm, headerGetNumber),
	DL_SYM(rpm, rpmtsInitIterator),
	DL_SYM(rpm, rpmdbNextIterator),
	DL_SYM(rpm, rpmfilesNew),
	DL_SYM(rpm, rpmfilesFindFN),
	DL_SYM(rpm, rpmfilesFDigest),
	DL_SYM(rpm, rpmfilesFree),
	DL_SYM(rpm, rpmdbFreeIterator),
};
static struct dl_lib rpm_lib = DL_LIB(PS_SONAME_RPM, rpm_syms);

struct rpmdb {
	rpmts			 ts;
	/* packages met so far, each allocated alone: owners point at
	 * them for the life of the database */
	struct pkg_info		**pkgs;
	size_t			 n, cap;
};

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

struct rpmdb *
rpmdb_open(const char *root, const char *dbdir, char **cause)
{
	static int configured;
	struct rpmdb *r;
	rpmts ts;

	*cause = NULL;
	if (dl_load(&rpm_lib, cause) != 0)
		return NULL;
	if (!configured) {
		rpm.rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));
		if (rpm.rpmReadConfigFiles(NULL, NULL) != 0) {
			*cause = xstrdup("cannot read librpm's configuration");
			return NULL;
		}
		configured = 1;
	}
	rpm.rpmPushMacro(NULL, "_dbpath", NULL, dbdir, RMIL_CMDLINE);
	ts = rpm.rpmtsCreate();
	if (rpm.rpmtsSetRootDir(ts, root && root[0] ? root : "/") != 0 ||
	    rpm.rpmtsOpenDB(ts, O_RDONLY) != 0) {
		*cause = xasprintf("cannot open the rpm database in '%s'",
		    dbdir);
		rpm.rpmtsFree(ts);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->ts = ts;
	return r;
}

static const struct pkg_info *
pkg_of(struct rpmdb *db, Header h)
{
	const char *name = rpm.headerGetString(h, RPMTAG_NAME);
	const char *ver = rpm.headerGetString(h, RPMTAG_VERSION);
	const char *rel = rpm.headerGetString(h, RPMTAG_RELEASE);
	const char *arch = rpm.headerGetString(h, RPMTAG_ARCH);
	const char *sum = rpm.headerGetString(h, RPMTAG_SUMMARY);
	uint64_t epoch = rpm.headerGetNumber(h, RPMTAG_EPOCH);
	char *version;
	struct pkg_info *p;

	if (name == NULL)
		return NULL;
	if (epoch)
		version = xasprintf("%llu:%s-%s", (unsigned long long)epoch,
		    ver ? ver : "?", rel ? rel : "?");
	else
		version = xasprintf("%s-%s", ver ? ver : "?", rel ? rel : "?");
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->pkgs[i]->name, name) == 0 &&
		    strcmp(db->pkgs[i]->version, version) == 0) {
			free(version);
			return db->pkgs[i];
		}
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	p->arch = xstrdup(arch ? arch : "");
	p->version = version;
	p->desc = sum ? xstrdup(sum) : NULL;
	p->installed = 1;
	xgrow((void **)&db->pkgs, &db->cap, db->n + 1, sizeof(*db->pkgs));
	db->pkgs[db->n++] = p;
	return p;
}

static int
lookup(struct rpmdb *db, const char *path, struct pkg_owner *o)
{
	static const char digits[] = "0123456789abcdef";
	rpmdbMatchIterator mi;
	Header h;
	int found = 0;

	mi = rpm.rpmtsInitIterator(db->ts, RPMDBI_INSTFILENAMES, path, 0);
	if (mi == NULL)
		return 0;
	if ((h = rpm.rpmdbNextIterator(mi)) != NULL &&
	    (o->pkg = pkg_of(db, h)) != NULL) {
		rpmfiles files = rpm.rpmfilesNew(NULL, h, RPMTAG_BASENAMES,
		    RPMFI_FLAGS_QUERY);
		int ix = files ? rpm.rpmfilesFindFN(files, path) : -1;

		found = 1;
		o->listed = xstrdup(path);
		if (ix >= 0) {
			int pgp = 0;
			size_t len = 0;
			const unsigned char *dg = rpm.rpmfilesFDigest(files, ix,
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
		rpm.rpmfilesFree(files);
	}
	rpm.rpmdbFreeIterator(mi);
	return found;
}

void
rpmdb_owners(struct rpmdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	for (size_t i = 0; db && i < n; i++) {
		char *alias;

		if (paths[i] == NULL || paths[i][0] != '/')
			continue;
		if (lookup(db, paths[i], &out[i]))
			continue;
		if ((alias = pkg_usr_alias(paths[i])) != NULL) {
			lookup(db, alias, &out[i]);
			free(alias);
		}
	}
}

const struct pkg_info *
rpmdb_find(const struct rpmdb *db, const char *name)
{
	for (size_t k = 0; db && k < db->n; k++)
		if (strcmp(db->pkgs[k]->name, name) == 0)
			return db->pkgs[k];
	return NULL;
}

void
rpmdb_free(struct rpmdb *db)
{
	if (db == NULL)
		return;
	rpm.rpmtsCloseDB(db->ts);
	rpm.rpmtsFree(db->ts);
	for (size_t i = 0; i < db->n; i++) {
		free(db->pkgs[i]->name);
		free(db->pkgs[i]->arch);
		free(db->pkgs[i]->version);
		free(db->pkgs[i]->desc);
		free(db->pkgs[i]);
	}
	free(db->pkgs);
	free(db);
}

#else	/* no librpm in this build */

struct rpmdb *
rpmdb_open(const char *root, const char *dbdir, char **cause)
{
	(void)root;
	*cause = xasprintf("an rpm database is in '%s', but this build "
	    "has no librpm to read it", dbdir);
	return NULL;
}

void
rpmdb_owners(struct rpmdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	(void)db;
	(void)paths;
	(void)n;
	(void)out;
}

const struct pkg_info *
rpmdb_find(const struct rpmdb *db, const char *name)
{
	(void)db;
	(void)name;
	return NULL;
}

void
rpmdb_free(struct rpmdb *db)
{
	(void)db;
}

#endif
