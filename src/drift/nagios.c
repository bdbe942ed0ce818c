/*
 * nagios.c - a monitoring plugin's answer (drift/nagios.h).
 *
 * The output, as the guidelines ask: the first line is "PORTSLEUTH
 * STATUS - text | perfdata", the lines after it are the long output
 * (one per finding), and the performance data is 'label'=value;warn;
 * crit;min with the thresholds in the range format they were given in.
 * No ';' in the text: Nagios writes it as ':' (its log's separator).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift/metrics.h"
#include "drift/nagios.h"
#include "util/escape.h"
#include "util/banned.h"

static const char *const metric_names[NPM_COUNT] = {
	"listeners", "exposed", "changes", "new", "gone", "changed",
	"widened", "unexpected", "missing", "integrity", "mismatches", "notes",
};

const char *
np_metric_name(enum np_metric m)
{
	return (unsigned)m < NPM_COUNT ? metric_names[m] : "?";
}

int
np_metric_from_name(const char *name)
{
	for (int m = 0; m < NPM_COUNT; m++)
		if (strcmp(name, metric_names[m]) == 0)
			return m;
	return -1;
}

const char *
np_status_word(enum np_status s)
{
	static const char *const w[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };

	return (unsigned)s <= NP_UNKNOWN ? w[s] : "UNKNOWN";
}

/* One end of a range: a finite number, or "~" when tilde_ok. */
static int
range_end(const char *s, size_t n, double empty, int tilde_ok, double *out)
{
	char buf[40], *end;

	if (n == 0) {
		*out = empty;
		return 0;
	}
	if (tilde_ok && n == 1 && s[0] == '~') {
		*out = -HUGE_VAL;
		return 0;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* digits, one sign, one point: no hex, no exponent, no "inf" */
	for (size_t i = 0; i < n; i++)
		if (!(buf[i] >= '0' && buf[i] <= '9') && buf[i] != '.' &&
		    !(i == 0 && (buf[i] == '-' || buf[i] == '+')))
			return -1;
	errno = 0;
	*out = strtod(buf, &end);
	return *end != '\0' || end == buf || errno != 0 || !isfinite(*out) ?
	    -1 : 0;
}

int
np_range_parse(const char *s, struct np_range *r)
{
	const char *p = s, *colon;
	size_t len = strlen(s);

	memset(r, 0, sizeof(*r));
	if (len == 0 || len >= sizeof(r->text))
		return -1;
	if (*p == '@') {
		r->inside = 1;
		p++;
	}
	if ((colon = strchr(p, ':')) != NULL) {
		if (range_end(p, (size_t)(colon - p), 0, 1, &r->lo) < 0 ||
		    range_end(colon + 1, strlen(colon + 1), HUGE_VAL, 0,
		    &r->hi) < 0)
			return -1;
	} else {
		if (*p == '\0' || range_end(p, strlen(p), 0, 0, &r->hi) < 0)
			return -1;
		r->lo = 0;
	}
	if (r->lo > r->hi)
		return -1;
	memcpy(r->text, s, len + 1);
	r->set = 1;
	return 0;
}

int
np_range_alerts(const struct np_range *r, double v)
{
	if (!r->set)
		return 0;
	if (r->inside)
		return v >= r->lo && v <= r->hi;
	return v < r->lo || v > r->hi;
}

void
np_check_defaults(struct np_check *c)
{
	memset(c, 0, sizeof(*c));
	(void)np_range_parse("0", &c->warn[NPM_CHANGES]);
	(void)np_range_parse("0", &c->warn[NPM_MISMATCHES]);
	(void)np_range_parse("0", &c->crit[NPM_WIDENED]);
	(void)np_range_parse("0", &c->crit[NPM_UNEXPECTED]);
	(void)np_range_parse("0", &c->crit[NPM_MISSING]);
	(void)np_range_parse("0", &c->crit[NPM_INTEGRITY]);
}

int
np_threshold_set(struct np_check *c, int critical, const char *arg,
    const char **why)
{
	const char *eq = strchr(arg, '=');
	char name[16];
	int m;
	struct np_range *r;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
		*why = "a threshold is METRIC=RANGE";
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if ((m = np_metric_from_name(name)) < 0) {
		*why = "no such metric (listeners, exposed, changes, new, "
		    "gone, changed, widened, unexpected, missing, integrity, "
		    "mismatches, notes)";
		return -1;
	}
	r = critical ? &c->crit[m] : &c->warn[m];
	if (eq[1] == '\0') {
		memset(r, 0, sizeof(*r));
		return 0;
	}
	if (np_range_parse(eq + 1, r) < 0) {
		*why = "a range is [@]START:END, START:, ~:END or END, with "
		    "numbers";
		memset(r, 0, sizeof(*r));
		return -1;
	}
	return 0;
}

void
np_text(struct strbuf *sb, const char *s)
{
	struct strbuf t;

	s = s ? s : "-";
	strbuf_init(&t, sb->cap ? sb->cap : (size_t)1 << 20);
	escape_terminal(&t, s, strlen(s));
	for (const char *p = strbuf_str(&t); *p; p++)
		if (*p == '|')
			strbuf_addstr(sb, "\xc2\xa6");	/* U+00A6 */
		else
			strbuf_addch(sb, *p);
	strbuf_release(&t);
}

static const char *
field(const struct drift_rec *r, enum drift_field f)
{
	return r->f[f] ? r->f[f] : "-";
}

/* "tcp 0.0.0.0:4444 nc (netns web)" */
static void
listener(struct strbuf *sb, const struct drift_rec *r)
{
	int v6 = r->f[DF_FAMILY] && strcmp(r->f[DF_FAMILY], "ipv6") == 0;

	np_text(sb, field(r, DF_PROTO));
	strbuf_addstr(sb, v6 ? " [" : " ");
	np_text(sb, field(r, DF_ADDRESS));
	strbuf_addstr(sb, v6 ? "]:" : ":");
	np_text(sb, field(r, DF_PORT));
	strbuf_addch(sb, ' ');
	np_text(sb, field(r, DF_PROGRAM));
	/* the namespace, unless the host's or the check's own */
	if (r->f[DF_NETNS] && strcmp(r->f[DF_NETNS], "host") != 0 &&
	    strcmp(r->f[DF_NETNS], "self") != 0) {
		strbuf_addstr(sb, " (netns ");
		np_text(sb, r->f[DF_NETNS]);
		strbuf_addch(sb, ')');
	}
}

struct lines {
	struct strbuf	*sb;
	size_t		 n, max, more;
};

/* Start a long output line, or count it when over the cap. */
static int
line_begin(struct lines *ln)
{
	if (ln->n >= ln->max) {
		ln->more++;
		return 0;
	}
	ln->n++;
	return 1;
}

static int
is_widened(const struct change *c)
{
	if (c->kind == CH_NEW)
		return c->after->f[DF_EXPOSURE] &&
		    strcmp(c->after->f[DF_EXPOSURE], "all") == 0;
	return c->kind == CH_CHANGED && (c->wider || c->opened);
}

static void
change_line(struct lines *ln, const struct change *c)
{
	const struct drift_rec *r = c->after ? c->after : c->before;

	if (!line_begin(ln))
		return;
	strbuf_addstr(ln->sb, change_kind_key(c->kind));
	strbuf_addstr(ln->sb, " since the baseline: ");
	listener(ln->sb, r);
	if (c->kind != CH_CHANGED) {
		strbuf_addstr(ln->sb, ", exposure ");
		np_text(ln->sb, field(r, DF_EXPOSURE));
	}
	for (int f = 0; c->kind == CH_CHANGED && f < DF_COUNT; f++) {
		if (!(c->fields & (1u << f)))
			continue;
		strbuf_addstr(ln->sb, ", ");
		strbuf_addstr(ln->sb, drift_field_key(f));
		strbuf_addch(ln->sb, ' ');
		np_text(ln->sb, field(c->before, f));
		strbuf_addstr(ln->sb, " -> ");
		np_text(ln->sb, field(c->after, f));
		if (f == DF_EXPOSURE && c->wider)
			strbuf_addstr(ln->sb, " (wider)");
		if (f == DF_FIREWALL && c->opened)
			strbuf_addstr(ln->sb, " (opened)");
	}
	strbuf_addch(ln->sb, '\n');
}

static void
violation_line(struct lines *ln, const struct np_in *in,
    const struct violation *v)
{
	if (!line_begin(ln))
		return;
	if (v->kind == V_UNEXPECTED) {
		strbuf_addstr(ln->sb, "unexpected by the policy: ");
		listener(ln->sb, v->rec);
	} else {
		const struct policy_rule *r = &in->pol->v[v->rule];

		strbuf_addf(ln->sb, "missing: the policy's rule %zu",
		    v->rule + 1);
		if (r->comment) {
			strbuf_addstr(ln->sb, " (");
			np_text(ln->sb, r->comment);
			strbuf_addch(ln->sb, ')');
		}
		strbuf_addstr(ln->sb, " requires a listener, none matches");
	}
	strbuf_addch(ln->sb, '\n');
}

static void
perf(struct strbuf *sb, const struct np_check *c, enum np_metric m,
    size_t v)
{
	strbuf_addf(sb, " '%s'=%zu;%s;%s;0", metric_names[m], v,
	    c->warn[m].text, c->crit[m].text);
}

enum np_status
np_render(const struct np_check *c, const struct np_in *in,
    struct strbuf *out)
{
	size_t val[NPM_COUNT] = { 0 };
	int shown[NPM_COUNT] = { 0 };
	enum np_status st = NP_OK, ms[NPM_COUNT];
	struct strbuf body;
	struct lines ln;
	const char *sep;
	int any = 0;

	strbuf_init(&body, out->cap ? out->cap : (size_t)1 << 20);
	ln.sb = &body;
	ln.n = ln.more = 0;
	ln.max = in->max_lines;
	val[NPM_LISTENERS] = in->now->n;
	shown[NPM_LISTENERS] = shown[NPM_EXPOSED] = shown[NPM_INTEGRITY] =
	    shown[NPM_NOTES] = 1;
	val[NPM_NOTES] = in->notes;
	/* the long output in order of gravity: integrity, policy, drift,
	 * mismatches */
	for (size_t i = 0; i < in->now->n; i++) {
		const struct drift_rec *r = &in->now->v[i];

		val[NPM_EXPOSED] += r->f[DF_EXPOSURE] &&
		    strcmp(r->f[DF_EXPOSURE], "all") == 0;
		if (metrics_integrity_failed(r->f[DF_INTEGRITY])) {
			val[NPM_INTEGRITY]++;
			if (line_begin(&ln)) {
				strbuf_addstr(&body, "integrity: ");
				listener(&body, r);
				strbuf_addstr(&body, ": ");
				np_text(&body, field(r, DF_EXE));
				strbuf_addch(&body, ' ');
				np_text(&body, r->f[DF_INTEGRITY]);
				strbuf_addch(&body, '\n');
			}
		}
	}
	if (in->viol) {
		shown[NPM_UNEXPECTED] = shown[NPM_MISSING] = 1;
		val[NPM_UNEXPECTED] = in->viol->count[V_UNEXPECTED];
		val[NPM_MISSING] = in->viol->count[V_MISSING];
		for (size_t i = 0; i < in->viol->n; i++)
			violation_line(&ln, in, &in->viol->v[i]);
	}
	if (in->drift) {
		shown[NPM_CHANGES] = shown[NPM_NEW] = shown[NPM_GONE] =
		    shown[NPM_CHANGED] = shown[NPM_WIDENED] = 1;
		val[NPM_NEW] = in->drift->count[CH_NEW];
		val[NPM_GONE] = in->drift->count[CH_GONE];
		val[NPM_CHANGED] = in->drift->count[CH_CHANGED];
		val[NPM_CHANGES] = in->drift->n;
		for (size_t i = 0; i < in->drift->n; i++) {
			val[NPM_WIDENED] += is_widened(&in->drift->v[i]);
			change_line(&ln, &in->drift->v[i]);
		}
	}
	if (in->probed) {
		shown[NPM_MISMATCHES] = 1;
		for (size_t i = 0; i < in->now->n; i++) {
			const struct drift_rec *r = &in->now->v[i];

			if (!r->verdict || strcmp(r->verdict, "mismatch") != 0)
				continue;
			val[NPM_MISMATCHES]++;
			if (line_begin(&ln)) {
				strbuf_addstr(&body, "mismatch: ");
				listener(&body, r);
				strbuf_addstr(&body, " speaks ");
				np_text(&body, field(r, DF_PROTOCOL));
				strbuf_addch(&body, '\n');
			}
		}
	}
	for (size_t i = 0; i < in->notes && in->note_v; i++)
		if (line_begin(&ln)) {
			strbuf_addstr(&body, "note: ");
			np_text(&body, in->note_v[i]);
			strbuf_addch(&body, '\n');
		}
	if (ln.more)
		strbuf_addf(&body, "... and %zu more\n", ln.more);
	for (int m = 0; m < NPM_COUNT; m++) {
		ms[m] = NP_OK;
		if (!shown[m])
			continue;
		if (np_range_alerts(&c->crit[m], (double)val[m]))
			ms[m] = NP_CRITICAL;
		else if (np_range_alerts(&c->warn[m], (double)val[m]))
			ms[m] = NP_WARNING;
		if (ms[m] > st)
			st = ms[m];
	}
	strbuf_addf(out, "PORTSLEUTH %s - ", np_status_word(st));
	/* the metrics that alert, worst first, then the summary */
	for (int level = NP_CRITICAL; level >= NP_WARNING; level--)
		for (int m = 0; m < NPM_COUNT; m++) {
			if (ms[m] != (enum np_status)level)
				continue;
			strbuf_addf(out, "%s%zu %s", any ? ", " : "", val[m],
			    metric_names[m]);
			any = 1;
		}
	/* the summary, without what the alerts already said */
	sep = any ? ". " : "";
	if (ms[NPM_LISTENERS] == NP_OK) {
		strbuf_addf(out, "%s%zu listeners", sep, val[NPM_LISTENERS]);
		sep = ", ";
	}
	if (ms[NPM_EXPOSED] == NP_OK) {
		strbuf_addf(out, "%s%zu open to all", sep, val[NPM_EXPOSED]);
		sep = ", ";
	}
	if (in->drift) {
		strbuf_addstr(out, sep);
		if (ms[NPM_CHANGES] == NP_OK)
			strbuf_addf(out, "%zu changes since ", val[NPM_CHANGES]);
		strbuf_addstr(out, "baseline of ");
		np_text(out, in->taken ? in->taken : "the baseline");
		sep = ", ";
	}
	if (in->viol) {
		strbuf_addf(out, "%spolicy %s", sep, in->viol->n ? "violated" :
		    "met");
		sep = ", ";
	}
	if (in->notes)
		strbuf_addf(out, "%s%zu notes on what it could not see", sep,
		    in->notes);
	strbuf_addstr(out, " |");
	for (int m = 0; m < NPM_COUNT; m++)
		if (shown[m])
			perf(out, c, (enum np_metric)m, val[m]);
	strbuf_addch(out, '\n');
	strbuf_addstr(out, strbuf_str(&body));
	strbuf_release(&body);
	return st;
}
