/*
 * watch.c - `portsleuth watch`: a line per listener opened or closed, as
 * it happens, in every namespace.
 *
 * What it listens to (as root): each namespace's sock_diag destroy groups
 * (a socket closing is said at once) and the proc connector (an exec
 * makes it look again at the namespace the program runs in, 30, 100
 * and 300 ms later: a daemon binds soon after it starts).  Whatever else happens is caught by a look every --interval:
 * one sock_diag dump of the listening sockets per namespace, compared
 * with the last by inode.  /proc is walked only when a look finds a new
 * listener, to name its owner; a listener that comes and goes between
 * two looks is still said, from its destroy event, without an owner.
 * Without root (no events) it looks every --interval and says so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "kernel/events.h"
#include "kernel/netns.h"
#include "kernel/nlio.h"
#include "kernel/sockdiag.h"
#include "model/listing.h"
#include "model/services.h"
#include "proc/procscan.h"
#include "proc/users.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "why/origin.h"
#include "util/banned.h"

enum { OPT_INTERVAL = OPT_SHARED_END, OPT_FOR };

static const struct option watch_opts[] = {
	CMDOPT_SOURCES,
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "for", required_argument, NULL, OPT_FOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_watch_usage(FILE *out)
{
	fputs(
"usage: portsleuth watch [options]\n"
"\n"
"A line per listener (TCP in LISTEN, bound UDP) opened or closed, as it\n"
"happens, in every network namespace, with its owner and origin.  As root\n"
"it listens to the kernel's events (sock_diag destroy groups, the proc\n"
"connector) and looks again when they say so; every --interval it looks\n"
"anyway (one dump per namespace; /proc is walked only for a new\n"
"listener's owner).  Events the kernel had to drop are said, and a full\n"
"look follows.\n"
"\n"
"Options:\n"
"  -j, --json           one JSON object per line\n"
"      --netns SPEC     which network namespaces (default: all from the\n"
"                       host's namespace, else its own)\n"
"      --interval MS    how often to look anyway (default 500)\n"
"      --for SECONDS    stop after that long (default: until interrupted)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"      --iana FILE      IANA port table (default: the installed one)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 stopped (interrupted, or --for elapsed), 2 usage or fatal\n"
"error.\n", out);
}

/* A listener as watch knows it. */
struct wl {
	struct sock_rec	 s;
	uint32_t	 ns;
	pid_t		 pid;
	char		*comm, *exe, *user, *origin;
	int		 gen;		/* the last look that saw it */
};

struct wns {
	struct nlio		*io;
	struct destroy_watch	 dw;
	int			 have_dw;
};

