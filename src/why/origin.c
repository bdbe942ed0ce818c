/*
 * origin.c - from a process and the configuration on disk to the exact
 * source that started it, and the commands that would stop it.
 *
 * Order of evidence: a container cgroup wins (whatever runs inside was
 * started by the runtime); then the parent chain for inetd children,
 * cron, at and process supervisors (they run inside a systemd unit of
 * their own, which would hide them); then the systemd unit of the
 * cgroup, refined to socket activation when a .socket unit lists the
 * socket's address, or to a SysV script when the unit was generated
 * from one; then a login session; then, on systems without systemd, an
 * init script whose DAEMON is the executable.  A socket held by inetd,
 * xinetd or PID 1 is mapped to the entry that configures that port.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

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

#define META_CAP	(16u << 20)	/* container metadata files */
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
	struct unit	*units;		/* loaded on demand */
	size_t		 nunits, ucap;
	char		**socket_names;	/* every .socket unit, lazily */
	size_t		 nsockets;
	int		 sockets_listed;
	struct ss_cache	*ss;		/* inetd/xinetd configs read */
	size_t		 nss, sscap;
	struct sysv	 sysv;
	int		 sysv_loaded;
	/* /proc/PID facts of ancestors, shared by every chain walked. */
	struct pidinfo {
		pid_t	 pid, ppid;
		int	 tty_nr, ok;
		char	*comm;
	}		*pids;		/* open addressing on pid */
	size_t		 npids, pidslots;
};

static const char *const kind_keys[ORIGIN_COUNT] = {
	"unknown", "systemd", "systemd-user", "socket-activation", "inetd",
	"xinetd", "sysv", "container", "cron", "at", "supervisor", "login",
	"kernel"
};

const char *
origin_kind_key(enum origin_kind k)
{
	return k < ORIGIN_COUNT ? kind_keys[k] : "unknown";
}

/* ---- cgroup paths ------------------------------------------------------ */

