/*
 * drift.c - `portsleuth baseline` (save what listens) and `portsleuth
 * diff` (what changed since, and what a policy does not allow).
 *
 * Both build the same records (drift/record) from a listing with its
 * origins, packages and digests (and wire protocols with --probe); diff
 * asks for the listing the way the baseline says it was taken, so the
 * two sides are the same view of the host.
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "drift/baseline.h"
#include "drift/diff.h"
#include "drift/metrics.h"
#include "drift/nagios.h"
#include "drift/policy.h"
#include "drift/record.h"
#include "fw/nat.h"
#include "model/listing.h"
#include "probe/rules.h"
#include "probe/verdict.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/notes.h"
#include "util/atomicfile.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "why/dossier.h"
#include "util/banned.h"

enum { OPT_EPHEMERAL = OPT_SHARED_END, OPT_POLICY, OPT_UDPLITE, OPT_SCTP,
	OPT_FIREWALL, OPT_TEXTFILE, OPT_BASELINE, OPT_NO_BASELINE,
	OPT_MAX_SERIES, OPT_TCP_LONG, OPT_RAW_LONG, OPT_CHECK_TIMEOUT };

/* What baseline, diff, metrics and check share, TCP and raw aside. */
#define DRIFT_OPTS_COMMON \
	CMDOPT_SOURCES, \
	CMDOPT_PROBE, \
	{ "udp", no_argument, NULL, 'u' }, \
	{ "udplite", no_argument, NULL, OPT_UDPLITE }, \
	{ "firewall", no_argument, NULL, OPT_FIREWALL }, \
	{ "sctp", no_argument, NULL, OPT_SCTP }, \
	{ "ipv4", no_argument, NULL, '4' }, \
	{ "ipv6", no_argument, NULL, '6' }, \
	{ "ephemeral", no_argument, NULL, OPT_EPHEMERAL }, \
	{ "policy", required_argument, NULL, OPT_POLICY }, \
	{ "baseline", required_argument, NULL, OPT_BASELINE }, \
	{ "no-baseline", no_argument, NULL, OPT_NO_BASELINE }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }

static const struct option drift_opts[] = {
	DRIFT_OPTS_COMMON,
	{ "tcp", no_argument, NULL, 't' },
	{ "raw", no_argument, NULL, 'w' },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "max-series", required_argument, NULL, OPT_MAX_SERIES },
	{ NULL, 0, NULL, 0 }
};

/* check's: -t, -w and -c are the monitoring plugins' (timeout,
 * warning, critical), so TCP and raw are long options only. */