struct watch {
	struct netns_set	 nets;
	struct wns		*ns;
	size_t			 nns;
	struct wl		*v;
	size_t			 n, cap;
	int			 gen, json, proc_fd;
	struct registry		 reg;
	struct users		*users;
	struct origin_ctx	*octx;
	double			 quick_at;	/* a look soon after an exec */
	double			 exec_at;	/* the last exec seen */
	int			 quick_step;
	/* the namespaces an exec was seen in: the quick looks dump those */
	unsigned char		*quick_ns;
	int			 eph_lo, eph_hi;	/* clients' ports */
	unsigned long		 events;
	struct strbuf		 out;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
wl_free(struct wl *w)
{
	free(w->comm);
	free(w->exe);
	free(w->user);
	free(w->origin);
}

static const char *
label_of(const struct watch *w, uint32_t ns, char *buf, size_t n)
{
	if (ns >= w->nets.n)
		return "?";
	if (w->nets.n == 1)
		return w->nets.v[0].kind == NETNS_HOST ? "host" : "self";
	return netns_label(&w->nets.v[ns], buf, n);
}

/* A JSON line: begun here, filled by the caller, ended by json_line_end. */
static void
json_line_begin(struct watch *w, struct jw *j, const char *event)
{
	strbuf_reset(&w->out);
	jw_init(j, &w->out, 0);
	jw_object(j, NULL);
	jw_str(j, "event", event);
}

static void
json_line_end(struct watch *w, struct jw *j)
{
	char *cause = NULL;

	jw_end(j);
	if (jw_finish(j, &cause) == 0)
		printf("%s\n", strbuf_str(&w->out));
	free(cause);
}

/* One line (or JSON object) for an event. */
static void
say(struct watch *w, const char *event, const struct wl *l, int unseen)
{
	char a[INET6_ADDRSTRLEN], ep[INET6_ADDRSTRLEN + 10], label[96];
	char when[32], pid[16];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ld",
	    ts.tv_nsec / 1000000);
	inet_ntop(l->s.family, l->s.laddr, a, sizeof(a));
	snprintf(ep, sizeof(ep), "%s%s%s:%u", l->s.family == AF_INET6 ? "[" :
	    "", a, l->s.family == AF_INET6 ? "]" : "", l->s.lport);
	w->events++;
	if (w->json) {
		struct jw j;

		json_line_begin(w, &j, event);
		jw_str(&j, "time", when);
		jw_str(&j, "netns", label_of(w, l->ns, label, sizeof(label)));
		jw_str(&j, "proto", proto_name(l->s.proto));
		jw_str(&j, "family", l->s.family == AF_INET6 ? "ipv6" : "ipv4");
		jw_str(&j, "local_address", a);
		jw_int(&j, "local_port", l->s.lport);
		if (l->s.inode)
			jw_int(&j, "inode", (int64_t)l->s.inode);
		else
			jw_null(&j, "inode");
		if (l->pid)
			jw_int(&j, "pid", l->pid);
		else
			jw_null(&j, "pid");
		jw_str(&j, "command", l->comm);
		jw_str(&j, "exe", l->exe);
		jw_str(&j, "user", l->user);
		jw_str(&j, "origin", l->origin);
		jw_bool(&j, "unseen", unseen);
		json_line_end(w, &j);
	} else {
		static const size_t wd[] = { 12, 8, 16, 5, 24, 8, 16, 10, 0 };
		const char *cells[9];

		snprintf(pid, sizeof(pid), "%d", (int)l->pid);
		cells[0] = when;
		cells[1] = event;
		cells[2] = label_of(w, l->ns, label, sizeof(label));
		cells[3] = proto_name(l->s.proto);
		cells[4] = ep;
		cells[5] = l->pid ? pid : "-";
		cells[6] = l->comm ? l->comm : unseen ?
		    "(came and went between looks)" : "-";
		cells[7] = l->user ? l->user : "-";
		cells[8] = l->origin ? l->origin : "-";
		text_row(stdout, wd, 9, cells);
	}
	fflush(stdout);
}

static void
say_lost(struct watch *w, const char *what)
{
	if (w->json) {
		struct jw j;

		json_line_begin(w, &j, "lost");
		jw_str(&j, "what", what);
		json_line_end(w, &j);
	} else {
		char line[128];

		snprintf(line, sizeof(line), "events lost (%s): looking again "
		    "in full", what);
		text_line(stdout, line);
	}
	fflush(stdout);
}

static struct wl *
find(struct watch *w, uint64_t inode)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].s.inode == inode)
			return &w->v[i];
	return NULL;
}

/* Name the owners of the new listeners: one walk of /proc for them. */
static void
attribute(struct watch *w, size_t first)
{
	struct procscan ps;
	uint64_t *inodes;
	size_t n = w->n - first;

	if (n == 0)
		return;
	inodes = xcalloc(n, sizeof(*inodes));
	for (size_t i = 0; i < n; i++)
		inodes[i] = w->v[first + i].s.inode;
	procscan_run(inodes, n, 0, PS_NEED_CGROUP | PS_NEED_ENVIRON, &ps);
	for (size_t i = first; i < w->n; i++) {
		struct wl *l = &w->v[i];
		size_t f, cnt = procscan_owners_of(&ps, l->s.inode, &f), best = f;

		if (cnt == 0)
			continue;
		/* not PID 1 when another holds it too (socket activation) */
		for (size_t k = f; k < f + cnt; k++)
			if (ps.owners[best].pid == 1 && ps.owners[k].pid != 1)
				best = k;
		{
			const struct proc_rec *p =
			    &ps.procs[ps.owners[best].proc];
			struct origin o;

			l->pid = p->pid;
			l->comm = xstrdup(p->comm);
			l->exe = p->exe ? xstrdup(p->exe) : NULL;
			l->user = p->ids_known ? users_label(w->users, p->euid) :
			    NULL;
			origin_explain(w->octx, &l->s, p, p->env.ssh_connection,
			    cnt > 1 && ps.owners[f].pid == 1, &o);
			l->origin = o.summary ? xstrdup(o.summary) : NULL;
			origin_release(&o);
		}
	}
	procscan_release(&ps);
	free(inodes);
}