static int
all_hex(const char *s, size_t n)
{
	if (n < 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int
starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

static void
set_container(struct cgroup_info *ci, const char *runtime, const char *id,
    size_t n)
{
	free(ci->runtime);
	free(ci->container_id);
	ci->runtime = xstrdup(runtime);
	ci->container_id = xstrndup(id, n);
}

/* A "PREFIX<hex>.scope" component: the id, or 0. */
static int
scope_id(const char *c, size_t n, const char *prefix, const char **id,
    size_t *idn)
{
	size_t k = strlen(prefix);

	if (!starts_with(c, n, prefix) || !ends_with(c, n, ".scope"))
		return 0;
	*id = c + k;
	*idn = n - k - 6;
	return all_hex(*id, *idn);
}

void
cgroup_classify(const char *path, struct cgroup_info *ci)
{
	const char *p = path, *prev = NULL, *id;
	size_t prevn = 0, idn;
	int kube = 0;

	memset(ci, 0, sizeof(*ci));
	ci->uid = -1;
	if (path == NULL)
		return;
	while (*p) {
		const char *c, *slash;
		size_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		c = p;
		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		p = c + n;
		if (n > 255)
			continue;
		if (starts_with(c, n, "kubepods"))
			kube = 1;
		if (starts_with(c, n, "user-") && ends_with(c, n, ".slice")) {
			uint64_t uid;

			if (num_parse_u64(c + 5, n - 11, 10, 0, 0xfffffffe,
			    &uid) == 0)
				ci->uid = (long)uid;
		} else if (starts_with(c, n, "user@") &&
		    ends_with(c, n, ".service")) {
			ci->user_unit = 1;
		} else if (scope_id(c, n, "docker-", &id, &idn)) {
			set_container(ci, "docker", id, idn);
		} else if (scope_id(c, n, "libpod-", &id, &idn)) {
			set_container(ci, "podman", id, idn);
		} else if (scope_id(c, n, "cri-containerd-", &id, &idn)) {
			set_container(ci, "kubernetes", id, idn);
		} else if (scope_id(c, n, "crio-", &id, &idn)) {
			set_container(ci, "kubernetes", id, idn);
		} else if (scope_id(c, n, "nerdctl-", &id, &idn)) {
			set_container(ci, "containerd", id, idn);
		} else if (prev && all_hex(c, n) && prevn == 6 &&
		    memcmp(prev, "docker", 6) == 0) {
			set_container(ci, "docker", c, n);
		} else if (kube && all_hex(c, n) && prev &&
		    starts_with(prev, prevn, "pod")) {
			set_container(ci, "kubernetes", c, n);
		} else if (starts_with(c, n, "lxc.payload.") && n > 12) {
			set_container(ci, "lxc", c + 12, n - 12);
		} else if (prev && prevn == 3 && memcmp(prev, "lxc", 3) == 0) {
			set_container(ci, "lxc", c, n);
		} else if (starts_with(c, n, "machine-") &&
		    ends_with(c, n, ".scope") && n > 14) {
			set_container(ci, "systemd-machined", c + 8, n - 14);
		} else if (starts_with(c, n, "session-") &&
		    ends_with(c, n, ".scope") && n > 14) {
			free(ci->session);
			ci->session = xstrndup(c + 8, n - 14);
			free(ci->scope);
			ci->scope = xstrndup(c, n);
		} else if (ends_with(c, n, ".service") && n > 8) {
			free(ci->unit);
			ci->unit = xstrndup(c, n);
		} else if (ends_with(c, n, ".scope") && n > 6) {
			free(ci->scope);
			ci->scope = xstrndup(c, n);
		}
		prev = c;
		prevn = n;
	}
}

void
cgroup_info_release(struct cgroup_info *ci)
{
	free(ci->unit);
	free(ci->scope);
	free(ci->session);
	free(ci->runtime);
	free(ci->container_id);
	memset(ci, 0, sizeof(*ci));
}

/* ---- container names from the runtime's metadata ----------------------- */

static json_t *
load_json(const char *path)
{
	struct strbuf sb;
	json_t *j = NULL;

	strbuf_init(&sb, META_CAP);
	if (sysroot_read(path, META_CAP, &sb) == 0 && !sb.truncated &&
	    sb.len > 0)
		j = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, NULL);
	strbuf_release(&sb);
	return j;
}

static char *
json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (s == NULL || *s == '\0' || strlen(s) > 256)
		return NULL;
	return xstrdup(s[0] == '/' ? s + 1 : s);
}

static char *
container_name(const char *runtime, const char *id)
{
	char *path, *name = NULL;
	json_t *j;

	if (strcmp(runtime, "docker") == 0) {
		path = xasprintf("/var/lib/docker/containers/%s/config.v2.json",
		    id);
		if ((j = load_json(path)) != NULL) {
			name = json_str(j, "Name");
			json_decref(j);
		}
		free(path);
	} else if (strcmp(runtime, "podman") == 0) {
		j = load_json("/var/lib/containers/storage/overlay-containers/"
		    "containers.json");
		for (size_t i = 0; j && json_is_array(j) &&
		    i < json_array_size(j) && !name; i++) {
			json_t *c = json_array_get(j, i), *names;
			const char *cid = json_string_value(
			    json_object_get(c, "id"));

			names = json_object_get(c, "names");
			if (cid && strcmp(cid, id) == 0 &&
			    json_is_array(names) && json_array_size(names) > 0 &&
			    json_is_string(json_array_get(names, 0)))
				name = xstrdup(json_string_value(
				    json_array_get(names, 0)));
		}
		json_decref(j);
	} else if (strcmp(runtime, "kubernetes") == 0) {
		path = xasprintf("/run/containerd/io.containerd.runtime.v2.task/"
		    "k8s.io/%s/config.json", id);
		if ((j = load_json(path)) != NULL) {
			json_t *a = json_object_get(j, "annotations");
			char *c = json_str(a, "io.kubernetes.cri.container-name");
			char *pod = json_str(a, "io.kubernetes.cri.sandbox-name");
			char *ns = json_str(a,
			    "io.kubernetes.cri.sandbox-namespace");

			if (c && pod)
				name = xasprintf("%s/%s/%s", ns ? ns : "?", pod,
				    c);
			free(c);
			free(pod);
			free(ns);
			json_decref(j);
		}
		free(path);
	}
	if (name && strlen(name) > 256) {
		free(name);
		name = NULL;
	}
	return name;
}

