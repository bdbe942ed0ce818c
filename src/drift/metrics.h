/*
 * metrics.h - a run's listeners, drift and policy as Prometheus metrics,
 * in the text exposition format that node_exporter's textfile collector
 * reads (format 0.0.4).
 *
 * Every metric is a gauge named portsleuth_*, in base units; a listener
 * is one portsleuth_listener_info series (value 1) whose labels are its
 * record's fields.  Label values are escaped as the format asks (a
 * backslash, a double quote and a line feed); the record's fields are
 * already valid UTF-8 with control characters escaped.  The number of
 * info series is capped, and what the cap left out is itself a metric.
 */
#ifndef PS_DRIFT_METRICS_H
#define PS_DRIFT_METRICS_H

#include <stddef.h>

#include "drift/diff.h"
#include "drift/policy.h"
#include "drift/record.h"
#include "util/strbuf.h"

#define METRICS_SERIES_DEFAULT	10000
#define METRICS_SERIES_MAX	1000000

struct metrics_in {
	const struct drift_set	 *now;		/* this run's records, sorted */
	const struct changes	 *drift;	/* NULL: no baseline */
	const struct violations	 *viol;		/* NULL: no policy */
	int			  probed;	/* --probe ran */
	int			  firewall;	/* --firewall ran */
	double			  duration_s;	/* the run's own time */
	size_t			  notes;	/* what it could not see */
	double			  timestamp_s;	/* when it ran (Unix time) */
	size_t			  max_series;	/* info series at most */
};

/* The exposition into out (pure).  0, or -1 when out was too small. */
int metrics_render(const struct metrics_in *in, struct strbuf *out);
/* v as a label value: \ " and line feed escaped (pure). */
void metrics_label_value(struct strbuf *sb, const char *v);
/* Is an integrity word a failure (MODIFIED, deleted, replaced,
 * suspect, preload)? */
int metrics_integrity_failed(const char *word);

#endif
