/* Unit tests for bpfiter.c: the reader of what the iterator wrote. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "kernel/bpfiter.h"

struct out {
	unsigned char	buf[4096];
	size_t		len;
};

static void
put_proc(struct out *o, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct bpf_procrec p;

	memset(&p, 0, sizeof(p));
	p.hdr.pid = pid;
	p.hdr.kind = BPF_SOCKFD_PROCESS;
	p.ppid = ppid;
	p.uid = 1000;
	p.start_ns = 1234567890123ULL;
	memcpy(p.comm, comm, strnlen(comm, sizeof(p.comm)));
	memcpy(o->buf + o->len, &p, sizeof(p));
	o->len += sizeof(p);
}

static void
put_fd(struct out *o, uint32_t pid, uint32_t fd, uint64_t ino, uint32_t kind)
{
	struct bpf_sockfd r = { pid, fd, ino, 0, kind };

	memcpy(o->buf + o->len, &r, sizeof(r));
	o->len += sizeof(r);
}

static void
t_parse(void **state)
{
	struct out o = { .len = 0 };
	struct bpf_scan s;
	char why[128] = "";

	(void)state;
	put_proc(&o, 10, 1, "sshd");
	put_fd(&o, 10, 3, 555, BPF_SOCKFD_SOCKET);
	put_fd(&o, 10, 4, 4026531840ULL, BPF_SOCKFD_NETNS);
	put_proc(&o, 11, 10, "a-name-of-16-ch!");	/* no NUL */
	put_proc(&o, 12, 1, "cron");	/* a process without sockets */
	put_fd(&o, 12, 0, 777, BPF_SOCKFD_SOCKET);
	assert_int_equal(bpfiter_parse(o.buf, o.len, &s, why, sizeof(why)), 0);
	assert_int_equal(s.nprocs, 3);
	assert_int_equal(s.nfds, 2);
	assert_int_equal(s.nnsfds, 1);
	assert_int_equal(s.procs[0].hdr.pid, 10);
	assert_int_equal(s.procs[0].ppid, 1);
	assert_int_equal(s.procs[0].uid, 1000);
	assert_true(s.procs[0].start_ns == 1234567890123ULL);
	assert_memory_equal(s.procs[1].comm, "a-name-of-16-ch!", 16);
	assert_int_equal(s.fds[0].fd, 3);
	assert_true(s.fds[0].ino == 555);
	assert_int_equal(s.fds[0].pid, 10);
	/* the namespace's descriptor apart, the sockets' in their order */
	assert_true(s.nsfds[0].ino == 4026531840ULL);
	assert_int_equal(s.nsfds[0].pid, 10);
	assert_int_equal(s.nsfds[0].fd, 4);
	assert_int_equal(s.fds[1].pid, 12);
	assert_int_equal(s.fds[1].fd, 0);
	assert_true(s.fds[1].ino == 777);
	bpfiter_release(&s);
	/* nothing at all: an empty host is not an error */
	assert_int_equal(bpfiter_parse(o.buf, 0, &s, why, sizeof(why)), 0);
	assert_int_equal(s.nprocs + s.nfds + s.nnsfds, 0);
	bpfiter_release(&s);
}

static void
t_malformed(void **state)
{
	struct out o = { .len = 0 };
	struct bpf_scan s;
	char why[128];

	(void)state;
	/* cut inside a process record, then inside a descriptor record */
	put_proc(&o, 10, 1, "sshd");
	put_fd(&o, 10, 3, 555, BPF_SOCKFD_SOCKET);
	for (size_t cut = 1; cut < o.len; cut++) {
		if (cut == sizeof(struct bpf_procrec))
			continue;	/* a whole process record */
		why[0] = '\0';
		assert_int_equal(bpfiter_parse(o.buf, cut, &s, why,
		    sizeof(why)), -1);
		assert_non_null(strstr(why, "ends inside a record"));
		assert_null(s.fds);
		assert_null(s.procs);
	}
	/* a descriptor before any process, or of another process */
	o.len = 0;
	put_fd(&o, 10, 3, 555, BPF_SOCKFD_SOCKET);
	assert_int_equal(bpfiter_parse(o.buf, o.len, &s, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "before its process"));
	o.len = 0;
	put_proc(&o, 10, 1, "sshd");
	put_fd(&o, 11, 3, 555, BPF_SOCKFD_SOCKET);
	assert_int_equal(bpfiter_parse(o.buf, o.len, &s, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "PID 11 before its process"));
	/* an unknown kind */
	o.len = 0;
	put_proc(&o, 10, 1, "sshd");
	put_fd(&o, 10, 3, 555, 7);
	assert_int_equal(bpfiter_parse(o.buf, o.len, &s, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "unknown kind 7"));
}