/* Look: one dump per namespace (only those marked in w->quick_ns when
 * only_marked), compared with what was there. */
static void
look(struct watch *w, int only_marked)
{
	size_t first;

	w->gen++;
	first = w->n;
	for (size_t i = 0; i < w->n; i++)
		if (only_marked && !w->quick_ns[w->v[i].ns])
			w->v[i].gen = w->gen;	/* not looked at: as it was */
	for (size_t i = 0; i < w->nns; i++) {
		struct sockdiag_query q;
		struct sockdiag_report rep;
		struct socklist list = { 0 };

		if (w->ns[i].io == NULL || (only_marked && !w->quick_ns[i]))
			continue;
		memset(&q, 0, sizeof(q));
		memset(&rep, 0, sizeof(rep));
		q.protos = PROTO_BIT(PROTO_TCP) | PROTO_BIT(PROTO_UDP) |
		    PROTO_BIT(PROTO_UDPLITE);
		q.want4 = q.want6 = 1;
		q.tcp_states = STATE_BIT(ST_LISTEN);
		q.dgram_states = STATE_BIT(ST_CLOSE);
		q.other_netns = i != 0 || w->nets.v[0].self == 0;
		q.serial = 1;
		sockdiag_collect(w->ns[i].io, &q, &list, &rep);
		for (size_t k = 0; k < list.n; k++) {
			struct wl *l = list.v[k].inode ? find(w, list.v[k].inode) :
			    NULL;

			if (list.v[k].inode == 0)
				continue;
			if (l) {
				l->gen = w->gen;
				continue;
			}
			xgrow((void **)&w->v, &w->cap, w->n + 1, sizeof(*w->v));
			l = &w->v[w->n++];
			memset(l, 0, sizeof(*l));
			l->s = list.v[k];
			l->ns = (uint32_t)i;
			l->gen = w->gen;
		}
		socklist_release(&list);
		sockdiag_report_release(&rep);
	}
	attribute(w, first);
	/* the first look is the state, not news */
	for (size_t i = first; i < w->n && w->gen > 1; i++)
		say(w, "opened", &w->v[i], 0);
	for (size_t i = 0; i < w->n;) {
		if (w->v[i].gen == w->gen) {
			i++;
			continue;
		}
		say(w, "closed", &w->v[i], 0);
		wl_free(&w->v[i]);
		w->v[i] = w->v[--w->n];
	}
}

static void
destroyed(struct watch *w, size_t ns, int g)
{
	struct socklist list = { 0 };
	int rc = destroy_watch_read(w->ns[ns].dw.fd[g], g, &list);

	for (size_t k = 0; k < list.n; k++) {
		struct sock_rec *s = &list.v[k];
		struct wl *l = NULL;

		for (size_t i = 0; i < w->n && !l; i++)
			if (w->v[i].ns == ns && ((s->inode && w->v[i].s.inode ==
			    s->inode) || (w->v[i].s.lport == s->lport &&
			    w->v[i].s.proto == s->proto &&
			    w->v[i].s.family == s->family &&
			    memcmp(w->v[i].s.laddr, s->laddr, 16) == 0)))
				l = &w->v[i];
		if (l) {
			say(w, "closed", l, 0);
			wl_free(l);
			*l = w->v[--w->n];
		} else if ((s->proto != PROTO_TCP || s->state == ST_CLOSE) &&
		    (s->lport < w->eph_lo || s->lport > w->eph_hi)) {
			/* (on an ephemeral port: a client's, not said) */
			struct wl tmp;

			/* bound, no peer, never seen: it came and went */
			memset(&tmp, 0, sizeof(tmp));
			tmp.s = *s;
			tmp.ns = (uint32_t)ns;
			say(w, "closed", &tmp, 1);
		}
	}
	socklist_release(&list);
	if (rc < 0) {
		say_lost(w, "sock_diag destroy events");
		look(w, 0);
	}
}

