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

#endif
