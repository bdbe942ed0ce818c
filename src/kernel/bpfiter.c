/*
 * bpfiter.c - run the socket-descriptor iterator once, and read what it
 * wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/bpfiter.h"
#include "util/xmalloc.h"
#include "util/clock.h"

#ifdef HAVE_BPF
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "util/dl.h"

/*
 * libbpf, for the fallback only: opened when the light skeleton is
 * refused (util/dl.h).  The libbpf skeleton's inline functions call
 * these by name; the names are pointed at the table before it is
 * included.
 */
static struct {
	__typeof__(bpf_object__open_skeleton)	*bpf_object__open_skeleton;
	__typeof__(bpf_object__load_skeleton)	*bpf_object__load_skeleton;
	__typeof__(bpf_object__attach_skeleton)	*bpf_object__attach_skeleton;
	__typeof__(bpf_object__detach_skeleton)	*bpf_object__detach_skeleton;
	__typeof__(bpf_object__destroy_skeleton)
					*bpf_object__destroy_skeleton;
	__typeof__(bpf_program__fd)		*bpf_program__fd;
	__typeof__(libbpf_set_print)		*libbpf_set_print;
} bpf;
static const struct dl_sym bpf_syms[] = {
	DL_SYM(bpf, bpf_object__open_skeleton),
	DL_SYM(bpf, bpf_object__load_skeleton),
	DL_SYM(bpf, bpf_object__attach_skeleton),
	DL_SYM(bpf, bpf_object__detach_skeleton),
	DL_SYM(bpf, bpf_object__destroy_skeleton),
	DL_SYM(bpf, bpf_program__fd),
	DL_SYM(bpf, libbpf_set_print),
};
static struct dl_lib bpf_lib = DL_LIB(PS_SONAME_BPF, bpf_syms);
#define bpf_object__open_skeleton	bpf.bpf_object__open_skeleton
#define bpf_object__load_skeleton	bpf.bpf_object__load_skeleton
#define bpf_object__attach_skeleton	bpf.bpf_object__attach_skeleton
#define bpf_object__detach_skeleton	bpf.bpf_object__detach_skeleton
#define bpf_object__destroy_skeleton	bpf.bpf_object__destroy_skeleton

#include "sockfd.skel.h"
#include "sockfd.lskel.h"
#endif

#include "util/banned.h"

#define BYTES_MAX	(512u << 20)	/* far past any real host */

_Static_assert(sizeof(struct bpf_sockfd) == 24, "the program's record");
_Static_assert(sizeof(struct bpf_procrec) == 88, "the program's record");
_Static_assert(sizeof(struct bpf_fd) <= sizeof(struct bpf_sockfd),
    "a descriptor kept fits where its record was read");

