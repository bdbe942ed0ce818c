/*
 * procscan.c - the parallel /proc/PID/fd walk.
 *
 * Cost model: the walk is one readlinkat(2) per descriptor on the system,
 * so it dominates a listing.  Every lookup is relative to an open
 * directory (no path walk from /proc per descriptor), directories are
 * read with large getdents64 buffers, workers pull PIDs from a shared
 * counter in small chunks, and only descriptors whose inode is wanted
 * are kept.  Threads share nothing but the read-only inode set and the
 * counter; results are merged after the join.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kernel/bpfiter.h"
#include "util/clock.h"
#include "proc/procscan.h"
#include "util/notes.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define MAX_THREADS	8
/* below this many processes the /proc walk ends before the BPF program
 * would be loaded and verified (measured: bench/run.sh bpf) */
#define BPF_MIN_PIDS	200
#define CHUNK		8
#define CMDLINE_MAX	(32u << 10)
#define SMALL_MAX	(8u << 10)

/*
 * Open-addressing set of socket inodes (0 never occurs as a key).  The
 * kernel numbers sockets with 32 bits (sock_diag reports them so): the
 * slots are 32 bits wide unless a key does not fit (a recorded table).
 */
struct inode_set {
	uint32_t	*s32;
	uint64_t	*s64;		/* when some key is above 2^32 - 1 */
	size_t		 mask;
};

static size_t
hash64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)v;
}

static void
set_build(struct inode_set *s, const uint64_t *v, size_t n)
{
	size_t size = 16, i;
	int wide = 0;

	while (size < n * 2 + 1)
		size *= 2;
	for (i = 0; i < n && !wide; i++)
		wide = v[i] > UINT32_MAX;
	s->mask = size - 1;
	if (wide)
		s->s64 = xcalloc(size, sizeof(*s->s64));
	else
		s->s32 = xcalloc(size, sizeof(*s->s32));
	for (i = 0; i < n; i++) {
		size_t h = hash64(v[i]) & s->mask;

		if (v[i] == 0)
			continue;
		if (wide) {
			while (s->s64[h] != 0 && s->s64[h] != v[i])
				h = (h + 1) & s->mask;
			s->s64[h] = v[i];
		} else {
			while (s->s32[h] != 0 && s->s32[h] != v[i])
				h = (h + 1) & s->mask;
			s->s32[h] = (uint32_t)v[i];
		}
	}
}

static int
set_has(const struct inode_set *s, uint64_t v)
{
	size_t h = hash64(v) & s->mask;

	if (s->s64 != NULL) {
		for (; s->s64[h] != 0; h = (h + 1) & s->mask)
			if (s->s64[h] == v)
				return 1;
		return 0;
	}
	if (s->s32 == NULL || v > UINT32_MAX)
		return 0;
	for (; s->s32[h] != 0; h = (h + 1) & s->mask)
		if (s->s32[h] == v)
			return 1;
	return 0;
}

static void
set_free(struct inode_set *s)
{
	free(s->s32);
	free(s->s64);
	s->s32 = NULL;
	s->s64 = NULL;
}

struct hit {
	uint64_t	inode;
	pid_t		pid;
	int		fd;
};

struct worker {
	pthread_t		 thread;
	const struct inode_set	*set;
	int			 procfd;
	const pid_t		*pids;
	size_t			 npids;
	size_t			*next;		/* shared counter */
	double			 btime;
	long			 hz;
	unsigned int		 need;
	struct hit		*hits;
	size_t			 nhits, hcap;
	struct proc_rec		*procs;
	size_t			 nprocs, pcap;
	struct ns_fd		*nsfds;
	size_t			 nnsfds, ncap;
	struct ns_fd		*others;
	size_t			 nothers, ocap;
	int			 others_cut;
	dev_t			 nsfs_dev;	/* of namespace files, 0: unknown */
	/* the BPF path: the descriptors already found, by PID then fd,
	 * and the processes the iterator described, by PID; the walk
	 * reads only the owners' executables (and what need asks), and
	 * walks the processes the iterator did not visit */
	const struct hit	*pre;
	size_t			 npre;
	const struct bpf_procrec *bprocs;
	size_t			 nbprocs;
	unsigned int		 scanned, denied, vanished, reused, malformed;
};

