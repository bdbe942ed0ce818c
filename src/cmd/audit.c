/*
 * cmd-audit.c - `portsleuth audit`: every daemon configured to start,
 * whether it runs, what it listens on, what it is for and whether a
 * server should keep it.
 *
 * Sources: systemd services and sockets linked into a *.wants or
 * *.requires directory (enabled or pulled in statically), the active
 * lines of inetd.conf and the enabled xinetd services, and the SysV
 * scripts with a start link in the default runlevel that have no
 * systemd unit of their own.  The live listing supplies what runs and
 * listens: each listening socket's origin names the unit, config line
 * or script it came from.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "why/persist.h"
#include "cmd/options.h"
#include "why/dossier.h"
#include "why/manpage.h"
#include "model/listing.h"
#include "proc/procscan.h"
#include "proc/running.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "render/why.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/words.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const struct option audit_opts[] = {
	CMDOPT_SOURCES,
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_audit_usage(FILE *out)
{
	fputs(
"usage: portsleuth audit [options]\n"
"\n"
"Every daemon configured to start on this system: enabled systemd\n"
"services, sockets, timers and path units, active inetd.conf lines and\n"
"xinetd services, SysV scripts started in the default runlevel, and the\n"
"other ways back at boot (rc.local, cron @reboot, at jobs, udev RUN+=,\n"
"ld.so.preload, lingering users' units), each with its file and line.\n"
"For each: whether it runs, what it listens on, what it is for, its risk\n"
"and a recommendation (keep, disable, review, restrict).\n"
"\n"
"Options:\n"
"  -a, --all            also one-shot services and disabled inetd and\n"
"                       xinetd entries\n"
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
"  -h, --help           this help\n"
"\n"
"Exit status: 0 audited, 2 usage or fatal error.\n", out);
}

struct item {
	const char	*kind;		/* service, socket, timer, path, inetd,
					   xinetd, sysv, and persist_kind_key() */
	char		*name;
	char		*source;	/* file, file:line or link */
	int		 enabled;	/* 0: a disabled entry (with --all) */
	int		 running;	/* 1, 0, or -1 unknown */
	int		 oneshot;
	struct strbuf	 listens;
	const struct kb_entry *kb;
	char		*purpose;
	/* how listening sockets are matched to it */
	const char	*match_unit, *match_file;
	int		 match_line;
	const char	*match_script;
	char		*daemon;	/* executable, when known */
};

struct items {
	struct item	*v;
	size_t		 n, cap;
	int		 privileged;
	/* sockets whose owner this user cannot see: an item without a
	 * socket may still listen on one of them */
	unsigned int	 hidden;
};

/* Whether an item's listening sockets could be hidden from this user. */
static int
listens_unknown(const struct items *it, const struct item *x)
{
	return !it->privileged && it->hidden && x->listens.len == 0 &&
	    x->enabled && x->running != 0;
}

static struct item *
item_new(struct items *it, const char *kind, const char *name,
    const char *source)
{
	struct item *i;

	xgrow((void **)&it->v, &it->cap, it->n + 1, sizeof(*it->v));
	i = &it->v[it->n++];
	memset(i, 0, sizeof(*i));
	i->kind = kind;
	i->name = xstrdup(name);
	i->source = xstrdup(source);
	i->enabled = 1;
	i->running = -1;
	strbuf_init(&i->listens, 4096);
	return i;
}

/* The executable of an ExecStart= line: "-@/usr/sbin/x -D" -> path. */
static char *
exec_path(const char *v)
{
	size_t n;

	while (*v == '@' || *v == '-' || *v == ':' || *v == '+' || *v == '!')
		v++;
	n = strcspn(v, " \t");
	if (n == 0 || v[0] != '/')
		return NULL;
	return xstrndup(v, n);
}

/* Units in the cgroups of every process, and their executables: what
 * runs. */
struct running {
	char	**units;
	size_t	  n, cap;
	struct proc_all all;
};