/* ---- the parent chain -------------------------------------------------- */

static void
read_pidinfo(struct pidinfo *pi)
{
	struct strbuf sb;
	char path[64];
	uint64_t start;
	int ppid = 0;

	strbuf_init(&sb, 4096);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pi->pid);
	if (sysroot_read(path, 4096, &sb) == 0 &&
	    procscan_parse_stat(strbuf_str(&sb), sb.len, &pi->comm, &ppid,
	    &start, &pi->tty_nr) == 0) {
		pi->ppid = ppid;
		pi->ok = 1;
	}
	strbuf_release(&sb);
}

static const struct pidinfo *
pid_lookup(struct origin_ctx *ctx, pid_t pid)
{
	size_t i, mask;

	if (ctx->npids * 2 >= ctx->pidslots) {
		struct pidinfo *old = ctx->pids;
		size_t oldn = ctx->pidslots;

		ctx->pidslots = oldn ? oldn * 2 : 256;
		ctx->pids = xcalloc(ctx->pidslots, sizeof(*ctx->pids));
		for (size_t k = 0; k < oldn; k++) {
			if (old[k].pid == 0)
				continue;
			for (i = (size_t)old[k].pid & (ctx->pidslots - 1);
			    ctx->pids[i].pid; i = (i + 1) & (ctx->pidslots - 1))
				;
			ctx->pids[i] = old[k];
		}
		free(old);
	}
	mask = ctx->pidslots - 1;
	for (i = (size_t)pid & mask; ctx->pids[i].pid; i = (i + 1) & mask)
		if (ctx->pids[i].pid == pid)
			return &ctx->pids[i];
	ctx->pids[i].pid = pid;
	ctx->npids++;
	read_pidinfo(&ctx->pids[i]);
	return &ctx->pids[i];
}

static int
read_link(struct origin_ctx *ctx, pid_t pid, struct chain_link *cl,
    pid_t *ppid)
{
	const struct pidinfo *pi = pid_lookup(ctx, pid);

	memset(cl, 0, sizeof(*cl));
	cl->pid = pid;
	if (!pi->ok)
		return -1;
	cl->tty_nr = pi->tty_nr;
	cl->comm = xstrdup(pi->comm);
	*ppid = pi->ppid;
	return 0;
}

static void
read_chain(struct origin_ctx *ctx, pid_t ppid, struct origin *o)
{
	while (ppid > 0 && o->nchain < CHAIN_MAX) {
		struct chain_link *cl = &o->chain[o->nchain];
		pid_t next = 0;

		for (size_t i = 0; i < o->nchain; i++)
			if (o->chain[i].pid == ppid)
				return;		/* a loop: forged /proc */
		if (read_link(ctx, ppid, cl, &next) < 0) {
			free(cl->comm);
			return;
		}
		o->nchain++;
		if (ppid == 1)
			return;
		ppid = next;
	}
}

const char *
origin_tty_name(int tty_nr, char *buf, size_t sz)
{
	unsigned int major = ((unsigned int)tty_nr >> 8) & 0xfff;
	unsigned int minor = ((unsigned int)tty_nr & 0xff) |
	    (((unsigned int)tty_nr >> 12) & 0xfff00);

	if (major >= 136 && major <= 143)
		snprintf(buf, sz, "pts/%u", (major - 136) * 256 + minor);
	else if (major == 4 && minor < 64)
		snprintf(buf, sz, "tty%u", minor);
	else if (major == 4)
		snprintf(buf, sz, "ttyS%u", minor - 64);
	else
		snprintf(buf, sz, "tty(%u:%u)", major, minor);
	return buf;
}

static int
comm_is(const char *comm, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(comm, *names) == 0)
			return 1;
	return 0;
}

static const char *const cron_names[] = { "cron", "crond", "anacron",
	"fcron", "cronie", NULL };
static const char *const at_names[] = { "atd", NULL };
static const char *const sup_names[] = { "supervisord", "runsv", "runsvdir",
	"s6-supervise", "s6-svscan", "supervise", "svscan", "monit",
	"circusd", "pm2", NULL };
