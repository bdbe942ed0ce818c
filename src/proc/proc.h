/*
 * proc.h - a process that holds sockets, and the (socket, process) pair.
 *
 * procscan fills these records from /proc; the layers above hang their
 * findings off them by index.
 */
#ifndef PS_PROC_PROC_H
#define PS_PROC_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One (socket, process) pair; fds holds every descriptor number. */
/* 24 bytes: there is one for every (socket, process) pair */
struct owner {
	uint64_t	 inode;
	pid_t		 pid;
	uint32_t	 nfds;
	uint32_t	 proc;		/* index into the process table */
	/* with one descriptor (nearly always), its number; with more,
	 * where they start in the scan's fdstore (procscan_fds) */
	int		 fd;
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
	pid_t		 ns_pid;	/* its PID inside its own PID namespace,
					   when that is not ours (NSpid); 0 */
	uint64_t	 cap_eff;	/* effective capabilities (CapEff) */
	int		 caps_known;
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

#endif
