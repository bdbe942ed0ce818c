/*
 * origin.c - the facts behind a process's origin: its cgroup, its
 * parents (proc/ancestry), its container's name (why/container), and
 * the configuration entries that name it (systemd units and their
 * .socket units, inetd.conf and xinetd, SysV scripts), all read once
 * per run into the context and shared by every lookup.  The decision
 * over those facts is decide.c's, the words describe.c's.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "why/container.h"
#include "why/origin.h"
#include "why/pkgdb.h"
#include "proc/procscan.h"
#include "model/services.h"
#include "proc/users.h"
#include "util/num.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CMDLINE_CAP	(64u << 10)
#define UNITS_CACHE_MAX	4096

struct ss_cache {
	enum ss_kind	 kind;
	char		*path;
	struct ss_conf	 conf;
};

struct origin_ctx {
	struct registry	*reg;
	struct users	*users;
	int		 systemd;	/* PID 1 is systemd */
	int		 sysvinit;	/* PID 1 is init: rc scripts ran */
	struct unit	**units;	/* loaded on demand; each its own
					   allocation, so a pointer handed
					   out stays good as the cache grows */
	size_t		 nunits, ucap;
	char		**socket_names;	/* every .socket unit, lazily */
	size_t		 nsockets;
	int		 sockets_listed;
	struct ss_cache	*ss;		/* inetd/xinetd configs read */
	size_t		 nss, sscap;
	struct sysv	 sysv;
	int		 sysv_loaded;
	struct ancestry	*ancestry;	/* parents, shared by every chain */
};

/* ---- context ----------------------------------------------------------- */

struct origin_ctx *
origin_ctx_new(struct registry *reg, struct users *users)
{
	struct origin_ctx *ctx = xcalloc(1, sizeof(*ctx));
	struct strbuf sb;
	char *p = sysroot_path("/run/systemd/system");
	DIR *d = opendir(p);

	ctx->reg = reg;
	ctx->users = users;
	ctx->ancestry = ancestry_new();
	ctx->systemd = d != NULL;
	if (d)
		closedir(d);
	free(p);
	strbuf_init(&sb, 64);
	if (sysroot_read("/proc/1/comm", 64, &sb) == 0) {
		const char *c = strbuf_str(&sb);

		if (strncmp(c, "systemd", 7) == 0)
			ctx->systemd = 1;
		else if (strncmp(c, "init\n", 5) == 0 ||
		    strncmp(c, "openrc-init", 11) == 0)
			ctx->sysvinit = 1;
	}
	strbuf_release(&sb);
	return ctx;
}

void
origin_ctx_free(struct origin_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (size_t i = 0; i < ctx->nunits; i++) {
		unit_release(ctx->units[i]);
		free(ctx->units[i]);
	}
	for (size_t i = 0; i < ctx->nsockets; i++)
		free(ctx->socket_names[i]);
	for (size_t i = 0; i < ctx->nss; i++) {
		free(ctx->ss[i].path);
		ss_conf_release(&ctx->ss[i].conf);
	}
	if (ctx->sysv_loaded)
		sysv_release(&ctx->sysv);
	ancestry_free(ctx->ancestry);
	free(ctx->units);
	free(ctx->socket_names);
	free(ctx->ss);
	free(ctx);
}

const struct unit *
origin_ctx_unit(struct origin_ctx *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->nunits; i++)
		if (strcmp(ctx->units[i]->name, name) == 0)
			return ctx->units[i];
	if (ctx->nunits >= UNITS_CACHE_MAX)
		return NULL;
	xgrow((void **)&ctx->units, &ctx->ucap, ctx->nunits + 1,
	    sizeof(*ctx->units));
	ctx->units[ctx->nunits] = xcalloc(1, sizeof(**ctx->units));
	unit_load(ctx->units[ctx->nunits], name, UNIT_SYSTEM);
	return ctx->units[ctx->nunits++];
}

static void
list_socket_units(struct origin_ctx *ctx)
{
	ctx->sockets_listed = 1;
	units_named(".socket", 1024, &ctx->socket_names, &ctx->nsockets);
}

