/*
 * sockdiag.c - socket tables through NETLINK_SOCK_DIAG, /proc/net fallback.
 *
 * One dump per (protocol, family), filtered by state in the kernel.  Each
 * reply is checked for length and family before it is read, and each
 * attribute is validated by type.  A malformed message is skipped and
 * counted; it never stops the dump.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "kernel/sockdiag.h"
#include "kernel/procnet.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

/* Threads for the dumps (at most one per CPU). */
#define SOCKDIAG_THREADS	4
/* An interrupted dump is started again at most this many times. */
#define DUMP_RETRIES	4

static const uint8_t proto_numbers[PROTO_COUNT] = {
	[PROTO_TCP] = IPPROTO_TCP,
	[PROTO_UDP] = IPPROTO_UDP,
	[PROTO_UDPLITE] = IPPROTO_UDPLITE,
	[PROTO_RAW] = IPPROTO_RAW,
	[PROTO_SCTP] = IPPROTO_SCTP,
};

int
sockdiag_parse_msg(const struct nlmsghdr *nlh, enum ps_proto proto,
    struct sock_rec *out)
{
	const struct inet_diag_msg *m;
	const struct nlattr *attr;
	size_t plen, off;
	const char *payload;

	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -1;
	plen = mnl_nlmsg_get_payload_len(nlh);
	if (plen < sizeof(*m))
		return -1;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -1;
	if (m->idiag_state >= ST_MAX)
		return -1;
	memset(out, 0, sizeof(*out));
	out->proto = (uint8_t)proto;
	out->family = m->idiag_family;
	out->state = m->idiag_state;
	out->lport = ntohs(m->id.idiag_sport);
	out->rport = ntohs(m->id.idiag_dport);
	memcpy(out->laddr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	memcpy(out->raddr, m->id.idiag_dst, m->idiag_family == AF_INET ? 4 : 16);
	out->bound_if = m->id.idiag_if;
	out->uid = m->idiag_uid;
	out->inode = m->idiag_inode;
	out->rqueue = m->idiag_rqueue;
	out->wqueue = m->idiag_wqueue;
	out->v6only = m->idiag_family == AF_INET6 ? -1 : 0;
	out->source = SRC_NETLINK;

	/* Attributes follow the aligned fixed part; walk them by hand so a
	 * trailing fragment is noticed rather than ignored. */
	payload = mnl_nlmsg_get_payload(nlh);
	off = MNL_ALIGN(sizeof(*m));
	while (off < plen) {
		int left = (int)(plen - off);

		attr = (const struct nlattr *)(payload + off);
		if (!mnl_attr_ok(attr, left))
			return -1;
		switch (mnl_attr_get_type(attr)) {
		case INET_DIAG_SKV6ONLY:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			if (m->idiag_family == AF_INET6)
				out->v6only = mnl_attr_get_u8(attr) ? 1 : 0;
			break;
		case INET_DIAG_PROTOCOL:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			break;
		case INET_DIAG_SHUTDOWN:
			if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
				return -1;
			break;
		default:
			break;	/* attributes we do not use are skipped */
		}
		off += MNL_ALIGN(attr->nla_len);
	}
	return 0;
}

struct dump_ctx {
	struct socklist		*out;
	enum ps_proto		 proto;
	int			 family;
	uint32_t		 states;
	unsigned int		*malformed;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct sock_rec r;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    sockdiag_parse_msg(nlh, ctx->proto, &r) != 0 ||
	    r.family != ctx->family) {
		(*ctx->malformed)++;
		return MNL_CB_OK;
	}
	/* raw_diag ignores the state filter; apply it here for everyone */
	if (ctx->states & STATE_BIT(r.state))
		*socklist_add(ctx->out) = r;
	return MNL_CB_OK;
}

/* Why a netlink dump failed, in a sysadmin's words. */
static const char *
nl_reason(int err)
{
	switch (err) {
	case ENOENT:
		return "no diag handler for it in this kernel";
	case ENODATA:
		return "not in the recording";
	case ENXIO:
		return "not used: --root without --replay";
	case EINTR:
		return "dump interrupted too often";
	default:
		return strerror(err);
	}
}

/* 0 on success; -1 with errno from the last attempt. */
static int
dump_one(struct nlio *io, enum ps_proto proto, int family, uint32_t states,
    struct socklist *out, struct sockdiag_report *rep)
{
	struct {
		struct nlmsghdr		nlh;
		struct inet_diag_req_v2	req;
	} msg;
	struct dump_ctx ctx = { out, proto, family, states, &rep->malformed };
	char key[64];
	int attempt, rc = -1;

	snprintf(key, sizeof(key), "sockdiag %s %d", proto_name(proto),
	    family == AF_INET ? 4 : 6);
	for (attempt = 0; attempt < DUMP_RETRIES; attempt++) {
		size_t mark = out->n;
		unsigned int bad = rep->malformed;

		memset(&msg, 0, sizeof(msg));
		msg.nlh.nlmsg_len = sizeof(msg);
		msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		msg.req.sdiag_family = (uint8_t)family;
		msg.req.sdiag_protocol = proto_numbers[proto];
		msg.req.idiag_states = states;
		if (proto == PROTO_RAW)
			msg.req.pad = IPPROTO_RAW; /* raw_diag: all protocols */
		rc = nlio_dump(io, NETLINK_SOCK_DIAG, key, &msg.nlh, dump_cb,
		    &ctx);
		if (rc == 0)
			return 0;
		out->n = mark;		/* drop partial results */
		rep->malformed = bad;
		if (errno != EINTR)
			return -1;
		if (attempt + 1 < DUMP_RETRIES)
			rep->retries++;
	}
	errno = EINTR;
	return rc;
}