static void
on_proc(void *arg, pid_t pid, enum proc_ev what)
{
	struct watch *w = arg;

	if (what == PEV_EXEC) {
		char path[64];
		struct stat st;
		int known = 0;

		/* the namespace the new program runs in: that one is looked
		 * at again (any, when it cannot be told) */
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) == 0)
			for (size_t i = 0; i < w->nns; i++)
				if (w->nets.v[i].inode == (uint64_t)st.st_ino) {
					w->quick_ns[i] = 1;
					known = 1;
				}
		if (!known)
			memset(w->quick_ns, 1, w->nns ? w->nns : 1);
		/* a daemon binds soon after it starts: looks at 30, 100 and
		 * 300 ms after the last exec */
		w->exec_at = now_ms();
		w->quick_step = 0;
		if (w->quick_at == 0)
			w->quick_at = w->exec_at + 30;
	}
}

static int
setup(struct watch *w, const char *spec, char **cause)
{
	size_t idx = 0;
	int all = 0, root = geteuid() == 0;

	if (cmd_pick_namespaces(spec, &w->nets, &idx, &all, cause) < 0)
		return -1;
	w->nns = w->nets.n;
	w->ns = xcalloc(w->nns ? w->nns : 1, sizeof(*w->ns));
	for (size_t i = 0; i < w->nns; i++) {
		struct wns *n = &w->ns[i];
		char *why = NULL;
		int fd = -1;

		if (!(all || i == idx))
			continue;
		if (i == 0 && w->nets.v[0].self)
			n->io = nlio_open_live(NULL, &why);
		else if (root && (fd = netns_open(&w->nets.v[i], &why)) >= 0)
			n->io = nlio_open_live_netns(fd, &why);
		if (n->io && root && destroy_watch_open(&n->dw, i == 0 &&
		    w->nets.v[0].self ? -1 : fd, &why) == 0)
			n->have_dw = 1;
		if (fd >= 0)
			close(fd);
		if (why && i == 0)
			cmd_warn("%s\n", why);
		free(why);
	}
	return 0;
}

