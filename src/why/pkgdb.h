/*
 * pkgdb.h - which installed package owns a file, read straight from the
 * package manager's database (dpkg's /var/lib/dpkg), once per run.
 *
 * The index is built for the paths the run needs: pkgdb_owners() takes
 * every executable at once and makes one pass over dpkg's file lists,
 * trying the merged-/usr alias of each path (/bin/x and /usr/bin/x) and
 * following dpkg-divert's diversions.  Recorded MD5 digests are read
 * from the owning package's md5sums file when asked for.
 */
#ifndef PS_PKGDB_H
#define PS_PKGDB_H

#include <stddef.h>

/* Digest algorithms packages record (the values are ours). */
enum digest_algo {
	DIGEST_NONE,
	DIGEST_MD5,		/* dpkg's md5sums; old rpm */
	DIGEST_SHA1,
	DIGEST_SHA224,
	DIGEST_SHA256,		/* rpm >= 4.6's default */
	DIGEST_SHA384,
	DIGEST_SHA512
};

#define DIGEST_HEX_MAX	129	/* SHA-512 in hex, and a NUL */

const char *digest_algo_name(enum digest_algo a);

enum pkg_manager {
	PM_NONE,		/* no package database found */
	PM_DPKG,
	PM_RPM			/* read through librpm (see rpmdb.c) */
};

struct pkg_info {
	char	*name;		/* without the architecture */
	char	*arch;		/* "" when the status file has none */
	char	*version;
	char	*desc;		/* first line of Description, or NULL */
	int	 installed;	/* status "install ok installed" */
};

struct pkg_owner {
	const struct pkg_info *pkg;	/* NULL: no package lists it */
	char	*listed;	/* the path as the package lists it */
	char	*diverted_by;	/* package that diverted it, "local", NULL */
	int	 local_diversion;	/* diverted locally: not packaged */
	/* rpm: the digest from the package header, read with the owner */
	enum digest_algo algo;
	char	 digest[DIGEST_HEX_MAX];
};

struct diversion {
	char	*from, *to, *by;	/* by: package, or ":" for local */
};

struct pkgdb {
	enum pkg_manager	 pm;
	char			*root;		/* prefix: "" = live system */
	char			*error;		/* why nothing could be read */
	struct pkg_info		*pkgs;		/* sorted by name, then arch */
	size_t			 npkgs;
	struct diversion	*divs;
	size_t			 ndivs;
	unsigned int		 malformed;	/* skipped records/lines */
	unsigned int		 lists_read;	/* file lists scanned */
	/* rpm: packages met so far (each allocated alone: owners point
	 * at them), and librpm's transaction set */
	struct pkg_info		**rpm_pkgs;
	size_t			 nrpm, rpmcap;
	void			*rpm;
};

/* Open the database under root ("" or NULL: the live system). */
void pkgdb_open(struct pkgdb *db, const char *root);
void pkgdb_release(struct pkgdb *db);
/* Human name of the package manager ("dpkg", "rpm", "none"). */
const char *pkgdb_manager_name(enum pkg_manager pm);

/* Owners of paths[0..n), in one pass over the file lists. */
void pkgdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out);
void pkg_owner_release(struct pkg_owner *o);

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

/* The merged-/usr alias of path (/usr/bin/x <-> /bin/x); NULL if none. */
char *pkgdb_usr_alias(const char *path);

/* rpmdb.c (librpm): open the rpm database in dbdir (under db->root);
 * 0, or -1 with db->error set.  Without librpm in the build, -1. */
int rpmdb_open(struct pkgdb *db, const char *dbdir);
void rpmdb_owners(struct pkgdb *db, const char *const *paths, size_t n,
    struct pkg_owner *out);
void rpmdb_close(struct pkgdb *db);

/* Parsers, pure, exposed for unit tests and fuzzing. */
void dpkg_parse_status(struct pkgdb *db, const char *buf, size_t len);
void dpkg_parse_diversions(struct pkgdb *db, const char *buf, size_t len);
int dpkg_md5sums_find(const char *buf, size_t len, const char *path,
    char hex[33]);

#endif
