/*
 * cmd-explain.c - `portsleuth explain TARGET`: the whole dossier of a
 * port, a process or a program on one screen.
 *
 * TARGET: "626/udp", "24" or "24/tcp" (a port), "pid:1234" or a number
 * that no socket uses as a port (a PID), or a name (a program).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "why/dossier.h"
#include "model/listing.h"
#include "model/forward.h"
#include "probe/verdict.h"
#include "render/fw.h"
#include "render/probe.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "render/why.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const struct option explain_opts[] = {
	CMDOPT_SOURCES,
	CMDOPT_PROBE,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_explain_usage(FILE *out)
{
	fputs(
"usage: portsleuth explain [options] TARGET\n"
"\n"
"Everything about a port, a process or a program: its sockets and\n"
"exposure, the process and its parents, how it was started (systemd\n"
"unit, socket activation, inetd/xinetd line, init script, container,\n"
"cron, a login session), its package and whether the executable is\n"
"intact, what it is for, and the commands that would turn it off.\n"
"\n"
"TARGET:\n"
"  PORT[/PROTO]         24, 626/udp: whoever listens on that port\n"
"  NETNS:PORT[/PROTO]   that port in one network namespace, by its label\n"
"                       (podman:web:8000, an ip netns name, host:22)\n"
"  pid:PID              that process (a bare number is a PID only when\n"
"                       no socket uses it as a port)\n"
"  NAME                 processes with that command or executable name\n"
"\n"
"Options:\n"
"  -j, --json           one JSON document\n"
"      --root DIR       read /proc, /etc and /sys under DIR\n"
"      --replay FILE    answer netlink requests from FILE\n"
"      --netns SPEC     which network namespaces: all, host, self, an ip\n"
"                       netns name, a PID, a path, net:[INODE] (default:\n"
"                       all from the host's namespace, else its own)\n"
"      --kb FILE        daemon knowledge base (default: the installed one)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"      --iana FILE      IANA port table (default: the installed one)\n"
"      --probe          also talk to its listening sockets: the protocol,\n"
"                       product, TLS facts found on the wire, and whether\n"
"                       they match the port's name and the process\n"
"      --probe-timeout MS\n"
"                       time budget of the probing (default 8000)\n"
"      --rules FILE     probe and match rules (default: the installed one)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 explained, 1 nothing matched TARGET, 2 usage or fatal\n"
"error.  portsleuth prints the commands to turn things off; it never\n"
"runs them.\n", out);
}

/* Parse TARGET into the filter; *maybe_pid when a bare number. */
static int
parse_target(const char *t, struct filter *f, int *maybe_pid)
{
	const char *slash = strchr(t, '/');
	uint64_t v;

	*maybe_pid = 0;
	if (strncmp(t, "pid:", 4) == 0) {
		if (num_parse_str(t + 4, 1, INT32_MAX, &v) != 0)
			return -1;
		f->pid = (pid_t)v;
		return 0;
	}
	if (strncmp(t, "port:", 5) == 0)
		t += 5;
	if (slash) {
		char *port = xstrndup(t, (size_t)(slash - t));
		int rc = filter_parse_ports(f, port);

		free(port);
		if (rc != 0)
			return -1;
		if (strcmp(slash + 1, "tcp") == 0)
			f->protos = PROTO_BIT(PROTO_TCP);
		else if (strcmp(slash + 1, "udp") == 0)
			f->protos = PROTO_BIT(PROTO_UDP) |
			    PROTO_BIT(PROTO_UDPLITE);
		else if (strcmp(slash + 1, "sctp") == 0)
			f->protos = PROTO_BIT(PROTO_SCTP);
		else if (strcmp(slash + 1, "raw") == 0)
			f->protos = PROTO_BIT(PROTO_RAW);
		else
			return -1;
		return 0;
	}
	if (num_parse_str(t, 0, 65535, &v) == 0) {
		/* PID 0 is no process (and pid 0 in a filter means "any") */
		*maybe_pid = v > 0;
		return filter_parse_ports(f, t) == 0 ? 0 : -1;
	}
	if (num_parse_str(t, 0, INT32_MAX, &v) == 0) {
		f->pid = (pid_t)v;
		return 0;
	}
	if (*t == '\0' || strlen(t) > 255)
		return -1;
	f->name = t;
	return 0;
}

