/*
 * pkgtypes.h - the records every package backend (dpkg, rpm) fills and
 * every caller reads: a package, the owner of a file, digest algorithms.
 */
#ifndef PS_WHY_PKGTYPES_H
#define PS_WHY_PKGTYPES_H

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

/* "md5", "sha256", ...; "none" for anything else. */
const char *digest_algo_name(enum digest_algo a);

enum pkg_manager {
	PM_NONE,		/* no package database found */
	PM_DPKG,
	PM_RPM			/* read through librpm (see rpmdb.c) */
};

/* Human name of the package manager ("dpkg", "rpm", "none"). */
const char *pkg_manager_name(enum pkg_manager pm);

struct pkg_info {
	char	*name;		/* without the architecture */
	char	*arch;		/* "" when the database has none */
	char	*version;
	char	*desc;		/* first line of its description, or NULL */
	int	 installed;	/* dpkg: status "install ok installed" */
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

/* Free what an owner holds (not o itself). */
void pkg_owner_release(struct pkg_owner *o);

/* The merged-/usr alias of path (/usr/bin/x <-> /bin/x); NULL if none.
 * Caller frees. */
char *pkg_usr_alias(const char *path);

#endif
