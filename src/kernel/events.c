/*
 * events.c - sock_diag destroy groups and the proc connector (see
 * events.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "kernel/events.h"
#include "kernel/sockdiag.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RCVBUF	(8 << 20)

/* group g: 0 tcp4, 1 udp4, 2 tcp6, 3 udp6 */
static const unsigned int groups[EV_DESTROY_GROUPS] = {
	SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
	SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY
};

static int
open_group(unsigned int group)
{
	struct sockaddr_nl sa;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_SOCK_DIAG), sz = RCVBUF;

	if (fd < 0)
		return -1;
	/* a burst must not overflow it: root may force the size */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1u << (group - 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct open_job {
	struct destroy_watch	*w;
	int			 netns_fd, err;
};

static void *
open_all(void *arg)
{
	struct open_job *j = arg;

	/* a netlink socket belongs to the namespace it is made in */
	if (j->netns_fd >= 0 && setns(j->netns_fd, CLONE_NEWNET) != 0) {
		j->err = errno;
		return NULL;
	}
	for (int g = 0; g < EV_DESTROY_GROUPS; g++)
		if ((j->w->fd[g] = open_group(groups[g])) < 0) {
			j->err = errno;
			return NULL;
		}
	return NULL;
}

int
destroy_watch_open(struct destroy_watch *w, int netns_fd, char **cause)
{
	struct open_job j = { w, netns_fd, 0 };
	pthread_t tid;

	*cause = NULL;
	for (int g = 0; g < EV_DESTROY_GROUPS; g++)
		w->fd[g] = -1;
	if (netns_fd < 0)
		open_all(&j);
	else if (pthread_create(&tid, NULL, open_all, &j) == 0)
		pthread_join(tid, NULL);
	else
		j.err = EAGAIN;
	if (j.err) {
		*cause = xasprintf("sock_diag destroy events: %s", strerror(j.err));
		destroy_watch_close(w);
		return -1;
	}
	return 0;
}

void
destroy_watch_close(struct destroy_watch *w)
{
	for (int g = 0; g < EV_DESTROY_GROUPS; g++) {
		if (w->fd[g] >= 0)
			close(w->fd[g]);
		w->fd[g] = -1;
	}
}

size_t
destroy_parse(const void *buf, size_t len, int group, struct socklist *out)
{
	const unsigned char *p = buf;
	size_t n = 0;
	enum ps_proto proto = group == 0 || group == 2 ? PROTO_TCP : PROTO_UDP;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t ml = nlh->nlmsg_len, step;
		struct sock_rec s;

		if (ml < sizeof(*nlh) || ml > len)
			break;	/* forged length: the rest is not trusted */
		step = NLMSG_ALIGN(ml);
		if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
		    sockdiag_parse_msg(nlh, proto, &s) == 0) {
			n++;
			/* bound, no peer: a listener's (or a datagram
			 * socket's, or a bound-only one's) */
			if (s.lport != 0 && s.rport == 0)
				*socklist_add(out) = s;
		}
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

int
destroy_watch_read(int fd, int group, struct socklist *out)
{
	static __thread unsigned char buf[1 << 16];
	int count = 0;

	for (;;) {
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				return -1;
			return count;
		}
		if (k == 0)
			return count;
		count += (int)destroy_parse(buf, (size_t)k, group, out);
	}
}

int
proc_events_open(char **cause)
{
	struct sockaddr_nl sa;
	/* nlmsghdr, cn_msg (whose data is the operation), the operation */
	unsigned char req[NLMSG_HDRLEN + sizeof(struct cn_msg) +
	    sizeof(uint32_t)];
	struct nlmsghdr h;
	struct cn_msg cn;
	uint32_t op = PROC_CN_MCAST_LISTEN;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    NETLINK_CONNECTOR), sz = RCVBUF;

	*cause = NULL;
	if (fd < 0) {
		*cause = xasprintf("proc connector: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = CN_IDX_PROC;
	sa.nl_pid = 0;
	memset(&h, 0, sizeof(h));
	memset(&cn, 0, sizeof(cn));
	h.nlmsg_len = sizeof(req);
	h.nlmsg_type = NLMSG_DONE;
	cn.id.idx = CN_IDX_PROC;
	cn.id.val = CN_VAL_PROC;
	cn.len = sizeof(op);
	memcpy(req, &h, sizeof(h));
	memcpy(req + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(req + NLMSG_HDRLEN + sizeof(cn), &op, sizeof(op));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    send(fd, req, sizeof(req), 0) < 0) {
		*cause = xasprintf("proc connector: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

size_t
proc_events_parse(const void *buf, size_t len,
    void (*fn)(void *, pid_t, enum proc_ev), void *arg)
{
	const unsigned char *p = buf;
	size_t n = 0;

	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t ml = nlh->nlmsg_len, step;

		if (ml < sizeof(*nlh) || ml > len)
			break;
		step = NLMSG_ALIGN(ml);
		if (ml >= NLMSG_HDRLEN + sizeof(struct cn_msg)) {
			const struct cn_msg *cn = (const void *)(p + NLMSG_HDRLEN);
			size_t avail = ml - NLMSG_HDRLEN - sizeof(*cn);

			if (cn->id.idx == CN_IDX_PROC && cn->len <= avail &&
			    cn->len >= sizeof(struct proc_event)) {
				struct proc_event ev;
				enum proc_ev what = PEV_NONE;
				pid_t pid = 0;

				/* copied: the event is not 8-byte aligned in
				 * the datagram */
				memcpy(&ev, cn->data, sizeof(ev));
				switch (ev.what) {
				case PROC_EVENT_FORK:
					what = PEV_FORK;
					pid = ev.event_data.fork.child_tgid;
					break;
				case PROC_EVENT_EXEC:
					what = PEV_EXEC;
					pid = ev.event_data.exec.process_tgid;
					break;
				case PROC_EVENT_EXIT:
					what = PEV_EXIT;
					pid = ev.event_data.exit.process_tgid;
					break;
				default:
					break;
				}
				if (what != PEV_NONE && pid > 0) {
					fn(arg, pid, what);
					n++;
				}
			}
		}
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

int
proc_events_read(int fd, void (*fn)(void *, pid_t, enum proc_ev), void *arg)
{
	static __thread unsigned char buf[1 << 16];
	int count = 0;

	for (;;) {
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOBUFS ? -1 : count;
		}
		if (k == 0)
			return count;
		count += (int)proc_events_parse(buf, (size_t)k, fn, arg);
	}
}
