/*
 * diff.h - what changed between two sets of listener records (pure).
 *
 * Pairing, in three passes, each a sort and a merge (n log n on a host
 * of a hundred thousand sockets):
 *   1. the whole identity (namespace, protocol, family, address, port,
 *      program, unit): the same listener; its attributes are compared;
 *   2. the same endpoint (namespace, protocol, family, address, port):
 *      another program or unit took it, a change of those fields;
 *   3. the same namespace, protocol, port and program on another
 *      address: it moved (127.0.0.1 -> 0.0.0.0 is a wider exposure; a
 *      socket unit that listed the old address no longer names it).
 * What is left is new or gone.  PIDs, inodes and start times are not in
 * the records at all: a restart is not a change.
 */
#ifndef PS_DRIFT_DIFF_H
#define PS_DRIFT_DIFF_H

#include <stddef.h>

#include "drift/record.h"

enum change_kind { CH_NEW, CH_GONE, CH_CHANGED };

struct change {
	enum change_kind	 kind;
	const struct drift_rec	*before, *after;	/* NULL for new/gone */
	unsigned int		 fields;	/* bits (1 << DF_*) that differ */
	int			 wider;		/* the exposure grew */
	int			 opened;	/* the firewall now lets in a
						 * path it did not */
};

struct changes {
	struct change	*v;
	size_t		 n, cap;
	size_t		 count[3];	/* per kind */
};

/* base and now must be sorted (drift_sort) and outlive out. */
void drift_diff(const struct drift_set *base, const struct drift_set *now,
    struct changes *out);
void changes_release(struct changes *c);
/* "new", "gone", "changed". */
const char *change_kind_key(enum change_kind k);

#endif