static void
sock_text(const struct sock_view *v, const struct listing *l, char *buf,
    size_t sz)
{
	char a[INET6_ADDRSTRLEN];
	const struct sock_rec *s = v->s;

	(void)l;
	if (inet_ntop(s->family, s->laddr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, sz, "%u/%s on %s%s%s (%s), %s%s%s", s->lport,
	    proto_name(s->proto), s->family == AF_INET6 ? "[" : "", a,
	    s->family == AF_INET6 ? "]" : "", state_name(s->state),
	    v->exp->text,
	    v->svc && v->svc->name[0] ? ", registered as " : "",
	    v->svc && v->svc->name[0] ? v->svc->name : "");
}

/* Does the kb entry list this port among its usual ones? */
static int
usual_port(const struct kb_entry *e, const struct sock_rec *s)
{
	char want[32];
	const char *p;

	snprintf(want, sizeof(want), "%u/%s", s->lport,
	    s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE ? "udp" :
	    s->proto == PROTO_TCP ? "tcp" : proto_name(s->proto));
	for (p = e->ports; p && (p = strstr(p, want)) != NULL; p++)
		if ((p == e->ports || p[-1] == ' ') &&
		    (p[strlen(want)] == '\0' || p[strlen(want)] == ' '))
			return 1;
	return 0;
}

/* The origin of owners[k], or NULL when it says what owners[k - 1]'s
 * did (one line per distinct origin). */
static const struct origin *
distinct_origin(const struct dossiers *d, const struct listing *l,
    const size_t *owners, size_t k)
{
	const struct origin *o = dossiers_origin(d, l, owners[k]);
	const struct origin *prev = k ? dossiers_origin(d, l, owners[k - 1]) :
	    NULL;

	return prev && strcmp(prev->summary, o->summary) == 0 ? NULL : o;
}

static void
explain_process(FILE *out, const struct listing *l, const struct dossiers *d,
    size_t proc, const size_t *owners, size_t nowners)
{
	const struct proc_rec *p = &l->ps.procs[proc];
	const struct dossier *ds = &d->v[proc];
	const struct origin *o;
	struct strbuf sb;
	const char *src;
	char buf[1024], verdict[16];
	char *flags;

	if (p->ns_pid > 0)
		snprintf(buf, sizeof(buf), "%s (pid %d; %d in its own PID "
		    "namespace)", p->comm ? p->comm : "?", (int)p->pid,
		    (int)p->ns_pid);
	else
		snprintf(buf, sizeof(buf), "%s (pid %d)", p->comm ? p->comm :
		    "?", (int)p->pid);
	text_line(out, buf);
	for (size_t k = 0; k < nowners; k++) {
		const struct owner *ow = &l->ps.owners[owners[k]];

		for (size_t i = 0; i < l->nviews; i++)
			if (l->views[i].s->inode == ow->inode) {
				sock_text(&l->views[i], l, buf, sizeof(buf));
				text_field(out, k ? "" : "sockets", buf);
				break;
			}
	}
	for (size_t k = 0; l->fwd && k < nowners; k++) {
		const struct owner *ow = &l->ps.owners[owners[k]];

		for (size_t i = 0; i < l->nviews; i++)
			if (l->views[i].s->inode == ow->inode &&
			    forwards_at(l->fwd, i)->via) {
				why_forward_text(forwards_at(l->fwd, i), buf,
				    sizeof(buf));
				text_field(out, "forwards", buf);
				break;
			}
	}
	for (size_t k = 0; l->fw && k < nowners; k++) {
		const struct owner *ow = &l->ps.owners[owners[k]];

		for (size_t i = 0; i < l->nviews; i++)
			if (l->views[i].s->inode == ow->inode) {
				fw_explain_lines(out, l, i);
				break;
			}
	}
	for (size_t k = 0; l->probe && k < nowners; k++) {
		const struct owner *ow = &l->ps.owners[owners[k]];

		for (size_t i = 0; i < l->nviews; i++) {
			const struct probe_view *pv = &l->probe[i];
			char sum[256];

			if (l->views[i].s->inode != ow->inode || !pv->probed)
				continue;
			char a[INET6_ADDRSTRLEN];
			const struct sock_rec *sr = l->views[i].s;

			probe_result_summary(&pv->r, sum, sizeof(sum));
			if (inet_ntop(sr->family, sr->laddr, a, sizeof(a)) ==
			    NULL)
				snprintf(a, sizeof(a), "?");
			text_fieldf(out, "wire", "%u/%s on %s%s%s: %s (%s)%s%s",
			    sr->lport, proto_name(sr->proto),
			    sr->family == AF_INET6 ? "[" : "", a,
			    sr->family == AF_INET6 ? "]" : "", sum,
			    probe_state_key(pv->r.state), pv->r.info[0] ?
			    "; " : "", pv->r.info);
			if (pv->r.tls)
				text_fieldf(out, "tls", "%s %s; subject %s; issuer "
				    "%s; SANs %s; expires %s%s",
				    pv->r.tls_version, pv->r.tls_cipher,
				    pv->r.cert_subject, pv->r.cert_issuer,
				    pv->r.cert_sans[0] ? pv->r.cert_sans : "-",
				    pv->r.cert_not_after, pv->r.cert_expired ?
				    " (EXPIRED)" : "");
			if (pv->verdict == VERDICT_MISMATCH)
				text_fieldf(out, "MISMATCH", "%s", pv->reasons);
			break;
		}
	}
	for (size_t k = 0; k < nowners; k++) {
		const struct owner *ow = &l->ps.owners[owners[k]];
		const char *how;

		for (size_t i = 0; i < l->nviews; i++)
			if (l->views[i].s->inode == ow->inode &&
			    listing_trusted_port(l, l->views[i].s, p, &how, buf,
			    sizeof(buf)))
				text_field(out, "TRUSTED", buf);
	}
	if (p->ids_known) {
		const char *name = users_name(l->users, p->uid);

		if (name)
			text_fieldf(out, "user", "%s (uid %u)", name,
			    (unsigned)p->uid);
		else
			text_fieldf(out, "user", "%u (no user name for this uid)",
			    (unsigned)p->uid);
	}
	if (p->start_time > 0) {
		time_t t = (time_t)p->start_time;
		struct tm tm;

		if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf),
		    "%Y-%m-%d %H:%M:%S UTC", &tm))
			text_field(out, "started", buf);
	}
	text_field(out, "executable", p->exe ? p->exe : "(not visible)");
	text_field(out, "command", p->cmdline);
	if (ds->owner.pkg)
		text_fieldf(out, "package", "%s %s%s%s%s%s", ds->owner.pkg->name,
		    ds->owner.pkg->version, ds->owner.pkg->arch[0] ? " (" : "",
		    ds->owner.pkg->arch, ds->owner.pkg->arch[0] ? ")" : "",
		    ds->owner.diverted_by ? ", diverted" : "");
	else
		text_field(out, "package", ds->db && ds->db->pm == PM_DPKG ?
		    "none: no installed package owns this file" : ds->db &&
		    ds->db->error ? ds->db->error : "unknown");
	flags = integrity_flags_text(&ds->integ);
	if (ds->integ.verified && !*flags)
		text_fieldf(out, "integrity", "ok: the running image matches the "
		    "%s digest its package recorded",
		    digest_algo_name(ds->integ.algo));
	else
		text_fieldf(out, "integrity", "%s%s%s%s%s",
		    integrity_word(&ds->integ), *flags ? ": " : "", flags,
		    ds->integ.unverified ? "; not verified: " : "",
		    ds->integ.unverified ? ds->integ.unverified : "");
	free(flags);
	text_field(out, "preload", ds->integ.preload);
	for (size_t k = 0; k < nowners; k++) {
		if ((o = distinct_origin(d, l, owners, k)) == NULL)
			continue;
		text_field(out, "origin", o->summary);
		text_field(out, "unit file", o->unit_file);
		text_field(out, "drop-ins", o->dropins);
		text_field(out, "listen", o->listen);
		if (o->ss_file)
			text_fieldf(out, "entry", "%s:%d: %s, program %s, user %s, "
			    "%s", o->ss_file, o->ss_line, o->ss_service,
			    o->ss_program ? o->ss_program : "?",
			    o->ss_user ? o->ss_user : "?", o->ss_wait == 1 ?
			    "wait" : o->ss_wait == 0 ? "nowait" : "?");
		text_field(out, "rc links", o->sysv_links);
		text_field(out, "container", o->container_name);
	}
	o = dossiers_origin(d, l, owners[0]);
	if (o->nchain) {
		strbuf_init(&sb, 4096);
		for (size_t i = 0; i < o->nchain; i++)
			strbuf_addf(&sb, "%s%s %d", i ? " <- " : "",
			    o->chain[i].comm ? o->chain[i].comm : "?",
			    (int)o->chain[i].pid);
		text_field(out, "parents", strbuf_str(&sb));
		strbuf_release(&sb);
	}
	if (dossier_purpose(ds, &src))
		text_field(out, "purpose", dossier_purpose(ds, &src));
	else
		text_field(out, "purpose", "unknown: not in the knowledge base, "
		    "no package, no manual page");
	if (src && !ds->kb)
		text_fieldf(out, "", "(from the %s)", src);
	/* what an inetd/xinetd entry runs is the service really offered */
	for (size_t k = 0; k < nowners; k++) {
		const struct kb_entry *e;
		const char *prog;
		char *first = NULL;

		o = dossiers_origin(d, l, owners[k]);
		if (o->ss_program == NULL || (k > 0 && dossiers_origin(d, l,
		    owners[k - 1])->ss_line == o->ss_line))
			continue;
		prog = o->ss_program;
		if (strcmp(prog, "internal") == 0)
			e = kb_lookup(&d->kb, o->ss_service, NULL, NULL, NULL);
		else {
			const char *b = strrchr(prog, '/');

			if (strcmp(b ? b + 1 : prog, "tcpd") == 0 && o->ss_args)
				prog = first = xstrndup(o->ss_args,
				    strcspn(o->ss_args, " \t"));
			e = kb_lookup(&d->kb, NULL, prog, NULL, NULL);
		}
		if (e == NULL && strcmp(o->ss_program, "internal") == 0)
			e = kb_lookup(&d->kb, "echo", NULL, NULL, NULL);
		if (e)
			text_fieldf(out, "serves", "%s (%s): %s; %s", prog,
			    e->name, e->purpose, e->advice);
		free(first);
	}
	if (ds->kb) {
		text_field(out, "usual ports", ds->kb->ports);
		text_field(out, "risk", ds->kb->risk);
		text_field(out, "advice", ds->kb->advice);
		(void)kb_verdict(ds->kb, verdict, sizeof(verdict));
		for (size_t k = 0, said = 0; k < nowners && !said; k++) {
			const struct owner *ow = &l->ps.owners[owners[k]];

			for (size_t i = 0; i < l->nviews; i++) {
				const struct sock_rec *s = l->views[i].s;

				if (s->inode != ow->inode || s->state !=
				    ST_LISTEN || !ds->kb->ports ||
				    strchr(ds->kb->ports, '/') == NULL ||
				    usual_port(ds->kb, s))
					continue;
				text_fieldf(out, "unusual", "%s normally uses %s; "
				    "here it listens on %u/%s", ds->kb->name,
				    ds->kb->ports, s->lport,
				    proto_name(s->proto));
				said = 1;
				break;
			}
		}
	}
	for (size_t k = 0; k < nowners; k++) {
		if ((o = distinct_origin(d, l, owners, k)) == NULL)
			continue;
		for (size_t i = 0; i < o->ndisable; i++)
			text_field(out, i == 0 && k == 0 ? "turn off" : "",
			    o->disable[i]);
	}
	fputc('\n', out);
}

