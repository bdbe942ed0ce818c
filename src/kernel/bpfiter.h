/*
 * bpfiter.h - every socket descriptor of every process, and each such
 * process's identity, in one pass of a BPF iterator (iter/task_file),
 * where the kernel allows it.
 *
 * The program (bpf/sockfd.bpf.c, CO-RE against the running kernel's BTF)
 * is loaded, run once through an iterator descriptor and unloaded within
 * the call: nothing stays attached, nothing is pinned.  The /proc walk
 * stays for everyone else; the caller falls back to it on any failure,
 * with the reason.
 */
#ifndef PS_BPFITER_H
#define PS_BPFITER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* The program's descriptor record, byte for byte. */
struct bpf_sockfd {
	uint32_t	pid;		/* the thread group's PID */
	uint32_t	fd;
	uint64_t	ino;		/* the socket's inode, or the
					   namespace's (BPF_SOCKFD_NETNS) */
	uint32_t	zero;
	uint32_t	kind;		/* BPF_SOCKFD_* */
};

#define BPF_SOCKFD_SOCKET	0
#define BPF_SOCKFD_NETNS	1
#define BPF_SOCKFD_PROCESS	2	/* a struct bpf_procrec */

/*
 * The program's process record, byte for byte: written at the first
 * file of each thread group it visits, so every process with a
 * descriptor has one, before its descriptors.  What /proc/PID/stat and
 * status would say; the executable is still read from /proc.
 */
struct bpf_procrec {
	struct bpf_sockfd hdr;		/* kind BPF_SOCKFD_PROCESS */
	uint64_t	start_ns;	/* since boot: stat's field 22 in ns */
	uint64_t	cap_eff;	/* status's CapEff */
	uint32_t	ppid;
	uint32_t	uid, euid, gid, egid;	/* the initial user namespace's */
	uint32_t	ns_pid;		/* in its own PID namespace, 0: ours */
	uint32_t	tty_nr;		/* as stat's field 7 */
	uint32_t	flags;		/* BPF_PROC_NO_CRED */
	char		comm[16];	/* not NUL-terminated when 16 long */
};

#define BPF_PROC_NO_CRED	0x1	/* ids and capabilities unknown */

/* A descriptor as kept once read: 16 bytes, where the program writes 24
 * (a million sockets' descriptors are 8 MiB less). */
struct bpf_fd {
	uint64_t	ino;		/* the socket's or namespace's inode */
	uint32_t	pid;
	uint32_t	fd;
};

/* One pass: the descriptors (of sockets, and of network namespaces
 * apart) and the processes, each in the program's order (by PID), as
 * parsed from the iterator. */
struct bpf_scan {
	struct bpf_fd		*fds;		/* sockets */
	size_t			 nfds;
	struct bpf_fd		*nsfds;		/* network namespaces */
	size_t			 nnsfds;
	struct bpf_procrec	*procs;
	size_t			 nprocs;
	double			 ms_load;	/* open, relocate, verify */
	double			 ms_read;	/* attach, run, read, parse */
	char			 loader[96];	/* who relocated and loaded it */
};

/*
 * Parse what a read of the iterator returned: records of the two sizes,
 * told apart by kind.  A record cut short, an unknown kind or a process
 * record not before its descriptors is malformed: -1 with why, and
 * nothing kept (the caller walks /proc instead).  0 with *out filled.
 */
int bpfiter_parse(const unsigned char *buf, size_t len, struct bpf_scan *out,
    char *why, size_t whysz);
/* The same, in place: buf (from malloc) is taken, and becomes out->fds
 * (freed on failure): each socket record is moved down to 16 bytes. */
int bpfiter_parse_owned(unsigned char *buf, size_t len, struct bpf_scan *out,
    char *why, size_t whysz);

/*
 * Load, run and unload the program: 0 with *out (release with
 * bpfiter_release()); -1 with why filled ("built without BPF support",
 * "the kernel refused the program: Operation not permitted", "the
 * kernel's PIDs are not this PID namespace's").  The records are
 * checked: a socket this call opens must come back with this process's
 * PID, descriptor and inode, and this process with its own parent and
 * ids, or none is trusted.
 */
int bpfiter_scan(struct bpf_scan *out, char *why, size_t whysz);

void bpfiter_release(struct bpf_scan *s);

/*
 * The iterator's output handed to another thread as it is read, so that
 * the owners found early are read from /proc while the kernel still walks
 * the later processes' files.  One producer (bpfiter_scan_stream(), on
 * its thread), one consumer (bpfiter_stream_next(), then
 * bpfiter_stream_take() once the end is reached).  The bytes live in one
 * buffer that moves as it grows: only the lock's holder touches it.
 */
struct bpf_stream {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned char	*buf;		/* under mu */
	size_t		 len, cap;	/* under mu */
	int		 done;		/* under mu: no more bytes come */
	int		 bad;		/* the consumer stopped at a bad record */
	double		 ms_waited;	/* the consumer, for bytes to come */
	int		 probe_fd;	/* the check's socket: fd and inode */
	uint64_t	 probe_ino;
};

void bpfiter_stream_init(struct bpf_stream *st);
/* The producer's side (bpfiter_scan_stream() calls them; tests too):
 * bytes appended (-1 with E2BIG past the cap), then the end. */
int bpfiter_stream_put(struct bpf_stream *st, const void *bytes, size_t n);
void bpfiter_stream_end(struct bpf_stream *st);

/* What bpfiter_stream_next() hands out: one whole record, as written
 * (rec is h's bytes, and a process record's when h->kind says so). */
typedef void bpf_record_fn(void *arg, const struct bpf_sockfd *h,
    const unsigned char *rec);

/*
 * The records that arrived past *off, to fn, in order, under the lock (fn
 * must be quick and must not call back in); waits while none has come.
 * 1: more may come; 0: every record was handed out (the end); -1: a
 * record of no known kind (the rest is not handed out; the take that
 * follows says why).  A record cut at the end of the bytes so far waits
 * for the rest.
 */
int bpfiter_stream_next(struct bpf_stream *st, size_t *off, bpf_record_fn *fn,
    void *arg);

/* After the end: the bytes parsed and checked as bpfiter_scan() does
 * them (they are taken): 0 with *out, or -1 with why. */
int bpfiter_stream_take(struct bpf_stream *st, struct bpf_scan *out,
    char *why, size_t whysz);

/* Whatever the stream still holds, freed (the producer has ended). */
void bpfiter_stream_release(struct bpf_stream *st);

/* bpfiter_scan(), its bytes into st as they are read, not parsed (the
 * consumer takes them): 0 with the load's figures in *out, or -1 with
 * why.  The stream is ended whatever the answer. */
int bpfiter_scan_stream(struct bpf_scan *out, char *why, size_t whysz,
    struct bpf_stream *st);

#endif
