/*
 * procscan.h - which processes hold which sockets.
 *
 * Walks /proc/PID/fd of every process once, on several threads, looking
 * each descriptor's link up in a set of wanted socket inodes.  For every
 * process that holds one, reads its identity (stat, status, exe, cmdline,
 * cgroup).  PID reuse is guarded twice: all reads go through one open
 * /proc/PID directory (which the kernel ties to that process), and the
 * start time is compared before the walk and after the details are read.
 */
#ifndef PS_PROCSCAN_H
#define PS_PROCSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/sock.h"
#include "proc/proc.h"

struct procscan {
	struct owner	*owners;	/* sorted by inode, then pid */
	size_t		 nowners;
	int		*fdstore;	/* the descriptors of owners with more
					   than one, one after the other */
	struct proc_rec	*procs;		/* sorted by pid */
	size_t		 nprocs;
	/* What could not be seen, for honest notes. */
	unsigned int	 scanned;	/* processes examined */
	unsigned int	 denied;	/* fd directory or links not readable */
	unsigned int	 vanished;	/* exited during the scan */
	unsigned int	 reused;	/* start time changed: PID reused */
	unsigned int	 malformed;	/* unparsable stat/status */
	unsigned int	 unvisited;	/* BPF path: processes the iterator
					   did not visit, walked instead */
	unsigned int	 early;		/* BPF path: owners read from /proc
					   while the iterator still ran */
	int		 proc_unreadable; /* /proc could not be opened (a note) */
	/* with PS_NEED_NSFDS: network namespaces open as descriptors
	 * ("net:[N]" links), one per namespace, sorted by inode */
	struct ns_fd	*nsfds;
	size_t		 nnsfds;
	/* with PS_NEED_ALLSOCKS: every socket descriptor whose inode was
	 * not asked for (pid, fd, inode), sorted by inode */
	struct ns_fd	*others;
	size_t		 nothers;
	int		 others_cut;	/* more than PS_OTHERS_MAX */
	/* how the descriptors were found: "bpf" (one pass of a BPF
	 * iterator over every process's files) or "proc" (the walk of
	 * /proc/PID/fd), and why not the iterator when it was not */
	const char	*path;
	char		 path_why[128];
	/* the BPF path's steps (ms): loading the program, running and
	 * reading it, and how long this scan waited for a run-ahead one */
	double		 bpf_ms_load, bpf_ms_read, bpf_ms_wait;
	char		 bpf_loader[96];	/* who relocated and loaded it */
	struct scan	*scan;		/* private: a scan under way */
};

/* Optional details (identity, exe and start time are always read). */
#define PS_NEED_CMDLINE	0x1
#define PS_NEED_CGROUP	0x2
#define PS_NEED_ENVIRON	0x4	/* loader variables, SSH_CONNECTION */
#define PS_NEED_ALL	0x7
/* Record descriptors of network namespaces (a namespace kept alive by
 * an open file alone is found no other way). */
#define PS_NEED_NSFDS	0x8
#define PS_NSFDS_MAX	4096	/* distinct namespaces recorded */
/* Record every other socket descriptor too (the cross-view check: a
 * socket a process holds that no table shows). */
#define PS_NEED_ALLSOCKS 0x10
/* walk /proc/PID/fd even where the BPF iterator could say it at once */
#define PS_NO_BPF	0x20
#define PS_OTHERS_MAX	(4u << 20)

struct ns_fd {
	uint64_t	inode;		/* the namespace's nsfs inode */
	pid_t		pid;		/* the lowest PID holding one */
	int		fd;
};

/*
 * Scan all processes for the ninodes socket inodes in inodes (any order,
 * duplicates allowed) using nthreads threads (0: one per CPU, at most 8),
 * reading the optional details named in need.  With no inodes wanted
 * (and no PS_NEED_NSFDS), no process is read at all.
 * Always fills *ps (empty on failure to open /proc, with proc_unreadable set).
 * Caller releases with procscan_release().
 */
void procscan_run(const uint64_t *inodes, size_t ninodes, int nthreads,
    unsigned int need, struct procscan *ps);
/*
 * The same in two halves, so the caller can work while the other threads
 * walk: start() launches all workers but one; finish() makes the caller
 * the last worker, joins the others and merges.  start() takes inodes
 * (from malloc) and frees it; nothing in *ps may be read before finish()
 * returns.
 */
void procscan_start(uint64_t *inodes, size_t ninodes, int nthreads,
    unsigned int need, struct procscan *ps);
void procscan_finish(struct procscan *ps);
void procscan_release(struct procscan *ps);
/* --no-bpf: every scan of this run walks /proc (PS_NO_BPF for all). */
void procscan_set_no_bpf(int on);
/* Start the BPF iterator now, on a thread, for the next scan (as root,
 * on a host past the threshold; nothing otherwise). */
void procscan_prefetch_bpf(void);
/* Is a run-ahead iterator in flight (the next scan will wait for it)? */
int procscan_ahead(void);

/* Owners of inode: *first index and the count (0 when none). */
/* The descriptor numbers of o, an owner of ps (o->nfds of them). */
const int *procscan_fds(const struct procscan *ps, const struct owner *o);
size_t procscan_owners_of(const struct procscan *ps, uint64_t inode,
    size_t *first);

/*
 * Parse the text of /proc/PID/stat.  Stores comm (caller frees), ppid and
 * start time in clock ticks.  Returns 0 or -1 when malformed.
 */
int procscan_parse_stat(const char *text, size_t len, char **comm,
    int *ppid, uint64_t *start_ticks, int *tty_nr);
/* Parse Uid:/Gid: lines of /proc/PID/status; 0 or -1. */
int procscan_parse_status(const char *text, size_t len, struct proc_rec *p);
/* Pick the variables portsleuth uses from /proc/PID/environ bytes. */
void procscan_parse_environ(const char *buf, size_t len,
    struct proc_env *env);
void proc_env_release(struct proc_env *env);
/* Pick the cgroup path from /proc/PID/cgroup text; caller frees or NULL. */
char *procscan_parse_cgroup(const char *text, size_t len);

#endif