static const struct ss_conf *
ss_get(struct origin_ctx *ctx, enum ss_kind kind, const char *path)
{
	struct ss_cache *c;
	char *cause;

	for (size_t i = 0; i < ctx->nss; i++)
		if (ctx->ss[i].kind == kind && strcmp(ctx->ss[i].path, path) == 0)
			return &ctx->ss[i].conf;
	if (ctx->nss >= 16)
		return NULL;
	xgrow((void **)&ctx->ss, &ctx->sscap, ctx->nss + 1, sizeof(*ctx->ss));
	c = &ctx->ss[ctx->nss++];
	c->kind = kind;
	c->path = xstrdup(path);
	if ((kind == SS_INETD ? inetd_load(&c->conf, path, &cause) :
	    xinetd_load(&c->conf, path, &cause)) < 0) {
		int err = errno;

		/* no such file is the usual case: no super-server here */
		if (err != ENOENT)
			notes_add("%s: its entries are not known", cause);
		free(cause);
	}
	return &c->conf;
}

const struct ss_conf *
origin_ctx_inetd(struct origin_ctx *ctx)
{
	return ss_get(ctx, SS_INETD, "/etc/inetd.conf");
}

const struct ss_conf *
origin_ctx_xinetd(struct origin_ctx *ctx)
{
	return ss_get(ctx, SS_XINETD, "/etc/xinetd.conf");
}

const struct ss_conf *
origin_ctx_ss(struct origin_ctx *ctx, size_t i, enum ss_kind *kind)
{
	if (i >= ctx->nss)
		return NULL;
	*kind = ctx->ss[i].kind;
	return &ctx->ss[i].conf;
}

const struct sysv *
origin_ctx_sysv(struct origin_ctx *ctx)
{
	if (!ctx->sysv_loaded) {
		sysv_load(&ctx->sysv);
		ctx->sysv_loaded = 1;
	}
	return &ctx->sysv;
}

unsigned int
origin_ss_port(struct origin_ctx *ctx, const struct ss_entry *e)
{
	const char *l4 = ss_entry_l4(e);
	const char *name = e->port_text ? e->port_text : e->service;
	uint64_t v;
	int port;

	if (num_parse_str(name, 1, 65535, &v) == 0)
		return (unsigned int)v;
	if (e->port_text && num_parse_str(e->service, 1, 65535, &v) == 0)
		return (unsigned int)v;
	if (l4 == NULL || ctx->reg == NULL)
		return 0;
	port = services_port_of(&ctx->reg->etc,
	    strcmp(l4, "udp") == 0 ? SP_UDP : SP_TCP, e->service);
	return port > 0 ? (unsigned int)port : 0;
}

static void
sock_addr_text(const struct sock_rec *s, char *buf, size_t sz)
{
	if (inet_ntop(s->family == AF_INET6 ? AF_INET6 : AF_INET, s->laddr,
	    buf, (socklen_t)sz) == NULL)
		snprintf(buf, sz, "?");
}

static const char *
sock_l4(const struct sock_rec *s)
{
	return s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE ? "udp" :
	    s->proto == PROTO_TCP ? "tcp" : NULL;
}

/* The process's argv (NUL-separated) from /proc; caller releases sb. */
static int
read_argv(pid_t pid, struct strbuf *sb)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	return sysroot_read(path, CMDLINE_CAP, sb);
}

static const char *
base_name(const char *p)
{
	const char *b = p ? strrchr(p, '/') : NULL;

	return b ? b + 1 : p ? p : "";
}

static int
is_superserver(const struct proc_rec *p, enum ss_kind *kind)
{
	return origin_is_superserver(p->comm, base_name(p->exe), kind);
}

static const struct ss_conf *
ss_conf_of(struct origin_ctx *ctx, enum ss_kind kind, pid_t pid)
{
	struct strbuf sb;
	char *path = NULL;
	const struct ss_conf *c;

	strbuf_init(&sb, CMDLINE_CAP);
	if (read_argv(pid, &sb) == 0 && sb.len > 0)
		path = ss_config_from_argv(kind, sb.buf, sb.len);
	strbuf_release(&sb);
	c = ss_get(ctx, kind, path ? path : kind == SS_INETD ?
	    "/etc/inetd.conf" : "/etc/xinetd.conf");
	free(path);
	return c;
}

