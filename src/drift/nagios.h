/*
 * nagios.h - a run's drift and policy as a monitoring plugin's answer
 * (Nagios, Icinga, Naemon, Sensu): one status, a status line, long
 * output and performance data, in the format of the monitoring plugins'
 * development guidelines (pure).
 *
 * Each measured quantity is a metric with an optional warning and
 * critical range.  A range is the guidelines' "[@]start:end" (start
 * defaults to 0, "~" is minus infinity, an empty end is infinity): a
 * value outside it alerts, or inside it with "@".  The status is the
 * worst of the metrics'.
 */
#ifndef PS_DRIFT_NAGIOS_H
#define PS_DRIFT_NAGIOS_H

#include <stddef.h>

#include "drift/diff.h"
#include "drift/policy.h"
#include "drift/record.h"
#include "util/strbuf.h"

enum np_status { NP_OK, NP_WARNING, NP_CRITICAL, NP_UNKNOWN };

struct np_range {
	int	set;		/* 0: no threshold */
	int	inside;		/* "@": alert inside */
	double	lo, hi;		/* -HUGE_VAL / HUGE_VAL for ~ and empty */
	char	text[40];	/* as written, for the performance data */
};

enum np_metric {
	NPM_LISTENERS,	/* listeners now */
	NPM_EXPOSED,	/* listeners bound to every address */
	NPM_CHANGES,	/* new + gone + changed since the baseline */
	NPM_NEW, NPM_GONE, NPM_CHANGED,
	NPM_WIDENED,	/* new and open to all, or exposure wider, or a
			 * firewall path opened */
	NPM_UNEXPECTED,	/* listeners the policy does not allow */
	NPM_MISSING,	/* required by the policy, not listening */
	NPM_INTEGRITY,	/* executables modified, deleted, replaced... */
	NPM_MISMATCHES,	/* wire protocol against name or process */
	NPM_NOTES,	/* what the run could not see */
	NPM_COUNT
};

struct np_check {
	struct np_range	 warn[NPM_COUNT], crit[NPM_COUNT];
};

/* The defaults: warning on any change, critical on a widened exposure,
 * a policy violation or an integrity failure; a mismatch warns. */
void np_check_defaults(struct np_check *c);
/* "changes", "new", ... or -1. */
int np_metric_from_name(const char *name);
const char *np_metric_name(enum np_metric m);
/* Parse the guidelines' range.  0, or -1 (malformed). */
int np_range_parse(const char *s, struct np_range *r);
/* "METRIC=RANGE" into warn or crit; an empty RANGE removes the
 * threshold.  0, or -1 with a reason in *why (static). */
int np_threshold_set(struct np_check *c, int critical, const char *arg,
    const char **why);
/* Does v alert against r? */
int np_range_alerts(const struct np_range *r, double v);

struct np_in {
	const struct drift_set	 *now;
	const struct changes	 *drift;	/* NULL: no baseline */
	const struct violations	 *viol;		/* NULL: no policy */
	const struct policy	 *pol;
	const char		 *baseline;	/* its file and when taken */
	const char		 *taken;
	int			  probed;
	size_t			  notes;	/* and their texts */
	const char *const	 *note_v;
	size_t			  max_lines;	/* long output lines at most */
};

/* The whole answer into out, and its status. */
enum np_status np_render(const struct np_check *c, const struct np_in *in,
    struct strbuf *out);
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *np_status_word(enum np_status s);
/* s for a plugin's text: escaped for a terminal (util/escape), and '|'
 * (the performance data's separator) written as U+00A6. */
void np_text(struct strbuf *sb, const char *s);

#endif
