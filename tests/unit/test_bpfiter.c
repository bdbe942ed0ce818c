/* Unit tests for bpfiter.c: the reader of what the iterator wrote. */
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