/* The entry of conf serving s, or NULL. */
static const struct ss_entry *
entry_for_socket(struct origin_ctx *ctx, const struct ss_conf *c,
    const struct sock_rec *s)
{
	const char *l4 = sock_l4(s);
	char addr[64];

	if (c == NULL || l4 == NULL)
		return NULL;
	sock_addr_text(s, addr, sizeof(addr));
	for (size_t i = 0; i < c->n; i++) {
		const struct ss_entry *e = &c->v[i];
		const char *el4 = ss_entry_l4(e);

		if (e->disabled || el4 == NULL || strcmp(el4, l4) != 0 ||
		    origin_ss_port(ctx, e) != s->lport)
			continue;
		if (e->bind && strcmp(e->bind, addr) != 0 &&
		    strcmp(e->bind, "*") != 0)
			continue;
		return e;
	}
	return NULL;
}

/* The entry of conf whose program is exe, for an inetd child. */
static const struct ss_entry *
entry_for_program(const struct ss_conf *c, const struct proc_rec *p)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const struct ss_entry *e = &c->v[i];

		char *prog;
		int hit;

		if (e->disabled || e->program == NULL || e->internal)
			continue;
		/* tcpd (TCP wrappers) runs the program named after it */
		if (strcmp(base_name(e->program), "tcpd") == 0 && e->args)
			prog = xstrndup(e->args, strcspn(e->args, " \t"));
		else
			prog = xstrdup(e->program);
		hit = (p->exe && strcmp(prog, p->exe) == 0) ||
		    strcmp(base_name(prog), base_name(p->exe)) == 0 ||
		    (p->comm && strcmp(base_name(prog), p->comm) == 0);
		free(prog);
		if (hit)
			return e;
	}
	return NULL;
}

/* A socket unit listing s: returns the unit and its Listen line. */
static const struct unit *
socket_unit_for(struct origin_ctx *ctx, const struct sock_rec *s,
    const char *only, const struct unit_kv **kv)
{
	const char *l4 = sock_l4(s);
	char addr[64];

	if (l4 == NULL)
		return NULL;
	sock_addr_text(s, addr, sizeof(addr));
	if (only) {
		const struct unit *u = origin_ctx_unit(ctx, only);

		if (u && u->path && !u->masked &&
		    (*kv = unit_listen_match(u, l4, addr, s->lport)))
			return u;
		return NULL;
	}
	if (!ctx->sockets_listed)
		list_socket_units(ctx);
	for (size_t i = 0; i < ctx->nsockets; i++) {
		const struct unit *u = origin_ctx_unit(ctx,
		    ctx->socket_names[i]);

		if (u && u->path && !u->masked &&
		    (*kv = unit_listen_match(u, l4, addr, s->lport)))
			return u;
	}
	return NULL;
}

/* "foo@1-2.service" -> "foo.socket"; "foo.service" -> "foo.socket". */
static char *
socket_name_for_service(const char *svc)
{
	const char *at = strchr(svc, '@'), *dot = strrchr(svc, '.');

	if (dot == NULL)
		return NULL;
	return xasprintf("%.*s.socket", (int)((at ? at : dot) - svc), svc);
}

int
origin_socket_sensitive(struct origin_ctx *ctx, const struct proc_rec *p)
{
	struct cgroup_info ci;
	enum ss_kind sk;
	int sensitive = 0;

	if (p == NULL || p->pid == 1 || is_superserver(p, &sk))
		return 1;
	cgroup_classify(p->cgroup, &ci);
	if (ci.unit && !ci.user_unit && ctx->systemd && !ci.runtime) {
		char *sockname = socket_name_for_service(ci.unit);
		const struct unit *u = sockname ?
		    origin_ctx_unit(ctx, sockname) : NULL;

		sensitive = u && u->path;
		free(sockname);
	}
	cgroup_info_release(&ci);
	return sensitive;
}

void
origin_gather(struct origin_ctx *ctx, const struct sock_rec *s,
    const struct proc_rec *p, const char *ssh_connection, int init_holds,
    struct origin_facts *f)
{
	const struct cgroup_info *ci = &f->cg;
	enum ss_kind sk;

