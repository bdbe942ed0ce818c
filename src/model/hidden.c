/*
 * hidden.c - the views of the sockets compared (see hidden.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "kernel/bpfprogs.h"
#include "kernel/procnet.h"
#include "kernel/sockpeek.h"
#include "model/hidden.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define HPROTOS	(PROTO_BIT(PROTO_TCP) | PROTO_BIT(PROTO_UDP) | \
	PROTO_BIT(PROTO_UDPLITE))
#define TABLE_CAP	(64u << 20)
#define MAPS_CAP	(4u << 20)
#define BPF_MAX		65536

static const char *const kind_keys[HK_COUNT] = {
	"not_in_proc_net", "not_in_sock_diag", "in_no_table",
	"port_in_use_unlisted", "preload_file", "preloaded_into_portsleuth",
	"library_deleted", "library_writable"
};
static const char *const view_keys[HV_COUNT] = {
	"sock_diag", "proc_net", "descriptors", "bind_probe"
};

const char *
hidden_kind_key(enum hidden_kind k)
{
	return k < HK_COUNT ? kind_keys[k] : "?";
}

const char *
hidden_view_key(enum hidden_view_id v)
{
	return v < HV_COUNT ? view_keys[v] : "?";
}

/* ---- sorted inode sets ------------------------------------------------- */

struct iset {
	uint64_t	*v;
	size_t		 n, cap;
};

static void
iset_add(struct iset *s, uint64_t ino)
{
	if (ino == 0)
		return;
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = ino;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
iset_sort(struct iset *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), u64_cmp);
}

static int
iset_has(const struct iset *s, uint64_t ino)
{
	return s->n && bsearch(&ino, s->v, s->n, sizeof(*s->v), u64_cmp);
}