int
procscan_parse_stat(const char *text, size_t len, char **comm, int *ppid,
    uint64_t *start_ticks, int *tty_nr)
{
	const char *open, *close = NULL, *p, *end = text + len;
	uint64_t v;
	int field;

	open = memchr(text, '(', len);
	for (p = end; p > text; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (open == NULL || close == NULL || close < open || close + 2 > end)
		return -1;
	/* fields after "(comm) ": 3 is the state, 4 ppid, 7 tty_nr,
	 * 22 starttime */
	p = close + 2;
	for (field = 3; field <= 22; field++) {
		const char *f = p;

		while (p < end && *p != ' ' && *p != '\n')
			p++;
		if (p == f)
			return -1;
		if (field == 4) {
			if (num_parse_u64(f, (size_t)(p - f), 10, 0, INT32_MAX,
			    &v) != 0)
				return -1;
			*ppid = (int)v;
		} else if (field == 7 && tty_nr != NULL) {
			if (num_parse_u64(f, (size_t)(p - f), 10, 0, INT32_MAX,
			    &v) != 0)
				return -1;
			*tty_nr = (int)v;
		} else if (field == 22) {
			if (num_parse_u64(f, (size_t)(p - f), 10, 0, UINT64_MAX,
			    &v) != 0)
				return -1;
			*start_ticks = v;
		}
		if (p < end)
			p++;
	}
	if (comm != NULL)
		*comm = xstrndup(open + 1, (size_t)(close - open - 1));
	return 0;
}

/* First number after "Key:" on a status line; the real id. */
static int
status_ids(const char *line, const char *eol, uint32_t *real, uint32_t *eff)
{
	const char *p = line, *f;
	uint64_t v;
	int i;

	for (i = 0; i < 2; i++) {
		while (p < eol && (*p == '\t' || *p == ' '))
			p++;
		f = p;
		while (p < eol && *p != '\t' && *p != ' ')
			p++;
		if (num_parse_u64(f, (size_t)(p - f), 10, 0, UINT32_MAX, &v))
			return -1;
		if (i == 0)
			*real = (uint32_t)v;
		else
			*eff = (uint32_t)v;
	}
	return 0;
}

int
procscan_parse_status(const char *text, size_t len, struct proc_rec *pr)
{
	const char *p = text, *end = text + len;
	int got = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		uint32_t r, e;

		if (eol - p > 4 && memcmp(p, "Uid:", 4) == 0) {
			if (status_ids(p + 4, eol, &r, &e) != 0)
				return -1;
			pr->uid = r;
			pr->euid = e;
			got |= 1;
		} else if (eol - p > 4 && memcmp(p, "Gid:", 4) == 0) {
			if (status_ids(p + 4, eol, &r, &e) != 0)
				return -1;
			pr->gid = r;
			pr->egid = e;
			got |= 2;
		} else if (eol - p > 6 && memcmp(p, "NSpid:", 6) == 0) {
			/* "NSpid:\t4242\t1": the last is the innermost */
			const char *last = eol;
			uint64_t v;

			while (last > p + 6 && last[-1] != '\t' &&
			    last[-1] != ' ')
				last--;
			if (last > p + 7 && memchr(p + 7, '\t',
			    (size_t)(last - p - 7)) != NULL &&
			    num_parse_u64(last, (size_t)(eol - last), 10, 1,
			    INT32_MAX, &v) == 0)
				pr->ns_pid = (pid_t)v;
		} else if (eol - p > 7 && memcmp(p, "CapEff:", 7) == 0) {
			const char *h = p + 7;
			uint64_t v;

			while (h < eol && (*h == '\t' || *h == ' '))
				h++;
			if (num_parse_u64(h, (size_t)(eol - h), 16, 0,
			    UINT64_MAX, &v) == 0) {
				pr->cap_eff = v;
				pr->caps_known = 1;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return got == 3 ? 0 : -1;
}

char *
procscan_parse_cgroup(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	const char *v1 = NULL, *v1end = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol - p >= 3 && memcmp(p, "0::", 3) == 0)
			return xstrndup(p + 3, (size_t)(eol - p - 3));
		if (v1 == NULL) {
			const char *c = memchr(p, ':', (size_t)(eol - p));

			if (c && eol - c > 13 && memcmp(c, ":name=systemd:", 14) == 0) {
				v1 = c + 14;
				v1end = eol;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return v1 ? xstrndup(v1, (size_t)(v1end - v1)) : NULL;
}

#define ENV_VALUE_CAP	512
#define ENVIRON_MAX	(256u << 10)

static int
is_ld_var(const char *s, size_t n)
{
	static const char *const vars[] = {
		"LD_PRELOAD=", "LD_AUDIT=", "LD_LIBRARY_PATH="
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (n >= strlen(vars[i]) &&
		    strncmp(s, vars[i], strlen(vars[i])) == 0)
			return 1;
	return 0;
}

void
procscan_parse_environ(const char *buf, size_t len, struct proc_env *env)
{
	struct strbuf ld;
	size_t pos = 0;

	memset(env, 0, sizeof(*env));
	env->readable = 1;
	strbuf_init(&ld, 4096);
	while (pos < len) {
		const char *s = buf + pos, *nul = memchr(s, '\0', len - pos);
		size_t n = nul ? (size_t)(nul - s) : len - pos;

		pos += n + 1;
		if (is_ld_var(s, n)) {
			if (ld.len)
				strbuf_addch(&ld, ' ');
			strbuf_add(&ld, s, n < ENV_VALUE_CAP ? n :
			    ENV_VALUE_CAP);
		} else if (n > 15 && strncmp(s, "SSH_CONNECTION=", 15) == 0 &&
		    env->ssh_connection == NULL) {
			env->ssh_connection = xstrndup(s + 15, n - 15 <
			    ENV_VALUE_CAP ? n - 15 : ENV_VALUE_CAP);
		}
	}
	if (ld.len)
		env->ld_vars = strbuf_detach(&ld);
	strbuf_release(&ld);
}

void
proc_env_release(struct proc_env *env)
{
	free(env->ld_vars);
	free(env->ssh_connection);
	memset(env, 0, sizeof(*env));
}

/* What a process record holds, freed. */
static void
proc_rec_clear(struct proc_rec *pr)
{
	free(pr->comm);
	free(pr->exe);
	free(pr->cmdline);
	free(pr->cgroup);
	proc_env_release(&pr->env);
}

static int
read_stat(int dfd, struct strbuf *sb, char **comm, int *ppid, uint64_t *st,
    int *tty_nr)
{
	if (read_at_capped(dfd, "stat", SMALL_MAX, sb) < 0)
		return -1;
	if (procscan_parse_stat(strbuf_str(sb), sb->len, comm, ppid, st,
	    tty_nr) != 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/*
 * Identity of a process that holds wanted sockets, read only for such
 * processes.  The start time is read before the other files and again
 * after them; a difference means the PID now names another process.
 * Returns DETAILS_OK, or why the process cannot be described.
 */
enum details { DETAILS_OK, DETAILS_GONE, DETAILS_REUSED, DETAILS_MALFORMED };

/* What the BPF iterator said of the process: stat's and status's part. */
static void
details_from_bpf(const struct worker *w, const struct bpf_procrec *bp,
    struct proc_rec *pr)
{
	pr->comm = xstrndup(bp->comm, strnlen(bp->comm, sizeof(bp->comm)));
	pr->ppid = (pid_t)bp->ppid;
	/* stat's field 22 is nsec_to_clock_t(start_boottime) */
	pr->start_ticks = bp->start_ns / (uint64_t)(1000000000L / w->hz);
	pr->tty_nr = (int)bp->tty_nr;
	if (!(bp->flags & BPF_PROC_NO_CRED)) {
		pr->uid = bp->uid;
		pr->euid = bp->euid;
		pr->gid = bp->gid;
		pr->egid = bp->egid;
		pr->ids_known = 1;
		pr->cap_eff = bp->cap_eff;
		pr->caps_known = 1;
	}
	pr->ns_pid = (pid_t)bp->ns_pid;
}

static enum details
read_details(struct worker *w, int dfd, pid_t pid, struct strbuf *sb,
    struct proc_rec *pr, const struct bpf_procrec *bp)
{
	char link[4096 + 16];
	ssize_t n;
	uint64_t again = 0;
	int ppid = 0;
	enum details rc;
	size_t i;

	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	if (bp) {
		details_from_bpf(w, bp, pr);
	} else {
		if (read_stat(dfd, sb, &pr->comm, &ppid, &pr->start_ticks,
		    &pr->tty_nr) < 0)
			return errno == EBADMSG ? DETAILS_MALFORMED :
			    DETAILS_GONE;
		pr->ppid = ppid;
		if (read_at_capped(dfd, "status", SMALL_MAX, sb) == 0) {
			if (procscan_parse_status(strbuf_str(sb), sb->len,
			    pr) == 0)
				pr->ids_known = 1;
			else
				w->malformed++;	/* ids stay unknown */
		}
	}
	n = readlinkat(dfd, "exe", link, sizeof(link) - 1);
	if (n >= 0) {
		link[n] = '\0';
		if (n > 10 && strcmp(link + n - 10, " (deleted)") == 0) {
			pr->exe_deleted = 1;
			link[n - 10] = '\0';
		}
		pr->exe = xstrdup(link);
	} else
		pr->exe_errno = errno;
	if ((w->need & PS_NEED_CMDLINE) &&
	    read_at_capped(dfd, "cmdline", CMDLINE_MAX, sb) == 0) {
		pr->cmdline_truncated = sb->truncated;
		while (sb->len > 0 && sb->buf[sb->len - 1] == '\0')
			sb->len--;
		for (i = 0; i < sb->len; i++)
			if (sb->buf[i] == '\0')
				sb->buf[i] = ' ';
		pr->cmdline = xstrndup(strbuf_str(sb), sb->len);
	}
	if ((w->need & PS_NEED_CGROUP) &&
	    read_at_capped(dfd, "cgroup", SMALL_MAX, sb) == 0)
		pr->cgroup = procscan_parse_cgroup(strbuf_str(sb), sb->len);
	if ((w->need & PS_NEED_ENVIRON) &&
	    read_at_capped(dfd, "environ", ENVIRON_MAX, sb) == 0)
		procscan_parse_environ(sb->buf ? sb->buf : "", sb->len,
		    &pr->env);
	pr->start_time = w->btime + (double)pr->start_ticks / (double)w->hz;
	/* After: the same process still, not a new one under a reused PID
	 * (on the BPF path: the one the iterator saw). */
	if (read_stat(dfd, sb, NULL, &ppid, &again, NULL) < 0)
		rc = errno == EBADMSG ? DETAILS_MALFORMED : DETAILS_GONE;
	else if (again != pr->start_ticks)
		rc = DETAILS_REUSED;
	else
		return DETAILS_OK;
	proc_rec_clear(pr);
	return rc;
}

struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

/* Append one (inode, pid, fd) to a worker's list. */
static void
push_fd(struct ns_fd **v, size_t *n, size_t *cap, uint64_t ino, pid_t pid,
    int fd)
{
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[*n].inode = ino;
	(*v)[*n].pid = pid;
	(*v)[*n].fd = fd;
	(*n)++;
}

/*
 * A descriptor of a network namespace.  Opened through /proc/PID/ns/net
 * its link reads "net:[N]"; opened through a bind mount, the mount's
 * path, which is "/" once the mount is detached (umount -l): only then
 * is the namespace found no other way, so only "/" is looked at (with
 * fstat, against the namespace file system's device).
 */
static void
note_nsfd(struct worker *w, pid_t pid, int fdd, const char *fdname,
    const char *link, size_t len)
{
	uint64_t ino, fdnum;
	struct stat st;

	if (w->nnsfds >= PS_NSFDS_MAX)
		return;
	if (len > 6 && memcmp(link, "net:[", 5) == 0 && link[len - 1] == ']') {
		if (num_parse_u64(link + 5, len - 6, 10, 1, UINT64_MAX,
		    &ino) != 0)
			return;
	} else if (len == 1 && link[0] == '/' && w->nsfs_dev) {
		if (fstatat(fdd, fdname, &st, 0) != 0 ||
		    st.st_dev != w->nsfs_dev || !S_ISREG(st.st_mode))
			return;
		ino = (uint64_t)st.st_ino;
	} else {
		return;
	}
	if (num_parse_str(fdname, 0, INT32_MAX, &fdnum) != 0)
		return;
	/* one per namespace per worker is enough: the walk sees the same
	 * handful many times (a runtime holds each one open) */
	for (size_t i = w->nnsfds; i > 0 && i + 8 > w->nnsfds; i--)
		if (w->nsfds[i - 1].inode == ino)
			return;
	push_fd(&w->nsfds, &w->nnsfds, &w->ncap, ino, pid, (int)fdnum);
}

/* A socket descriptor nobody asked for (PS_NEED_ALLSOCKS). */
static void
note_other(struct worker *w, pid_t pid, const char *fdname, uint64_t ino)
{
	uint64_t fdnum;

	if (w->nothers >= PS_OTHERS_MAX) {
		w->others_cut = 1;
		return;
	}
	if (num_parse_str(fdname, 0, INT32_MAX, &fdnum) != 0)
		return;
	push_fd(&w->others, &w->nothers, &w->ocap, ino, pid, (int)fdnum);
}

/* The BPF path: the iterator's record of this PID, or NULL (it did not
 * visit the process: the walk reads it). */
static const struct bpf_procrec *
bproc_of(const struct worker *w, pid_t pid)
{
	size_t lo = 0, hi = w->nbprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->bprocs[mid].hdr.pid < (uint32_t)pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nbprocs && w->bprocs[lo].hdr.pid == (uint32_t)pid ?
	    &w->bprocs[lo] : NULL;
}

/* The BPF path: this PID's descriptors, found already. */
static void
pre_hits(struct worker *w, pid_t pid)
{
	size_t lo = 0, hi = w->npre;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->pre[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < w->npre && w->pre[lo].pid == pid; lo++) {
		xgrow((void **)&w->hits, &w->hcap, w->nhits + 1,
		    sizeof(*w->hits));
		w->hits[w->nhits++] = w->pre[lo];
	}
}

/* The details of a process holding wanted descriptors, kept in w's
 * list: 1, or 0 (counted as why: exited, PID reused, unreadable). */
static int
keep_details(struct worker *w, int dfd, pid_t pid, struct strbuf *sb,
    const struct bpf_procrec *bp)
{
	struct proc_rec pr;

	switch (read_details(w, dfd, pid, sb, &pr, bp)) {
	case DETAILS_OK:
		xgrow((void **)&w->procs, &w->pcap, w->nprocs + 1,
		    sizeof(*w->procs));
		w->procs[w->nprocs++] = pr;
		return 1;
	case DETAILS_GONE:
		w->vanished++;
		break;
	case DETAILS_REUSED:
		w->reused++;
		break;
	case DETAILS_MALFORMED:
		w->malformed++;
		break;
	}
	return 0;
}

static void
scan_pid(struct worker *w, pid_t pid, char *dents, size_t dsize,
    struct strbuf *sb)
{
	char name[16], link[64];
	int dfd, fdd, unreadable = 0;
	size_t first = w->nhits;
	const struct bpf_procrec *bp = w->pre ? bproc_of(w, pid) : NULL;

	snprintf(name, sizeof(name), "%d", (int)pid);
	dfd = openat(w->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		w->vanished++;
		return;
	}
	w->scanned++;
	if (bp) {
		pre_hits(w, pid);
		goto details;
	}
	fdd = openat(dfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if (errno == EACCES || errno == EPERM)
			w->denied++;
		else
			w->vanished++;
		close(dfd);
		return;
	}
	for (;;) {
		long n = syscall(SYS_getdents64, fdd, dents, dsize);
		long off;

		if (n < 0) {
			/* gone half-way: what was read proves nothing */
			w->vanished++;
			w->nhits = first;
			close(fdd);
			close(dfd);
			return;
		}
		if (n == 0)
			break;
		for (off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(dents + off);
			ssize_t len;
			uint64_t ino, fdnum;

			if (d->d_reclen == 0)
				break;
			off += d->d_reclen;
			if (d->d_name[0] < '0' || d->d_name[0] > '9')
				continue;
			len = readlinkat(fdd, d->d_name, link, sizeof(link));
			if (len < 0 && (errno == EACCES || errno == EPERM))
				unreadable = 1;	/* a protected process */
			if (len <= 0 || len >= (ssize_t)sizeof(link))
				continue;
			if (len < 10 || memcmp(link, "socket:[", 8) != 0 ||
			    link[len - 1] != ']') {
				if (w->need & PS_NEED_NSFDS)
					note_nsfd(w, pid, fdd, d->d_name, link,
					    (size_t)len);
				continue;
			}
			if (num_parse_u64(link + 8, (size_t)len - 9, 10, 1,
			    UINT64_MAX, &ino) != 0)
				continue;
			if (!set_has(w->set, ino)) {
				if (w->need & PS_NEED_ALLSOCKS)
					note_other(w, pid, d->d_name, ino);
				continue;
			}
			if (num_parse_str(d->d_name, 0, INT32_MAX, &fdnum) != 0)
				continue;
			xgrow((void **)&w->hits, &w->hcap, w->nhits + 1,
			    sizeof(*w->hits));
			w->hits[w->nhits].inode = ino;
			w->hits[w->nhits].pid = pid;
			w->hits[w->nhits].fd = (int)fdnum;
			w->nhits++;
		}
	}
	close(fdd);
	if (unreadable)
		w->denied++;
details:
	/* never attribute to a ghost: a process that is gone, or another
	 * under its PID, keeps none of its descriptors */
	if (w->nhits > first && !keep_details(w, dfd, pid, sb, bp))
		w->nhits = first;
	close(dfd);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	size_t dsize = 32768;
	char *dents = xmalloc(dsize);
	struct strbuf sb;

	strbuf_init(&sb, CMDLINE_MAX);
	for (;;) {
		size_t i = __atomic_fetch_add(w->next, CHUNK, __ATOMIC_RELAXED);
		size_t end = i + CHUNK;

		if (i >= w->npids)
			break;
		if (end > w->npids)
			end = w->npids;
		for (; i < end; i++)
			scan_pid(w, w->pids[i], dents, dsize, &sb);
	}
	strbuf_release(&sb);
	free(dents);
	return NULL;
}

static double
read_btime(void)
{
	struct strbuf sb;
	const char *p;
	uint64_t v = 0;

	strbuf_init(&sb, 1u << 20);
	if (sysroot_read("/proc/stat", 1u << 20, &sb) == 0 &&
	    (p = strstr(strbuf_str(&sb), "\nbtime ")) != NULL) {
		const char *f = p + 7, *e = f;

		while (*e >= '0' && *e <= '9')
			e++;
		if (num_parse_u64(f, (size_t)(e - f), 10, 0, UINT32_MAX, &v))
			v = 0;
	}
	strbuf_release(&sb);
	return (double)v;
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int
proc_cmp(const void *a, const void *b)
{
	const struct proc_rec *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static size_t
proc_index(const struct procscan *ps, pid_t pid)
{
	size_t lo = 0, hi = ps->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
nsfd_cmp(const void *a, const void *b)
{
	const struct ns_fd *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The workers' namespace descriptors, one per namespace. */
static void
merge_nsfds(struct procscan *ps, struct worker *ws, int n)
{
	size_t total = 0, cap = 0, k = 0;

	for (int t = 0; t < n; t++) {
		xgrow((void **)&ps->nsfds, &cap, total + ws[t].nnsfds,
		    sizeof(*ps->nsfds));
		if (ws[t].nnsfds)
			memcpy(ps->nsfds + total, ws[t].nsfds,
			    ws[t].nnsfds * sizeof(*ps->nsfds));
		total += ws[t].nnsfds;
		free(ws[t].nsfds);
	}
	if (total == 0)
		return;
	qsort(ps->nsfds, total, sizeof(*ps->nsfds), nsfd_cmp);
	for (size_t i = 0; i < total; i++)
		if (k == 0 || ps->nsfds[k - 1].inode != ps->nsfds[i].inode)
			ps->nsfds[k++] = ps->nsfds[i];
	ps->nnsfds = k > PS_NSFDS_MAX ? PS_NSFDS_MAX : k;
}

static void
merge_others(struct procscan *ps, struct worker *ws, int n)
{
	size_t total = 0, cap = 0;

	for (int t = 0; t < n; t++) {
		xgrow((void **)&ps->others, &cap, total + ws[t].nothers,
		    sizeof(*ps->others));
		if (ws[t].nothers)
			memcpy(ps->others + total, ws[t].others,
			    ws[t].nothers * sizeof(*ps->others));
		total += ws[t].nothers;
		ps->others_cut |= ws[t].others_cut;
		free(ws[t].others);
	}
	if (total > 1)
		qsort(ps->others, total, sizeof(*ps->others), nsfd_cmp);
	ps->nothers = total;
}

/* Merge the workers' hits into owners grouped by (inode, pid). */
static void
merge(struct procscan *ps, struct worker *ws, int n)
{
	struct hit *hits = NULL;
	size_t nhits = 0, hcap = 0, i, j, np = 0, nown, nmulti;
	int t;

	merge_nsfds(ps, ws, n);
	merge_others(ps, ws, n);
	for (t = 0; t < n; t++) {
		if (nhits == 0 && hits == NULL) {
			/* the first worker's list is taken, not copied */
			hits = ws[t].hits;
			nhits = hcap = ws[t].nhits;
		} else {
			xgrow((void **)&hits, &hcap, nhits + ws[t].nhits,
			    sizeof(*hits));
			if (ws[t].nhits)
				memcpy(hits + nhits, ws[t].hits,
				    ws[t].nhits * sizeof(*hits));
			nhits += ws[t].nhits;
			free(ws[t].hits);
		}
		ws[t].hits = NULL;
		np += ws[t].nprocs;
	}
	ps->procs = xcalloc(np ? np : 1, sizeof(*ps->procs));
	for (t = 0; t < n; t++) {
		if (ws[t].nprocs)
			memcpy(ps->procs + ps->nprocs, ws[t].procs,
			    ws[t].nprocs * sizeof(*ps->procs));
		ps->nprocs += ws[t].nprocs;
		ps->scanned += ws[t].scanned;
		ps->denied += ws[t].denied;
		ps->vanished += ws[t].vanished;
		ps->reused += ws[t].reused;
		ps->malformed += ws[t].malformed;
		free(ws[t].procs);
	}
	if (ps->nprocs)
		qsort(ps->procs, ps->nprocs, sizeof(*ps->procs), proc_cmp);
	if (nhits)
		qsort(hits, nhits, sizeof(*hits), hit_cmp);
	/* counted first, so both arrays are made at their size: the
	 * owners, and the descriptors of those holding more than one (a
	 * socket is mostly held by one descriptor, kept in its owner) */
	for (i = 0, nown = 0, nmulti = 0; i < nhits; i = j) {
		for (j = i + 1; j < nhits && hits[j].inode == hits[i].inode &&
		    hits[j].pid == hits[i].pid; j++)
			;
		nown++;
		nmulti += j - i > 1 ? j - i : 0;
	}
	ps->owners = xcalloc(nown ? nown : 1, sizeof(*ps->owners));
	ps->fdstore = xcalloc(nmulti ? nmulti : 1, sizeof(*ps->fdstore));
	for (i = 0, nmulti = 0; i < nhits; i = j) {
		struct owner *o = &ps->owners[ps->nowners++];
		size_t k;

		for (j = i + 1; j < nhits && hits[j].inode == hits[i].inode &&
		    hits[j].pid == hits[i].pid; j++)
			;
		o->inode = hits[i].inode;
		o->pid = hits[i].pid;
		o->nfds = (uint32_t)(j - i);
		o->proc = proc_index(ps, o->pid);
		if (j - i == 1) {
			o->fd = hits[i].fd;
			continue;
		}
		o->fd = (int)nmulti;
		for (k = i; k < j; k++)
			ps->fdstore[nmulti++] = hits[k].fd;
	}
	free(hits);
}

const int *
procscan_fds(const struct procscan *ps, const struct owner *o)
{
	return o->nfds == 1 ? &o->fd : ps->fdstore + o->fd;
}

/* All numeric entries of /proc. */
static pid_t *
list_pids(int procfd, size_t *n)
{
	pid_t *pids = NULL;
	size_t cap = 0;
	DIR *d;
	struct dirent *de;
	int fd = dup(procfd);

	*n = 0;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t v;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    num_parse_str(de->d_name, 1, INT32_MAX, &v) != 0)
			continue;
		xgrow((void **)&pids, &cap, *n + 1, sizeof(*pids));
		pids[(*n)++] = (pid_t)v;
	}
	closedir(d);
	return pids;
}

/* How many processes /proc shows (for the BPF threshold). */
static size_t
count_pids(void)
{
	int fd = sysroot_open("/proc", O_RDONLY | O_DIRECTORY);
	size_t n = 0;
	pid_t *pids = fd >= 0 ? list_pids(fd, &n) : NULL;

	free(pids);
	if (fd >= 0)
		close(fd);
	return n;
}

/* A scan under way, between procscan_start() and procscan_finish(). */
struct scan {
	struct inode_set	 set;
	struct worker		 ws[MAX_THREADS];
	int			 started;
	size_t			 npids, next;
	pid_t			*pids;
	int			 procfd;
	struct hit		*pre;		/* the BPF path's descriptors */
	size_t			 npre;
	struct bpf_scan		 bs;		/* and its processes */
};

static int
pre_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Can the BPF iterator stand in for the walk?  Not when asked not to,
 * under a fixture root, without root, or on a host of so few processes
 * that the walk ends before the program is loaded.
 */
static int no_bpf;

void
procscan_set_no_bpf(int on)
{
	no_bpf = on;
}

/*
 * The iterator run ahead, on a thread of its own, while the caller reads
 * the socket tables: the first scan of the run takes its records (a
 * socket made after them has no owner there, and is asked again as the
 * unowned are).  One at a time; later scans run it afresh.
 */
static struct {
	pthread_t		 thread;
	int			 running;
	int			 rc;
	struct bpf_scan		 s;		/* the load's figures */
	struct bpf_stream	 st;		/* the records, as they come */
	char			 why[128];
} pre;

static void *
prefetch_main(void *arg)
{
	(void)arg;
	pre.rc = bpfiter_scan_stream(&pre.s, pre.why, sizeof(pre.why),
	    &pre.st);
	return NULL;
}

static size_t count_pids(void);

/* A run-ahead no scan took (its listing wanted no owners): dropped, so
 * that no later scan takes records older than its own socket tables. */
static void
drop_prefetch(void)
{
	if (!pre.running)
		return;
	pthread_join(pre.thread, NULL);
	pre.running = 0;
	bpfiter_release(&pre.s);
	bpfiter_stream_release(&pre.st);
}

void
procscan_prefetch_bpf(void)
{
	drop_prefetch();
	if (no_bpf || sysroot_is_fixture() || geteuid() != 0 ||
	    count_pids() < BPF_MIN_PIDS)
		return;
	bpfiter_stream_init(&pre.st);
	if (pthread_create(&pre.thread, NULL, prefetch_main, NULL) == 0)
		pre.running = 1;
	else
		bpfiter_stream_release(&pre.st);
}

int
procscan_ahead(void)
{
	return pre.running;
}

/* The run-ahead records, if there are: 0, -1 (none ahead) or -2 (the
 * iterator failed, or what it wrote is malformed or not this
 * namespace's: why then says so, and it is not tried again). */
static int
take_prefetch(struct bpf_scan *out, char *why, size_t sz, double *waited)
{
	double t0;
	int rc = 0;

	if (!pre.running)
		return -1;
	t0 = clock_ms();
	pthread_join(pre.thread, NULL);
	*waited = pre.st.ms_waited + clock_ms() - t0;
	pre.running = 0;
	if (pre.rc < 0) {
		snprintf(why, sz, "%s", pre.why);
		rc = -2;
	} else if (bpfiter_stream_take(&pre.st, out, why, sz) < 0) {
		rc = -2;
	} else {
		out->ms_load = pre.s.ms_load;
		out->ms_read = pre.s.ms_read;
		memcpy(out->loader, pre.s.loader, sizeof(out->loader));
	}
	bpfiter_release(&pre.s);
	bpfiter_stream_release(&pre.st);
	return rc;
}

/*
 * While the run-ahead iterator still walks the later processes' files,
 * the owners among those it has written are read from /proc on this
 * thread (the iterator's keeps the other CPU busy): by the end of the
 * walk most owners are read.  Those it has not reached by then are the
 * workers', as on the path without a stream.  Only rising PIDs are taken
 * (the iterator's order; a thread with descriptors of its own comes
 * later, under its process's PID, and is left to the workers).  What is
 * read here is kept only if the whole output then parses and passes the
 * check (PIDs of another PID namespace are read in vain, and dropped
 * with the rest).
 */
struct early_pid {
	pid_t			 pid;		/* first: pid_cmp() finds it */
	int			 kept;
};

struct early {
	const struct inode_set	*set;
	struct bpf_procrec	 cur;		/* the process being written */
	int			 have_cur;
	pid_t			 last;		/* the last PID queued */
	struct bpf_procrec	*queue;		/* owners to read */
	size_t			 nqueue, qcap;
	struct worker		 w;		/* what was read, and counts */
	struct early_pid	*done;		/* the PIDs read, rising */
	size_t			 ndone, dcap;
};

static void
early_record(void *arg, const struct bpf_sockfd *h, const unsigned char *rec)
{
	struct early *e = arg;

	if (h->kind == BPF_SOCKFD_PROCESS) {
		memcpy(&e->cur, rec, sizeof(e->cur));
		e->have_cur = 1;
		return;
	}
	if (h->kind != BPF_SOCKFD_SOCKET || !e->have_cur ||
	    e->cur.hdr.pid != h->pid || h->pid > INT32_MAX ||
	    (pid_t)h->pid <= e->last || !set_has(e->set, h->ino))
		return;
	xgrow((void **)&e->queue, &e->qcap, e->nqueue + 1, sizeof(*e->queue));
	e->queue[e->nqueue++] = e->cur;
	e->last = (pid_t)h->pid;
}

static void
read_early(struct early *e, struct strbuf *sb)
{
	size_t off = 0;
	int more;

	for (;;) {
		more = bpfiter_stream_next(&pre.st, &off, early_record, e);
		/* the iterator done, the owners still to read are the
		 * workers', on every CPU */
		if (more <= 0)
			break;
		for (size_t i = 0; i < e->nqueue; i++) {
			pid_t pid = (pid_t)e->queue[i].hdr.pid;
			char name[16];
			int dfd, kept = 0;

			snprintf(name, sizeof(name), "%d", (int)pid);
			dfd = openat(e->w.procfd, name, O_RDONLY |
			    O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0) {
				e->w.vanished++;
			} else {
				e->w.scanned++;
				kept = keep_details(&e->w, dfd, pid, sb,
				    &e->queue[i]);
				close(dfd);
			}
			xgrow((void **)&e->done, &e->dcap, e->ndone + 1,
			    sizeof(*e->done));
			e->done[e->ndone].pid = pid;
			e->done[e->ndone++].kept = kept;
		}
		e->nqueue = 0;
	}
	e->nqueue = 0;
}

static void
early_release(struct early *e, int keep)
{
	if (!keep)
		for (size_t i = 0; i < e->w.nprocs; i++)
			proc_rec_clear(&e->w.procs[i]);
	free(e->w.procs);
	free(e->queue);
	free(e->done);
	memset(e, 0, sizeof(*e));
}

static int
bproc_cmp(const void *a, const void *b)
{
	const struct bpf_procrec *x = a, *y = b;

	return (x->hdr.pid > y->hdr.pid) - (x->hdr.pid < y->hdr.pid);
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int
bpf_usable(unsigned int need, size_t npids, struct procscan *ps)
{
	const char *why = NULL;

	if ((need & PS_NO_BPF) || no_bpf)
		why = "--no-bpf";
	else if (sysroot_is_fixture())
		why = "a fixture root (--root)";
	else if (geteuid() != 0)
		why = "not root";
	else if (npids < BPF_MIN_PIDS)
		snprintf(ps->path_why, sizeof(ps->path_why), "%zu processes: "
		    "the walk is quicker than loading the program", npids);
	if (why)
		snprintf(ps->path_why, sizeof(ps->path_why), "%s", why);
	return ps->path_why[0] == '\0';
}

/*
 * The BPF path: every socket and network namespace descriptor of every
 * process in one pass.  The wanted sockets' descriptors become the hits
 * the workers hand out by PID (they then read only the owners), the
 * rest as PS_NEED_ALLSOCKS and PS_NEED_NSFDS ask.  0, or -1 with
 * ps->path_why.
 */
static int
bpf_walk(struct scan *sc, struct procscan *ps, unsigned int need,
    struct worker *w0)
{
	struct bpf_scan *bs = &sc->bs;
	struct bpf_procrec *bp;
	struct early e;
	pid_t *listed = sc->pids;
	size_t nlisted = sc->npids, pcap = 0, k = 0;

	memset(&e, 0, sizeof(e));
	if (pre.running) {
		struct strbuf sb;

		e.set = &sc->set;
		e.w = *w0;	/* its settings; its lists stay empty */
		e.w.hits = NULL;
		e.w.procs = NULL;
		e.w.nsfds = e.w.others = NULL;
		strbuf_init(&sb, CMDLINE_MAX);
		read_early(&e, &sb);
		strbuf_release(&sb);
	}
	switch (take_prefetch(bs, ps->path_why, sizeof(ps->path_why),
	    &ps->bpf_ms_wait)) {
	case 0:
		break;
	case -1:
		if (bpfiter_scan(bs, ps->path_why, sizeof(ps->path_why)) < 0)
			return -1;
		break;
	default:
		early_release(&e, 0);
		return -1;
	}
	/* the namespaces held as descriptors, then the wanted sockets'
	 * descriptors become hits in place, in the iterator's own buffer
	 * (the same 16 bytes: no second array of the whole size) */
	_Static_assert(sizeof(struct hit) == sizeof(struct bpf_fd),
	    "hits are made where the descriptors were");
	for (size_t i = 0; i < bs->nnsfds && (need & PS_NEED_NSFDS); i++) {
		if (w0->nnsfds >= PS_NSFDS_MAX)
			break;
		push_fd(&w0->nsfds, &w0->nnsfds, &w0->ncap, bs->nsfds[i].ino,
		    (pid_t)bs->nsfds[i].pid, (int)bs->nsfds[i].fd);
	}
	char *buf = bs->fds ? (char *)bs->fds : xcalloc(1, sizeof(struct hit));

	bs->fds = NULL;
	for (size_t i = 0; i < bs->nfds; i++) {
		struct bpf_fd r;
		struct hit h;

		memcpy(&r, buf + i * sizeof(r), sizeof(r));
		h.inode = r.ino;
		h.pid = (pid_t)r.pid;
		h.fd = (int)r.fd;
		if (set_has(&sc->set, h.inode)) {
			memcpy(buf + sc->npre++ * sizeof(h), &h, sizeof(h));
		} else if (need & PS_NEED_ALLSOCKS) {
			if (w0->nothers >= PS_OTHERS_MAX) {
				w0->others_cut = 1;
				continue;
			}
			push_fd(&w0->others, &w0->nothers, &w0->ocap, h.inode,
			    h.pid, h.fd);
		}
	}
	ps->bpf_ms_load = bs->ms_load;
	ps->bpf_ms_read = bs->ms_read;
	memcpy(ps->bpf_loader, bs->loader, sizeof(ps->bpf_loader));
	bs->nfds = 0;
	/* trimmed to the hits (never NULL: a worker's pre marks the path) */
	sc->pre = xreallocarray(buf, sc->npre ? sc->npre : 1,
	    sizeof(*sc->pre));
	qsort(sc->pre, sc->npre, sizeof(*sc->pre), pre_cmp);
	/* the processes, once each (threads of one process that do not
	 * share their descriptor table are visited apart) */
	bp = bs->procs;
	qsort(bp, bs->nprocs, sizeof(*bp), bproc_cmp);
	for (size_t i = 0; i < bs->nprocs; i++)
		if (k == 0 || bp[k - 1].hdr.pid != bp[i].hdr.pid)
			bp[k++] = bp[i];
	bs->nprocs = k;
	/* to read: the owners, and every process /proc lists that the
	 * iterator did not visit (one it was kept from, one started
	 * since; a kernel thread's empty table costs one look) */
	sc->pids = NULL;
	sc->npids = 0;
	for (size_t i = 0; i < sc->npre; i++) {
		const struct early_pid *at;

		if (sc->npids && sc->pids[sc->npids - 1] == sc->pre[i].pid)
			continue;
		at = e.ndone ? bsearch(&sc->pre[i].pid, e.done, e.ndone,
		    sizeof(*e.done), pid_cmp) : NULL;
		if (at) {
			/* read already: its descriptors kept with it, or
			 * dropped with it */
			for (; i < sc->npre && sc->pre[i].pid == at->pid; i++)
				if (at->kept) {
					xgrow((void **)&w0->hits, &w0->hcap,
					    w0->nhits + 1, sizeof(*w0->hits));
					w0->hits[w0->nhits++] = sc->pre[i];
				}
			i--;
			continue;
		}
		xgrow((void **)&sc->pids, &pcap, sc->npids + 1,
		    sizeof(*sc->pids));
		sc->pids[sc->npids++] = sc->pre[i].pid;
	}
	/* the early ones' details are the first worker's */
	w0->procs = e.w.procs;
	w0->nprocs = e.w.nprocs;
	w0->pcap = e.w.pcap;
	e.w.procs = NULL;
	w0->scanned += e.w.scanned;
	w0->vanished += e.w.vanished;
	w0->reused += e.w.reused;
	w0->malformed += e.w.malformed;
	ps->early = (unsigned int)e.w.nprocs;
	early_release(&e, 1);
	for (size_t i = 0; i < nlisted; i++) {
		struct bpf_procrec key;

		key.hdr.pid = (uint32_t)listed[i];
		if (bsearch(&key, bp, bs->nprocs, sizeof(*bp), bproc_cmp))
			continue;
		xgrow((void **)&sc->pids, &pcap, sc->npids + 1,
		    sizeof(*sc->pids));
		sc->pids[sc->npids++] = listed[i];
		ps->unvisited++;
	}
	free(listed);
	if (sc->npids > 1)
		qsort(sc->pids, sc->npids, sizeof(*sc->pids), pid_cmp);
	ps->path = "bpf";
	return 0;
}

void
procscan_start(uint64_t *inodes, size_t ninodes, int nthreads,
    unsigned int need, struct procscan *ps)
{
	struct scan *sc;
	struct stat nst;
	dev_t nsfs_dev = 0;
	double btime;
	long hz = sysconf(_SC_CLK_TCK);
	int t;

	memset(ps, 0, sizeof(*ps));
	sc = xcalloc(1, sizeof(*sc));
	ps->scan = sc;
	sc->started = 1;	/* worker 0, the caller, in procscan_finish() */
	sc->procfd = sysroot_open("/proc", O_RDONLY | O_DIRECTORY);
	if (sc->procfd < 0) {
		ps->proc_unreadable = 1;
		notes_add("cannot open '/proc': %s; owners are not shown",
		    strerror(errno));
		free(inodes);
		return;
	}
	if (nthreads <= 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = cpus > 0 ? (int)cpus : 1;
	}
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	/* Nothing wanted: no process can hold it, skip the walk. */
	sc->pids = ninodes || (need & (PS_NEED_NSFDS | PS_NEED_ALLSOCKS)) ?
	    list_pids(sc->procfd, &sc->npids) : NULL;
	set_build(&sc->set, inodes, ninodes);
	free(inodes);	/* before the iterator's records are sorted through */
	ps->path = "proc";
	btime = read_btime();
	if ((need & PS_NEED_NSFDS) && stat("/proc/self/ns/net", &nst) == 0)
		nsfs_dev = nst.st_dev;
	for (t = 0; t < MAX_THREADS; t++) {
		struct worker *w = &sc->ws[t];

		w->set = &sc->set;
		w->procfd = sc->procfd;
		w->next = &sc->next;
		w->btime = btime;
		w->hz = hz > 0 ? hz : 100;
		w->need = need;
		w->nsfs_dev = nsfs_dev;
	}
	if (sc->pids && bpf_usable(need, sc->npids, ps) &&
	    bpf_walk(sc, ps, need, &sc->ws[0]) < 0)
		ps->path = "proc";
	drop_prefetch();	/* a run-ahead this scan did not take */
	if ((size_t)nthreads > sc->npids / 16 + 1)
		nthreads = (int)(sc->npids / 16 + 1);
	for (t = 0; t < nthreads; t++) {
		struct worker *w = &sc->ws[t];

		w->pids = sc->pids;
		w->npids = sc->npids;
		if (strcmp(ps->path, "bpf") == 0) {
			w->pre = sc->pre;
			w->npre = sc->npre;
			w->bprocs = sc->bs.procs;
			w->nbprocs = sc->bs.nprocs;
		}
	}
	/* Workers 1..n-1 start now; the caller joins in at finish. */
	for (; sc->started < nthreads; sc->started++)
		if (pthread_create(&sc->ws[sc->started].thread, NULL,
		    worker_main, &sc->ws[sc->started]) != 0)
			break;
}

void
procscan_finish(struct procscan *ps)
{
	struct scan *sc = ps->scan;
	int t;

	if (sc == NULL)
		return;
	if (sc->procfd >= 0) {
		worker_main(&sc->ws[0]);
		for (t = 1; t < sc->started; t++)
			pthread_join(sc->ws[t].thread, NULL);
		/* what the workers looked in, not needed by the merge */
		set_free(&sc->set);
		free(sc->pre);
		sc->pre = NULL;
		merge(ps, sc->ws, sc->started);
		close(sc->procfd);
	}
	set_free(&sc->set);
	free(sc->pids);
	free(sc->pre);
	bpfiter_release(&sc->bs);
	free(sc);
	ps->scan = NULL;
}

void
procscan_run(const uint64_t *inodes, size_t ninodes, int nthreads,
    unsigned int need, struct procscan *ps)
{
	uint64_t *copy = xcalloc(ninodes ? ninodes : 1, sizeof(*copy));

	if (ninodes)
		memcpy(copy, inodes, ninodes * sizeof(*copy));
	procscan_start(copy, ninodes, nthreads, need, ps);
	procscan_finish(ps);
}

size_t
procscan_owners_of(const struct procscan *ps, uint64_t inode, size_t *first)
{
	size_t lo = 0, hi = ps->nowners, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->owners[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (end = lo; end < ps->nowners && ps->owners[end].inode == inode; end++)
		;
	return end - lo;
}

void
procscan_release(struct procscan *ps)
{
	size_t i;

	free(ps->fdstore);
	for (i = 0; i < ps->nprocs; i++)
		proc_rec_clear(&ps->procs[i]);
	free(ps->owners);
	free(ps->procs);
	free(ps->nsfds);
	free(ps->others);
	memset(ps, 0, sizeof(*ps));
}
