/*
 * events.h - the kernel's notifications a live watch listens to:
 *
 *   sock_diag destroy groups  every TCP and UDP socket of a namespace,
 *                             as it is destroyed (one netlink socket per
 *                             group, so the protocol and family are
 *                             known), made inside the namespace
 *   proc connector            exec, fork and exit of every process
 *                             (the host's namespace only)
 *
 * Both need CAP_NET_ADMIN.  A socket that overflows says ENOBUFS: the
 * caller is told events were lost, and looks again in full.  The
 * messages are untrusted bytes: parsed with the same checks as dumps.
 */
#ifndef PS_KERNEL_EVENTS_H
#define PS_KERNEL_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/sock.h"

#define EV_DESTROY_GROUPS	4	/* tcp, udp x IPv4, IPv6 */

struct destroy_watch {
	int	fd[EV_DESTROY_GROUPS];	/* -1 when not open */
};

/*
 * Subscribe to the destroy groups of the namespace of netns_fd (-1: the
 * caller's).  0, or -1 with *cause; on -1 no descriptor is left open.
 */
int destroy_watch_open(struct destroy_watch *w, int netns_fd, char **cause);
void destroy_watch_close(struct destroy_watch *w);
/*
 * Read what is waiting on fd (group g) without blocking: the destroyed
 * sockets that had a local port and no peer (listeners, bound datagram
 * sockets, bound-only ones) are appended to out.  Returns how many
 * messages were read, or -1 when the kernel dropped some (ENOBUFS).
 */
int destroy_watch_read(int fd, int group, struct socklist *out);

/* Pure: decode the messages of one datagram of group g into out. */
size_t destroy_parse(const void *buf, size_t len, int group,
    struct socklist *out);

enum proc_ev { PEV_NONE, PEV_FORK, PEV_EXEC, PEV_EXIT };

/* The proc connector: a descriptor, or -1 with *cause. */
int proc_events_open(char **cause);
/*
 * Read the waiting events without blocking, calling fn for each (pid and
 * what).  Returns how many, or -1 on ENOBUFS.
 */
int proc_events_read(int fd, void (*fn)(void *, pid_t, enum proc_ev),
    void *arg);
/* Pure: decode one datagram of the connector. */
size_t proc_events_parse(const void *buf, size_t len,
    void (*fn)(void *, pid_t, enum proc_ev), void *arg);

#endif
