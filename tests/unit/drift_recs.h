/* drift_recs.h - a listener record for the drift renderers' unit tests
 * (metrics, nagios): one TCP IPv4 wildcard listener of the host. */
#ifndef PS_TEST_DRIFT_RECS_H
#define PS_TEST_DRIFT_RECS_H

#include "drift/record.h"

static inline struct drift_rec *
rec(struct drift_set *s, const char *port, const char *exposure,
    const char *exe, const char *integrity)
{
	struct drift_rec *r = drift_add(s);

	drift_set_field(r, DF_NETNS, "host");
	drift_set_field(r, DF_PROTO, "tcp");
	drift_set_field(r, DF_FAMILY, "ipv4");
	drift_set_field(r, DF_ADDRESS, "0.0.0.0");
	drift_set_field(r, DF_PORT, port);
	drift_set_field(r, DF_EXPOSURE, exposure);
	drift_set_field(r, DF_EXE, exe);
	drift_set_field(r, DF_PROGRAM, exe);
	drift_set_field(r, DF_INTEGRITY, integrity);
	return r;
}

#endif
