/*
 * verdict.h - do the port's registered name, the process behind it and
 * the protocol on the wire agree?
 */
#ifndef PS_VERDICT_H
#define PS_VERDICT_H

#include <stddef.h>

#include "probe/engine.h"
#include "probe/rules.h"

enum verdict {
	VERDICT_UNKNOWN,	/* the wire gave no firm answer */
	VERDICT_CONSISTENT,	/* nothing known disagrees */
	VERDICT_MISMATCH	/* the wire contradicts the name or process */
};

/*
 * registered: the port's registered name (NULL if none); programs:
 * the owner's process name and executable base name (either NULL).
 * reasons: filled with one sentence per disagreement.
 */
enum verdict verdict_compute(const struct rules *r, const char *registered,
    const char *comm, const char *exe_base, const struct probe_result *w,
    unsigned int port, const char *proto, char *reasons, size_t sz);

const char *verdict_key(enum verdict v);

/* What --probe found for one socket of a listing. */
struct probe_view {
	int			 probed;	/* 0: not probed, see why */
	const char		*why_not;	/* static text, or NULL */
	struct probe_result	 r;
	enum verdict		 verdict;
	char			 reasons[320];
};

struct listing;
/*
 * Probe every listening TCP and unconnected UDP socket of the listing,
 * at the address it is bound to (a wildcard through loopback), in this
 * network namespace; fill views[i].  Returns 0, or -1 with *cause.
 */
int probe_listing(const struct listing *l, const struct rules *r,
    int budget_ms, struct probe_view *views, char **cause);

#endif