static void
scan_running(struct running *r)
{
	memset(r, 0, sizeof(*r));
	proc_all_scan(&r->all);
	for (size_t i = 0; i < r->all.n; i++) {
		struct cgroup_info ci;

		cgroup_classify(r->all.v[i].cgroup, &ci);
		if (ci.unit && !ci.user_unit) {
			xgrow((void **)&r->units, &r->cap, r->n + 1,
			    sizeof(*r->units));
			r->units[r->n++] = xstrdup(ci.unit);
		}
		cgroup_info_release(&ci);
	}
}

/* Is exe the executable of a running process? */
static int
exe_running(const struct running *r, const char *exe)
{
	for (size_t i = 0; exe && i < r->all.n; i++)
		if (r->all.v[i].exe && strcmp(r->all.v[i].exe, exe) == 0)
			return 1;
	return 0;
}

static void
running_release(struct running *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->units[i]);
	free(r->units);
	proc_all_release(&r->all);
}

/* A template's Description with its instance: "Getty on %I" for
 * getty@tty1.service is "Getty on tty1" (%i and %I; other specifiers
 * are left as they are). */
static char *
expand_instance(const char *text, const char *unit)
{
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
	struct strbuf sb;

	if (at == NULL || dot == NULL || dot < at)
		return xstrdup(text);
	strbuf_init(&sb, 4096);
	for (const char *p = text; *p; p++) {
		if (p[0] == '%' && (p[1] == 'i' || p[1] == 'I')) {
			strbuf_add(&sb, at + 1, (size_t)(dot - at - 1));
			p++;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	if (sb.len == 0) {
		strbuf_release(&sb);
		return xstrdup("");
	}
	return strbuf_detach(&sb);
}

static void
collect_systemd(struct items *it, struct origin_ctx *octx,
    const struct running *run, const struct kb *kb, int all)
{
	struct unit_link *links;
	size_t n;

	units_enabled(&links, &n);
	for (size_t i = 0; i < n; i++) {
		const struct unit *u = origin_ctx_unit(octx, links[i].name);
		const struct unit_kv *kv;
		int is_socket = strstr(links[i].name, ".socket") != NULL;
		struct item *x;
		char *src;

		if (u == NULL || u->masked)
			continue;
		kv = unit_get(u, "Service.Type");
		if (!is_socket && kv && strcmp(kv->value, "oneshot") == 0 &&
		    !all)
			continue;
		src = xasprintf("%s (%s)", u->path ? u->path : "no unit file",
		    links[i].target);
		x = item_new(it, is_socket ? "socket" :
		    strstr(links[i].name, ".timer") ? "timer" :
		    strstr(links[i].name, ".path") ? "path" : "service",
		    links[i].name, src);
		free(src);
		x->oneshot = kv && strcmp(kv->value, "oneshot") == 0;
		x->match_unit = x->name;
		kv = unit_get(u, "Service.ExecStart");
		x->daemon = kv ? exec_path(kv->value) : NULL;
		kv = unit_get(u, "Unit.Description");
		if (kv)
			x->purpose = expand_instance(kv->value, links[i].name);
		if (strcmp(x->kind, "timer") == 0 ||
		    strcmp(x->kind, "path") == 0) {
			/* what it starts: Unit=, or the service of its name */
			const struct unit_kv *uk = unit_get(u, x->kind[0] ==
			    't' ? "Timer.Unit" : "Path.Unit");
			char *svc = uk ? xstrdup(uk->value) : xasprintf("%.*s"
			    ".service", (int)(strrchr(links[i].name, '.') -
			    links[i].name), links[i].name);
			const struct unit *su = origin_ctx_unit(octx, svc);
			const struct unit_kv *ek = su ? unit_get(su,
			    "Service.ExecStart") : NULL;

			free(x->daemon);
			x->daemon = ek ? exec_path(ek->value) : NULL;
			x->running = -1;
			x->match_unit = NULL;
			free(svc);
		} else if (!is_socket)
			x->running = strv_has(run->units, run->n, links[i].name);
		x->kb = kb_lookup(kb, NULL, x->daemon, NULL, links[i].name);
	}
	unit_links_free(links, n);
}

static void
collect_ss(struct items *it, const struct ss_conf *c, struct origin_ctx *octx,
    const struct kb *kb, int all)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const struct ss_entry *e = &c->v[i];
		char *src, *name;
		const char *prog;
		struct item *x;

		if (e->disabled && !all)
			continue;
		src = xasprintf("%s:%d", e->file, e->line);
		name = xasprintf("%s/%s", e->service, e->proto ? e->proto :
		    "?");
		x = item_new(it, e->kind == SS_INETD ? "inetd" : "xinetd", name,
		    src);
		free(src);
		free(name);
		x->enabled = !e->disabled;
		x->running = 0;		/* until a socket of it is found */
		x->match_file = e->file;
		x->match_line = e->line;
		/* tcpd wraps the real program: its first argument */
		prog = e->program;
		if (prog && strstr(prog, "tcpd") && e->args)
			prog = e->args;
		x->daemon = prog && !e->internal ? exec_path(prog) : NULL;
		x->kb = kb_lookup(kb, e->internal ? e->service : NULL,
		    x->daemon, NULL, NULL);
		if (x->kb == NULL && e->internal)
			x->kb = kb_lookup(kb, "echo", NULL, NULL, NULL);
		if (e->internal)
			x->purpose = xasprintf("%s, built into the super-server",
			    e->service);
		else if (x->kb == NULL && x->daemon)
			x->purpose = manpage_whatis(strrchr(x->daemon, '/') + 1);
		(void)octx;
	}
}

