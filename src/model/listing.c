/*
 * listing.c - the join of sockets, processes and annotations.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <stdio.h>

#include "model/listing.h"
#include "util/clock.h"
#include "util/notes.h"
#include "util/xmalloc.h"
#include "util/banned.h"

/* Threads reading the other network namespaces (at most one per CPU). */
#define NS_THREADS	4

const char *
owner_note_text(enum owner_note n)
{
	switch (n) {
	case OWNER_FOUND:
		return "";
	case OWNER_NOT_ROOT:
		return "owner not visible: not root";
	case OWNER_EXITED:
		return "owner exited during the scan";
	case OWNER_KERNEL:
		return "no visible process holds it: kernel socket or another PID namespace";
	case OWNER_TIMEWAIT:
		return "no process: kernel keeps it (time-wait/orphan)";
	case OWNER_NOT_SCANNED:
		return "owners not scanned";
	}
	return "";
}

const char *
owner_note_key(enum owner_note n)
{
	static const char *keys[] = {
		"found", "not_root", "exited", "kernel", "timewait",
		"not_scanned"
	};

	return (unsigned)n <= OWNER_NOT_SCANNED ? keys[n] : "unknown";
}

double
now_ms(void)
{
	return clock_ms();
}

static int
sock_wanted(const struct sock_rec *s, const struct filter *f,
    const struct ifaces *ifs)
{
	if (!filter_port_match(f, s->lport))
		return 0;
	if (f->exposed_only) {
		struct exposure e;

		exposure_compute(s, ifs, &e);
		if (e.kind == EXP_LOOPBACK)
			return 0;
	}
	return 1;
}

/* The order of the listing; the sockets themselves are sorted so (the
 * views then come in order: no sort of them, and its buffer, at the
 * listing's largest). */
