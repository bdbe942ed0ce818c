/*
 * decide.c - the decision: from the facts about a process (its cgroup,
 * its parents, the configuration entries that name it) to where it came
 * from.  Pure: it reads nothing, so every branch is unit-tested with
 * facts built by hand (tests/unit/test_origin.c).
 *
 * Order of evidence: a container cgroup wins (whatever runs inside was
 * started by the runtime); then a super-server's entry (the socket it
 * holds, or the program it ran); cron, at and process supervisors among
 * the parents (they run inside a systemd unit of their own, which would
 * hide them); PID 1 holding the socket (socket activation); the systemd
 * unit of the cgroup, refined to socket activation when PID 1 holds the
 * same socket, or to a SysV script when the unit was generated from one;
 * transient scopes and user units; on systems without systemd, the init
 * script whose DAEMON is the executable; then a login session.
 */
#include <stdlib.h>
#include <string.h>

#include "why/origin.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

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

int
origin_is_superserver(const char *comm, const char *exe_base,
    enum ss_kind *kind)
{
	comm = comm ? comm : "";
	exe_base = exe_base ? exe_base : "";
	if (comm_is(comm, xinetd_names) || strcmp(exe_base, "xinetd") == 0) {
		*kind = SS_XINETD;
		return 1;
	}
	if (comm_is(comm, inetd_names) || strcmp(exe_base, "inetd") == 0 ||
	    strcmp(exe_base, "openbsd-inetd") == 0) {
		*kind = SS_INETD;
		return 1;
	}
	return 0;
}

int
origin_is_rc_runner(const char *comm)
{
	return comm && comm_is(comm, rc_names);
}