	memset(f, 0, sizeof(*f));
	f->systemd = ctx->systemd;
	if (p == NULL) {
		f->kernel = s && s->owner_note == OWNER_KERNEL;
		return;
	}
	f->process = 1;
	f->tty_nr = p->tty_nr;
	f->ssh_connection = ssh_connection;
	f->nchain = ancestry_chain(ctx->ancestry, p->ppid, f->chain,
	    CHAIN_MAX);
	cgroup_classify(p->cgroup, &f->cg);
	if (p->ids_known && ctx->users)
		f->user = users_label(ctx->users, p->uid);
	if (ci->user_unit && ctx->users)
		f->unit_user = users_label(ctx->users, ci->uid >= 0 ?
		    (uid_t)ci->uid : p->uid);
	if (ci->runtime) {
		/* a container: nothing else decides */
		f->container_name = container_name(ci->runtime,
		    ci->container_id, p->pid);
		return;
	}
	/* a super-server's socket, or a child it ran */
	if (s && is_superserver(p, &sk))
		f->ss_entry = entry_for_socket(ctx, ss_conf_of(ctx, sk, p->pid),
		    s);
	if (f->ss_entry)
		f->ss_pid = p->pid;
	else if (f->nchain > 0 && f->chain[0].comm &&
	    origin_is_superserver(f->chain[0].comm, NULL, &sk) &&
	    (f->ss_entry = entry_for_program(ss_conf_of(ctx, sk,
	    f->chain[0].pid), p)) != NULL)
		f->ss_pid = f->chain[0].pid;
	/* PID 1 holding the socket */
	if (s && p->pid == 1 && ctx->systemd)
		f->init_socket = socket_unit_for(ctx, s, NULL, &f->init_listen);
	/* the cgroup's unit, what activated it, what script it came from */
	if (ci->unit && !ci->user_unit && ctx->systemd) {
		char *sockname = socket_name_for_service(ci->unit);

		f->service = origin_ctx_unit(ctx, ci->unit);
		/* PID 1 still holds the listening socket it passed on; or,
		 * for an Accept=yes instance, this is a connection on a port
		 * the socket unit listens on.  A .socket unit that merely
		 * exists (Debian ships ssh.socket disabled) proves nothing. */
		if (s && sockname && (init_holds || (strchr(ci->unit, '@') &&
		    s->state != ST_LISTEN)) && socket_unit_for(ctx, s,
		    sockname, &f->activating_listen) != NULL) {
			f->activating = sockname;
			sockname = NULL;
		}
		free(sockname);
		if (f->service && (f->service->generated ||
		    f->service->path == NULL)) {
			char *script = xstrndup(ci->unit, strlen(ci->unit) - 8);

			f->sysv_generated = sysv_find(origin_ctx_sysv(ctx), NULL,
			    script);
			free(script);
		}
	}
	/* no systemd: an init script started it (the daemon was reparented
	 * to init, or an rc runner is still its ancestor) */
	if (!ctx->systemd && ctx->sysvinit && p->exe && (p->ppid == 1 ||
	    (f->nchain > 0 && origin_is_rc_runner(f->chain[0].comm)))) {
		char *alias = pkg_usr_alias(p->exe);
		const struct sysv *sv = origin_ctx_sysv(ctx);

		f->sysv_exe = sysv_find(sv, p->exe, NULL);
		if (f->sysv_exe == NULL && alias)
			f->sysv_exe = sysv_find(sv, alias, NULL);
		free(alias);
	}
}

void
origin_facts_release(struct origin_facts *f)
{
	cgroup_info_release(&f->cg);
	chain_release(f->chain, f->nchain);
	free(f->container_name);
	free(f->activating);
	free(f->user);
	free(f->unit_user);
	memset(f, 0, sizeof(*f));
}

void
origin_explain(struct origin_ctx *ctx, const struct sock_rec *s,
    const struct proc_rec *p, const char *ssh_connection, int init_holds,
    struct origin *o)
{
	struct origin_facts f;

	origin_gather(ctx, s, p, ssh_connection, init_holds, &f);
	origin_decide(&f, o);
	origin_describe(o, p ? p->pid : 0);
	origin_facts_release(&f);
}

void
origin_release(struct origin *o)
{
	free(o->summary);
	free(o->unit);
	free(o->unit_file);
	free(o->dropins);
	free(o->socket_unit);
	free(o->listen);
	free(o->ss_file);
	free(o->ss_service);
	free(o->ss_program);
	free(o->ss_args);
	free(o->ss_user);
	free(o->sysv_script);
	free(o->sysv_links);
	free(o->runtime);
	free(o->container_id);
	free(o->container_name);
	free(o->via);
	free(o->login_user);
	free(o->tty);
	free(o->remote);
	for (size_t i = 0; i < o->nchain; i++)
		free(o->chain[i].comm);
	for (size_t i = 0; i < o->ndisable; i++)
		free(o->disable[i]);
	memset(o, 0, sizeof(*o));
}