/* One (protocol, family) table, collected on whichever thread takes it. */
struct task {
	int			 p, f;
	uint32_t		 states;
	const char		*procnet_dir;	/* the fallback's tables */
	struct socklist		 list;
	struct sockdiag_report	 part;	/* counters and source[p][f] */
};

struct pool {
	struct nlio	*io;
	struct task	*tasks;
	size_t		 n, next;	/* next: atomic */
};

static void
run_task(struct nlio *io, struct task *t)
{
	int family = t->f ? AF_INET6 : AF_INET, nlerr;
	char **source = &t->part.source[t->p][t->f];
	const char *file = procnet_file(t->p, t->f);

	if (dump_one(io, t->p, family, t->states, &t->list, &t->part) == 0) {
		*source = xstrdup("netlink");
		return;
	}
	nlerr = errno;
	if (nlerr == ENODATA && !sysroot_is_fixture()) {
		/* A recording without this table: this system's /proc/net
		 * would mix live sockets into a recorded listing. */
		*source = xstrdup("unavailable (not in the recording)");
		return;
	}
	if (t->procnet_dir == NULL)
		*source = xasprintf("unavailable (sock_diag: %s; no process "
		    "seen in the namespace to read /proc/PID/net from)",
		    nl_reason(nlerr));
	else if (procnet_read(t->procnet_dir, t->p, t->f, t->states, &t->list,
	    &t->part.malformed) == 0)
		*source = xasprintf("%s/%s (sock_diag: %s)", t->procnet_dir,
		    file, nl_reason(nlerr));
	else if (file == NULL)
		*source = xasprintf("unavailable (sock_diag: %s)",
		    nl_reason(nlerr));
	else
		*source = xasprintf("unavailable (sock_diag: %s; %s/%s: %s)",
		    nl_reason(nlerr), t->procnet_dir, file, strerror(errno));
}

static void *
pool_main(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&pl->next, 1, __ATOMIC_RELAXED)) < pl->n)
		run_task(pl->io, &pl->tasks[i]);
	return NULL;
}

void
sockdiag_collect(struct nlio *io, const struct sockdiag_query *q,
    struct socklist *out, struct sockdiag_report *rep)
{
	struct task tasks[PROTO_COUNT * 2];
	struct pool pl = { io, tasks, 0, 0 };
	pthread_t threads[SOCKDIAG_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads, started, i;
	int p, f;

	memset(tasks, 0, sizeof(tasks));
	for (p = 0; p < PROTO_COUNT; p++) {
		if (!(q->protos & PROTO_BIT(p)))
			continue;
		for (f = 0; f < 2; f++) {
			if ((f == 0 && !q->want4) || (f == 1 && !q->want6))
				continue;
			tasks[pl.n].p = p;
			tasks[pl.n].f = f;
			tasks[pl.n].states = p == PROTO_TCP || p == PROTO_SCTP ?
			    q->tcp_states : q->dgram_states;
			tasks[pl.n].procnet_dir = q->other_netns ?
			    q->procnet_dir : "/proc/net";
			pl.n++;
		}
	}
	/*
	 * The dumps are kernel work, independent of each other: spread them
	 * over the CPUs.  The caller takes part; results are merged in task
	 * order, so the output does not depend on scheduling.
	 */
	nthreads = cpus > 1 && !q->serial ? (size_t)cpus : 1;
	if (nthreads > SOCKDIAG_THREADS)
		nthreads = SOCKDIAG_THREADS;
	if (nthreads > pl.n)
		nthreads = pl.n ? pl.n : 1;
	for (started = 1; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, pool_main, &pl) != 0)
			break;
	pool_main(&pl);
	for (i = 1; i < started; i++)
		pthread_join(threads[i], NULL);
	/* into out in task order; the first table's records are taken, not
	 * copied (TCP over IPv4 is nearly all of a busy host) */
	for (i = 0; i < pl.n; i++) {
		struct task *t = &tasks[i];

		socklist_append(out, &t->list);
		rep->malformed += t->part.malformed;
		rep->retries += t->part.retries;
		rep->source[t->p][t->f] = t->part.source[t->p][t->f];
	}
	/* A recording or a fixture table can repeat a socket; the kernel
	 * does not.  Every layer above counts on one record per socket. */
	rep->duplicates += (unsigned int)socklist_dedup(out);
}

void
sockdiag_report_release(struct sockdiag_report *rep)
{
	int p, f;

	for (p = 0; p < PROTO_COUNT; p++)
		for (f = 0; f < 2; f++)
			free(rep->source[p][f]);
	memset(rep, 0, sizeof(*rep));
}