static int
sock_cmp(const void *a, const void *b)
{
	const struct sock_rec *x = a, *y = b;
	int c;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if ((c = memcmp(x->laddr, y->laddr, 16)) != 0)
		return c;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	if ((c = memcmp(x->raddr, y->raddr, 16)) != 0)
		return c;
	/* the same endpoint in several namespaces: in the order found */
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (x->inode > y->inode) - (x->inode < y->inode);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int
owner_wanted(const struct listing *l, const struct owner *o,
    const struct filter *f)
{
	const struct proc_rec *p = &l->ps.procs[o->proc];

	if (f->pid && p->pid != f->pid)
		return 0;
	if (f->have_uid && (!p->ids_known ||
	    (p->uid != f->uid && p->euid != f->uid)))
		return 0;
	if (f->name && strcmp(p->comm, f->name) != 0 &&
	    (p->exe == NULL || strcmp(base_name(p->exe), f->name) != 0))
		return 0;
	return 1;
}

static enum owner_note
why_unowned(const struct listing *l, const struct sock_rec *s)
{
	if (s->inode == 0)
		return OWNER_TIMEWAIT;
	if (l->ps.proc_unreadable)
		return OWNER_NOT_SCANNED;
	if (!l->privileged && (s->uid != geteuid() || l->ps.denied))
		return OWNER_NOT_ROOT;
	if (l->ps.vanished || l->ps.reused)
		return OWNER_EXITED;
	return OWNER_KERNEL;
}

const struct ifaces *
listing_ifaces(const struct listing *l, const struct sock_rec *s)
{
	if (s->netns == 0 || s->netns >= l->nets.n)
		return &l->ifs;
	return &l->nsv[s->netns].ifs;
}

const struct netns *
listing_netns(const struct listing *l, const struct sock_rec *s)
{
	return s->netns < l->nets.n ? &l->nets.v[s->netns] : NULL;
}

#define CAP_NET_BIND_SERVICE_BIT	10

int
listing_trusted_port(const struct listing *l, const struct sock_rec *s,
    const struct proc_rec *p, const char **how, char *text, size_t n)
{
	int start = s->netns < l->nets.n && l->nsv ?
	    l->nsv[s->netns].port_start : -1;

	if (p == NULL || !p->ids_known || p->euid == 0 || s->lport == 0 ||
	    s->lport >= 1024 || (s->state != ST_LISTEN && s->state != ST_CLOSE))
		return 0;
	if (p->caps_known && (p->cap_eff >> CAP_NET_BIND_SERVICE_BIT & 1)) {
		*how = "cap_net_bind_service";
		snprintf(text, n, "uid %u holds trusted port %u with "
		    "CAP_NET_BIND_SERVICE in its effective set",
		    (unsigned)p->euid, s->lport);
	} else if (p->env.ld_vars && strstr(p->env.ld_vars, "libauthbind")) {
		/* authbind: its preloaded library hands bind() of a low port
		 * to a setuid helper that checks /etc/authbind */
		*how = "authbind";
		snprintf(text, n, "uid %u holds trusted port %u through "
		    "authbind (its setuid helper bound it, as "
		    "/etc/authbind allows)", (unsigned)p->euid, s->lport);
	} else if (start >= 0 && start <= s->lport) {
		*how = "unprivileged_port_start";
		snprintf(text, n, "uid %u holds trusted port %u: this "
		    "namespace lets anyone bind from %d "
		    "(net.ipv4.ip_unprivileged_port_start)", (unsigned)p->euid,
		    s->lport, start);
	} else {
		*how = "unknown";
		snprintf(text, n, "uid %u holds trusted port %u without the "
		    "capability: a privileged process opened it and passed "
		    "it on (socket activation, inetd, authbind, a dropped "
		    "privilege)", (unsigned)p->euid, s->lport);
	}
	return 1;
}

/*
 * The sockets of namespace i into out (tagged with i), and with ifs its
 * interfaces.  Index 0 is portsleuth's own, read through io; another is
 * entered through a netlink socket made inside it.  0, or -1 with
 * *cause when it could not be entered (out untouched).
 */
static int
collect_ns(struct listing *l, size_t i, struct nlio *io,
    struct sockdiag_query *q, struct socklist *out,
    struct sockdiag_report *rep, struct ifaces *ifs, char **cause)
{
	const struct netns *ns = &l->nets.v[i];
	struct socklist one = { 0 };
	struct nlio *nio = io;
	char dir[64];
	int fd;

	*cause = NULL;
	q->other_netns = i != 0;
	q->procnet_dir = NULL;
	if (i != 0) {
		if (!l->privileged) {
			*cause = xstrdup("not root: entering a network "
			    "namespace needs CAP_SYS_ADMIN");
			return -1;
		}
		if ((fd = netns_open(ns, cause)) < 0)
			return -1;
		nio = nlio_open_live_netns(fd, cause);
		if (ifs)	/* the first look, not the second */
			l->nsv[i].port_start = netns_unprivileged_port_start(fd);
		close(fd);
		if (nio == NULL)
			return -1;
		if (ns->pid > 0) {
			snprintf(dir, sizeof(dir), "/proc/%d/net", (int)ns->pid);
			q->procnet_dir = dir;
		}
	}
	/* the own namespace's setting is this system's: only when the
	 * tables are this system's too */
	if (ifs && i == 0)
		l->nsv[0].port_start = nlio_is_live(io) ?
		    netns_unprivileged_port_start(-1) : -1;
	if (ifs)
		ifaces_collect(nio, ifs);
	sockdiag_collect(nio, q, &one, rep);
	if (nio != io)
		nlio_close(nio, NULL);
	for (size_t k = 0; k < one.n; k++)
		one.v[k].netns = (uint32_t)i;
	socklist_append(out, &one);
	return 0;
}

/* Which namespaces the listing reads (l->nsv[].wanted). */
static void
choose_netns(struct listing *l, const struct listing_opts *o)
{
	size_t idx = 0;
	int all = 0;

	if (o->own_netns_only) {
		/* v[0] is the own one */
		netns_set_truncate(&l->nets, 1);
	} else if (o->netns) {
		if (netns_select(&l->nets, o->netns, &idx, &all,
		    &l->netns_error) < 0) {
			/* nothing is read; the caller says why */
			l->nsv = xcalloc(l->nets.n ? l->nets.n : 1,
			    sizeof(*l->nsv));
			return;
		}
	} else {
		/* in the host's namespace: all of them; inside another
		 * (ip netns exec, a container): that one */
		all = l->nets.n > 0 && l->nets.v[0].kind == NETNS_HOST;
	}
	l->nsv = xcalloc(l->nets.n ? l->nets.n : 1, sizeof(*l->nsv));
	for (size_t i = 0; i < l->nets.n; i++)
		l->nsv[i].wanted = all || i == idx;
	l->all_netns = all;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A socket nobody held when the walk looked may have been closed since
 * (its process exited before the walk reached it), or be a kernel's.
 * Ask the kernel once more: one that is gone had a holder that exited.
 * A table that returns nothing this time proves nothing and is skipped.
 */
static void
recheck_unowned(struct listing *l, struct nlio *io,
    const struct sockdiag_query *q)
{
	struct socklist again = { 0 };
	struct sockdiag_report rep;
	/* sockets seen again per (namespace, table); namespaces past 63
	 * share a slot */
	unsigned int answered[64][PROTO_COUNT * 2];
	uint64_t *inodes;
	unsigned char *has;
	size_t i, cand = 0;
	/* a recording answers the same twice: only the live kernel can say
	 * a socket is still there */
	int live = nlio_is_live(io);

	memset(answered, 0, sizeof(answered));
	for (i = 0; i < l->nviews; i++) {
		const struct sock_rec *s = l->views[i].s;

		if (l->views[i].nowners == 0 && (s->owner_note ==
		    OWNER_KERNEL || s->owner_note == OWNER_EXITED))
			cand++;
	}
	if (cand == 0)
		return;
	memset(&rep, 0, sizeof(rep));
	/* only the namespaces that hold such a socket are asked again */
	has = xcalloc(l->nets.n ? l->nets.n : 1, 1);
	for (i = 0; i < l->nviews; i++)
		if (l->views[i].nowners == 0 && l->views[i].s->netns <
		    l->nets.n && (l->views[i].s->owner_note == OWNER_KERNEL ||
		    l->views[i].s->owner_note == OWNER_EXITED))
			has[l->views[i].s->netns] = 1;
	for (i = 0; i < l->nets.n; i++) {
		struct sockdiag_query qq = *q;
		struct sockdiag_report one;
		char *cause = NULL;

		if (!has[i] || !l->nsv[i].entered)
			continue;
		memset(&one, 0, sizeof(one));
		if (collect_ns(l, i, io, &qq, &again, &one, NULL, &cause) < 0)
			free(cause);
		sockdiag_report_release(&one);
	}
	free(has);
	if (l->nets.n == 0)
		sockdiag_collect(io, q, &again, &rep);
	inodes = xcalloc(again.n ? again.n : 1, sizeof(*inodes));
	for (i = 0; i < again.n; i++) {
		inodes[i] = again.v[i].inode;
		answered[again.v[i].netns < 64 ? again.v[i].netns : 63]
		    [again.v[i].proto * 2 + (again.v[i].family == AF_INET6)]++;
	}
	qsort(inodes, again.n, sizeof(*inodes), u64_cmp);
	for (i = 0; i < l->nviews; i++) {
		struct sock_rec *s = (struct sock_rec *)l->views[i].s;
		int gone;

		if (l->views[i].nowners || (s->owner_note != OWNER_KERNEL &&
		    s->owner_note != OWNER_EXITED) ||
		    !answered[s->netns < 64 ? s->netns : 63]
		    [s->proto * 2 + (s->family == AF_INET6)])
			continue;
		gone = bsearch(&s->inode, inodes, again.n, sizeof(*inodes),
		    u64_cmp) == NULL;
		if (gone && s->owner_note == OWNER_KERNEL) {
			l->unowned[OWNER_KERNEL]--;
			l->unowned[OWNER_EXITED]++;
			s->owner_note = OWNER_EXITED;
			l->closed_after_walk++;
		} else if (!gone && s->owner_note == OWNER_EXITED && live) {
			/* "a process exited during the walk" was a guess: the
			 * socket is still there, so its holder did not exit
			 * with it (an exiting holder closes it) */
			l->unowned[OWNER_EXITED]--;
			l->unowned[OWNER_KERNEL]++;
			s->owner_note = OWNER_KERNEL;
		}
	}
	free(inodes);
	socklist_release(&again);
	sockdiag_report_release(&rep);
}

/* Work for the threads that read the other namespaces. */
struct ns_pool {
	struct listing		*l;
	const struct sockdiag_query *q;
	struct socklist		*lists;		/* one per namespace */
	size_t			 next;		/* atomic */
};

static void
read_one_ns(struct ns_pool *np, size_t i)
{
	struct listing *l = np->l;
	struct ns_view *nv = &l->nsv[i];
	struct sockdiag_query q = *np->q;

	q.serial = 1;
	if (collect_ns(l, i, NULL, &q, &np->lists[i], &nv->rep, &nv->ifs,
	    &nv->error) == 0) {
		nv->entered = 1;
		nv->nsockets = (unsigned int)np->lists[i].n;
	}
}

static void *
ns_worker(void *arg)
{
	struct ns_pool *np = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&np->next, 1, __ATOMIC_RELAXED)) <
	    np->l->nets.n)
		if (i > 0 && np->l->nsv[i].wanted)
			read_one_ns(np, i);
	return NULL;
}