static const char *const inetd_names[] = { "inetd", "openbsd-inetd",
	"inetutils-inetd", NULL };
static const char *const xinetd_names[] = { "xinetd", NULL };
static const char *const shell_names[] = { "bash", "sh", "dash", "zsh",
	"ksh", "mksh", "fish", "tcsh", "csh", "busybox", NULL };
static const char *const rc_names[] = { "rc", "startpar", "invoke-rc.d",
	"service", "run-parts", "init", "openrc", "openrc-run", NULL };
static const char *const login_names[] = { "sshd", "login", "agetty",
	"getty", "mingetty", "su", "sudo", "screen", "tmux: server",
	"dropbear", "gdm-session-wor", "lightdm", "sddm-helper", NULL };

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
	for (size_t i = 0; i < ctx->nunits; i++)
		unit_release(&ctx->units[i]);
	for (size_t i = 0; i < ctx->nsockets; i++)
		free(ctx->socket_names[i]);
	for (size_t i = 0; i < ctx->nss; i++) {
		free(ctx->ss[i].path);
		ss_conf_release(&ctx->ss[i].conf);
	}
	if (ctx->sysv_loaded)
		sysv_release(&ctx->sysv);
	for (size_t i = 0; i < ctx->pidslots; i++)
		free(ctx->pids[i].comm);
	free(ctx->pids);
	free(ctx->units);
	free(ctx->socket_names);
	free(ctx->ss);
	free(ctx);
}

const struct unit *
origin_ctx_unit(struct origin_ctx *ctx, const char *name)
{
	for (size_t i = 0; i < ctx->nunits; i++)
		if (strcmp(ctx->units[i].name, name) == 0)
			return &ctx->units[i];
	if (ctx->nunits >= UNITS_CACHE_MAX)
		return NULL;
	xgrow((void **)&ctx->units, &ctx->ucap, ctx->nunits + 1,
	    sizeof(*ctx->units));
	unit_load(&ctx->units[ctx->nunits], name, UNIT_SYSTEM);
	return &ctx->units[ctx->nunits++];
}

static void
list_socket_units(struct origin_ctx *ctx)
{
	size_t cap = 0;

	ctx->sockets_listed = 1;
	for (const char *const *d = units_system_dirs; *d; d++) {
		char *full = sysroot_path(*d);
		DIR *dp = opendir(full);
		struct dirent *de;

		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t n = strlen(de->d_name), i;
			int dup = 0;

			if (n < 8 || strcmp(de->d_name + n - 7, ".socket") != 0 ||
			    !unit_name_valid(de->d_name) ||
			    ctx->nsockets >= 1024)
				continue;
			for (i = 0; i < ctx->nsockets && !dup; i++)
				dup = strcmp(ctx->socket_names[i],
				    de->d_name) == 0;
			if (dup)
				continue;
			xgrow((void **)&ctx->socket_names, &cap,
			    ctx->nsockets + 1, sizeof(*ctx->socket_names));
			ctx->socket_names[ctx->nsockets++] =
			    xstrdup(de->d_name);
		}
		if (dp)
			closedir(dp);
	}
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

/* ---- helpers for building the answer ----------------------------------- */

