/*
 * metrics.c - the Prometheus text exposition of a run (drift/metrics.h).
 *
 * Conventions followed (prometheus.io's naming and exposition pages):
 * one prefix, base units (seconds), no _total on gauges, an _info
 * series of value 1 carrying the labels, HELP and TYPE once before a
 * metric's samples, label names of [a-z_] only, and a metric's samples
 * together.  Counts that can go down are gauges.
 */
#include <stdio.h>
#include <string.h>

#include "drift/metrics.h"
#include "util/banned.h"

void
metrics_label_value(struct strbuf *sb, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\')
			strbuf_addstr(sb, "\\\\");
		else if (*p == '"')
			strbuf_addstr(sb, "\\\"");
		else if (*p == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, *p);
	}
}

int
metrics_integrity_failed(const char *w)
{
	static const char *const bad[] = { "MODIFIED", "deleted", "replaced",
		"suspect", "preload" };

	for (size_t i = 0; w && i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(w, bad[i]) == 0)
			return 1;
	return 0;
}

static void
head(struct strbuf *sb, const char *name, const char *help)
{
	strbuf_addf(sb, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* An empty value is the same as no label (the format's rule): left out. */
static void
label(struct strbuf *sb, int *first, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	strbuf_addstr(sb, *first ? "{" : ",");
	*first = 0;
	strbuf_addstr(sb, name);
	strbuf_addstr(sb, "=\"");
	metrics_label_value(sb, v);
	strbuf_addch(sb, '"');
}

static const char *
base_name(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s && s[1] ? s + 1 : path;
}

/* The info series' labels, from the record's fields. */
static const struct {
	const char		*label;
	enum drift_field	 f;
} info_labels[] = {
	{ "netns", DF_NETNS }, { "proto", DF_PROTO }, { "family", DF_FAMILY },
	{ "address", DF_ADDRESS }, { "port", DF_PORT },
	{ "exposure", DF_EXPOSURE }, { "device", DF_DEVICE },
	{ "program", DF_PROGRAM }, { "exe", DF_EXE }, { "user", DF_USER },
	{ "unit", DF_UNIT }, { "package", DF_PACKAGE },
	{ "version", DF_VERSION }, { "origin", DF_ORIGIN },
	{ "integrity", DF_INTEGRITY }, { "protocol", DF_PROTOCOL },
	{ "product", DF_PRODUCT }, { "firewall", DF_FIREWALL },
};

static void
info(struct strbuf *sb, const struct metrics_in *in, size_t *omitted)
{
	size_t n = in->now->n, shown = n < in->max_series ? n : in->max_series;

	head(sb, "portsleuth_listener_info", "A listening socket and what "
	    "holds it (value 1; the labels are its record).");
	for (size_t i = 0; i < shown; i++) {
		const struct drift_rec *r = &in->now->v[i];
		int first = 1;

		strbuf_addstr(sb, "portsleuth_listener_info");
		for (size_t k = 0; k < sizeof(info_labels) /
		    sizeof(info_labels[0]); k++)
			label(sb, &first, info_labels[k].label,
			    r->f[info_labels[k].f]);
		label(sb, &first, "process", base_name(r->f[DF_EXE] ?
		    r->f[DF_EXE] : r->f[DF_PROGRAM]));
		if (in->probed)
			label(sb, &first, "verdict", r->verdict ?
			    r->verdict : "not probed");
		strbuf_addstr(sb, first ? " 1\n" : "} 1\n");
	}
	*omitted = n - shown;
}

int
metrics_render(const struct metrics_in *in, struct strbuf *sb)
{
	static const char *const scopes[] = { "loopback", "link-local",
		"address", "device", "all", "multicast" };
	size_t omitted = 0, count[7] = { 0 }, mismatches = 0, failed = 0;

	info(sb, in, &omitted);
	head(sb, "portsleuth_listener_info_omitted", "Listeners left out of "
	    "portsleuth_listener_info by the series cap (--max-series).");
	strbuf_addf(sb, "portsleuth_listener_info_omitted %zu\n", omitted);
	for (size_t i = 0; i < in->now->n; i++) {
		const struct drift_rec *r = &in->now->v[i];
		size_t k;

		for (k = 0; k < 6; k++)
			if (r->f[DF_EXPOSURE] && strcmp(r->f[DF_EXPOSURE],
			    scopes[k]) == 0)
				break;
		count[k]++;
		mismatches += r->verdict && strcmp(r->verdict, "mismatch") == 0;
		failed += metrics_integrity_failed(r->f[DF_INTEGRITY]);
	}
	head(sb, "portsleuth_listeners", "Listening sockets by how widely "
	    "they are bound.");
	for (size_t k = 0; k < 7; k++)
		strbuf_addf(sb, "portsleuth_listeners{exposure=\"%s\"} %zu\n",
		    k < 6 ? scopes[k] : "other", count[k]);
	if (in->probed) {
		head(sb, "portsleuth_mismatches", "Listeners whose wire "
		    "protocol contradicts their port's name or process.");
		strbuf_addf(sb, "portsleuth_mismatches %zu\n", mismatches);
	}
	head(sb, "portsleuth_integrity_failures", "Listeners whose "
	    "executable is modified, deleted, replaced, preloaded or in a "
	    "suspect place.");
	strbuf_addf(sb, "portsleuth_integrity_failures %zu\n", failed);
	if (in->drift) {
		head(sb, "portsleuth_drift_changes", "Listeners new, gone or "
		    "changed since the baseline.");
		for (int k = CH_NEW; k <= CH_CHANGED; k++)
			strbuf_addf(sb, "portsleuth_drift_changes{kind=\"%s\"} "
			    "%zu\n", change_kind_key((enum change_kind)k),
			    in->drift->count[k]);
	}
	if (in->drift) {
		size_t shown = 0;

		head(sb, "portsleuth_drift_change_info", "A listener new, gone or "
		    "changed since the baseline (value 1; exposure and program "
		    "as now, or as they were for one gone).");
		for (size_t i = 0; i < in->drift->n && shown < in->max_series;
		    i++, shown++) {
			const struct change *c = &in->drift->v[i];
			const struct drift_rec *r = c->after ? c->after :
			    c->before;
			int first = 1;

			strbuf_addstr(sb, "portsleuth_drift_change_info");
			label(sb, &first, "kind", change_kind_key(c->kind));
			for (size_t k = 0; k < 7; k++)
				label(sb, &first, info_labels[k].label,
				    r->f[info_labels[k].f]);
			label(sb, &first, "program", r->f[DF_PROGRAM]);
			label(sb, &first, "unit", r->f[DF_UNIT]);
			if (c->wider)
				label(sb, &first, "wider", "1");
			if (c->opened)
				label(sb, &first, "opened", "1");
			strbuf_addstr(sb, first ? " 1\n" : "} 1\n");
		}
	}
	if (in->viol) {
		head(sb, "portsleuth_policy_violations", "Listeners the policy "
		    "does not allow (unexpected) and required ones missing.");
		strbuf_addf(sb, "portsleuth_policy_violations{kind=\"unexpected\"}"
		    " %zu\n", in->viol->count[V_UNEXPECTED]);
		strbuf_addf(sb, "portsleuth_policy_violations{kind=\"missing\"} "
		    "%zu\n", in->viol->count[V_MISSING]);
	}
	head(sb, "portsleuth_run_notes", "What the run could not see (each is "
	    "said on its standard error).");
	strbuf_addf(sb, "portsleuth_run_notes %zu\n", in->notes);
	head(sb, "portsleuth_run_duration_seconds", "How long the run took.");
	strbuf_addf(sb, "portsleuth_run_duration_seconds %.6f\n",
	    in->duration_s);
	head(sb, "portsleuth_run_timestamp_seconds", "When the run ended "
	    "(Unix time): a stale file is a run that stopped.");
	strbuf_addf(sb, "portsleuth_run_timestamp_seconds %.3f\n",
	    in->timestamp_s);
	return sb->truncated ? -1 : 0;
}