void
bpfiter_release(struct bpf_scan *s)
{
	free(s->fds);
	free(s->nsfds);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

int
bpfiter_parse(const unsigned char *buf, size_t len, struct bpf_scan *out,
    char *why, size_t whysz)
{
	unsigned char *copy = xmalloc(len ? len : 1);

	if (len)
		memcpy(copy, buf, len);
	return bpfiter_parse_owned(copy, len, out, why, whysz);
}

int
bpfiter_parse_owned(unsigned char *buf, size_t len, struct bpf_scan *out,
    char *why, size_t whysz)
{
	size_t off = 0, nfds = 0, nns = 0, nprocs = 0;
	uint32_t cur = 0;
	int have_cur = 0;

	memset(out, 0, sizeof(*out));
	/* count first: two allocations of the right size */
	for (int pass = 0; pass < 2; pass++) {
		off = 0;
		have_cur = 0;
		nfds = nns = nprocs = 0;
		while (off < len) {
			struct bpf_sockfd h;
			size_t sz = sizeof(h);

			if (len - off >= sizeof(h)) {
				memcpy(&h, buf + off, sizeof(h));
				if (h.kind == BPF_SOCKFD_PROCESS)
					sz = sizeof(struct bpf_procrec);
			}
			if (len - off < sz) {
				snprintf(why, whysz, "the iterator's output "
				    "ends inside a record (%zu bytes)", len);
				goto bad;
			}
			switch (h.kind) {
			case BPF_SOCKFD_SOCKET:
			case BPF_SOCKFD_NETNS:
				if (!have_cur || h.pid != cur) {
					snprintf(why, whysz, "the iterator "
					    "wrote a descriptor of PID %u "
					    "before its process", h.pid);
					goto bad;
				}
				if (pass) {
					struct bpf_fd k = { h.ino, h.pid,
					    h.fd };

					/* a socket's moved down in place:
					 * the write (16 bytes a record)
					 * stays behind the read (24) */
					if (h.kind == BPF_SOCKFD_NETNS)
						out->nsfds[nns] = k;
					else
						memcpy(buf + nfds * sizeof(k),
						    &k, sizeof(k));
				}
				if (h.kind == BPF_SOCKFD_NETNS)
					nns++;
				else
					nfds++;
				break;
			case BPF_SOCKFD_PROCESS:
				if (pass)
					memcpy(&out->procs[nprocs], buf + off,
					    sz);
				nprocs++;
				cur = h.pid;
				have_cur = 1;
				break;
			default:
				snprintf(why, whysz, "the iterator wrote a "
				    "record of unknown kind %u", h.kind);
				goto bad;
			}
			off += sz;
		}
		if (pass == 0) {
			out->procs = xcalloc(nprocs ? nprocs : 1,
			    sizeof(*out->procs));
			out->nsfds = xcalloc(nns ? nns : 1,
			    sizeof(*out->nsfds));
		}
	}
	/* the descriptors are the front of the buffer, which becomes
	 * theirs: a million sockets' records are not held twice */
	out->fds = xreallocarray(buf, nfds ? nfds : 1, sizeof(*out->fds));
	out->nfds = nfds;
	out->nnsfds = nns;
	out->nprocs = nprocs;
	return 0;
bad:
	free(buf);
	bpfiter_release(out);
	return -1;
}

#ifdef HAVE_BPF
static int
quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Read the iterator to its end; -1 with errno on a failed read. */
static int
drain(int fd, unsigned char **out, size_t *n)
{
	size_t cap = 1u << 20, len = 0;
	unsigned char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;

		if (len + 65536 > cap) {
			if (cap >= BYTES_MAX) {
				free(buf);
				errno = E2BIG;
				return -1;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		r = read(fd, buf + len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out = buf;
	*n = len;
	return 0;
}

/* Is this process in the records as itself: its probe socket under its
 * PID, descriptor and inode, and its own parent and ids? */
static int
self_found(const struct bpf_scan *s, int probe, uint64_t probe_ino)
{
	uint32_t me = (uint32_t)getpid();
	int sock = 0, proc = 0;

	for (size_t i = 0; i < s->nfds && !sock; i++)
		sock = s->fds[i].pid == me &&
		    s->fds[i].fd == (uint32_t)probe &&
		    s->fds[i].ino == probe_ino;
	for (size_t i = 0; i < s->nprocs && !proc; i++) {
		const struct bpf_procrec *p = &s->procs[i];

		proc = p->hdr.pid == me && p->ppid == (uint32_t)getppid() &&
		    !(p->flags & BPF_PROC_NO_CRED) &&
		    p->uid == (uint32_t)getuid() &&
		    p->euid == (uint32_t)geteuid() &&
		    p->gid == (uint32_t)getgid() &&
		    p->egid == (uint32_t)getegid();
	}
	return sock && proc;
}
#endif

#ifdef HAVE_BPF
static int
sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Read the iterator to its end into the stream; -1 with errno. */
static int
drain_stream(int fd, struct bpf_stream *st)
{
	unsigned char *chunk = xmalloc(65536);
	int rc = 0;

	for (;;) {
		ssize_t r = read(fd, chunk, 65536);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r > 0 &&
		    bpfiter_stream_put(st, chunk, (size_t)r) < 0)) {
			rc = -1;
			break;
		}
		if (r == 0)
			break;
	}
	free(chunk);
	return rc;
}

/* Run the loaded program once (a link, an iterator on it, read to the
 * end), parse and check what it wrote: 0, or -1 with why.  With a
 * stream, the bytes go there, for its consumer to parse and check. */
static int
run_loaded(int prog_fd, struct bpf_scan *out, char *why, size_t whysz,
    struct bpf_stream *stream)
{
	union bpf_attr a;
	struct stat st;
	unsigned char *raw = NULL;
	size_t len = 0;
	int link, it = -1, probe, rc = -1;

	/* the check: a socket of this process, known here */
	probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0 || fstat(probe, &st) < 0) {
		snprintf(why, whysz, "no socket for the check: %s",
		    strerror(errno));
		if (probe >= 0)
			close(probe);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.attach_type = BPF_TRACE_ITER;
	link = sys_bpf(BPF_LINK_CREATE, &a);
	if (link >= 0) {
		memset(&a, 0, sizeof(a));
		a.iter_create.link_fd = (uint32_t)link;
		it = sys_bpf(BPF_ITER_CREATE, &a);
	}
	if (link < 0 || it < 0)
		snprintf(why, whysz, "no iterator: %s", strerror(errno));
	else if (stream) {
		if (drain_stream(it, stream) < 0)
			snprintf(why, whysz, "reading the iterator: %s",
			    strerror(errno));
		else {
			stream->probe_fd = probe;
			stream->probe_ino = (uint64_t)st.st_ino;
			rc = 0;
		}
	} else if (drain(it, &raw, &len) < 0)
		snprintf(why, whysz, "reading the iterator: %s",
		    strerror(errno));
	else if (bpfiter_parse_owned(raw, len, out, why, whysz) == 0) {
		if (self_found(out, probe, (uint64_t)st.st_ino))
			rc = 0;
		else {
			snprintf(why, whysz, "the kernel's PIDs or ids are "
			    "not this namespace's");
			bpfiter_release(out);
		}
	}
	/* (raw is taken by the parse, whatever its answer) */
	if (it >= 0)
		close(it);
	if (link >= 0)
		close(link);
	close(probe);
	return rc;
}
#endif

static int
scan(struct bpf_scan *out, char *why, size_t whysz, struct bpf_stream *stream)
{
#ifdef HAVE_BPF
	struct sockfd_light *light;
	struct sockfd *skel = NULL;
	double t0 = clock_ms(), t1;
	int prog_fd, rc, light_errno = 0;
	char loader[sizeof(out->loader)] = "the kernel from a light skeleton";

	memset(out, 0, sizeof(*out));
	/* First the light skeleton: the kernel relocates the program
	 * against its own BTF.  Before Linux 5.17 (no relocation in the
	 * kernel, no loader programs) libbpf does it, reading and parsing
	 * the kernel's BTF here. */
	light = sockfd_light__open();
	if (light && sockfd_light__load(light) != 0) {
		light_errno = errno;
		sockfd_light__destroy(light);
		light = NULL;
	} else if (light == NULL)
		light_errno = errno;
	if (light) {
		prog_fd = light->progs.sockfds.prog_fd;
	} else {
		char *cause = NULL;

		if (dl_load(&bpf_lib, &cause) != 0) {
			snprintf(why, whysz, "the kernel refused the light "
			    "skeleton (%s), and %s", strerror(light_errno),
			    cause);
			free(cause);
			return -1;
		}
		bpf.libbpf_set_print(quiet);
		skel = sockfd__open_and_load();
		if (skel == NULL) {
			snprintf(why, whysz, "the kernel refused the program: "
			    "%s (light skeleton: %s)", strerror(errno),
			    strerror(light_errno));
			return -1;
		}
		prog_fd = bpf.bpf_program__fd(skel->progs.sockfds);
		snprintf(loader, sizeof(loader), "libbpf, the light "
		    "skeleton refused: %s", strerror(light_errno));
	}
	t1 = clock_ms();
	rc = run_loaded(prog_fd, out, why, whysz, stream);
	if (rc == 0) {
		out->ms_load = t1 - t0;
		out->ms_read = clock_ms() - t1;
		memcpy(out->loader, loader, sizeof(loader));
	}
	if (light)
		sockfd_light__destroy(light);
	sockfd__destroy(skel);	/* NULL: nothing, libbpf not called */
	return rc;
#else
	(void)stream;
	memset(out, 0, sizeof(*out));
	snprintf(why, whysz, "built without BPF support");
	return -1;
#endif
}

int
bpfiter_scan(struct bpf_scan *out, char *why, size_t whysz)
{
	return scan(out, why, whysz, NULL);
}

int
bpfiter_scan_stream(struct bpf_scan *out, char *why, size_t whysz,
    struct bpf_stream *st)
{
	int rc = scan(out, why, whysz, st);

	bpfiter_stream_end(st);
	return rc;
}

void
bpfiter_stream_init(struct bpf_stream *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->cv, NULL);
	st->probe_fd = -1;
}

int
bpfiter_stream_put(struct bpf_stream *st, const void *bytes, size_t n)
{
	int rc = 0;

	pthread_mutex_lock(&st->mu);
	if (n > BYTES_MAX - st->len) {
		rc = -1;
	} else if (st->len + n > st->cap) {
		size_t cap = st->cap ? st->cap : 1u << 20;

		while (cap < st->len + n)
			cap *= 2;
		st->buf = xreallocarray(st->buf, cap, 1);
		st->cap = cap;
	}
	if (rc == 0) {
		memcpy(st->buf + st->len, bytes, n);
		st->len += n;
		pthread_cond_signal(&st->cv);
	}
	pthread_mutex_unlock(&st->mu);
	if (rc < 0)
		errno = E2BIG;
	return rc;
}

void
bpfiter_stream_end(struct bpf_stream *st)
{
	pthread_mutex_lock(&st->mu);
	st->done = 1;
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

/* The size of the whole record at off: 0 when it is not all there yet,
 * SIZE_MAX for a kind no record has.  Under the lock. */
static size_t
record_at(const struct bpf_stream *st, size_t off, struct bpf_sockfd *h)
{
	size_t sz = sizeof(*h);

	if (st->len - off < sizeof(*h))
		return 0;
	memcpy(h, st->buf + off, sizeof(*h));
	if (h->kind == BPF_SOCKFD_PROCESS)
		sz = sizeof(struct bpf_procrec);
	else if (h->kind != BPF_SOCKFD_SOCKET && h->kind != BPF_SOCKFD_NETNS)
		return SIZE_MAX;
	return st->len - off < sz ? 0 : sz;
}

int
bpfiter_stream_next(struct bpf_stream *st, size_t *off, bpf_record_fn *fn,
    void *arg)
{
	struct bpf_sockfd h;
	size_t sz;
	double t0;
	int rc = 1;

	pthread_mutex_lock(&st->mu);
	if (st->bad) {
		pthread_mutex_unlock(&st->mu);
		return -1;
	}
	t0 = clock_ms();
	while (!st->done && record_at(st, *off, &h) == 0)
		pthread_cond_wait(&st->cv, &st->mu);
	st->ms_waited += clock_ms() - t0;
	while ((sz = record_at(st, *off, &h)) != 0) {
		if (sz == SIZE_MAX) {
			st->bad = 1;
			rc = -1;
			break;
		}
		fn(arg, &h, st->buf + *off);
		*off += sz;
	}
	if (rc > 0 && st->done)
		rc = 0;	/* what is left, if anything, is cut short */
	pthread_mutex_unlock(&st->mu);
	return rc;
}

int
bpfiter_stream_take(struct bpf_stream *st, struct bpf_scan *out, char *why,
    size_t whysz)
{
	unsigned char *buf;
	size_t len;

	pthread_mutex_lock(&st->mu);
	buf = st->buf;
	len = st->len;
	st->buf = NULL;
	st->len = st->cap = 0;
	pthread_mutex_unlock(&st->mu);
	if (bpfiter_parse_owned(buf, len, out, why, whysz) < 0)
		return -1;
#ifdef HAVE_BPF
	if (!self_found(out, st->probe_fd, st->probe_ino)) {
		snprintf(why, whysz, "the kernel's PIDs or ids are not this "
		    "namespace's");
		bpfiter_release(out);
		return -1;
	}
	return 0;
#else
	snprintf(why, whysz, "built without BPF support");
	bpfiter_release(out);
	return -1;
#endif
}

void
bpfiter_stream_release(struct bpf_stream *st)
{
	free(st->buf);
	st->buf = NULL;
	st->len = st->cap = 0;
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->cv);
}