static void
collect_sysv(struct items *it, struct origin_ctx *octx,
    const struct running *run, const struct kb *kb)
{
	const struct sysv *sv = origin_ctx_sysv(octx);
	char rc[16];

	snprintf(rc, sizeof(rc), "rc%d.d/S", sv->runlevel);
	for (size_t i = 0; i < sv->n; i++) {
		const struct sysv_script *sc = &sv->v[i];
		char *unit, *src;
		const struct unit *u;
		struct item *x;

		if (sc->start_links == NULL || strstr(sc->start_links, rc) ==
		    NULL)
			continue;
		unit = xasprintf("%s.service", sc->name);
		u = origin_ctx_unit(octx, unit);
		if (u && u->path && !u->generated) {
			free(unit);	/* a native unit replaces the script */
			continue;
		}
		src = xasprintf("/etc/init.d/%s (%s)", sc->name,
		    sc->start_links);
		x = item_new(it, "sysv", sc->name, src);
		free(src);
		x->match_script = sc->name;
		x->match_unit = NULL;
		x->daemon = sc->daemon ? xstrdup(sc->daemon) : NULL;
		x->running = strv_has(run->units, run->n, unit) ||
		    exe_running(run, sc->daemon);
		x->kb = kb_lookup(kb, NULL, x->daemon, NULL, sc->name);
		if (sc->short_desc)
			x->purpose = xstrdup(sc->short_desc);
		free(unit);
	}
}

/* rc.local, cron @reboot, at jobs, udev RUN+=, ld.so.preload, lingering
 * users' units: each with its file and line. */
static void
collect_persist(struct items *it, const struct running *run,
    const struct kb *kb)
{
	struct persist_set ps;

	persist_collect(&ps);
	for (size_t i = 0; i < ps.n; i++) {
		const struct persist_item *p = &ps.v[i];
		const char *base = p->program ? strrchr(p->program, '/') : NULL;
		char *src = p->line ? xasprintf("%s:%d", p->file, p->line) :
		    xstrdup(p->file);
		struct item *x = item_new(it, persist_kind_key(p->kind),
		    base ? base + 1 : p->command, src);

		x->enabled = p->enabled;
		x->daemon = p->program ? xstrdup(p->program) : NULL;
		if (p->kind != PK_PRELOAD && p->kind != PK_USER_UNIT)
			x->running = x->daemon ? exe_running(run, x->daemon) :
			    -1;
		x->kb = kb_lookup(kb, NULL, x->daemon, NULL, NULL);
		/* what runs, where it is written, as whom */
		x->purpose = xasprintf("%s: %s%s%s", src, p->command,
		    p->user ? ", as " : "", p->user ? p->user : "");
		free(src);
	}
	persist_release(&ps);
}