static int
explain_json(FILE *out, const struct listing *l, const struct dossiers *d,
    const char *target, size_t *procs, size_t nprocs)
{
	struct strbuf sb;
	struct jw w;
	int rc;

	strbuf_init(&sb, 64u << 20);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
	jw_bool(&w, "privileged", l->privileged);
	jw_object(&w, "sources");
	jw_notes(&w);
	jw_end(&w);
	jw_str(&w, "target", target);
	jw_array(&w, "processes");
	for (size_t n = 0; n < nprocs; n++) {
		const struct proc_rec *p = &l->ps.procs[procs[n]];
		const struct dossier *ds = &d->v[procs[n]];

		jw_object(&w, NULL);
		jw_int(&w, "pid", p->pid);
		jw_str(&w, "command", p->comm);
		jw_str(&w, "exe", p->exe);
		jw_str(&w, "cmdline", p->cmdline);
		jw_array(&w, "sockets");
		for (size_t i = 0; i < l->nviews; i++) {
			const struct sock_view *v = &l->views[i];

			for (size_t k = 0; k < v->nowners; k++) {
				const struct owner *ow =
				    &l->ps.owners[view_owner(l, v, k)];
				char a[INET6_ADDRSTRLEN];

				if (ow->proc != procs[n])
					continue;
				if (inet_ntop(v->s->family, v->s->laddr, a,
				    sizeof(a)) == NULL)
					snprintf(a, sizeof(a), "?");
				jw_object(&w, NULL);
				jw_str(&w, "proto", proto_name(v->s->proto));
				jw_str(&w, "local_address", a);
				jw_int(&w, "local_port", v->s->lport);
				jw_str(&w, "state", state_name(v->s->state));
				jw_str(&w, "exposure", v->exp->text);
				jw_str(&w, "service", v->svc &&
				    v->svc->name[0] ? v->svc->name :
				    NULL);
				why_origin_json(&w, "origin", dossiers_origin(d,
				    l, view_owner(l, v, k)));
				if (l->probe)
					why_probe_json(&w, "probe", &l->probe[i]);
				why_forward_json(&w, "forwards", l->fwd ?
				    forwards_at(l->fwd, i) : NULL);
				{
					struct row rw = { l, v, ow,
					    &l->ps.procs[ow->proc] };

					j_firewall(&rw, &w, "firewall");
				}
				jw_end(&w);
			}
		}
		jw_end(&w);
		why_package_json(&w, "package", ds);
		why_integrity_json(&w, "integrity", ds);
		why_purpose_json(&w, "purpose", ds);
		jw_end(&w);
	}
	jw_end(&w);
	jw_array(&w, "unowned_sockets");
	for (size_t i = 0; i < l->nviews; i++) {
		char buf[1024];

		if (l->views[i].nowners)
			continue;
		sock_text(&l->views[i], l, buf, sizeof(buf));
		jw_str(&w, NULL, buf);
	}
	jw_end(&w);
	jw_end(&w);
	rc = cmd_emit_json(&w, out);
	strbuf_release(&sb);
	return rc;
}

