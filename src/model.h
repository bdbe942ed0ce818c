/*
 * model.h - the joined record: one socket, the processes that hold it,
 * and what is known about it.
 *
 * The collectors fill these records (sockdiag/procnet: sockets; procscan:
 * owners and processes; services and exposure: annotations) and the
 * renderers only read them.  Later layers (origin, package, probe) hang
 * their findings off struct proc_rec and struct sock_rec.
 */
#ifndef PS_MODEL_H
#define PS_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ps_proto {
	PROTO_TCP,
	PROTO_UDP,
	PROTO_UDPLITE,
	PROTO_RAW,
	PROTO_SCTP,
	PROTO_COUNT
};

#define PROTO_BIT(p)	(1u << (p))
#define PROTO_ALL	((1u << PROTO_COUNT) - 1)

/* Kernel socket states (include/net/tcp_states.h). */
enum ps_state {
	ST_UNKNOWN = 0,
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,		/* an unconnected UDP/raw socket: "UNCONN" */
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING,
	ST_NEW_SYN_RECV,
	ST_BOUND_INACTIVE,
	ST_MAX
};

#define STATE_BIT(s)	(1u << (s))
#define STATES_ALL	((1u << ST_MAX) - 2)

/* Where a socket record came from. */
enum sock_source {
	SRC_NETLINK,
	SRC_PROCFS
};

/* Why a socket has no visible owner. */
enum owner_note {
	OWNER_FOUND = 0,
	OWNER_NOT_ROOT,		/* other users' fds unreadable */
	OWNER_EXITED,		/* a process vanished during the scan */
	OWNER_KERNEL,		/* no fd anywhere: kernel-held socket */
	OWNER_TIMEWAIT,		/* inode 0: no file, kernel keeps it */
	OWNER_NOT_SCANNED	/* process attribution was not requested */
};

struct sock_rec {
	uint8_t		 proto;		/* enum ps_proto */
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 state;		/* enum ps_state */
	int8_t		 v6only;	/* 0, 1, or -1 when unknown */
	uint8_t		 source;	/* enum sock_source */
	uint8_t		 owner_note;	/* enum owner_note */
	uint16_t	 lport, rport;
	uint8_t		 laddr[16], raddr[16];	/* IPv4 in the first 4 bytes */
	uint32_t	 bound_if;	/* SO_BINDTODEVICE ifindex, 0 = none */
	uint32_t	 uid;		/* socket owner uid from the kernel */
	uint32_t	 rqueue, wqueue;
	uint64_t	 inode;
};

struct socklist {
	struct sock_rec	*v;
	size_t		 n, cap;
};

/* One (socket, process) pair; fds holds every descriptor number. */
struct owner {
	uint64_t	 inode;
	pid_t		 pid;
	int		*fds;
	size_t		 nfds;
	size_t		 proc;		/* index into the process table */
};

/* What portsleuth takes from a process's environment (the rest is not
 * kept): loader variables and the SSH session it came from. */
struct proc_env {
	char	*ld_vars;		/* "LD_PRELOAD=/x.so ...", or NULL */
	char	*ssh_connection;	/* SSH_CONNECTION value, or NULL */
	int	 readable;		/* environ could be read */
};

struct proc_rec {
	pid_t		 pid, ppid;
	uid_t		 uid, euid;
	gid_t		 gid, egid;
	int		 ids_known;	/* status was read: the ids are real */
	char		*comm;		/* from /proc/PID/stat */
	char		*exe;		/* NULL when unreadable */
	int		 exe_deleted;
	int		 exe_errno;	/* why exe is NULL */
	char		*cmdline;	/* arguments joined by spaces */
	int		 cmdline_truncated;	/* longer than the read cap */
	char		*cgroup;	/* cgroup v2 path, or v1 name=systemd */
	uint64_t	 start_ticks;	/* field 22 of stat */
	int		 tty_nr;	/* field 7: controlling terminal, 0 none */
	struct proc_env	 env;		/* with PS_NEED_ENVIRON */
	double		 start_time;	/* seconds since the epoch */
};

const char *proto_name(enum ps_proto p);
const char *state_name(enum ps_state s);

#endif
