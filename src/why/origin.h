/*
 * origin.h - how a process came to run, and how to turn it off.
 *
 * Derived from the process itself (cgroup path, parent chain,
 * environment) and the configuration on disk (systemd units and
 * drop-ins, inetd.conf, xinetd.d, /etc/init.d and rc links, container
 * runtime metadata), naming the exact source: the unit and its file,
 * the config file and line, the container id and name, or the login
 * session that started it.
 */
#ifndef PS_ORIGIN_H
#define PS_ORIGIN_H

#include <stddef.h>
#include <sys/types.h>

#include "kernel/sock.h"
#include "proc/ancestry.h"
#include "proc/proc.h"
#include "why/cgroup.h"
#include "why/superserver.h"
#include "why/sysv.h"
#include "why/units.h"

enum origin_kind {
	ORIGIN_UNKNOWN,
	ORIGIN_SYSTEMD,		/* a system service */
	ORIGIN_SYSTEMD_USER,	/* a user's service (systemd --user) */
	ORIGIN_SOCKET,		/* systemd socket activation */
	ORIGIN_INETD,
	ORIGIN_XINETD,
	ORIGIN_SYSV,
	ORIGIN_CONTAINER,
	ORIGIN_CRON,
	ORIGIN_AT,
	ORIGIN_SUPERVISOR,
	ORIGIN_LOGIN,		/* started by hand in a login session */
	ORIGIN_KERNEL,		/* no process: a kernel socket */
	ORIGIN_COUNT
};

struct origin {
	enum origin_kind kind;
	char	*summary;	/* one short phrase for the table */
	/* systemd */
	char	*unit;
	char	*unit_file;	/* NULL when the unit has no file */
	char	*dropins;	/* space separated, or NULL */
	char	*socket_unit;	/* with socket activation */
	char	*listen;	/* "FILE:LINE ListenStream=22" */
	int	 unit_generated;	/* from a SysV script */
	/* inetd/xinetd */
	char	*ss_file;
	int	 ss_line;
	char	*ss_service, *ss_program, *ss_args, *ss_user;
	int	 ss_wait;
	pid_t	 ss_pid;	/* the super-server */
	/* SysV */
	char	*sysv_script, *sysv_links;
	/* containers */
	char	*runtime, *container_id, *container_name;
	/* cron, at, supervisor, login */
	char	*via;		/* the ancestor that names the origin */
	pid_t	 via_pid;
	char	*login_user, *tty, *remote;
	/* always */
	struct chain_link chain[CHAIN_MAX];	/* parent, grandparent, ... */
	size_t	 nchain;
	char	*disable[6];	/* commands to turn it off; never run */
	size_t	 ndisable;
};

struct registry;
struct users;

/* What is read once per run and shared by every lookup. */
struct origin_ctx;

struct origin_ctx *origin_ctx_new(struct registry *reg, struct users *users);
void origin_ctx_free(struct origin_ctx *ctx);

/*
 * The origin of socket s held by process p (p NULL: no visible owner;
 * s NULL: the process alone).  ssh_connection: SSH_CONNECTION from the
 * process's environment, or NULL.  init_holds: PID 1 holds s too (the
 * mark of socket activation).  origin_gather, then origin_decide, then
 * origin_describe.
 */
void origin_explain(struct origin_ctx *ctx, const struct sock_rec *s,
    const struct proc_rec *p, const char *ssh_connection, int init_holds,
    struct origin *out);

/*
 * What the decision reads: facts about a process and its socket, from
 * /proc (cgroup, parents) and from the configuration on disk (the
 * entries and units that name it).  The pointers into configuration
 * live as long as the origin_ctx that gathered them; strings marked
 * "owned" are freed by origin_facts_release().
 */
struct origin_facts {
	int		 process;	/* a process holds it */
	int		 kernel;	/* no process: a kernel socket */
	int		 tty_nr;
	int		 systemd;	/* PID 1 is systemd */
	struct cgroup_info cg;				/* owned */
	struct chain_link chain[CHAIN_MAX];		/* owned */
	size_t		 nchain;
	char		*container_name;		/* owned */
	/* the super-server line serving the socket, or the program */
	const struct ss_entry *ss_entry;
	pid_t		 ss_pid;
	/* PID 1 holds the socket: the .socket unit that lists it */
	const struct unit *init_socket;
	const struct unit_kv *init_listen;
	/* the cgroup's service unit, and the .socket unit that activated
	 * it when PID 1 holds the same socket */
	const struct unit *service;
	char		*activating;			/* owned */
	const struct unit_kv *activating_listen;
	/* a SysV script: behind a generated unit; or, without systemd,
	 * the one whose DAEMON is the executable */
	const struct sysv_script *sysv_generated, *sysv_exe;
	char		*user;		/* owned: the process's user */
	char		*unit_user;	/* owned: the user unit's user */
	const char	*ssh_connection;
};

void origin_gather(struct origin_ctx *ctx, const struct sock_rec *s,
    const struct proc_rec *p, const char *ssh_connection, int init_holds,
    struct origin_facts *f);
void origin_facts_release(struct origin_facts *f);
/* The decision (decide.c): pure, facts in, origin out; the summary and
 * the commands are origin_describe()'s. */
void origin_decide(const struct origin_facts *f, struct origin *o);
/* The words (describe.c): o->summary and o->disable from the decided
 * fields; pid is the process (0: none). */
void origin_describe(struct origin *o, pid_t pid);
/* Name checks the gathering shares with the decision. */
int origin_is_superserver(const char *comm, const char *exe_base,
    enum ss_kind *kind);
int origin_is_rc_runner(const char *comm);
/* Can the origin of p differ from one of its sockets to the next (PID
 * 1, inetd, a service with a .socket unit)?  If not, one answer per
 * process serves every socket. */
int origin_socket_sensitive(struct origin_ctx *ctx, const struct proc_rec *p);
void origin_release(struct origin *o);

const char *origin_kind_key(enum origin_kind k);

/* Short text for a tty number ("pts/3", "tty1"), into buf. */
const char *origin_tty_name(int tty_nr, char *buf, size_t sz);

/* Config entries for `audit`. */
const struct ss_conf *origin_ctx_inetd(struct origin_ctx *ctx);
const struct ss_conf *origin_ctx_xinetd(struct origin_ctx *ctx);
const struct sysv *origin_ctx_sysv(struct origin_ctx *ctx);
/* Every inetd/xinetd configuration read so far (the default files and
 * those named on running super-servers' command lines); NULL past the
 * end. */
const struct ss_conf *origin_ctx_ss(struct origin_ctx *ctx, size_t i,
    enum ss_kind *kind);
const struct unit *origin_ctx_unit(struct origin_ctx *ctx, const char *name);
/* Port of an inetd/xinetd entry, resolved through /etc/services. */
unsigned int origin_ss_port(struct origin_ctx *ctx, const struct ss_entry *e);

#endif