static void
iset_release(struct iset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- reading a namespace's text tables ---------------------------------- */

/* What one namespace's text tables hold. */
struct ns_tables {
	struct socklist	 inet;		/* tcp, udp, udplite, both families */
	struct iset	 inet_set;
	struct iset	 other;		/* unix, netlink, packet, raw, ping, sctp */
	int		 read;		/* the inet tables could be read */
	char		*error;
};

/* The inode column (1-based) of the other tables. */
static const struct { const char *file; int col; } other_tables[] = {
	{ "unix", 7 }, { "netlink", 10 }, { "packet", 9 }, { "raw", 10 },
	{ "raw6", 10 }, { "icmp", 10 }, { "icmp6", 10 },
	{ "sctp/eps", 8 }, { "sctp/assocs", 11 },
};

static void
read_inodes(const char *dir, const char *file, int col, struct iset *out)
{
	struct strbuf sb;
	char *path = xasprintf("%s/%s", dir, file);
	uint64_t *v = NULL;
	size_t n = 0;

	strbuf_init(&sb, TABLE_CAP);
	if (sysroot_read(path, TABLE_CAP, &sb) == 0) {
		procnet_parse_inodes(sb.buf, sb.len, col, &v, &n);
		for (size_t i = 0; i < n; i++)
			iset_add(out, v[i]);
		free(v);
	}
	strbuf_release(&sb);
	free(path);
}

static void
read_tables_dir(const char *dir, struct ns_tables *t)
{
	unsigned int malformed = 0;
	int ok = 0;

	for (int p = 0; p < PROTO_COUNT; p++) {
		if (!(HPROTOS & PROTO_BIT(p)))
			continue;
		for (int v6 = 0; v6 < 2; v6++)
			if (procnet_read(dir, (enum ps_proto)p, v6, STATES_ALL,
			    &t->inet, &malformed) == 0)
				ok = 1;
	}
	t->read = ok;
	if (!ok)
		t->error = xasprintf("%s/tcp: %s", dir, strerror(errno));
	for (size_t i = 0; i < t->inet.n; i++)
		iset_add(&t->inet_set, t->inet.v[i].inode);
	for (size_t i = 0; i < sizeof(other_tables) / sizeof(other_tables[0]);
	    i++)
		read_inodes(dir, other_tables[i].file, other_tables[i].col,
		    &t->other);
	iset_sort(&t->inet_set);
	iset_sort(&t->other);
}

struct in_ns {
	int		 fd;
	struct ns_tables *t;
	int		 entered;
};

static void *
tables_thread(void *arg)
{
	struct in_ns *a = arg;

	/* a thread's own namespace: setns changes this thread only */
	if (setns(a->fd, CLONE_NEWNET) == 0) {
		a->entered = 1;
		read_tables_dir("/proc/thread-self/net", a->t);
	}
	return NULL;
}

/*
 * The text tables of namespace i, by the path the usual tools use:
 * /proc/net for portsleuth's own (a bind mount over it, the way a
 * rootkit hides a line from netstat, is read as they would read it),
 * /proc/PID/net for another's process, and from inside it (a thread
 * that entered it) for one without a process.
 */
static void
read_tables(const struct listing *l, size_t i, struct ns_tables *t)
{
	const struct netns *ns = &l->nets.v[i];
	char dir[64];

	memset(t, 0, sizeof(*t));
	if (l->nets.n == 0 || ns->self) {
		read_tables_dir("/proc/net", t);
	} else if (ns->pid > 0) {
		snprintf(dir, sizeof(dir), "/proc/%d/net", (int)ns->pid);
		read_tables_dir(dir, t);
	} else {
		struct in_ns a = { -1, t, 0 };
		pthread_t tid;
		char *cause = NULL;

		if ((a.fd = netns_open(ns, &cause)) < 0) {
			t->error = cause;
			return;
		}
		if (pthread_create(&tid, NULL, tables_thread, &a) == 0)
			pthread_join(tid, NULL);
		close(a.fd);
		if (!a.entered)
			t->error = xstrdup("cannot enter the namespace");
	}
}

static void
tables_release(struct ns_tables *t)
{
	socklist_release(&t->inet);
	iset_release(&t->inet_set);
	iset_release(&t->other);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

/* ---- findings ------------------------------------------------------------ */

static struct hidden_finding *
add_finding(struct hidden_report *r, enum hidden_kind k, long netns)
{
	struct hidden_finding *f;

	xgrow((void **)&r->f, &r->cap, r->n + 1, sizeof(*r->f));
	f = &r->f[r->n++];
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->netns = netns;
	r->count[k]++;
	return f;
}

static void
set_sock(struct hidden_finding *f, const struct sock_rec *s)
{
	f->proto = s->proto;
	f->family = s->family;
	memcpy(f->addr, s->laddr, 16);
	f->port = s->lport;
	f->inode = s->inode;
}

/* The first process the walk saw holding inode, into f. */
static void
set_holder(const struct listing *l, uint64_t inode, struct hidden_finding *f)
{
	size_t first, n = procscan_owners_of(&l->ps, inode, &first);

	if (n) {
		const struct owner *o = &l->ps.owners[first];

		f->pid = o->pid;
		f->comm = xstrdup(l->ps.procs[o->proc].comm);
		return;
	}
	/* a socket sock_diag did not show: among the other descriptors */
	for (size_t k = 0; k < l->ps.nothers; k++)
		if (l->ps.others[k].inode == inode) {
			f->pid = l->ps.others[k].pid;
			return;
		}
}

/* Is the table of (proto, family) in namespace i netlink's, here? */
static int
from_netlink(const struct listing *l, size_t i, int proto, int v6)
{
	const struct sockdiag_report *rep = i == 0 || l->nets.n == 0 ?
	    &l->rep : &l->nsv[i].rep;
	const char *src = rep->source[proto][v6];

	return src && strncmp(src, "netlink", 7) == 0;
}

static long
index_of(const struct listing *l, uint64_t ns_inode)
{
	for (size_t i = 0; i < l->nets.n; i++)
		if (l->nets.v[i].inode == ns_inode)
			return (long)i;
	return l->nets.n == 0 ? 0 : -1;
}

static void
diag_set(const struct listing *l, long ns, struct iset *out)
{
	for (size_t k = 0; k < l->socks.n; k++)
		if ((long)l->socks.v[k].netns == ns || l->nets.n == 0)
			iset_add(out, l->socks.v[k].inode);
	iset_sort(out);
}

/* ---- the bind probe -------------------------------------------------------- */

struct bind_job {
	int		 fd;		/* the namespace, -1: portsleuth's own */
	uint8_t		 inuse[2][65536];	/* [tcp, udp][port] */
	unsigned int	 denied;	/* binds refused for privilege */
	unsigned int	 ports;		/* ports found in use */
	int		 entered;
	/* a second look: only the ports of recheck[], each kept in it
	 * when still in use */
	uint8_t		 recheck[2][65536];
	int		 again;
};

static void
probe_family(struct bind_job *j, int type, int family)
{
	int t = type == SOCK_DGRAM;

	for (unsigned int port = 1; port < 65536; port++) {
		struct sockaddr_storage ss;
		socklen_t sl;
		int s, one = 1;

		/* the second look binds only what the first found
		 * unexplained; a port either family refuses stays */
		if (j->again && !j->recheck[t][port])
			continue;
		if ((s = socket(family, type | SOCK_CLOEXEC, 0)) < 0)
			return;
		memset(&ss, 0, sizeof(ss));
		if (family == AF_INET) {
			struct sockaddr_in *a = (void *)&ss;

			a->sin_family = AF_INET;
			a->sin_port = htons((uint16_t)port);
			sl = sizeof(*a);
		} else {
			struct sockaddr_in6 *a = (void *)&ss;

			a->sin6_family = AF_INET6;
			a->sin6_port = htons((uint16_t)port);
			sl = sizeof(*a);
			(void)setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		}
		if (bind(s, (struct sockaddr *)&ss, sl) != 0) {
			if (errno == EADDRINUSE && j->again) {
				j->inuse[t][port] = 1;
			} else if (errno == EADDRINUSE) {
				j->inuse[t][port] = 1;
				j->ports++;
			} else if (errno == EACCES || errno == EPERM) {
				j->denied++;
			}
		}
		close(s);
	}
}

static void *
bind_thread(void *arg)
{
	struct bind_job *j = arg;

	if (j->fd >= 0 && setns(j->fd, CLONE_NEWNET) != 0)
		return NULL;
	j->entered = 1;
	probe_family(j, SOCK_STREAM, AF_INET);
	probe_family(j, SOCK_STREAM, AF_INET6);
	probe_family(j, SOCK_DGRAM, AF_INET);
	probe_family(j, SOCK_DGRAM, AF_INET6);
	return NULL;
}

/* Bind in namespace i (on a thread that enters it). */
static void
run_bind(const struct listing *l, size_t i, struct bind_job *j)
{
	char *cause = NULL;
	pthread_t tid;
	int own = l->nets.n == 0 || l->nets.v[i].self;

	j->entered = 0;
	j->fd = own ? -1 : netns_open(&l->nets.v[i], &cause);
	free(cause);
	if (j->fd < 0 && !own)
		return;
	if (pthread_create(&tid, NULL, bind_thread, j) == 0)
		pthread_join(tid, NULL);
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

/*
 * Does a view show a socket on (TCP pr 0 / UDP pr 1, port)?  views[w]
 * holds namespace idx[w]'s sockets among others (-1, or any: all its
 * sockets are that namespace's).
 */
static int
port_seen(const struct socklist *const *views, const long *idx, int nv,
    int any, int pr, unsigned int port)
{
	for (int w = 0; w < nv; w++)
		for (size_t k = 0; k < views[w]->n; k++) {
			const struct sock_rec *s = &views[w]->v[k];

			if (s->lport == port && (any || idx[w] < 0 ||
			    (long)s->netns == idx[w]) && (pr == 0 ?
			    s->proto == PROTO_TCP : s->proto != PROTO_TCP))
				return 1;
		}
	return 0;
}

/* ---- what falsifies the tools ----------------------------------------------- */

static void
check_preload(struct hidden_report *r)
{
	struct strbuf sb, maps;
	const char *env = getenv("LD_PRELOAD");

	strbuf_init(&sb, 65536);
	strbuf_init(&maps, MAPS_CAP);
	if (sysroot_read("/etc/ld.so.preload", 65536, &sb) == 0 && sb.len) {
		const char *t = strbuf_str(&sb);
		size_t k = strspn(t, " \t\n");

		if (t[k]) {
			struct hidden_finding *f = add_finding(r,
			    HK_PRELOAD_FILE, -1);

			f->detail = xasprintf("/etc/ld.so.preload loads %.*s "
			    "into every program started from now on",
			    (int)strcspn(t + k, "\n"), t + k);
		}
	}
	/* this process's own map: a library it did not ask for */
	if (!sysroot_is_fixture() && read_at_capped(AT_FDCWD, "/proc/self/maps",
	    MAPS_CAP, &maps) == 0) {
		const char *words[2] = { env, sb.len ? strbuf_str(&sb) : NULL };

		for (int w = 0; w < 2; w++) {
			const char *p = words[w];

			while (p && *p) {
				size_t n;
				char *lib;

				p += strspn(p, " :\t\n");
				n = strcspn(p, " :\t\n");
				if (n == 0)
					break;
				lib = xstrndup(p, n);
				if (memmem(maps.buf, maps.len, lib, n)) {
					struct hidden_finding *f = add_finding(
					    r, HK_PRELOADED_SELF, -1);

					f->detail = xasprintf("%s is mapped into "
					    "portsleuth itself (%s): what it "
					    "reads through libc may be "
					    "falsified", lib, w ? "ld.so.preload"
					    : "LD_PRELOAD");
				}
				free(lib);
				p += n;
			}
		}
	}
	strbuf_release(&sb);
	strbuf_release(&maps);
}

/* A listening process's libraries: deleted, or in a directory anyone
 * may write to. */
static void
check_libraries(struct hidden_report *r)
{
	const struct listing *l = &r->l;
	struct strbuf sb;

	strbuf_init(&sb, MAPS_CAP);
	for (size_t i = 0; i < l->ps.nprocs; i++) {
		const struct proc_rec *p = &l->ps.procs[i];
		char path[64], root[64], last[4096] = "";
		const char *q, *end;

		snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
		snprintf(root, sizeof(root), "/proc/%d/root", (int)p->pid);
		if (sysroot_read(path, MAPS_CAP, &sb) < 0)
			continue;
		q = sb.buf;
		end = sb.buf + sb.len;
		while (q < end) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			const char *eol = nl ? nl : end;
			const char *file = memchr(q, '/', (size_t)(eol - q));
			size_t fl;
			int deleted;
			char *lib, *dir, *slash;

			q = nl ? nl + 1 : end;
			if (file == NULL)
				continue;
			fl = (size_t)(eol - file);
			deleted = fl > 10 && memcmp(eol - 10, " (deleted)",
			    10) == 0;
			if (deleted)
				fl -= 10;
			if (fl >= sizeof(last) || !memmem(file, fl, ".so", 3) ||
			    (strlen(last) == fl && memcmp(last, file, fl) == 0))
				continue;	/* not a library, or seen */
			memcpy(last, file, fl);
			last[fl] = '\0';
			lib = xstrndup(file, fl);
			if (deleted) {
				struct hidden_finding *f = add_finding(r,
				    HK_LIB_DELETED, -1);

				f->pid = p->pid;
				f->comm = xstrdup(p->comm);
				f->detail = xasprintf("maps %s from a deleted "
				    "file (replaced by an upgrade, or removed "
				    "after it was loaded)", lib);
			} else if (!sysroot_is_fixture()) {
				struct stat st;
				int dfd;

				dir = xstrdup(lib);
				slash = strrchr(dir, '/');
				if (slash && slash != dir)
					*slash = '\0';
				/* resolved inside the process's own root */
				if ((dfd = open_dir_in(root, dir)) >= 0) {
					if (fstat(dfd, &st) == 0 &&
					    (st.st_mode & S_IWOTH)) {
						struct hidden_finding *f =
						    add_finding(r,
						    HK_LIB_WRITABLE, -1);

						f->pid = p->pid;
						f->comm = xstrdup(p->comm);
						f->detail = xasprintf("maps %s "
						    "from %s, which anyone may "
						    "write to", lib, dir);
					}
					close(dfd);
				}
				free(dir);
			}
			free(lib);
		}
	}
	strbuf_release(&sb);
}

static void
list_bpf(struct hidden_report *r)
{
	struct bpf_prog_rec *v = NULL;
	char *cause = NULL;
	size_t cap = 0;
	long n;

	if (sysroot_is_fixture()) {
		r->bpf_why = xstrdup("not looked at under --root");
		return;
	}
	if ((n = bpf_progs_list(&v, BPF_MAX, &cause)) < 0) {
		r->bpf_why = cause;
		return;
	}
	r->bpf_total = (unsigned int)n;
	for (long i = 0; i < n; i++) {
		struct bpf_prog_seen *b;

		if (!bpf_prog_type_can_falsify(v[i].type))
			continue;
		xgrow((void **)&r->bpf, &cap, r->nbpf + 1, sizeof(*r->bpf));
		b = &r->bpf[r->nbpf++];
		memset(b, 0, sizeof(*b));
		b->id = v[i].id;
		b->type = v[i].type;
		b->uid = v[i].uid;
		memcpy(b->name, v[i].name, sizeof(b->name));
		snprintf(b->type_name, sizeof(b->type_name), "%s",
		    bpf_prog_type_name(v[i].type, b->type_name,
		    sizeof(b->type_name)));
	}
	free(v);
}

/* ---- the run ------------------------------------------------------------------ */

static void
build_listing(struct listing *l, struct nlio *io, const struct hidden_opts *o,
    unsigned int need)
{
	struct listing_opts lo;

	memset(&lo, 0, sizeof(lo));
	lo.filter.protos = HPROTOS;
	lo.filter.all_states = 1;
	lo.need = need;
	lo.netns = o->netns;
	lo.name_netns = o->name_netns;
	listing_build(l, io, &lo);
}

void
hidden_run(struct hidden_report *r, struct nlio *io,
    const struct hidden_opts *o)
{
	struct listing *l = &r->l, l2;
	size_t nn, i;
	struct ns_tables *t1, *t2;
	struct iset *a1, *a2, all1, all2;
	struct bind_job **bj;
	int every_ns, need_second = 0;
	/* TCP ports held by a socket bound but neither listening nor
	 * connected: in no table by design, and they explain a bind */
	uint8_t *reserved = xcalloc(65536, 1);

	memset(r, 0, sizeof(*r));
	build_listing(l, io, o, PS_NEED_ALLSOCKS);
	nn = l->nets.n ? l->nets.n : 1;
	r->views = xcalloc(nn, sizeof(*r->views));
	t1 = xcalloc(nn, sizeof(*t1));
	t2 = xcalloc(nn, sizeof(*t2));
	a1 = xcalloc(nn, sizeof(*a1));
	a2 = xcalloc(nn, sizeof(*a2));
	bj = xcalloc(nn, sizeof(*bj));
	memset(&all1, 0, sizeof(all1));
	memset(&all2, 0, sizeof(all2));
	/* a held socket can be judged "in no table" only when every
	 * namespace's tables were read: from the host's, all of them */
	every_ns = l->privileged && netns_self_is_host() && l->nets.n > 0 &&
	    l->nentered == l->nets.n;

	/* first look: sock_diag (the listing), then the text tables */
	for (i = 0; i < nn; i++) {
		struct hidden_view *v = r->views[i];
		int wanted = l->nets.n == 0 || l->nsv[i].wanted;
		int entered = l->nets.n == 0 || l->nsv[i].entered;

		if (!wanted)
			continue;
		if (!entered) {
			for (int k = 0; k < HV_COUNT; k++)
				v[k].why_not = xstrdup(l->nsv[i].error ?
				    l->nsv[i].error : "not entered");
			continue;
		}
		diag_set(l, (long)i, &a1[i]);
		v[HV_SOCKDIAG].looked = 1;
		v[HV_SOCKDIAG].n = (unsigned int)a1[i].n;
		for (int p = 0; p < PROTO_COUNT; p++)
			for (int v6 = 0; v6 < 2 && (HPROTOS & PROTO_BIT(p));
			    v6++)
				if (!from_netlink(l, i, p, v6) &&
				    v[HV_SOCKDIAG].why_not == NULL)
					v[HV_SOCKDIAG].why_not = xasprintf(
					    "%s%s has no sock_diag here: one "
					    "view only", proto_name(p),
					    v6 ? "6" : "");
		read_tables(l, i, &t1[i]);
		v[HV_PROCNET].looked = t1[i].read;
		/* sockets, as for sock_diag: time-wait and request entries
		 * (no inode) left out */
		v[HV_PROCNET].n = (unsigned int)t1[i].inet_set.n;
		if (t1[i].error)
			v[HV_PROCNET].why_not = xstrdup(t1[i].error);
		for (size_t k = 0; k < a1[i].n; k++)
			iset_add(&all1, a1[i].v[k]);
		for (size_t k = 0; k < t1[i].inet_set.n; k++)
			iset_add(&all1, t1[i].inet_set.v[k]);
		for (size_t k = 0; k < t1[i].other.n; k++)
			iset_add(&all1, t1[i].other.v[k]);
		if (o->bind_probe) {
			bj[i] = xcalloc(1, sizeof(**bj));
			run_bind(l, i, bj[i]);
			v[HV_BIND].looked = bj[i]->entered;
			v[HV_BIND].n = bj[i]->ports;
			if (!bj[i]->entered)
				v[HV_BIND].why_not = xstrdup("cannot enter the "
				    "namespace");
			else if (bj[i]->denied)
				v[HV_BIND].why_not = xasprintf("%u binds refused "
				    "(not root: ports below its "
				    "ip_unprivileged_port_start)",
				    bj[i]->denied);
		} else {
			v[HV_BIND].why_not = xstrdup("not asked for (--bind)");
		}
	}
	iset_sort(&all1);
	/* does anything disagree?  (then everything is read again) */
	for (i = 0; i < nn && !need_second; i++) {
		if (!r->views[i][HV_PROCNET].looked)
			continue;
		for (size_t k = 0; k < l->socks.n && !need_second; k++) {
			const struct sock_rec *s = &l->socks.v[k];

			need_second = (l->nets.n == 0 || s->netns == i) &&
			    s->inode && !(s->proto == PROTO_TCP &&
			    s->state == ST_CLOSE) &&
			    !iset_has(&t1[i].inet_set, s->inode);
		}
		for (size_t k = 0; k < t1[i].inet_set.n && !need_second; k++)
			need_second = !iset_has(&a1[i], t1[i].inet_set.v[k]);
	}
	for (size_t k = 0; k < l->ps.nothers && !need_second && every_ns; k++)
		need_second = !iset_has(&all1, l->ps.others[k].inode);
	for (i = 0; i < nn && !need_second; i++)
		for (int pr = 0; bj[i] && pr < 2 && !need_second; pr++)
			for (unsigned int port = 1; port < 65536 &&
			    !need_second; port++)
				need_second = bj[i]->inuse[pr][port];
	memset(&l2, 0, sizeof(l2));
	if (need_second) {
		/* the second look, to rule out what came or went */
		build_listing(&l2, io, o, 0);
		for (i = 0; i < nn; i++) {
			long j = l->nets.n ? index_of(&l2, l->nets.v[i].inode) :
			    0;

			if (!r->views[i][HV_SOCKDIAG].looked || j < 0)
				continue;
			diag_set(&l2, j, &a2[i]);
			read_tables(l, i, &t2[i]);
			for (size_t k = 0; k < a2[i].n; k++)
				iset_add(&all2, a2[i].v[k]);
			for (size_t k = 0; k < t2[i].inet_set.n; k++)
				iset_add(&all2, t2[i].inet_set.v[k]);
			for (size_t k = 0; k < t2[i].other.n; k++)
				iset_add(&all2, t2[i].other.v[k]);
		}
		iset_sort(&all2);
	}

	/* sock_diag against /proc/net, confirmed twice */
	for (i = 0; i < nn && need_second; i++) {
		if (!r->views[i][HV_PROCNET].looked || !t2[i].read)
			continue;
		for (size_t k = 0; k < l->socks.n; k++) {
			const struct sock_rec *s = &l->socks.v[k];
			struct hidden_finding *f;

			/* a TCP socket bound and neither listening nor
			 * connected: sock_diag lists those, /proc/net never
			 * did (innocent) */
			if ((l->nets.n && s->netns != i) || s->inode == 0 ||
			    (s->proto == PROTO_TCP && s->state == ST_CLOSE) ||
			    iset_has(&t1[i].inet_set, s->inode) ||
			    !iset_has(&a2[i], s->inode) ||
			    iset_has(&t2[i].inet_set, s->inode))
				continue;
			f = add_finding(r, HK_NOT_IN_PROCNET, (long)i);
			set_sock(f, s);
			set_holder(l, s->inode, f);
			f->rechecked = 1;
			f->detail = xstrdup("sock_diag shows it and /proc/net "
			    "does not, twice: hidden from netstat, lsof and "
			    "every reader of /proc/net (a preloaded library, a "
			    "mount over /proc/PID/net, or a kernel hook)");
		}
		for (size_t k = 0; k < t1[i].inet.n; k++) {
			const struct sock_rec *s = &t1[i].inet.v[k];
			struct hidden_finding *f;

			if (s->inode == 0 || iset_has(&a1[i], s->inode) ||
			    !iset_has(&t2[i].inet_set, s->inode) ||
			    iset_has(&a2[i], s->inode) ||
			    !from_netlink(l, i, s->proto,
			    s->family == AF_INET6))
				continue;
			f = add_finding(r, HK_NOT_IN_SOCKDIAG, (long)i);
			set_sock(f, s);
			set_holder(l, s->inode, f);
			f->rechecked = 1;
			f->detail = xstrdup("/proc/net shows it and sock_diag "
			    "does not, twice: hidden from ss and every netlink "
			    "reader (a BPF program or a kernel hook rewriting "
			    "netlink replies)");
		}
	}

	/* descriptors: a socket a process holds that no table lists */
	if (!every_ns) {
		for (i = 0; i < nn; i++)
			r->views[i][HV_HELD].why_not = xstrdup(l->privileged ?
			    "not every namespace was read (--netns, or run "
			    "inside one): a socket of another would look "
			    "hidden" : "not root: other users' descriptors "
			    "cannot be read");
	} else {
		for (i = 0; i < nn; i++) {
			r->views[i][HV_HELD].looked = 1;
			r->views[i][HV_HELD].n = (unsigned int)l->ps.nothers;
		}
	}
	for (size_t k = 0; k < l->ps.nothers && every_ns && need_second; k++) {
		const struct ns_fd *h = &l->ps.others[k];
		struct sock_peek pk;
		char *cause = NULL;
		struct hidden_finding *f;
		char fam[24];

		if (iset_has(&all1, h->inode) || iset_has(&all2, h->inode) ||
		    (k > 0 && l->ps.others[k - 1].inode == h->inode))
			continue;
		if (sock_peek(h->pid, h->fd, h->inode, &pk, &cause) < 0) {
			/* gone since, or not to be asked */
			if (cause && strstr(cause, "another file") == NULL &&
			    strstr(cause, "No such process") == NULL) {
				r->held_unasked++;
				if (r->held_why == NULL)
					r->held_why = cause;
				else
					free(cause);
			} else {
				free(cause);
			}
			continue;
		}
		if ((pk.family == AF_INET || pk.family == AF_INET6) &&
		    pk.type == SOCK_STREAM && pk.bound && pk.port &&
		    !pk.listening)
			reserved[pk.port] = 1;	/* explains a bind probe */
		if ((pk.family != AF_INET && pk.family != AF_INET6) ||
		    (pk.type != SOCK_STREAM && pk.type != SOCK_DGRAM) ||
		    !pk.bound || pk.port == 0 ||
		    (pk.type == SOCK_STREAM && !pk.listening)) {
			/* another family, or an inet socket no table lists
			 * by design: unbound, or bound and neither listening
			 * nor connected */
			r->held_other++;
			continue;
		}
		f = add_finding(r, HK_IN_NO_TABLE, -1);
		f->proto = pk.type == SOCK_STREAM ? PROTO_TCP : PROTO_UDP;
		f->family = (uint8_t)pk.family;
		memcpy(f->addr, pk.addr, 16);
		f->port = pk.port;
		f->inode = h->inode;
		f->pid = h->pid;
		f->rechecked = 1;
		for (size_t q = 0; q < l->ps.nprocs; q++)
			if (l->ps.procs[q].pid == h->pid)
				f->comm = xstrdup(l->ps.procs[q].comm);
		f->detail = xasprintf("held as descriptor %d, a %s %s socket "
		    "%s, and in no table of any namespace, twice",
		    h->fd, sock_family_name(pk.family, fam, sizeof(fam)),
		    pk.type == SOCK_STREAM ? "stream" : "datagram",
		    pk.listening ? "listening" : "bound");
	}

	/* the bind probe: a port in use that no view shows, bound again
	 * and the tables read again before it is said */
	for (i = 0; i < nn && need_second; i++) {
		struct ns_tables t3;
		int any = 0;

		if (bj[i] == NULL)
			continue;
		for (int pr = 0; pr < 2; pr++)
			for (unsigned int port = 1; port < 65536; port++) {
				const struct socklist *views[3] = { &l->socks,
				    &l2.socks, &t2[i].inet };
				long idx[3] = { (long)i, l->nets.n ?
				    index_of(&l2, l->nets.v[i].inode) : 0, -1 };

				bj[i]->recheck[pr][port] = bj[i]->inuse[pr][port] &&
				    !(pr == 0 && reserved[port]) &&
				    !port_seen(views, idx, 3, l->nets.n == 0, pr,
				    port);
				any |= bj[i]->recheck[pr][port];
			}
		if (!any)
			continue;
		memset(bj[i]->inuse, 0, sizeof(bj[i]->inuse));
		bj[i]->again = 1;
		run_bind(l, i, bj[i]);
		read_tables(l, i, &t3);
		for (int pr = 0; pr < 2; pr++)
			for (unsigned int port = 1; port < 65536; port++) {
				const struct socklist *views[1] = { &t3.inet };
				long idx[1] = { -1 };
				struct hidden_finding *f;

				if (!bj[i]->recheck[pr][port] ||
				    !bj[i]->inuse[pr][port] ||
				    port_seen(views, idx, 1, 1, pr, port))
					continue;
				f = add_finding(r, HK_PORT_UNLISTED, (long)i);
				f->proto = pr ? PROTO_UDP : PROTO_TCP;
				f->port = (uint16_t)port;
				f->rechecked = 1;
				f->detail = xstrdup("binding it fails with "
				    "EADDRINUSE, twice, and no table shows a "
				    "socket on it, on any look, nor does any "
				    "process hold one bound to it");
			}
		tables_release(&t3);
	}

	check_preload(r);
	check_libraries(r);
	list_bpf(r);

	for (i = 0; i < nn; i++) {
		tables_release(&t1[i]);
		tables_release(&t2[i]);
		iset_release(&a1[i]);
		iset_release(&a2[i]);
		free(bj[i]);
	}
	free(t1);
	free(t2);
	free(a1);
	free(a2);
	free(bj);
	iset_release(&all1);
	iset_release(&all2);
	free(reserved);
	if (need_second)
		listing_release(&l2);
}

void
hidden_release(struct hidden_report *r)
{
	size_t nn = r->l.nets.n ? r->l.nets.n : 1;

	for (size_t i = 0; r->views && i < nn; i++)
		for (int k = 0; k < HV_COUNT; k++)
			free(r->views[i][k].why_not);
	free(r->views);
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].comm);
		free(r->f[i].detail);
	}
	free(r->f);
	free(r->held_why);
	free(r->bpf);
	free(r->bpf_why);
	listing_release(&r->l);
	memset(r, 0, sizeof(*r));
}