static int
origin_matches(const struct item *x, const struct origin *o)
{
	if (x->match_unit && ((o->unit && strcmp(o->unit, x->match_unit) ==
	    0) || (o->socket_unit && strcmp(o->socket_unit, x->match_unit) ==
	    0)))
		return 1;
	if (x->match_file && o->ss_file && o->ss_line == x->match_line &&
	    strcmp(o->ss_file, x->match_file) == 0)
		return 1;
	if (x->match_script && o->sysv_script &&
	    strcmp(o->sysv_script, x->match_script) == 0)
		return 1;
	return 0;
}

static void
attach_sockets(struct items *it, const struct listing *l,
    const struct dossiers *d)
{
	for (size_t i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];

		for (size_t k = 0; k < v->nowners; k++) {
			const struct origin *o = dossiers_origin(d, l,
			    view_owner(l, v, k));

			for (size_t j = 0; j < it->n; j++) {
				struct item *x = &it->v[j];
				char a[INET6_ADDRSTRLEN], s[96];

				if (!origin_matches(x, o))
					continue;
				if (inet_ntop(v->s->family, v->s->laddr, a,
				    sizeof(a)) == NULL)
					snprintf(a, sizeof(a), "?");
				snprintf(s, sizeof(s), "%s%s%s:%u/%s",
				    v->s->family == AF_INET6 ? "[" : "", a,
				    v->s->family == AF_INET6 ? "]" : "",
				    v->s->lport, proto_name(v->s->proto));
				if (x->listens.len && strstr(strbuf_str(
				    &x->listens), s))
					continue;
				if (x->listens.len)
					strbuf_addch(&x->listens, ' ');
				strbuf_addstr(&x->listens, s);
				if (x->running != 1)
					x->running = 1;
			}
		}
	}
}

static const char *
verdict_of(const struct item *x, char *buf, size_t sz)
{
	if (x->kb == NULL)
		return "-";
	return kb_verdict(x->kb, buf, sz);
}

static const char *
purpose_of(const struct item *x)
{
	return x->kb ? x->kb->purpose : x->purpose;
}

static void
print_table(FILE *out, const struct items *it)
{
	size_t w[5] = { 4, 4, 7, 9, 6 };
	char vb[16];

	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		size_t n[5] = { strlen(x->kind), text_width(x->name), 3,
		    x->listens.len ? text_width(strbuf_str(&x->listens)) : 1,
		    strlen(verdict_of(x, vb, sizeof(vb))) };

		for (int c = 0; c < 5; c++)
			if (n[c] > w[c])
				w[c] = n[c] > 60 ? 60 : n[c];
	}
	const char *head[] = { "TYPE", "NAME", "RUNNING", "LISTENING",
	    "ADVICE", "PURPOSE" };

	text_row(out, w, 6, head);
	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];
		const char *row[] = { x->kind, x->name, !x->enabled ? "off" :
		    x->running == 1 ? "yes" : x->running == 0 ? "no" : "-",
		    x->listens.len ? strbuf_str(&x->listens) :
		    listens_unknown(it, x) ? "?" : "-",
		    verdict_of(x, vb, sizeof(vb)), purpose_of(x) };

		text_row(out, w, 6, row);
	}
	for (size_t i = 0; i < it->n; i++)
		if (listens_unknown(it, &it->v[i])) {
			fprintf(out, "LISTENING ?: not running as root: %u "
			    "sockets of other users have no visible owner, so "
			    "what their services listen on is not known\n",
			    it->hidden);
			break;
		}
}

/* "listening": the item's sockets, or null when they may be hidden. */
static void
put_listening(struct jw *w, const struct items *it, const struct item *x)
{
	const char *p = strbuf_str(&x->listens);

	if (listens_unknown(it, x)) {
		jw_null(w, "listening");
		jw_str(w, "listening_unknown", "not_root");
		return;
	}
	jw_array(w, "listening");
	while (x->listens.len && *p) {
		size_t n = strcspn(p, " ");

		jw_strn(w, NULL, p, n);
		p += n;
		if (*p)
			p++;
	}
	jw_end(w);
	jw_null(w, "listening_unknown");
}

