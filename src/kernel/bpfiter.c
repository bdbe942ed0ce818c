/*
 * bpfiter.c - run the socket-descriptor iterator once.
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

#ifdef HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "sockfd.skel.h"
#endif

#include "util/banned.h"

#define RECS_MAX	(16u << 20)	/* records: far past any real host */

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
drain(int fd, struct bpf_sockfd **out, size_t *n)
{
	size_t cap = 4096, len = 0;
	unsigned char *buf = xmalloc(cap * sizeof(**out));

	for (;;) {
		ssize_t r;

		if (len + 65536 > cap * sizeof(**out)) {
			if (cap >= RECS_MAX) {
				free(buf);
				errno = E2BIG;
				return -1;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, sizeof(**out));
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
	*out = (struct bpf_sockfd *)buf;
	*n = len / sizeof(**out);
	return 0;
}
#endif

int
bpfiter_sockfds(struct bpf_sockfd **out, size_t *n, char *why, size_t whysz)
{
#ifdef HAVE_BPF
	struct sockfd *skel;
	struct bpf_link *link = NULL;
	struct stat st;
	int it = -1, probe, rc = -1, found = 0;

	*out = NULL;
	*n = 0;
	libbpf_set_print(quiet);
	/* the check: a socket of this process, known here */
	probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (probe < 0 || fstat(probe, &st) < 0) {
		snprintf(why, whysz, "no socket for the check: %s",
		    strerror(errno));
		if (probe >= 0)
			close(probe);
		return -1;
	}
	skel = sockfd__open_and_load();
	if (skel == NULL) {
		snprintf(why, whysz, "the kernel refused the program: %s",
		    strerror(errno));
		goto out;
	}
	link = bpf_program__attach_iter(skel->progs.sockfds, NULL);
	if (link == NULL) {
		snprintf(why, whysz, "no iterator: %s", strerror(errno));
		goto out;
	}
	it = bpf_iter_create(bpf_link__fd(link));
	if (it < 0) {
		snprintf(why, whysz, "no iterator: %s", strerror(errno));
		goto out;
	}
	if (drain(it, out, n) < 0) {
		snprintf(why, whysz, "reading the iterator: %s",
		    strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < *n && !found; i++)
		found = (*out)[i].pid == (uint32_t)getpid() &&
		    (*out)[i].fd == (uint32_t)probe &&
		    (*out)[i].ino == (uint64_t)st.st_ino;
	if (!found) {
		snprintf(why, whysz, "the kernel's PIDs are not this PID "
		    "namespace's");
		free(*out);
		*out = NULL;
		*n = 0;
		goto out;
	}
	rc = 0;
out:
	if (it >= 0)
		close(it);
	bpf_link__destroy(link);
	sockfd__destroy(skel);
	close(probe);
	return rc;
#else
	*out = NULL;
	*n = 0;
	snprintf(why, whysz, "built without BPF support");
	return -1;
#endif
}
