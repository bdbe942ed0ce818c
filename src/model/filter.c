/*
 * filter.c - parsing and matching the selection.
 */
#include <errno.h>
#include <string.h>

#include "model/filter.h"
#include "util/num.h"
#include "util/banned.h"

int
filter_parse_ports(struct filter *f, const char *spec)
{
	const char *p = spec;

	f->nports = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash = memchr(p, '-', n);
		uint64_t lo, hi;
		int rc;

		if (n == 0)
			return EINVAL;
		if (f->nports == FILTER_MAX_RANGES)
			return ERANGE;
		if (dash) {
			if ((rc = num_parse_u64(p, (size_t)(dash - p), 10, 0,
			    65535, &lo)) != 0)
				return rc;
			if ((rc = num_parse_u64(dash + 1,
			    n - (size_t)(dash - p) - 1, 10, 0, 65535, &hi)) != 0)
				return rc;
			if (hi < lo)
				return ERANGE;
		} else {
			if ((rc = num_parse_u64(p, n, 10, 0, 65535, &lo)) != 0)
				return rc;
			hi = lo;
		}
		f->ports[f->nports].lo = (uint16_t)lo;
		f->ports[f->nports].hi = (uint16_t)hi;
		f->nports++;
		if (comma == NULL)
			return 0;
		p = comma + 1;
	}
}

int
filter_port_match(const struct filter *f, uint16_t port)
{
	size_t i;

	if (f->nports == 0)
		return 1;
	for (i = 0; i < f->nports; i++)
		if (f->ports[i].lo <= port && port <= f->ports[i].hi)
			return 1;
	return 0;
}

int
filter_has_process(const struct filter *f)
{
	return f->pid != 0 || f->name != NULL || f->have_uid;
}