/*
 * The wanted namespaces' sockets into l->socks, in namespace order.
 * portsleuth's own is read first, through io, with its dumps spread over
 * the CPUs; the others are independent of each other, so a few threads
 * take them one whole namespace at a time (each namespace's dumps on its
 * thread), instead of a pool of threads per namespace.
 */
static void
collect_namespaces(struct listing *l, struct nlio *io,
    struct sockdiag_query *q, size_t first)
{
	struct ns_pool np = { l, q, NULL, first };
	pthread_t tids[NS_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads, started, others = 0;

	if (first == 0 && l->nets.n > 0 && l->nsv[0].wanted) {
		struct ns_view *nv = &l->nsv[0];

		l->nwanted++;
		if (collect_ns(l, 0, io, q, &l->socks, &l->rep, &l->ifs,
		    &nv->error) == 0) {
			nv->entered = 1;
			nv->nsockets = (unsigned int)l->socks.n;
			l->nentered++;
		}
	}
	if (np.next == 0)
		np.next = 1;
	for (size_t i = np.next; i < l->nets.n; i++)
		others += l->nsv[i].wanted;
	if (others == 0)
		return;
	l->nwanted += others;
	np.lists = xcalloc(l->nets.n, sizeof(*np.lists));
	nthreads = cpus > 1 ? (size_t)cpus : 1;
	if (nthreads > NS_THREADS)
		nthreads = NS_THREADS;
	if (nthreads > others)
		nthreads = others;
	for (started = 1; started < nthreads; started++)
		if (pthread_create(&tids[started], NULL, ns_worker, &np) != 0)
			break;
	ns_worker(&np);
	for (size_t t = 1; t < started; t++)
		pthread_join(tids[t], NULL);
	for (size_t i = first ? first : 1; i < l->nets.n; i++) {
		struct socklist *one = &np.lists[i];

		l->nentered += l->nsv[i].entered;
		socklist_append(&l->socks, one);
	}
	free(np.lists);
}

/* Start the walk for the selected sockets' inodes (the scan takes the
 * list, and frees it once its own set of them is made). */
static void
start_scan(struct listing *l, const struct listing_opts *o, int nsfds)
{
	uint64_t *inodes = xcalloc(l->nviews ? l->nviews : 1, sizeof(*inodes));

	for (size_t i = 0; i < l->nviews; i++)
		inodes[i] = l->views[i].s->inode;
	procscan_start(inodes, l->nviews, o->threads, o->need |
	    (nsfds ? PS_NEED_NSFDS : 0), &l->ps);
}

/*
 * Socket-level selection, then the walk of /proc for the owners of the
 * selected sockets while this thread annotates them.  With nsfds the
 * walk also records namespaces open as descriptors; again: a second
 * time (users and registry are loaded).
 */
static void
select_and_walk(struct listing *l, const struct listing_opts *o, int nsfds,
    int again)
{
	const struct filter *f = &o->filter;
	size_t i;
	double t1;
	int ahead;

	if (l->socks.n > 1)
		qsort(l->socks.v, l->socks.n, sizeof(*l->socks.v), sock_cmp);
	/* Socket-level selection first, so the fd walk looks for fewer
	 * inodes; the views in the sockets' order, which is the listing's. */
	l->views = xcalloc(l->socks.n ? l->socks.n : 1, sizeof(*l->views));
	for (i = 0; i < l->socks.n; i++) {
		const struct sock_rec *s = &l->socks.v[i];

		if (!sock_wanted(s, f, listing_ifaces(l, s)))
			continue;
		l->views[l->nviews++].s = s;
	}
	t1 = now_ms();
	/*
	 * The other threads walk /proc while this one annotates: exposure
	 * and registered names depend on the sockets alone.  Then it joins
	 * the walk as its last worker.  With the BPF iterator running ahead
	 * on its thread, this one annotates first: the scan would only wait
	 * for the iterator.
	 */
	ahead = procscan_ahead();
	if (!ahead)
		start_scan(l, o, nsfds);
	if (!again) {
		l->users = users_load();
		registry_init(&l->reg, o->iana_path);
	}
	for (i = 0; i < l->nviews; i++)
		registry_want(&l->reg, l->views[i].s->proto,
		    l->views[i].s->lport);
	for (i = 0; i < l->nviews; i++) {
		struct sock_view *v = &l->views[i];
		struct exposure e;

		exposure_compute(v->s, listing_ifaces(l, v->s), &e);
		v->exp = exposure_keep(&l->exp_texts, &e);
		v->svc = registry_lookup(&l->reg, v->s->proto,
		    v->s->lport).ent;
	}
	if (ahead)
		start_scan(l, o, nsfds);
	procscan_finish(&l->ps);
	l->ms_processes += now_ms() - t1;
}

/*
 * Namespaces that only an open descriptor keeps (no process in them, no
 * mount): the walk found them as "net:[N]" links.  Added, read, and 1
 * when there are any (the walk must then be made again: their sockets
 * were not looked for).
 */
static int
add_held_namespaces(struct listing *l, struct nlio *io,
    struct sockdiag_query *q)
{
	size_t first = l->nets.n;