int
cmd_watch_exec(int argc, char **argv)
{
	struct cmd_opts co;
	struct watch w;
	struct sigaction sa;
	int ch, taken, interval = 500;
	double until = 0, next;
	char *cause = NULL;
	uint64_t v;

	memset(&w, 0, sizeof(w));
	w.proc_fd = -1;
	cmd_opts_init(&co, "watch");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", watch_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case OPT_INTERVAL:
			if (num_parse_str(optarg, 50, 60000, &v) != 0)
				return cmd_usage(&co, "--interval takes 50 to "
				    "60000 ms, not '%s'", optarg);
			interval = (int)v;
			break;
		case OPT_FOR:
			if (num_parse_str(optarg, 1, 31536000, &v) != 0)
				return cmd_usage(&co, "--for takes 1 to 31536000 "
				    "seconds, not '%s'", optarg);
			until = now_ms() + (double)v * 1000;
			break;
		case 'h':
			cmd_watch_usage(stdout);
			return 0;
		default:
			return cmd_try_help(&co);
		}
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (co.root || co.replay)
		return cmd_usage(&co, "watch follows the live kernel: not with "
		    "--root or --replay");
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	w.json = co.json;
	cmd_ephemeral_range(&w.eph_lo, &w.eph_hi);
	if (setup(&w, co.netns, &cause) < 0) {
		cmd_warn("--netns: %s\n", cause);
		free(cause);
		netns_set_release(&w.nets);
		free(w.ns);
		return EXIT_USAGE;
	}
	w.users = users_load();
	registry_init(&w.reg, co.iana ? co.iana :
	    cmd_find_data("iana-ports.tsv"));
	w.octx = origin_ctx_new(&w.reg, w.users);
	strbuf_init(&w.out, 1u << 16);
	if (geteuid() == 0 && netns_self_is_host() &&
	    (w.proc_fd = proc_events_open(&cause)) < 0) {
		cmd_warn("%s\n", cause);
		free(cause);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	w.quick_ns = xcalloc(w.nns ? w.nns : 1, 1);
	look(&w, 0);
	{
		size_t dw = 0, nio = 0;

		for (size_t i = 0; i < w.nns; i++) {
			dw += w.ns[i].have_dw;
			nio += w.ns[i].io != NULL;
		}
		cmd_warn("watching %zu listeners in %zu network namespaces: %s%s"
		    "a look every %d ms\n", w.n, nio, dw ? "destroy events, " :
		    "", w.proc_fd >= 0 ? "exec events, " : "", interval);
		if (dw == 0)
			cmd_warn("no kernel events (%s): closings and "
			    "openings are seen at the next look\n",
			    geteuid() ? "not root" : "not available");
	}
	next = now_ms() + interval;
	while (!stop && (until == 0 || now_ms() < until)) {
		struct pollfd pf[1 + 4096];
		int np = 0, tmo;
		double t = now_ms(), due = next;

		if (w.quick_at && w.quick_at < due)
			due = w.quick_at;
		if (until && until < due)
			due = until;
		tmo = due > t ? (int)(due - t) + 1 : 0;
		if (w.proc_fd >= 0) {
			pf[np].fd = w.proc_fd;
			pf[np++].events = POLLIN;
		}
		for (size_t i = 0; i < w.nns && np < 4096; i++)
			for (int g = 0; w.ns[i].have_dw &&
			    g < EV_DESTROY_GROUPS; g++) {
				pf[np].fd = w.ns[i].dw.fd[g];
				pf[np++].events = POLLIN;
			}
		if (poll(pf, (nfds_t)np, tmo) < 0 && errno != EINTR)
			break;
		if (w.proc_fd >= 0 && proc_events_read(w.proc_fd, on_proc,
		    &w) < 0) {
			say_lost(&w, "exec events");
			memset(w.quick_ns, 1, w.nns ? w.nns : 1);
			w.quick_at = now_ms();
		}
		for (size_t i = 0; i < w.nns; i++)
			for (int g = 0; w.ns[i].have_dw &&
			    g < EV_DESTROY_GROUPS; g++)
				destroyed(&w, i, g);
		t = now_ms();
		if ((w.quick_at && t >= w.quick_at) || t >= next) {
			static const double steps[] = { 100, 300 };

			int full = t >= next;

			look(&w, !full);
			w.quick_at = 0;
			if (w.exec_at && w.quick_step < 2)
				w.quick_at = w.exec_at + steps[w.quick_step++];
			else
				memset(w.quick_ns, 0, w.nns ? w.nns : 1);
			if (full)
				next = t + interval;
		}
	}
	for (size_t i = 0; i < w.n; i++)
		wl_free(&w.v[i]);
	free(w.v);
	for (size_t i = 0; i < w.nns; i++) {
		if (w.ns[i].io)
			nlio_close(w.ns[i].io, NULL);
		if (w.ns[i].have_dw)
			destroy_watch_close(&w.ns[i].dw);
	}
	free(w.ns);
	free(w.quick_ns);
	if (w.proc_fd >= 0)
		close(w.proc_fd);
	origin_ctx_free(w.octx);
	registry_release(&w.reg);
	users_free(w.users);
	strbuf_release(&w.out);
	netns_set_release(&w.nets);
	return cmd_finish(0);
}
