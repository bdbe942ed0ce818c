/*
 * sockpeek.c - asking a socket what it is (see sockpeek.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kernel/sockpeek.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int
sock_peek(pid_t pid, int fd, uint64_t inode, struct sock_peek *out,
    char **cause)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss), il = sizeof(int);
	struct stat st;
	int pfd, dup;

	memset(out, 0, sizeof(*out));
	*cause = NULL;
	if ((pfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		*cause = xasprintf("pidfd_open(%d): %s", (int)pid,
		    strerror(errno));
		return -1;
	}
	dup = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (dup < 0) {
		*cause = xasprintf("pidfd_getfd(%d, %d): %s", (int)pid, fd,
		    strerror(errno));
		return -1;
	}
	/* the descriptor may have been closed and reused since the walk */
	if (fstat(dup, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    (uint64_t)st.st_ino != inode) {
		close(dup);
		*cause = xasprintf("descriptor %d of %d is another file now", fd,
		    (int)pid);
		return -1;
	}
	if (getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &out->family, &il) != 0)
		out->family = -1;
	il = sizeof(int);
	if (getsockopt(dup, SOL_SOCKET, SO_TYPE, &out->type, &il) != 0)
		out->type = -1;
	il = sizeof(int);
	if (getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &out->protocol, &il) != 0)
		out->protocol = -1;
	il = sizeof(int);
	if (getsockopt(dup, SOL_SOCKET, SO_ACCEPTCONN, &out->listening,
	    &il) != 0)
		out->listening = 0;
	memset(&ss, 0, sizeof(ss));
	if (getsockname(dup, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *a = (const void *)&ss;

			memcpy(out->addr, &a->sin_addr, 4);
			out->port = ntohs(a->sin_port);
			out->bound = 1;
		} else if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const void *)&ss;

			memcpy(out->addr, &a->sin6_addr, 16);
			out->port = ntohs(a->sin6_port);
			out->bound = 1;
		}
	}
	close(dup);
	return 0;
}

const char *
sock_family_name(int family, char *buf, size_t n)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	case AF_VSOCK:
		return "vsock";
	case AF_ALG:
		return "alg";
	case AF_XDP:
		return "xdp";
	default:
		snprintf(buf, n, "family %d", family);
		return buf;
	}
}
