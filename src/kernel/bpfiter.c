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
self_found(const struct bpf_scan *s, int probe, const struct stat *st)
{
	uint32_t me = (uint32_t)getpid();
	int sock = 0, proc = 0;

	for (size_t i = 0; i < s->nfds && !sock; i++)
		sock = s->fds[i].pid == me &&
		    s->fds[i].fd == (uint32_t)probe &&
		    s->fds[i].ino == (uint64_t)st->st_ino;
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

/* Run the loaded program once (a link, an iterator on it, read to the
 * end), parse and check what it wrote: 0, or -1 with why. */
static int
run_loaded(int prog_fd, struct bpf_scan *out, char *why, size_t whysz)
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
	else if (drain(it, &raw, &len) < 0)
		snprintf(why, whysz, "reading the iterator: %s",
		    strerror(errno));
	else if (bpfiter_parse_owned(raw, len, out, why, whysz) == 0) {
		if (self_found(out, probe, &st))
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

int
bpfiter_scan(struct bpf_scan *out, char *why, size_t whysz)
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
	rc = run_loaded(prog_fd, out, why, whysz);
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
	memset(out, 0, sizeof(*out));
	snprintf(why, whysz, "built without BPF support");
	return -1;
#endif
}
