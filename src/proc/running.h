/*
 * running.h - every process on the system, with its cgroup path and
 * executable: what runs, for `audit` (the fd walk of proc/procscan
 * keeps only the processes that hold a wanted socket).
 */
#ifndef PS_PROC_RUNNING_H
#define PS_PROC_RUNNING_H

#include <stddef.h>
#include <sys/types.h>

#define PROC_ALL_MAX	100000	/* processes kept; the rest are counted */

struct proc_brief {
	pid_t	 pid;
	char	*cgroup;	/* cgroup v2 path (or name=systemd), or NULL */
	char	*exe;		/* NULL when not readable */
};

struct proc_all {
	struct proc_brief	*v;
	size_t			 n, cap;
	size_t			 dropped;	/* past PROC_ALL_MAX */
};

/* Walk /proc (under the system root) once. */
void proc_all_scan(struct proc_all *pa);
void proc_all_release(struct proc_all *pa);

#endif