static int
chain_find(const struct origin_facts *f, const char *const *names)
{
	for (size_t i = 0; i < f->nchain; i++)
		if (f->chain[i].comm && comm_is(f->chain[i].comm, names))
			return (int)i;
	return -1;
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

static void
take_sysv(struct origin *o, const struct sysv_script *sc)
{
	o->kind = ORIGIN_SYSV;
	o->sysv_script = xstrdup(sc->name);
	if (sc->start_links)
		o->sysv_links = xstrdup(sc->start_links);
}

static void
take_login(const struct origin_facts *f, struct origin *o)
{
	char tty[32];
	int tty_nr = f->tty_nr;

	o->kind = ORIGIN_LOGIN;
	if (f->user)
		o->login_user = xstrdup(f->user);
	for (size_t k = 0; tty_nr == 0 && k < o->nchain; k++)
		tty_nr = o->chain[k].tty_nr;
	if (tty_nr)
		o->tty = xstrdup(origin_tty_name(tty_nr, tty, sizeof(tty)));
	if (f->ssh_connection) {
		/* "client_ip client_port server_ip server_port" */
		const char *sp = strchr(f->ssh_connection, ' ');

		o->remote = xstrndup(f->ssh_connection, sp ?
		    (size_t)(sp - f->ssh_connection) :
		    strlen(f->ssh_connection));
	}
	if (o->nchain > 0) {	/* the parent: what it was started from */
		o->via = xstrdup(o->chain[0].comm);
		o->via_pid = o->chain[0].pid;
	}
}

/* The service a .socket unit starts: Service=, else NAME@.service for
 * Accept=yes, else NAME.service. */
static char *
socket_service(const struct unit *u)
{
	const struct unit_kv *svc = unit_get(u, "Socket.Service");
	const struct unit_kv *acc = unit_get(u, "Socket.Accept");
	int n = (int)(strlen(u->name) - 7);

	if (svc)
		return xstrdup(svc->value);
	if (acc && (strcmp(acc->value, "yes") == 0 ||
	    strcmp(acc->value, "true") == 0))
		return xasprintf("%.*s@.service", n, u->name);
	return xasprintf("%.*s.service", n, u->name);
}

static void
decide_kind(const struct origin_facts *f, struct origin *o)
{
	const struct cgroup_info *ci = &f->cg;
	int i;

	/* 1. containers */
	if (ci->runtime) {
		o->kind = ORIGIN_CONTAINER;
		o->runtime = xstrdup(ci->runtime);
		o->container_id = xstrdup(ci->container_id);
		if (f->container_name)
			o->container_name = xstrdup(f->container_name);
		return;
	}
	/* 2. super-servers: the socket they hold, or a child they ran */
	if (f->ss_entry) {
		take_entry(o, f->ss_entry, f->ss_pid);
		return;
	}
	/* 3. cron, at, supervisors, from the parent chain */
	if ((i = chain_find(f, cron_names)) >= 0 ||
	    (ci->unit && (strcmp(ci->unit, "cron.service") == 0 ||
	    strcmp(ci->unit, "crond.service") == 0)))
		o->kind = ORIGIN_CRON;
	else if ((i = chain_find(f, at_names)) >= 0 ||
	    (ci->unit && strcmp(ci->unit, "atd.service") == 0))
		o->kind = ORIGIN_AT;
	else if ((i = chain_find(f, sup_names)) >= 0)
		o->kind = ORIGIN_SUPERVISOR;
	if (o->kind != ORIGIN_UNKNOWN) {
		o->via = xstrdup(i >= 0 ? f->chain[i].comm : ci->unit);
		o->via_pid = i >= 0 ? f->chain[i].pid : 0;
		return;
	}
	/* 4. PID 1 holding the socket: socket activation */
	if (f->init_socket) {
		o->kind = ORIGIN_SOCKET;
		o->socket_unit = xstrdup(f->init_socket->name);
		o->listen = listen_text(f->init_listen);
		free(o->unit);
		o->unit = socket_service(f->init_socket);
		describe_unit(o, f->init_socket);
		return;
	}
	/* 5. a systemd unit from the cgroup */
	if (ci->unit && !ci->user_unit && f->systemd) {
		describe_unit(o, f->service);
		/* socket activation: PID 1 still holds the socket it passed
		 * on (or an Accept=yes instance's connection) */
		if (f->activating) {
			o->kind = ORIGIN_SOCKET;
			o->socket_unit = xstrdup(f->activating);
			o->listen = listen_text(f->activating_listen);
			return;
		}
		if (f->sysv_generated) {
			take_sysv(o, f->sysv_generated);
			return;
		}
		o->kind = ORIGIN_SYSTEMD;
		return;
	}
	/* a transient scope (systemd-run --scope, a desktop's app scope) */
	if (ci->unit == NULL && ci->scope && ci->session == NULL &&
	    strcmp(ci->scope, "init.scope") != 0 && f->systemd) {
		o->unit = xstrdup(ci->scope);
		o->kind = ci->user_unit ? ORIGIN_SYSTEMD_USER : ORIGIN_SYSTEMD;
		if (ci->user_unit && f->unit_user)
			o->login_user = xstrdup(f->unit_user);
		return;
	}
	if (ci->unit && ci->user_unit) {
		o->kind = ORIGIN_SYSTEMD_USER;
		if (f->unit_user)
			o->login_user = xstrdup(f->unit_user);
		return;
	}
	/* 6. no systemd: an init script started it */
	if (f->sysv_exe) {
		take_sysv(o, f->sysv_exe);
		return;
	}
	/* 7. a login session, a terminal, sshd or a shell in the chain */
	if (ci->session || f->tty_nr || chain_find(f, login_names) >= 0 ||
	    chain_find(f, shell_names) >= 0)
		take_login(f, o);
}

void
origin_decide(const struct origin_facts *f, struct origin *o)
{
	memset(o, 0, sizeof(*o));
	if (!f->process) {
		o->kind = f->kernel ? ORIGIN_KERNEL : ORIGIN_UNKNOWN;
		return;
	}
	for (size_t i = 0; i < f->nchain; i++) {
		o->chain[i] = f->chain[i];
		o->chain[i].comm = f->chain[i].comm ?
		    xstrdup(f->chain[i].comm) : NULL;
	}
	o->nchain = f->nchain;
	if (f->cg.unit)
		o->unit = xstrdup(f->cg.unit);
	decide_kind(f, o);
	if ((o->kind == ORIGIN_INETD || o->kind == ORIGIN_XINETD) &&
	    o->unit == NULL && f->cg.unit)
		o->unit = xstrdup(f->cg.unit);
}