int
cmd_explain_exec(int argc, char **argv)
{
	struct listing_opts lo;
	struct listing l;
	struct dossiers d;
	struct cmd_opts co;
	struct cmd_pf pf;
	const char *target;
	struct rules rules;
	struct probe_view *pviews = NULL;
	struct forwards *fwds = NULL;
	size_t *procs, nprocs = 0;
	int ch, maybe_pid, rc, taken;
	int rules_loaded = 0, json_failed = 0;
	uint64_t v;

	memset(&lo, 0, sizeof(lo));
	cmd_opts_init(&co, "explain");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", explain_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		if (ch == 'h') {
			cmd_explain_usage(stdout);
			return 0;
		}
		return cmd_try_help(&co);
	}
	if (optind + 1 != argc)
		return cmd_usage(&co, "explain takes one TARGET");
	target = argv[optind];
	/* NETNS:PORT[/PROTO]: a port in one namespace, by its label
	 * ("podman:web:8000", "psnet1:22/tcp") */
	const char *colon = strrchr(target, ':');
	char label_buf[256], *ns_label = NULL;

	if (colon && colon != target && strncmp(target, "pid:", 4) != 0 &&
	    strncmp(target, "port:", 5) != 0 && strncmp(target, "net:[", 5) &&
	    (size_t)(colon - target) < sizeof(label_buf)) {
		snprintf(label_buf, sizeof(label_buf), "%.*s",
		    (int)(colon - target), target);
		ns_label = label_buf;
		target = colon + 1;
	}
	if (parse_target(target, &lo.filter, &maybe_pid) != 0)
		return cmd_usage(&co, "'%s' is not a port (24, 626/udp), a PID "
		    "(pid:1234) or a program name", target);
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	const char *root = co.root, *replay = co.replay;
	int json = co.json;

	lo.iana_path = co.iana ? co.iana : cmd_find_data("iana-ports.tsv");
	lo.netns = co.netns;
	lo.need = PS_NEED_ALL;
	/* A PID names a process, whatever its sockets' states. */
	lo.filter.all_states = lo.filter.pid != 0;
	if (cmd_collect(&l, &lo, root, replay, NULL) < 0)
		return EXIT_USAGE;
	if (l.nviews == 0 && maybe_pid) {
		/* no socket on that port: try it as a PID */
		listing_release(&l);
		lo.filter.nports = 0;
		num_parse_str(target, 0, INT32_MAX, &v);
		lo.filter.pid = (pid_t)v;
		lo.filter.all_states = 1;
		if (cmd_collect(&l, &lo, root, replay, NULL) < 0)
			return EXIT_USAGE;
	}
	if (l.nviews == 0 && !lo.filter.all_states) {
		/* nothing listens: any socket on the port at all? */
		listing_release(&l);
		lo.filter.all_states = 1;
		if (cmd_collect(&l, &lo, root, replay, NULL) < 0)
			return EXIT_USAGE;
	}
	if (ns_label) {
		/* only the sockets of the namespace so labelled (the labels
		 * of containers are known once the listing is built) */
		size_t k = 0;

		for (size_t i = 0; i < l.nviews; i++) {
			const struct netns *ns = listing_netns(&l, l.views[i].s);
			char lab[96];

			if (ns && (strcmp(netns_label(ns, lab, sizeof(lab)),
			    ns_label) == 0 || (ns->name &&
			    strcmp(ns->name, ns_label) == 0)))
				l.views[k++] = l.views[i];
			/* the others' owner lists are part of the listing's
			 * owner_block, freed with it */
		}
		l.nviews = k;
		maybe_pid = 0;
	}
	cmd_report_listing(&l);
	if (l.nviews == 0) {
		cmd_warn("nothing matches '%s'\n",
		    argv[optind]);
		listing_release(&l);
		return EXIT_NOMATCH;
	}
	/* the packet filter's verdict: always in explain (live) */
	cmd_pf_begin(&pf, !root && !replay, 1);
	cmd_read_pf(&l, &pf, !root && !replay, 1, NULL);
	dossiers_build(&d, &l, co.kb ? co.kb : cmd_find_data("daemons.kb"));
	l.why = &d;
	cmd_report_why(&d, &l, 0);
	l.fwd = fwds = forward_listing(&l);
	if (co.probe)
		l.probe = pviews = cmd_probe_listing(&l, co.rules,
		    co.probe_budget, &rules, &rules_loaded);

	/* processes in order of first appearance */
	procs = xcalloc(l.ps.nprocs + 1, sizeof(*procs));
	for (size_t i = 0; i < l.nviews; i++)
		for (size_t k = 0; k < l.views[i].nowners; k++) {
			size_t pi = l.ps.owners[view_owner(&l, &l.views[i], k)].proc, j;

			for (j = 0; j < nprocs && procs[j] != pi; j++)
				;
			if (j == nprocs)
				procs[nprocs++] = pi;
		}
	if (json) {
		if (explain_json(stdout, &l, &d, target, procs, nprocs) < 0)
			json_failed = 1;
	} else {
		size_t npairs = 0;

		/* one slot per (socket, owner) pair: the loop below writes
		 * one for each, however the sockets share owners */
		for (size_t i = 0; i < l.nviews; i++)
			npairs += l.views[i].nowners;
		for (size_t n = 0; n < nprocs; n++) {
			size_t *own = xcalloc(npairs + 1, sizeof(*own));
			size_t nown = 0;

			for (size_t i = 0; i < l.nviews; i++)
				for (size_t k = 0; k < l.views[i].nowners; k++)
					if (l.ps.owners[view_owner(&l, &l.views[i], k)]
					    .proc == procs[n])
						own[nown++] =
						    view_owner(&l, &l.views[i], k);
			explain_process(stdout, &l, &d, procs[n], own, nown);
			free(own);
		}
		for (size_t i = 0; i < l.nviews; i++) {
			char buf[1024];

			if (l.views[i].nowners)
				continue;
			sock_text(&l.views[i], &l, buf, sizeof(buf));
			printf("no visible owner\n");
			text_field(stdout, "socket", buf);
			text_field(stdout, "why", owner_note_text(
			    l.views[i].s->owner_note));
			fputc('\n', stdout);
		}
	}
	free(procs);
	free(pviews);
	forwards_free(fwds);
	if (rules_loaded)
		rules_release(&rules);
	rc = cmd_finish(json_failed ? EXIT_USAGE : 0);
	dossiers_release(&d);
	cmd_pf_release(&l, &pf);
	listing_release(&l);
	return rc;
}