	for (size_t i = 0; i < l->ps.nnsfds; i++) {
		const struct ns_fd *h = &l->ps.nsfds[i];

		if (netns_add_fd(&l->nets, h->inode, h->pid, h->fd) < 0) {
			notes_add("more than %zu network namespaces: the "
			    "rest are left out", l->nets.n);
			break;
		}
	}
	if (l->ps.nnsfds >= PS_NSFDS_MAX)
		notes_add("more than %d network namespaces open as "
		    "descriptors: the rest are left out", PS_NSFDS_MAX);
	if (l->nets.n == first)
		return 0;
	l->nheld = (unsigned int)(l->nets.n - first);
	l->nsv = xreallocarray(l->nsv, l->nets.n, sizeof(*l->nsv));
	memset(l->nsv + first, 0, (l->nets.n - first) * sizeof(*l->nsv));
	for (size_t i = first; i < l->nets.n; i++)
		l->nsv[i].wanted = 1;
	collect_namespaces(l, io, q, first);
	return 1;
}

void
listing_build(struct listing *l, struct nlio *io, const struct listing_opts *o)
{
	const struct filter *f = &o->filter;
	struct sockdiag_query q;
	size_t i, n = 0, used = 0, cap;
	double t0 = now_ms(), t2;

	memset(l, 0, sizeof(*l));
	l->privileged = geteuid() == 0;
	/* the owners' descriptors, ahead, beside the socket tables */
	procscan_prefetch_bpf();
	memset(&q, 0, sizeof(q));
	q.protos = f->protos ? f->protos : PROTO_ALL;
	q.want4 = f->want4 || !f->want6;
	q.want6 = f->want6 || !f->want4;
	q.tcp_states = f->all_states ? STATES_ALL : STATE_BIT(ST_LISTEN);
	q.dgram_states = f->all_states ? STATES_ALL : STATE_BIT(ST_CLOSE);
	/* the others are looked for only when they may be listed: --netns,
	 * or by default from the host's namespace */
	netns_discover(&l->nets, !o->own_netns_only && (o->netns ||
	    netns_self_is_host()));
	if (o->name_netns)
		o->name_netns(&l->nets);
	choose_netns(l, o);
	if (l->nets.n == 0) {
		/* no namespace file to be seen at all: the tables as they are */
		ifaces_collect(io, &l->ifs);
		sockdiag_collect(io, &q, &l->socks, &l->rep);
	}
	collect_namespaces(l, io, &q, 0);
	/* the array grew by doubling: its slack given back before anything
	 * points into it (up to the size of what it holds) */
	if (l->socks.n && l->socks.cap > l->socks.n) {
		l->socks.v = xreallocarray(l->socks.v, l->socks.n,
		    sizeof(*l->socks.v));
		l->socks.cap = l->socks.n;
	}
	l->ms_sockets = now_ms() - t0;

	/* every namespace, as root: the walk also looks for namespaces that
	 * only a descriptor keeps, and is made again when it finds one */
	select_and_walk(l, o, l->all_netns && l->privileged, 0);
	if (l->all_netns && l->privileged &&
	    add_held_namespaces(l, io, &q)) {
		free(l->views);
		l->views = NULL;
		l->nviews = 0;
		procscan_release(&l->ps);
		select_and_walk(l, o, 0, 1);
	}
	t2 = now_ms();

	/* Attach owners, apply the process-level selection.  The views'
	 * owner lists are parts of one block (one allocation per socket
	 * cost more in the allocator's headers than the lists), sized by
	 * the walk's owners: it looked for the views' inodes only (the
	 * block grows if a socket is in two views). */
	cap = l->ps.nowners;
	l->owner_block = cap ? xcalloc(cap, sizeof(*l->owner_block)) : NULL;
	for (i = 0, n = 0; i < l->nviews; i++) {
		struct sock_view v = l->views[i];
		struct sock_rec *s = (struct sock_rec *)v.s;
		size_t first, cnt, k;

		cnt = procscan_owners_of(&l->ps, s->inode, &first);
		if (used + cnt > cap) {
			cap = used + cnt;
			l->owner_block = xreallocarray(l->owner_block, cap,
			    sizeof(*l->owner_block));
		}
		v.owner0 = (uint32_t)used;
		for (k = 0; k < cnt; k++)
			if (!filter_has_process(f) ||
			    owner_wanted(l, &l->ps.owners[first + k], f))
				l->owner_block[used + v.nowners++] =
				    (uint32_t)(first + k);
		if (filter_has_process(f) && v.nowners == 0)
			continue;
		used += v.nowners;
		s->owner_note = cnt ? OWNER_FOUND : why_unowned(l, s);
		if (!cnt)
			l->unowned[s->owner_note]++;
		l->nrows += v.nowners ? v.nowners : 1;
		l->views[n++] = v;
	}
	l->nviews = n;
	recheck_unowned(l, io, &q);
	l->ms_annotate = now_ms() - t2;
}

void
listing_release(struct listing *l)
{
	size_t i;

	free(l->owner_block);
	free(l->views);
	exposure_texts_release(&l->exp_texts);
	socklist_release(&l->socks);
	sockdiag_report_release(&l->rep);
	ifaces_release(&l->ifs);
	for (i = 0; i < l->nets.n; i++) {
		if (i > 0) {
			sockdiag_report_release(&l->nsv[i].rep);
			ifaces_release(&l->nsv[i].ifs);
		}
		free(l->nsv[i].error);
	}
	free(l->nsv);
	free(l->netns_error);
	netns_set_release(&l->nets);
	procscan_release(&l->ps);
	registry_release(&l->reg);
	users_free(l->users);
	memset(l, 0, sizeof(*l));
}