/* The producer: the bytes in pieces of every size from 1 to 29, so
 * that records arrive cut anywhere, then the end. */
struct feed {
	struct bpf_stream	*st;
	const unsigned char	*buf;
	size_t			 len;
};

static void *
feeder(void *arg)
{
	struct feed *f = arg;
	size_t off = 0, piece = 1;

	while (off < f->len) {
		size_t n = piece < f->len - off ? piece : f->len - off;

		(void)bpfiter_stream_put(f->st, f->buf + off, n);
		off += n;
		piece = piece % 29 + 1;
	}
	bpfiter_stream_end(f->st);
	return NULL;
}

struct seen {
	uint32_t	pid[64];
	uint32_t	kind[64];
	uint64_t	ino[64];
	size_t		n;
};

static void
note_record(void *arg, const struct bpf_sockfd *h, const unsigned char *rec)
{
	struct seen *s = arg;

	assert_memory_equal(h, rec, sizeof(*h));
	if (s->n < 64) {
		s->pid[s->n] = h->pid;
		s->kind[s->n] = h->kind;
		s->ino[s->n++] = h->ino;
	}
}

static void
t_stream(void **state)
{
	struct out o = { .len = 0 };
	struct bpf_stream st;
	struct bpf_scan s;
	struct feed f;
	struct seen seen = { .n = 0 };
	pthread_t t;
	size_t off = 0;
	char why[128] = "";
	int rc;

	(void)state;
	for (uint32_t pid = 10; pid < 20; pid++) {
		put_proc(&o, pid, 1, "d");
		put_fd(&o, pid, 3, 1000 + pid, BPF_SOCKFD_SOCKET);
		put_fd(&o, pid, 4, 4026531840ULL, BPF_SOCKFD_NETNS);
	}
	bpfiter_stream_init(&st);
	f.st = &st;
	f.buf = o.buf;
	f.len = o.len;
	assert_int_equal(pthread_create(&t, NULL, feeder, &f), 0);
	/* every record once, whole, in order, whatever the pieces */
	while ((rc = bpfiter_stream_next(&st, &off, note_record, &seen)) > 0)
		;
	assert_int_equal(rc, 0);
	pthread_join(t, NULL);
	assert_int_equal(off, o.len);
	assert_int_equal(seen.n, 30);
	for (size_t i = 0; i < 30; i++) {
		assert_int_equal(seen.pid[i], 10 + i / 3);
		assert_int_equal(seen.kind[i], i % 3 == 0 ?
		    BPF_SOCKFD_PROCESS : i % 3 == 1 ? BPF_SOCKFD_SOCKET :
		    BPF_SOCKFD_NETNS);
	}
	assert_true(seen.ino[1] == 1010);
	/* the take parses the same bytes, and checks them: no socket of
	 * this process is among them, so none is trusted */
	assert_int_equal(bpfiter_stream_take(&st, &s, why, sizeof(why)), -1);
	assert_true(strstr(why, "not this namespace's") != NULL ||
	    strstr(why, "built without BPF") != NULL);
	assert_null(s.fds);
	bpfiter_stream_release(&st);

	/* a record cut at the end: handed out up to it, then the end */
	bpfiter_stream_init(&st);
	seen.n = 0;
	off = 0;
	(void)bpfiter_stream_put(&st, o.buf, sizeof(struct bpf_procrec) + 5);
	bpfiter_stream_end(&st);
	assert_int_equal(bpfiter_stream_next(&st, &off, note_record, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(bpfiter_stream_take(&st, &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "ends inside a record"));
	bpfiter_stream_release(&st);

	/* an unknown kind: the stream is not followed past it */
	bpfiter_stream_init(&st);
	o.len = 0;
	put_proc(&o, 10, 1, "d");
	put_fd(&o, 10, 3, 555, 7);
	put_fd(&o, 10, 4, 556, BPF_SOCKFD_SOCKET);
	seen.n = 0;
	off = 0;
	(void)bpfiter_stream_put(&st, o.buf, o.len);
	assert_int_equal(bpfiter_stream_next(&st, &off, note_record, &seen),
	    -1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(bpfiter_stream_next(&st, &off, note_record, &seen),
	    -1);
	bpfiter_stream_end(&st);
	assert_int_equal(bpfiter_stream_take(&st, &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown kind 7"));
	bpfiter_stream_release(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_malformed),
		cmocka_unit_test(t_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
