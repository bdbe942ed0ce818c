/*
 * bpfiter.h - every socket descriptor of every process in one pass of a
 * BPF iterator (iter/task_file), where the kernel allows it.
 *
 * The program (kernel/bpf/sockfd.bpf.c, CO-RE against the running
 * kernel's BTF) is loaded, run once through an iterator descriptor and
 * unloaded within the call: nothing stays attached, nothing is pinned.
 * The /proc walk stays for everyone else; the caller falls back to it on
 * any failure, with the reason.
 */
#ifndef PS_BPFITER_H
#define PS_BPFITER_H

#include <stddef.h>
#include <stdint.h>

/* The program's record, byte for byte. */
struct bpf_sockfd {
	uint32_t	pid;		/* the thread group's PID */
	uint32_t	fd;
	uint64_t	ino;		/* the socket's inode */
	uint32_t	netns;		/* a socket's network namespace inode */
	uint32_t	kind;		/* BPF_SOCKFD_SOCKET or _NETNS (ino
					   is then the namespace's inode) */
};

#define BPF_SOCKFD_SOCKET	0
#define BPF_SOCKFD_NETNS	1

/*
 * 0 with *out (caller frees) and *n; -1 with why filled ("built without
 * BPF support", "the kernel refused the program: Operation not
 * permitted", "the kernel's PIDs are not this PID namespace's").  The
 * records are checked: a socket this call opens must come back with
 * this process's PID, descriptor and inode, or none is trusted.
 */
int bpfiter_sockfds(struct bpf_sockfd **out, size_t *n, char *why,
    size_t whysz);

#endif
