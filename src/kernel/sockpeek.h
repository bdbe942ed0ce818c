/*
 * sockpeek.h - what a socket held by another process is, asked of the
 * socket itself: a copy of the descriptor (pidfd_getfd, which needs the
 * right to ptrace the process: root) is asked its family, type,
 * protocol and local address, and closed.  Closing a copy changes
 * nothing for the process; nothing is read from or sent on the socket.
 * The independent view of a socket no table lists.
 */
#ifndef PS_KERNEL_SOCKPEEK_H
#define PS_KERNEL_SOCKPEEK_H

#include <stdint.h>
#include <sys/types.h>

struct sock_peek {
	int		 family;	/* AF_INET, AF_UNIX, AF_VSOCK, ... */
	int		 type;		/* SOCK_STREAM, ... */
	int		 protocol;	/* IPPROTO_TCP, ... */
	int		 bound;		/* getsockname gave an address */
	uint8_t		 addr[16];	/* AF_INET(6): the local address */
	uint16_t	 port;
	int		 listening;	/* SO_ACCEPTCONN */
};

/*
 * Ask socket descriptor fd of process pid what it is.  0, or -1 with
 * *cause (caller frees): the process is gone, the descriptor closed or
 * reused (the inode is checked), no privilege, no pidfd_getfd.
 */
int sock_peek(pid_t pid, int fd, uint64_t inode, struct sock_peek *out,
    char **cause);
/* "inet", "inet6", "unix", "netlink", "packet", "vsock", or "family N". */
const char *sock_family_name(int family, char *buf, size_t n);

#endif