static void
add_disable(struct origin *o, char *cmd)
{
	if (o->ndisable < sizeof(o->disable) / sizeof(o->disable[0]))
		o->disable[o->ndisable++] = cmd;
	else
		free(cmd);
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
	const char *comm = p->comm ? p->comm : "";
	const char *exe = base_name(p->exe);

	if (comm_is(comm, xinetd_names) || strcmp(exe, "xinetd") == 0) {
		*kind = SS_XINETD;
		return 1;
	}
	if (comm_is(comm, inetd_names) || strcmp(exe, "inetd") == 0 ||
	    strcmp(exe, "openbsd-inetd") == 0) {
		*kind = SS_INETD;
		return 1;
	}
	return 0;
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

static void
take_entry(struct origin *o, const struct ss_entry *e, pid_t sspid)
{
	o->kind = e->kind == SS_INETD ? ORIGIN_INETD : ORIGIN_XINETD;
	o->ss_file = xstrdup(e->file);
	o->ss_line = e->line;
	o->ss_service = xstrdup(e->service);
	o->ss_program = e->program ? xstrdup(e->program) : NULL;
	o->ss_args = e->args ? xstrdup(e->args) : NULL;
	o->ss_user = e->user ? xstrdup(e->user) : NULL;
	o->ss_wait = e->wait;
	o->ss_pid = sspid;
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

static void
describe_unit(struct origin *o, const struct unit *u)
{
	struct strbuf sb;

	if (u == NULL)
		return;
	if (u->path)
		o->unit_file = xstrdup(u->path);
	o->unit_generated = u->generated;
	if (u->ndropins == 0)
		return;
	strbuf_init(&sb, 1u << 16);
	for (size_t i = 0; i < u->ndropins; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, u->dropins[i]);
	}
	o->dropins = strbuf_detach(&sb);
	strbuf_release(&sb);
}

static char *
listen_text(const struct unit_kv *kv)
{
	const char *dot = strchr(kv->key, '.');

	return xasprintf("%s:%d %s=%s", kv->file, kv->line,
	    dot ? dot + 1 : kv->key, kv->value);
}

/* ---- the decision ------------------------------------------------------ */

static int
chain_find(const struct origin *o, const char *const *names)
{
	for (size_t i = 0; i < o->nchain; i++)
		if (o->chain[i].comm && comm_is(o->chain[i].comm, names))
			return (int)i;
	return -1;
}

static void
origin_login(struct origin_ctx *ctx, struct origin *o,
    const struct proc_rec *p, const char *ssh_connection, int tty_nr)
{
	char tty[32];
	int i;

	o->kind = ORIGIN_LOGIN;
	if (p->ids_known && ctx->users)
		o->login_user = users_label(ctx->users, p->uid);
	for (size_t k = 0; tty_nr == 0 && k < o->nchain; k++)
		tty_nr = o->chain[k].tty_nr;
	if (tty_nr)
		o->tty = xstrdup(origin_tty_name(tty_nr, tty, sizeof(tty)));
	if (ssh_connection) {
		/* "client_ip client_port server_ip server_port" */
		const char *sp = strchr(ssh_connection, ' ');

		o->remote = xstrndup(ssh_connection, sp ?
		    (size_t)(sp - ssh_connection) : strlen(ssh_connection));
	}
	(void)i;
	if (o->nchain > 0) {	/* the parent: what it was started from */
		o->via = xstrdup(o->chain[0].comm);
		o->via_pid = o->chain[0].pid;
	}
}

static int
is_scope(const char *unit)
{
	size_t n = strlen(unit);

	return n > 6 && strcmp(unit + n - 6, ".scope") == 0;
}

static void
summarize(struct origin *o, const struct proc_rec *p)
{
	struct strbuf sb;
	pid_t pid = p ? p->pid : 0;

	strbuf_init(&sb, 1024);
	switch (o->kind) {
	case ORIGIN_SYSTEMD:
		strbuf_addf(&sb, "systemd %s", o->unit);
		if (is_scope(o->unit))
			add_disable(o, xasprintf("systemctl stop %s (a transient "
			    "scope: started by systemd-run or a session "
			    "manager, nothing restarts it)", o->unit));
		else
			add_disable(o, xasprintf("systemctl disable --now %s",
			    o->unit));
		break;
	case ORIGIN_SYSTEMD_USER:
		strbuf_addf(&sb, "systemd --user %s (%s)", o->unit,
		    o->login_user ? o->login_user : "?");
		add_disable(o, xasprintf("systemctl --user -M %s@ disable "
		    "--now %s", o->login_user ? o->login_user : "USER",
		    o->unit));
		break;
	case ORIGIN_SOCKET:
		strbuf_addf(&sb, "systemd %s", o->socket_unit);
		if (o->unit)
			strbuf_addf(&sb, " -> %s", o->unit);
		add_disable(o, xasprintf("systemctl disable --now %s",
		    o->socket_unit));
		if (o->unit)
			add_disable(o, xasprintf("systemctl stop %s", o->unit));
		break;
	case ORIGIN_INETD:
	case ORIGIN_XINETD:
		strbuf_addf(&sb, "%s %s:%d (%s)", o->kind == ORIGIN_INETD ?
		    "inetd" : "xinetd", o->ss_file, o->ss_line, o->ss_service);
		if (o->kind == ORIGIN_INETD)
			add_disable(o, xasprintf("comment out line %d of %s "
			    "(or: update-inetd --disable %s), then "
			    "kill -HUP %d", o->ss_line, o->ss_file,
			    o->ss_service, (int)o->ss_pid));
		else
			add_disable(o, xasprintf("set 'disable = yes' in the "
			    "service %s block at %s:%d, then kill -HUP %d",
			    o->ss_service, o->ss_file, o->ss_line,
			    (int)o->ss_pid));
		if (o->unit)
			add_disable(o, xasprintf("or the whole super-server: "
			    "systemctl disable --now %s", o->unit));
		break;
	case ORIGIN_SYSV:
		strbuf_addf(&sb, "init script /etc/init.d/%s", o->sysv_script);
		add_disable(o, xasprintf("update-rc.d %s disable (Red Hat: "
		    "chkconfig %s off)", o->sysv_script, o->sysv_script));
		add_disable(o, xasprintf("service %s stop", o->sysv_script));
		break;
	case ORIGIN_CONTAINER:
		strbuf_addf(&sb, "%s container %.12s", o->runtime,
		    o->container_id);
		if (o->container_name)
			strbuf_addf(&sb, " (%s)", o->container_name);
		if (strcmp(o->runtime, "docker") == 0 ||
		    strcmp(o->runtime, "podman") == 0) {
			add_disable(o, xasprintf("%s update --restart=no %.12s",
			    o->runtime, o->container_id));
			add_disable(o, xasprintf("%s stop %.12s", o->runtime,
			    o->container_id));
		} else if (strcmp(o->runtime, "kubernetes") == 0) {
			add_disable(o, xstrdup("scale the pod's controller to "
			    "zero (kubectl scale --replicas=0 ...) or delete "
			    "it: a pod deleted alone is recreated"));
		} else {
			add_disable(o, xasprintf("stop the %s container %s",
			    o->runtime, o->container_id));
		}
		break;
	case ORIGIN_CRON:
	case ORIGIN_AT:
		strbuf_addf(&sb, "%s job (under %s %d)", o->kind == ORIGIN_CRON ?
		    "cron" : "at", o->via, (int)o->via_pid);
		add_disable(o, xstrdup(o->kind == ORIGIN_CRON ?
		    "remove the job from the crontab (crontab -u USER -e, "
		    "/etc/crontab, /etc/cron.d)" :
		    "remove the job: atq, then atrm JOB"));
		add_disable(o, xasprintf("kill %d", (int)pid));
		break;
	case ORIGIN_SUPERVISOR:
		strbuf_addf(&sb, "supervised by %s %d", o->via,
		    (int)o->via_pid);
		add_disable(o, xstrdup(strcmp(o->via, "supervisord") == 0 ?
		    "supervisorctl stop NAME, and autostart=false in its "
		    "[program:NAME] section" :
		    strncmp(o->via, "runsv", 5) == 0 ?
		    "sv down SERVICE, and remove its link from the service "
		    "directory" : strncmp(o->via, "s6", 2) == 0 ?
		    "s6-svc -d SERVICEDIR" :
		    "stop it through its supervisor, or it is restarted"));
		break;
	case ORIGIN_LOGIN:
		strbuf_addstr(&sb, "started by hand");
		if (o->login_user)
			strbuf_addf(&sb, " by %s", o->login_user);
		if (o->tty)
			strbuf_addf(&sb, " on %s", o->tty);
		if (o->remote)
			strbuf_addf(&sb, " from %s", o->remote);
		else if (o->via)
			strbuf_addf(&sb, " via %s %d", o->via, (int)o->via_pid);
		if (o->tty == NULL && o->remote == NULL)
			strbuf_addstr(&sb, ", no terminal");
		add_disable(o, xasprintf("kill %d (nothing restarts it)",
		    (int)pid));
		break;
	case ORIGIN_KERNEL:
		strbuf_addstr(&sb, "kernel (no process)");
		add_disable(o, xstrdup("a kernel socket: unload or "
		    "reconfigure the kernel feature that opened it"));
		break;
	default:
		strbuf_addstr(&sb, "unknown");
		if (o->nchain > 0)
			strbuf_addf(&sb, " (parent %s %d)", o->chain[0].comm,
			    (int)o->chain[0].pid);
		if (pid > 0)
			add_disable(o, xasprintf("kill %d, then find what "
			    "starts it from its parent chain", (int)pid));
		break;
	}
	o->summary = strbuf_detach(&sb);
	strbuf_release(&sb);
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
origin_explain(struct origin_ctx *ctx, const struct sock_rec *s,
    const struct proc_rec *p, const char *ssh_connection, int init_holds,
    struct origin *o)
{
	struct cgroup_info ci;
	const struct unit *u;
	const struct unit_kv *kv = NULL;
	enum ss_kind sk;
	int i, tty_nr = 0;

	memset(o, 0, sizeof(*o));
	if (p == NULL) {
		o->kind = s && s->owner_note == OWNER_KERNEL ? ORIGIN_KERNEL :
		    ORIGIN_UNKNOWN;
		summarize(o, NULL);
		return;
	}
	tty_nr = p->tty_nr;
	read_chain(ctx, p->ppid, o);
	cgroup_classify(p->cgroup, &ci);
	if (ci.unit)
		o->unit = xstrdup(ci.unit);

	/* 1. containers */
	if (ci.runtime) {
		o->kind = ORIGIN_CONTAINER;
		o->runtime = xstrdup(ci.runtime);
		o->container_id = xstrdup(ci.container_id);
		o->container_name = container_name(ci.runtime, ci.container_id);
		goto done;
	}
	/* 2. super-servers: the socket they hold, or a child they ran */
	if (s && is_superserver(p, &sk)) {
		const struct ss_entry *e = entry_for_socket(ctx,
		    ss_conf_of(ctx, sk, p->pid), s);

		if (e) {
			take_entry(o, e, p->pid);
			goto done;
		}
	}
	for (size_t k = 0; k < o->nchain && k < 1; k++) {
		struct proc_rec parent;

		memset(&parent, 0, sizeof(parent));
		parent.pid = o->chain[k].pid;
		parent.comm = o->chain[k].comm;
		if (parent.comm && is_superserver(&parent, &sk)) {
			const struct ss_entry *e = entry_for_program(
			    ss_conf_of(ctx, sk, parent.pid), p);

			if (e) {
				take_entry(o, e, parent.pid);
				goto done;
			}
		}
	}
	/* 3. cron, at, supervisors, from the parent chain */
	if ((i = chain_find(o, cron_names)) >= 0 ||
	    (ci.unit && (strcmp(ci.unit, "cron.service") == 0 ||
	    strcmp(ci.unit, "crond.service") == 0))) {
		o->kind = ORIGIN_CRON;
	} else if ((i = chain_find(o, at_names)) >= 0 ||
	    (ci.unit && strcmp(ci.unit, "atd.service") == 0)) {
		o->kind = ORIGIN_AT;
	} else if ((i = chain_find(o, sup_names)) >= 0) {
		o->kind = ORIGIN_SUPERVISOR;
	}
	if (o->kind != ORIGIN_UNKNOWN) {
		o->via = xstrdup(i >= 0 ? o->chain[i].comm : ci.unit);
		o->via_pid = i >= 0 ? o->chain[i].pid : 0;
		goto done;
	}
	/* 4. PID 1 holding the socket: socket activation */
	if (s && p->pid == 1 && ctx->systemd &&
	    (u = socket_unit_for(ctx, s, NULL, &kv)) != NULL) {
		const struct unit_kv *svc = unit_get(u, "Socket.Service");
		const struct unit_kv *acc = unit_get(u, "Socket.Accept");

		o->kind = ORIGIN_SOCKET;
		o->socket_unit = xstrdup(u->name);
		o->listen = listen_text(kv);
		free(o->unit);
		o->unit = svc ? xstrdup(svc->value) :
		    acc && (strcmp(acc->value, "yes") == 0 ||
		    strcmp(acc->value, "true") == 0) ?
		    xasprintf("%.*s@.service", (int)(strlen(u->name) - 7),
		    u->name) : xasprintf("%.*s.service",
		    (int)(strlen(u->name) - 7), u->name);
		describe_unit(o, u);
		goto done;
	}
	/* 5. a systemd unit from the cgroup */
	if (ci.unit && !ci.user_unit && ctx->systemd) {
		char *sockname = socket_name_for_service(ci.unit);

		u = origin_ctx_unit(ctx, ci.unit);
		describe_unit(o, u);
		/* Socket activation: PID 1 still holds the listening socket
		 * it passed on; or, for an Accept=yes instance, this is a
		 * connection on a port the socket unit listens on.  A
		 * .socket unit that merely exists (Debian ships ssh.socket
		 * disabled) proves nothing. */
		if (s && sockname && (init_holds ||
		    (strchr(ci.unit, '@') && s->state != ST_LISTEN)) &&
		    socket_unit_for(ctx, s, sockname, &kv) != NULL) {
			o->kind = ORIGIN_SOCKET;
			o->socket_unit = sockname;
			o->listen = listen_text(kv);
			goto done;
		}
		free(sockname);
		if (u && (u->generated || u->path == NULL)) {
			char *script = xstrndup(ci.unit, strlen(ci.unit) - 8);
			const struct sysv_script *sc = sysv_find(
			    origin_ctx_sysv(ctx), NULL, script);

			free(script);
			if (sc) {
				o->kind = ORIGIN_SYSV;
				o->sysv_script = xstrdup(sc->name);
				if (sc->start_links)
					o->sysv_links = xstrdup(sc->start_links);
				goto done;
			}
		}
		o->kind = ORIGIN_SYSTEMD;
		goto done;
	}
	/* a transient scope (systemd-run --scope, a desktop's app scope) */
	if (ci.unit == NULL && ci.scope && ci.session == NULL &&
	    strcmp(ci.scope, "init.scope") != 0 && ctx->systemd) {
		o->unit = xstrdup(ci.scope);
		o->kind = ci.user_unit ? ORIGIN_SYSTEMD_USER : ORIGIN_SYSTEMD;
		if (ci.user_unit && ctx->users)
			o->login_user = users_label(ctx->users,
			    ci.uid >= 0 ? (uid_t)ci.uid : p->uid);
		goto done;
	}
	if (ci.unit && ci.user_unit) {
		o->kind = ORIGIN_SYSTEMD_USER;
		if (ctx->users)
			o->login_user = users_label(ctx->users,
			    ci.uid >= 0 ? (uid_t)ci.uid : p->uid);
		goto done;
	}
	/* 6. no systemd: an init script started it (the daemon was
	 * reparented to init, or an rc runner is still its ancestor) */
	if (!ctx->systemd && ctx->sysvinit && p->exe && (p->ppid == 1 ||
	    (o->nchain > 0 && comm_is(o->chain[0].comm, rc_names)))) {
		char *alias = pkg_usr_alias(p->exe);
		const struct sysv *sv = origin_ctx_sysv(ctx);
		const struct sysv_script *sc = sysv_find(sv, p->exe, NULL);

		if (sc == NULL && alias)
			sc = sysv_find(sv, alias, NULL);
		free(alias);
		if (sc) {
			o->kind = ORIGIN_SYSV;
			o->sysv_script = xstrdup(sc->name);
			if (sc->start_links)
				o->sysv_links = xstrdup(sc->start_links);
			goto done;
		}
	}
	/* 7. a login session, a terminal, sshd or a shell in the chain */
	if (ci.session || tty_nr || chain_find(o, login_names) >= 0 ||
	    chain_find(o, shell_names) >= 0)
		origin_login(ctx, o, p, ssh_connection, tty_nr);
done:
	if ((o->kind == ORIGIN_INETD || o->kind == ORIGIN_XINETD) &&
	    o->unit == NULL && ci.unit)
		o->unit = xstrdup(ci.unit);
	cgroup_info_release(&ci);
	summarize(o, p);
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