static int
print_json(FILE *out, const struct items *it)
{
	struct strbuf sb;
	struct jw w;
	char vb[16];
	int rc;

	strbuf_init(&sb, 64u << 20);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
	jw_bool(&w, "privileged", it->privileged);
	jw_object(&w, "sources");
	jw_notes(&w);
	jw_end(&w);
	jw_array(&w, "configured");
	for (size_t i = 0; i < it->n; i++) {
		const struct item *x = &it->v[i];

		jw_object(&w, NULL);
		jw_str(&w, "type", x->kind);
		jw_str(&w, "name", x->name);
		jw_str(&w, "source", x->source);
		jw_bool(&w, "enabled", x->enabled);
		if (x->running < 0)
			jw_null(&w, "running");
		else
			jw_bool(&w, "running", x->running);
		jw_str(&w, "executable", x->daemon);
		put_listening(&w, it, x);
		jw_str(&w, "purpose", purpose_of(x));
		jw_str(&w, "daemon", x->kb ? x->kb->name : NULL);
		jw_str(&w, "risk", x->kb ? x->kb->risk : NULL);
		jw_str(&w, "recommendation", x->kb ? verdict_of(x, vb,
		    sizeof(vb)) : NULL);
		jw_str(&w, "advice", x->kb ? x->kb->advice : NULL);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	rc = cmd_emit_json(&w, out);
	strbuf_release(&sb);
	return rc;
}

int
cmd_audit_exec(int argc, char **argv)
{
	struct listing_opts lo;
	struct listing l;
	struct dossiers d;
	struct items it;
	struct running run;
	struct cmd_opts co;
	int ch, all = 0, rc = 0, taken;

	memset(&lo, 0, sizeof(lo));
	memset(&it, 0, sizeof(it));
	cmd_opts_init(&co, "audit");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jah", audit_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'h':
			cmd_audit_usage(stdout);
			return 0;
		default:
			return cmd_try_help(&co);
		}
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	const char *root = co.root, *replay = co.replay, *kb = co.kb;
	int json = co.json;

	lo.iana_path = co.iana ? co.iana : cmd_find_data("iana-ports.tsv");
	lo.netns = co.netns;
	lo.need = PS_NEED_ALL;
	if (cmd_collect(&l, &lo, root, replay, NULL) < 0)
		return EXIT_USAGE;
	cmd_report_listing(&l);
	dossiers_build(&d, &l, kb ? kb : cmd_find_data("daemons.kb"));
	cmd_report_why(&d, &l, 0);
	scan_running(&run);

	collect_systemd(&it, d.octx, &run, &d.kb, all);
	(void)origin_ctx_inetd(d.octx);
	(void)origin_ctx_xinetd(d.octx);
	{
		const struct ss_conf *c;
		enum ss_kind sk;

		for (size_t i = 0; (c = origin_ctx_ss(d.octx, i, &sk)); i++)
			collect_ss(&it, c, d.octx, &d.kb, all);
	}
	collect_sysv(&it, d.octx, &run, &d.kb);
	collect_persist(&it, &run, &d.kb);
	attach_sockets(&it, &l, &d);
	it.privileged = l.privileged;
	it.hidden = l.unowned[OWNER_NOT_ROOT];
	if (json)
		rc = print_json(stdout, &it) < 0 ? EXIT_USAGE : 0;
	else
		print_table(stdout, &it);
	rc = cmd_finish(json ? rc : 0);
	for (size_t i = 0; i < it.n; i++) {
		free(it.v[i].name);
		free(it.v[i].source);
		free(it.v[i].purpose);
		free(it.v[i].daemon);
		strbuf_release(&it.v[i].listens);
	}
	free(it.v);
	running_release(&run);
	dossiers_release(&d);
	listing_release(&l);
	return rc;
}