static const struct option check_opts[] = {
	DRIFT_OPTS_COMMON,
	{ "tcp", no_argument, NULL, OPT_TCP_LONG },
	{ "raw", no_argument, NULL, OPT_RAW_LONG },
	{ "warning", required_argument, NULL, 'w' },
	{ "critical", required_argument, NULL, 'c' },
	{ "timeout", required_argument, NULL, OPT_CHECK_TIMEOUT },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

#define CHECK_TIMEOUT_DEFAULT	10	/* s, the plugins' usual */
#define CHECK_LINES		50	/* long output lines at most */

void
cmd_check_usage(FILE *out)
{
	fputs(
"usage: portsleuth check [options]\n"
"\n"
"A monitoring plugin (Nagios, Icinga, Naemon, Sensu): what listens now\n"
"against the baseline and the policy, as one status line, a line per\n"
"finding and performance data.  Exit status 0 OK, 1 WARNING, 2 CRITICAL,\n"
"3 UNKNOWN (bad arguments, an unreadable baseline or policy, a timeout).\n"
"\n"
"Metrics (each with an optional warning and critical range):\n"
"  listeners, exposed (bound to every address), changes (new + gone +\n"
"  changed since the baseline), new, gone, changed, widened (new and\n"
"  open to all, a wider exposure, a firewall path opened), unexpected\n"
"  and missing (the policy), integrity (executables modified, deleted,\n"
"  replaced...), mismatches (--probe), notes (what it could not see).\n"
"Defaults: -w changes=0 -w mismatches=0 -c widened=0 -c unexpected=0\n"
"  -c missing=0 -c integrity=0.\n"
"\n"
"Options:\n"
"      --baseline FILE  compare with FILE (default " BASELINE_DEFAULT ",\n"
"                       when it exists)\n"
"      --no-baseline    no comparison\n"
"      --policy FILE    expected listeners (JSON, with wildcards)\n"
"  -w, --warning METRIC=RANGE   warning threshold (repeatable; an empty\n"
"                       RANGE removes the metric's threshold)\n"
"  -c, --critical METRIC=RANGE  critical threshold (repeatable)\n"
"                       RANGE as in the plugins' guidelines: N (alert\n"
"                       above N), N: (below N), ~:N, N:M, @N:M (inside)\n"
"  -t, --timeout SECONDS  UNKNOWN after this long (default 10, at most\n"
"                       3600)\n"
"      --tcp, -u, --raw, --udplite, --sctp, -4, -6, --ephemeral,\n"
"      --firewall, --probe, --probe-timeout MS, --netns SPEC\n"
"                       as for baseline (without a baseline only)\n"
"      --root DIR, --replay FILE, --iana FILE, --kb FILE, --rules FILE\n"
"                       as for the listing\n"
"  -v, --verbose        where the time went (on standard error)\n"
"  -V, --version        version\n"
"  -h, --help           this help\n", out);
}

void
cmd_baseline_usage(FILE *out)
{
	fputs(
"usage: portsleuth baseline [options] [FILE]\n"
"\n"
"Save what listens now, with the owner's program, package, digest,\n"
"origin and exposure (and wire protocol with --probe), to FILE (default\n"
BASELINE_DEFAULT ", mode 0600, written atomically),\n"
"for `portsleuth diff` to compare with later.\n"
"\n"
"Options:\n"
"  -t, -u, -w           TCP, UDP, raw sockets (default: all protocols)\n"
"      --udplite, --sctp  those protocols\n"
"  -4, -6               IPv4 or IPv6 only\n"
"      --netns SPEC     which network namespaces (default: all from the\n"
"                       host's namespace, else its own)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"      --probe          also what answers on each port\n"
"      --probe-timeout MS  the probing budget (default 8000)\n"
"      --firewall       also the firewall's verdict of each listener (as\n"
"                       root; diff then reports a verdict that changed,\n"
"                       \"(opened)\" when a path is now let in)\n"
"      --ephemeral      keep UDP sockets on ephemeral ports (clients'\n"
"                       sockets that come and go; left out by default)\n"
"      --root DIR, --replay FILE, --iana FILE, --kb FILE, --rules FILE\n"
"                       as for the listing\n"
"  -v, --verbose        where the time went\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 saved, 2 usage or fatal error.\n", out);
}

void
cmd_diff_usage(FILE *out)
{
	fputs(
"usage: portsleuth diff [options] [FILE]\n"
"\n"
"What is new, gone and changed since the baseline in FILE (default\n"
BASELINE_DEFAULT "): the listing is made again the way the\n"
"baseline was taken.  A restart (new PID, new socket, new start time) is\n"
"not a change; another program, package version, digest, origin, user,\n"
"address or wider exposure, or wire protocol is.  With --policy, also\n"
"the listeners the policy does not allow, and the required ones missing\n"
"(without FILE, only the policy is checked).\n"
"\n"
"Options:\n"
"  -j, --json           one JSON document\n"
"      --policy FILE    expected listeners (JSON, with wildcards)\n"
"      --root DIR, --replay FILE, --iana FILE, --kb FILE, --rules FILE\n"
"                       as for the listing\n"
"  -v, --verbose        where the time went\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 no change (and the policy met), 1 changes or violations,\n"
"2 usage or fatal error.\n", out);
}

void
cmd_metrics_usage(FILE *out)
{
	fputs(
"usage: portsleuth metrics [options]\n"
"\n"
"What listens now, as Prometheus metrics in the text exposition format:\n"
"one portsleuth_listener_info series per listener (its namespace,\n"
"protocol, address, port, exposure, process, unit, package, integrity,\n"
"and wire protocol and verdict with --probe), counts by exposure,\n"
"integrity failures, mismatches (--probe), changes since the baseline,\n"
"policy violations (--policy), and the run's own duration, notes and time.\n"
"With a baseline, the listing is made the way the baseline was taken.\n"
"\n"
"Options:\n"
"      --textfile DIR   write DIR/portsleuth.prom for node_exporter's\n"
"                       textfile collector (atomically: a temporary file,\n"
"                       then a rename), instead of standard output\n"
"      --baseline FILE  compare with FILE (default " BASELINE_DEFAULT ",\n"
"                       when it exists)\n"
"      --no-baseline    no comparison; the listing options below apply\n"
"      --policy FILE    expected listeners (JSON, with wildcards)\n"
"      --max-series N   at most N info series (default 10000); the rest\n"
"                       are counted in portsleuth_listener_info_omitted\n"
"  -t, -u, -w, --udplite, --sctp, -4, -6, --ephemeral, --firewall, --probe,\n"
"  --probe-timeout MS, --netns SPEC\n"
"                       as for baseline (without a baseline only)\n"
"      --root DIR, --replay FILE, --iana FILE, --kb FILE, --rules FILE\n"
"                       as for the listing\n"
"  -v, --verbose        where the time went\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 written, 2 usage or fatal error (the file is then left\n"
"as it was: a stale file is what an alert on\n"
"portsleuth_run_timestamp_seconds catches).\n", out);
}

struct drift_args {
	struct cmd_opts		 co;
	struct baseline_opts	 bo;
	const char		*file, *policy;
	int			 verbose;
	/* metrics */
	const char		*textfile;
	int			 no_baseline, listing_opts;
	size_t			 max_series;
	/* check */
	struct np_check		 th;
	unsigned int		 timeout_s;
};

static int
parse(int argc, char **argv, const char *cmd, struct drift_args *a)
{
	int ch, taken, is_diff = strcmp(cmd, "diff") == 0;
	int is_metrics = strcmp(cmd, "metrics") == 0;
	int is_check = strcmp(cmd, "check") == 0;

	memset(a, 0, sizeof(*a));
	a->max_series = METRICS_SERIES_DEFAULT;
	a->timeout_s = CHECK_TIMEOUT_DEFAULT;
	np_check_defaults(&a->th);
	cmd_opts_init(&a->co, cmd);
	optind = 1;
	while ((ch = getopt_long(argc, argv, is_check ? "w:c:t:u46vVh" :
	    is_diff ? "jvh" : "tuw46vh", is_check ? check_opts : drift_opts,
	    NULL)) != -1) {
		if ((taken = cmd_opts_take(&a->co, ch, optarg)) != 0) {
			if (taken < 0)
				return -1;
			continue;
		}
		if (is_check) {
			const char *why;
			uint64_t v;

			switch (ch) {
			case 'w':
			case 'c':
				if (np_threshold_set(&a->th, ch == 'c', optarg,
				    &why) < 0) {
					cmd_usage(&a->co, "--%s '%s': %s",
					    ch == 'c' ? "critical" : "warning",
					    optarg, why);
					return -1;
				}
				continue;
			case 't':
			case OPT_CHECK_TIMEOUT:
				if (num_parse_str(optarg, 1, 3600, &v) != 0) {
					cmd_usage(&a->co, "--timeout: seconds, "
					    "from 1 to 3600");
					return -1;
				}
				a->timeout_s = (unsigned int)v;
				continue;
			case 'V':
				printf("portsleuth check %s\n",
				    PORTSLEUTH_VERSION);
				return 1;
			case OPT_TCP_LONG:
				ch = 't';
				break;
			case OPT_RAW_LONG:
				ch = 'w';
				break;
			}
		}
		/* diff asks again the way the baseline was taken */
		if (is_diff && ch != 'h' && ch != 'v' && ch != OPT_POLICY) {
			cmd_usage(&a->co, "diff takes its listing options "
			    "from the baseline");
			return -1;
		}
		if (!is_metrics && (ch == OPT_TEXTFILE || ch == OPT_MAX_SERIES ||
		    (!is_check && (ch == OPT_BASELINE ||
		    ch == OPT_NO_BASELINE)))) {
			cmd_usage(&a->co, "--%s is metrics'", ch == OPT_TEXTFILE ?
			    "textfile" : ch == OPT_BASELINE ? "baseline" :
			    ch == OPT_NO_BASELINE ? "no-baseline" : "max-series");
			return -1;
		}
		if (strchr("tuw46", ch) || ch == OPT_UDPLITE || ch == OPT_SCTP ||
		    ch == OPT_EPHEMERAL || ch == OPT_FIREWALL)
			a->listing_opts = 1;
		switch (ch) {
		case OPT_TEXTFILE:
			a->textfile = optarg;
			break;
		case OPT_BASELINE:
			a->file = optarg;
			break;
		case OPT_NO_BASELINE:
			a->no_baseline = 1;
			break;
		case OPT_MAX_SERIES: {
			uint64_t v;

			if (num_parse_str(optarg, 1, METRICS_SERIES_MAX, &v) != 0) {
				cmd_usage(&a->co, "--max-series: a number from 1 "
				    "to %u", METRICS_SERIES_MAX);
				return -1;
			}
			a->max_series = (size_t)v;
			break;
		}
		case 't':
			a->bo.protos |= PROTO_BIT(PROTO_TCP);
			break;
		case 'u':
			a->bo.protos |= PROTO_BIT(PROTO_UDP);
			break;
		case 'w':
			a->bo.protos |= PROTO_BIT(PROTO_RAW);
			break;
		case OPT_UDPLITE:
			a->bo.protos |= PROTO_BIT(PROTO_UDPLITE);
			break;
		case OPT_SCTP:
			a->bo.protos |= PROTO_BIT(PROTO_SCTP);
			break;
		case '4':
			a->bo.want4 = 1;
			break;
		case '6':
			a->bo.want6 = 1;
			break;
		case OPT_EPHEMERAL:
			a->bo.ephemeral = 1;
			break;
		case OPT_FIREWALL:
			a->bo.firewall = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case OPT_POLICY:
			if (!is_diff && !is_metrics && !is_check) {
				cmd_usage(&a->co, "--policy is diff's");
				return -1;
			}
			a->policy = optarg;
			break;
		case 'h':
			if (is_check)
				cmd_check_usage(stdout);
			else if (is_metrics)
				cmd_metrics_usage(stdout);
			else if (is_diff)
				cmd_diff_usage(stdout);
			else
				cmd_baseline_usage(stdout);
			return 1;
		default:
			cmd_try_help(&a->co);
			return -1;
		}
	}
	if (optind < argc && !is_metrics && !is_check)
		a->file = argv[optind++];
	if (optind < argc) {
		cmd_usage(&a->co, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (is_diff && (a->co.probe || a->co.netns)) {
		cmd_usage(&a->co, "diff takes its listing options from the "
		    "baseline");
		return -1;
	}
	if ((is_metrics || is_check) && a->file && a->no_baseline) {
		cmd_usage(&a->co, "--baseline and --no-baseline");
		return -1;
	}
	if (!is_diff && a->co.json) {
		cmd_usage(&a->co, is_check ? "check writes a monitoring "
		    "plugin's answer; --json is diff's" : is_metrics ? "metrics "
		    "writes the Prometheus text format; --json is diff's" :
		    "baseline writes a file; --json is diff's");
		return -1;
	}
	if (cmd_opts_finish(&a->co) < 0)
		return -1;
	a->bo.probe = a->co.probe;
	a->bo.netns = (char *)a->co.netns;
	return 0;
}

/* The listing the options ask for, as records. */
static int
collect(const struct cmd_opts *co, const struct baseline_opts *bo,
    struct drift_set *out, int verbose)
{
	double t0 = now_ms(), t1, t2;
	struct listing_opts lo;
	struct listing l;
	struct dossiers d;
	struct cmd_pf pf;
	struct rules rules;
	struct probe_view *pv = NULL;
	struct drift_opts dopt = { bo->ephemeral, 0, 0 };
	int loaded = 0;

	memset(&lo, 0, sizeof(lo));
	lo.filter.protos = bo->protos;
	lo.filter.want4 = bo->want4;
	lo.filter.want6 = bo->want6;
	lo.netns = bo->netns;
	lo.iana_path = co->iana ? co->iana : cmd_find_data("iana-ports.tsv");
	/* what origins and integrity read (no command lines: a record has
	 * none) */
	lo.need = PS_NEED_CGROUP | PS_NEED_ENVIRON;
	cmd_pf_begin(&pf, !co->root && !co->replay, bo->firewall);
	if (cmd_collect(&l, &lo, co->root, co->replay, NULL) < 0) {
		cmd_pf_release(&l, &pf);
		return -1;
	}
	cmd_read_pf(&l, &pf, !co->root && !co->replay, bo->firewall, NULL);
	t1 = now_ms();
	cmd_report_listing(&l);
	dossiers_build(&d, &l, co->kb ? co->kb : cmd_find_data("daemons.kb"));
	l.why = &d;
	cmd_report_why(&d, &l, 0);
	if (bo->probe) {
		pv = cmd_probe_listing(&l, co->rules, co->probe_budget, &rules,
		    &loaded);
		if (pv == NULL) {
			dossiers_release(&d);
			cmd_pf_release(&l, &pf);
			listing_release(&l);
			return -1;
		}
	}
	cmd_ephemeral_range(&dopt.eph_lo, &dopt.eph_hi);
	t2 = now_ms();
	drift_collect(out, &l, &d, pv, &dopt);
	if (verbose)
		cmd_warn("time: listing %.1f ms, origins, packages and digests "
		    "%.1f ms, records %.1f ms\n", t1 - t0, t2 - t1,
		    now_ms() - t2);
	free(pv);
	if (loaded)
		rules_release(&rules);
	dossiers_release(&d);
	cmd_pf_release(&l, &pf);
	listing_release(&l);
	return 0;
}

static char *
now_iso(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

int
cmd_baseline_exec(int argc, char **argv)
{
	struct drift_args a;
	struct baseline b;
	char host[256] = "", *cause = NULL;
	int rc;

	if ((rc = parse(argc, argv, "baseline", &a)) != 0)
		return rc < 0 ? EXIT_USAGE : 0;
	memset(&b, 0, sizeof(b));
	b.opts = a.bo;
	if (collect(&a.co, &a.bo, &b.set, a.verbose) < 0)
		return cmd_finish(EXIT_USAGE);
	if (a.co.root) {
		/* a tree's own name, not this machine's */
		struct strbuf sb;

		strbuf_init(&sb, sizeof(host) - 1);
		if (sysroot_read("/etc/hostname", sizeof(host) - 1, &sb) == 0)
			snprintf(host, sizeof(host), "%.*s",
			    (int)strcspn(strbuf_str(&sb), "\n"),
			    strbuf_str(&sb));
		strbuf_release(&sb);
	} else {
		(void)gethostname(host, sizeof(host) - 1);
	}
	b.version = xstrdup(PORTSLEUTH_VERSION);
	b.taken = now_iso();
	b.host = xstrdup(host);
	rc = baseline_write(a.file ? a.file : BASELINE_DEFAULT, &b, &cause);
	if (rc < 0) {
		cmd_warn("%s\n", cause);
		free(cause);
	} else {
		/* a path from the command line: through the escaping writer */
		cmd_warn("baseline of %zu listeners saved to %s\n", b.set.n,
		    a.file ? a.file : BASELINE_DEFAULT);
	}
	b.opts.netns = NULL;	/* argv's */
	baseline_release(&b);
	return cmd_finish(rc < 0 ? EXIT_USAGE : 0);
}

/* ---- the report --------------------------------------------------------- */

static void
endpoint(const struct drift_rec *r, char *buf, size_t n)
{
	const char *a = r->f[DF_ADDRESS] ? r->f[DF_ADDRESS] : "?";
	int v6 = r->f[DF_FAMILY] && strcmp(r->f[DF_FAMILY], "ipv6") == 0;

	snprintf(buf, n, "%s%s%s:%s", v6 ? "[" : "", a, v6 ? "]" : "",
	    r->f[DF_PORT] ? r->f[DF_PORT] : "?");
}

static const char *
or_dash(const char *s)
{
	return s ? s : "-";
}

/* "exe /usr/sbin/sshd -> /tmp/sshd; exposure loopback -> all (wider)" */
static void
detail(const struct change *c, struct strbuf *sb)
{
	const struct drift_rec *r = c->after ? c->after : c->before;

	strbuf_reset(sb);
	if (c->kind != CH_CHANGED) {
		strbuf_addf(sb, "%s, origin %s%s%s, exposure %s",
		    or_dash(r->f[DF_USER]), or_dash(r->f[DF_ORIGIN]),
		    r->f[DF_UNIT] ? " " : "", r->f[DF_UNIT] ? r->f[DF_UNIT] :
		    "", or_dash(r->f[DF_EXPOSURE]));
		return;
	}
	for (int f = 0; f < DF_COUNT; f++) {
		if (!(c->fields & (1u << f)))
			continue;
		if (sb->len)
			strbuf_addstr(sb, "; ");
		strbuf_addf(sb, "%s %s -> %s", drift_field_key(f),
		    or_dash(c->before->f[f]), or_dash(c->after->f[f]));
		if (f == DF_EXPOSURE && c->wider)
			strbuf_addstr(sb, " (wider)");
		if (f == DF_FIREWALL && c->opened)
			strbuf_addstr(sb, " (opened)");
	}
}

static void
rule_text(const struct policy_rule *r, size_t idx, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "rule %zu", idx + 1);
	if (r->comment)
		strbuf_addf(sb, " (%s)", r->comment);
	for (int f = 0; f < DF_COUNT; f++)
		if (r->pat[f])
			strbuf_addf(sb, " %s=%s", drift_field_key(f), r->pat[f]);
	if (r->port_lo >= 0)
		strbuf_addf(sb, " port=%d-%d", r->port_lo, r->port_hi);
}

static void
print_table(const struct baseline *b, const char *file,
    const struct changes *ch, const struct policy *pol,
    const struct violations *vi)
{
	static const size_t w[] = { 10, 18, 5, 24, 22, 0 };
	static const char *const head[] = { "CHANGE", "NETNS", "PROTO",
	    "LOCAL", "PROGRAM", "DETAIL" };
	struct strbuf sb;
	char ep[96];

	strbuf_init(&sb, 1u << 16);
	if (ch->n || (vi && vi->n))
		text_row(stdout, w, 6, head);
	for (size_t i = 0; i < ch->n; i++) {
		const struct change *c = &ch->v[i];
		const struct drift_rec *r = c->after ? c->after : c->before;
		const char *cells[6];

		endpoint(r, ep, sizeof(ep));
		detail(c, &sb);
		cells[0] = change_kind_key(c->kind);
		cells[1] = or_dash(r->f[DF_NETNS]);
		cells[2] = or_dash(r->f[DF_PROTO]);
		cells[3] = ep;
		cells[4] = or_dash(r->f[DF_PROGRAM]);
		cells[5] = strbuf_str(&sb);
		text_row(stdout, w, 6, cells);
	}
	for (size_t i = 0; vi && i < vi->n; i++) {
		const struct violation *v = &vi->v[i];
		const char *cells[6];

		if (v->kind == V_UNEXPECTED) {
			endpoint(v->rec, ep, sizeof(ep));
			strbuf_reset(&sb);
			strbuf_addstr(&sb, "no rule of the policy allows it");
			cells[0] = "unexpected";
			cells[1] = or_dash(v->rec->f[DF_NETNS]);
			cells[2] = or_dash(v->rec->f[DF_PROTO]);
			cells[3] = ep;
			cells[4] = or_dash(v->rec->f[DF_PROGRAM]);
		} else {
			rule_text(&pol->v[v->rule], v->rule, &sb);
			strbuf_addstr(&sb, ": required, nothing listens so");
			cells[0] = "missing";
			cells[1] = "-";
			cells[2] = "-";
			cells[3] = "-";
			cells[4] = "-";
		}
		cells[5] = strbuf_str(&sb);
		text_row(stdout, w, 6, cells);
	}
	strbuf_reset(&sb);
	if (b)
		strbuf_addf(&sb, "%zu new, %zu gone, %zu changed since %s (%s)",
		    ch->count[CH_NEW], ch->count[CH_GONE],
		    ch->count[CH_CHANGED], or_dash(b->taken), file);
	if (vi) {
		if (sb.len)
			strbuf_addstr(&sb, "; ");
		strbuf_addf(&sb, "policy: %zu unexpected, %zu missing",
		    vi->count[V_UNEXPECTED], vi->count[V_MISSING]);
	}
	text_line(stdout, strbuf_str(&sb));
	strbuf_release(&sb);
}

static void
put_rec(struct jw *w, const char *key, const struct drift_rec *r)
{
	if (r == NULL) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	for (int f = 0; f < DF_COUNT; f++)
		if (f == DF_PORT)
			jw_int(w, "port", r->f[f] ? strtol(r->f[f], NULL, 10) :
			    0);
		else
			jw_str(w, drift_field_key(f), r->f[f]);
	jw_end(w);
}

static int
print_json(const struct baseline *b, const char *file,
    const struct changes *ch, const struct policy *pol, const char *pfile,
    const struct violations *vi)
{
	struct strbuf sb;
	struct jw w;
	int rc;

	strbuf_init(&sb, BASELINE_CAP);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
	jw_int(&w, "schema", 1);
	if (b) {
		jw_object(&w, "baseline");
		jw_str(&w, "file", file);
		jw_str(&w, "taken", b->taken);
		jw_str(&w, "host", b->host);
		jw_str(&w, "version", b->version);
		jw_end(&w);
	} else {
		jw_null(&w, "baseline");
	}
	jw_array(&w, "changes");
	for (size_t i = 0; b && i < ch->n; i++) {
		const struct change *c = &ch->v[i];

		jw_object(&w, NULL);
		jw_str(&w, "change", change_kind_key(c->kind));
		put_rec(&w, "before", c->before);
		put_rec(&w, "after", c->after);
		jw_array(&w, "fields");
		for (int f = 0; f < DF_COUNT; f++)
			if (c->fields & (1u << f))
				jw_str(&w, NULL, drift_field_key(f));
		jw_end(&w);
		jw_bool(&w, "wider", c->wider);
		jw_bool(&w, "opened", c->opened);
		jw_end(&w);
	}
	jw_end(&w);
	if (vi) {
		jw_object(&w, "policy");
		jw_str(&w, "file", pfile);
		jw_array(&w, "violations");
		for (size_t i = 0; i < vi->n; i++) {
			const struct violation *v = &vi->v[i];

			jw_object(&w, NULL);
			jw_str(&w, "violation", v->kind == V_UNEXPECTED ?
			    "unexpected" : "missing");
			put_rec(&w, "listener", v->rec);
			if (v->kind == V_MISSING) {
				jw_int(&w, "rule", (int64_t)v->rule + 1);
				jw_str(&w, "comment", pol->v[v->rule].comment);
			} else {
				jw_null(&w, "rule");
				jw_null(&w, "comment");
			}
			jw_end(&w);
		}
		jw_end(&w);
		jw_end(&w);
	} else {
		jw_null(&w, "policy");
	}
	jw_object(&w, "summary");
	jw_int(&w, "new", b ? (int64_t)ch->count[CH_NEW] : 0);
	jw_int(&w, "gone", b ? (int64_t)ch->count[CH_GONE] : 0);
	jw_int(&w, "changed", b ? (int64_t)ch->count[CH_CHANGED] : 0);
	jw_int(&w, "unexpected", vi ? (int64_t)vi->count[V_UNEXPECTED] : 0);
	jw_int(&w, "missing", vi ? (int64_t)vi->count[V_MISSING] : 0);
	jw_end(&w);
	jw_object(&w, "sources");
	jw_notes(&w);
	jw_end(&w);
	jw_end(&w);
	rc = cmd_emit_json(&w, stdout);
	strbuf_release(&sb);
	return rc;
}

struct read_job {
	const char	*file;
	pthread_t	 tid;
	int		 started, rc;
	struct baseline	 b;
	char		*cause;
};

static int
same_opts(const struct baseline_opts *a, const struct baseline_opts *b)
{
	return a->protos == b->protos && a->want4 == b->want4 &&
	    a->want6 == b->want6 && a->probe == b->probe &&
	    a->firewall == b->firewall &&
	    a->ephemeral == b->ephemeral && (a->netns == b->netns ||
	    (a->netns && b->netns && strcmp(a->netns, b->netns) == 0));
}

static void *
read_job(void *arg)
{
	struct read_job *j = arg;

	j->rc = baseline_read(j->file, &j->b, &j->cause);
	return NULL;
}

/* What diff, metrics and check share: the baseline (when use_base) and
 * the policy read, the listing made again, compared. */
struct gather {
	struct baseline		 b;
	struct drift_set	 now;
	struct changes		 ch;
	struct policy		 pol;
	struct violations	 vi;
	int			 use_base, have_vi;
	const char		*file;
	double			 ms_read, ms_compare;
};

static void
gather_release(struct gather *g)
{
	if (g->have_vi)
		violations_release(&g->vi);
	changes_release(&g->ch);
	drift_set_release(&g->now);
	policy_release(&g->pol);
	baseline_release(&g->b);
}

/* Say why, or keep it for the caller (check puts it in its status). */
static void
fail(char **why, char *cause)
{
	if (why != NULL && *why == NULL) {
		*why = cause;
		return;
	}
	cmd_warn("%s\n", cause);
	free(cause);
}

/* 0, or -1 after saying why (into *why when why is not NULL; it stays
 * NULL when the listing itself failed, said on standard error). */
static int
gather(struct drift_args *a, int use_base, const char *file,
    struct gather *g, char **why)
{
	struct read_job job = { 0 };
	char *cause = NULL;
	double t0, t1, t2;
	int rc;

	memset(g, 0, sizeof(*g));
	g->use_base = use_base;
	g->file = file;
	t0 = now_ms();
	/* the options first (a small read), then the records on another
	 * thread while the host is listed: a busy host's baseline takes
	 * about as long to parse as its listing takes to walk /proc */
	if (use_base && baseline_read_options(file, &g->b.opts, &cause) < 0) {
		fail(why, cause);
		return -1;
	}
	if (a->policy && policy_read(a->policy, &g->pol, &cause) < 0) {
		fail(why, cause);
		baseline_opts_release(&g->b.opts);
		return -1;
	}
	if (use_base) {
		job.file = file;
		job.started = pthread_create(&job.tid, NULL, read_job, &job) == 0;
		if (!job.started)
			read_job(&job);
	}
	t1 = now_ms();
	rc = collect(&a->co, use_base ? &g->b.opts : &a->bo, &g->now,
	    a->verbose);
	if (use_base && job.started)
		pthread_join(job.tid, NULL);
	if (use_base && job.rc == 0 && !same_opts(&g->b.opts, &job.b.opts)) {
		job.rc = -1;
		job.cause = xasprintf("baseline '%s': its options are not "
		    "where they are written (edited by hand?)", file);
		baseline_release(&job.b);
	}
	baseline_opts_release(&g->b.opts);
	if (use_base)
		g->b = job.b;
	if (rc < 0 || (use_base && job.rc < 0)) {
		if (use_base && job.rc < 0)
			fail(why, job.cause);
		if (rc == 0)
			drift_set_release(&g->now);
		memset(&g->now, 0, sizeof(g->now));
		gather_release(g);
		return -1;
	}
	t2 = now_ms();
	if (use_base)
		drift_diff(&g->b.set, &g->now, &g->ch);
	if (a->policy) {
		policy_check(&g->pol, &g->now, &g->vi);
		g->have_vi = 1;
	}
	g->ms_read = t1 - t0;
	g->ms_compare = now_ms() - t2;
	if (a->verbose)
		cmd_warn("time: reading the baseline %.1f ms, comparing %.1f ms\n",
		    g->ms_read, g->ms_compare);
	return 0;
}

int
cmd_diff_exec(int argc, char **argv)
{
	struct drift_args a;
	struct gather g;
	int use_base, rc, changed;

	if ((rc = parse(argc, argv, "diff", &a)) != 0)
		return rc < 0 ? EXIT_USAGE : 0;
	/* with --policy alone, only the policy; else the baseline */
	use_base = a.file != NULL || a.policy == NULL;
	if (gather(&a, use_base, a.file ? a.file : BASELINE_DEFAULT, &g,
	    NULL) < 0)
		return cmd_finish(EXIT_USAGE);
	changed = g.ch.n > 0 || (g.have_vi && g.vi.n > 0);
	if (a.co.json)
		rc = print_json(use_base ? &g.b : NULL, g.file, &g.ch, &g.pol,
		    a.policy, g.have_vi ? &g.vi : NULL) < 0 ? EXIT_USAGE :
		    changed;
	else {
		print_table(use_base ? &g.b : NULL, g.file, &g.ch, &g.pol,
		    g.have_vi ? &g.vi : NULL);
		rc = changed;
	}
	gather_release(&g);
	return cmd_finish(rc);
}

int
cmd_metrics_exec(int argc, char **argv)
{
	struct drift_args a;
	struct gather g;
	struct metrics_in in;
	struct strbuf sb;
	const char *file;
	char *cause = NULL;
	int use_base, rc = 0;
	double t0 = now_ms();

	if ((rc = parse(argc, argv, "metrics", &a)) != 0)
		return rc < 0 ? EXIT_USAGE : 0;
	file = a.file ? a.file : BASELINE_DEFAULT;
	/* the default baseline when there is one; never a listing option
	 * beside a baseline (the comparison would be of other things) */
	use_base = !a.no_baseline && (a.file != NULL ||
	    access(BASELINE_DEFAULT, F_OK) == 0);
	if (use_base && (a.listing_opts || a.co.probe || a.co.netns)) {
		cmd_usage(&a.co, "with a baseline, metrics takes its listing "
		    "options from it (or give --no-baseline)");
		return EXIT_USAGE;
	}
	if (a.textfile) {
		struct stat st;

		if (stat(a.textfile, &st) < 0 || !S_ISDIR(st.st_mode)) {
			int err = errno;

			cmd_warn("--textfile '%s': %s\n", a.textfile,
			    stat(a.textfile, &st) < 0 ? strerror(err) :
			    "not a directory");
			return cmd_finish(EXIT_USAGE);
		}
	}
	if (gather(&a, use_base, file, &g, NULL) < 0)
		return cmd_finish(EXIT_USAGE);
	memset(&in, 0, sizeof(in));
	in.now = &g.now;
	in.drift = use_base ? &g.ch : NULL;
	in.viol = g.have_vi ? &g.vi : NULL;
	in.probed = use_base ? g.b.opts.probe : a.bo.probe;
	in.firewall = use_base ? g.b.opts.firewall : a.bo.firewall;
	in.notes = notes_count();
	in.max_series = a.max_series;
	in.duration_s = (now_ms() - t0) / 1000.0;
	in.timestamp_s = (double)time(NULL);
	strbuf_init(&sb, 256u << 20);
	if (metrics_render(&in, &sb) < 0) {
		cmd_warn("the metrics are larger than %u MiB: lower "
		    "--max-series\n", 256u);
		rc = EXIT_USAGE;
	} else if (a.textfile) {
		char *path = xasprintf("%s/portsleuth.prom", a.textfile);

		/* 0644: node_exporter reads it as its own user */
		if (atomic_write(path, sb.buf, sb.len, 0644, &cause) < 0) {
			cmd_warn("%s\n", cause);
			free(cause);
			rc = EXIT_USAGE;
		}
		free(path);
	} else
		fwrite(sb.buf, 1, sb.len, stdout);
	if (g.now.n > a.max_series)
		notes_add("%zu listeners beyond --max-series %zu are not in "
		    "portsleuth_listener_info (counted in "
		    "portsleuth_listener_info_omitted)", g.now.n - a.max_series,
		    a.max_series);
	strbuf_release(&sb);
	gather_release(&g);
	return cmd_finish(rc);
}

/* ---- check: a monitoring plugin ----------------------------------------- */

static char	timeout_msg[160];
static size_t	timeout_len;

static void
on_timeout(int sig)
{
	ssize_t w;

	(void)sig;
	w = write(STDOUT_FILENO, timeout_msg, timeout_len);
	(void)w;
	_exit(NP_UNKNOWN);
}

/* The plugin's UNKNOWN: a status line on standard output. */
static int
check_unknown(const char *why)
{
	struct strbuf sb;

	strbuf_init(&sb, 1u << 16);
	strbuf_addstr(&sb, "PORTSLEUTH UNKNOWN - ");
	np_text(&sb, why);
	printf("%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
	notes_reset();
	fflush(stdout);
	return NP_UNKNOWN;
}

int
cmd_check_exec(int argc, char **argv)
{
	struct drift_args a;
	struct gather g;
	struct np_in in;
	struct strbuf sb;
	struct sigaction sa;
	const char **note_v;
	const char *file;
	char *why = NULL;
	int use_base, rc;
	enum np_status st;

	if ((rc = parse(argc, argv, "check", &a)) != 0) {
		if (rc > 0)
			return fflush(stdout) == 0 ? 0 : NP_UNKNOWN;
		return check_unknown("bad arguments (portsleuth check --help)");
	}
	file = a.file ? a.file : BASELINE_DEFAULT;
	use_base = !a.no_baseline && (a.file != NULL ||
	    access(BASELINE_DEFAULT, F_OK) == 0);
	if (use_base && (a.listing_opts || a.co.probe || a.co.netns))
		return check_unknown("with a baseline, check takes its listing "
		    "options from it (or give --no-baseline)");
	/* the guidelines' timeout: a status line, whatever is running */
	timeout_len = (size_t)snprintf(timeout_msg, sizeof(timeout_msg),
	    "PORTSLEUTH UNKNOWN - timed out after %u s (--timeout)\n",
	    a.timeout_s);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timeout;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(a.timeout_s);
	if (gather(&a, use_base, file, &g, &why) < 0) {
		rc = check_unknown(why ? why : "the listing failed (its "
		    "standard error says why)");
		free(why);
		return rc;
	}
	note_v = xcalloc(notes_count() + 1, sizeof(*note_v));
	for (size_t i = 0; i < notes_count(); i++)
		note_v[i] = notes_get(i);
	memset(&in, 0, sizeof(in));
	in.now = &g.now;
	in.drift = use_base ? &g.ch : NULL;
	in.viol = g.have_vi ? &g.vi : NULL;
	in.pol = &g.pol;
	in.baseline = use_base ? file : NULL;
	in.taken = use_base ? g.b.taken : NULL;
	in.probed = use_base ? g.b.opts.probe : a.bo.probe;
	in.notes = notes_count();
	in.note_v = note_v;
	in.max_lines = CHECK_LINES;
	strbuf_init(&sb, 16u << 20);
	st = np_render(&a.th, &in, &sb);
	alarm(0);
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	free(note_v);
	gather_release(&g);
	/* the notes are in the long output: the engine shows standard
	 * output only */
	notes_reset();
	if (fflush(stdout) != 0 || ferror(stdout))
		return NP_UNKNOWN;
	return (int)st;
}
