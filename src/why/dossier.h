/*
 * dossier.h - why each process runs: origin, package, integrity and
 * purpose, gathered for the processes of a listing.
 *
 * Built after the listing (it needs the owners), in one pass: the
 * executables of every process go to the package database at once, the
 * digests are taken once per file, origins once per process (per
 * socket only for PID 1, inetd and socket-activated services, where
 * the answer depends on the port).
 */
#ifndef PS_DOSSIER_H
#define PS_DOSSIER_H

#include <stddef.h>

#include "why/kb.h"
#include "model/listing.h"
#include "why/origin.h"
#include "why/integrity.h"
#include "why/pkgdb.h"

struct dossier {
	int			 built;
	struct pkg_owner	 owner;
	const struct pkgdb	*db;		/* the database owner is from */
	struct integrity	 integ;
	struct origin		 origin;	/* the process's own */
	int			 sensitive;	/* origin varies by socket */
	const struct kb_entry	*kb;
	char			*purpose;	/* fallback when no kb entry */
	const char		*purpose_source;
};

struct dossiers {
	struct dossier		*v;		/* parallel to ps.procs */
	size_t			 n;
	struct origin		*row_origin;	/* per ps.owners index, for
						   sensitive processes */
	unsigned char		*row_done;
	size_t			 nrows;		/* slots of row_origin */
	struct pkgdb		 db;		/* the host's */
	struct pkgdb		**cdb;		/* per container root */
	char			**cdb_key;
	size_t			 ncdb, cdbcap;
	struct origin_ctx	*octx;
	struct kb		 kb;
	struct digest_cache	 digests;
	char			*preload_file;	/* /etc/ld.so.preload text */
	unsigned int		 env_denied;	/* environments not readable */
	double			 ms;
	/* the parts of ms, for -v and the benchmark */
	double			 ms_open, ms_origin, ms_packages, ms_check;
};

/* Everything for the processes that own a selected socket. */
void dossiers_build(struct dossiers *d, struct listing *l,
    const char *kb_path);
void dossiers_release(struct dossiers *d);

/* The origin for a row: (socket view, owner index into ps.owners). */
const struct origin *dossiers_origin(const struct dossiers *d,
    const struct listing *l, size_t owner_index);

/* The purpose line and where it came from, for a process. */
const char *dossier_purpose(const struct dossier *ds, const char **source);

#endif
