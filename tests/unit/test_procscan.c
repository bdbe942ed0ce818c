/* Unit tests for procscan.c: /proc parsers and the fd walk on a fixture. */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "util/notes.h"
#include "proc/procscan.h"
#include "util/sysroot.h"

static int
stat_of(const char *text, int *ppid, uint64_t *st)
{
	return procscan_parse_stat(text, strlen(text), NULL, ppid, st, NULL);
}

static int
status_of(const char *text, struct proc_rec *p)
{
	return procscan_parse_status(text, strlen(text), p);
}

static void
t_stat(void **state)
{
	static const char ok[] = "1234 (my (odd) name) S 77 1234 1234 34817 -1 "
	    "4194560 100 0 0 0 5 6 0 0 20 0 1 0 98765 1000 200 "
	    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
	char *comm = NULL;
	int ppid = 0, tty = 0;
	uint64_t st = 0;

	(void)state;
	assert_int_equal(procscan_parse_stat(ok, sizeof(ok) - 1, &comm, &ppid,
	    &st, &tty), 0);
	assert_string_equal(comm, "my (odd) name");
	assert_int_equal(ppid, 77);
	assert_int_equal(tty, 34817);
	assert_int_equal(st, 98765);
	free(comm);
	/* a name holding ") " cannot fool the parser: the last ')' counts */
	assert_int_equal(stat_of("5 (a) S 1 2) S 9 5 5 0 -1 0 0 0 "
	    "0 0 0 0 0 0 0 0 1 0 42 0", &ppid, &st), 0);
	assert_int_equal(ppid, 9);
	/* too few fields, no parentheses, junk numbers */
	assert_int_equal(stat_of("5 (a) S 1 2 3", &ppid, &st), -1);
	assert_int_equal(stat_of("5 a S 1", &ppid, &st), -1);
	assert_int_equal(stat_of("5 (a) S x 1 1 0 -1 0 0 0 0 0 0 0 "
	    "0 0 0 0 1 0 1", &ppid, &st), -1);
	assert_int_equal(stat_of("", &ppid, &st), -1);
	assert_int_equal(stat_of("5 (a)", &ppid, &st), -1);
	assert_int_equal(stat_of(")(", &ppid, &st), -1);
}

static void
t_status(void **state)
{
	static const char ok[] = "Name:\tsshd\nUid:\t0\t1000\t0\t0\n"
	    "Gid:\t5\t6\t5\t5\n";
	struct proc_rec p;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(procscan_parse_status(ok, sizeof(ok) - 1, &p), 0);
	assert_int_equal(p.uid, 0);
	assert_int_equal(p.euid, 1000);
	assert_int_equal(p.gid, 5);
	assert_int_equal(p.egid, 6);
	assert_int_equal(status_of("Uid:\t0\t0\n", &p), -1);
	assert_int_equal(status_of("Uid:\tx\t0\nGid:\t0\t0\n", &p), -1);
	assert_int_equal(status_of("Uid:\t1\nGid:\t0\t0\n", &p), -1);
	/* a process in a container's PID namespace: its inner PID, and the
	 * effective capabilities (CAP_NET_BIND_SERVICE is bit 10) */
	memset(&p, 0, sizeof(p));
	assert_int_equal(status_of("Uid:\t0\t0\nGid:\t0\t0\n"
	    "NSpid:\t4242\t17\t1\nCapEff:\t0000000000000400\n", &p), 0);
	assert_int_equal(p.ns_pid, 1);
	assert_true(p.caps_known);
	assert_true(p.cap_eff == 0x400);
	/* not in another PID namespace: no inner PID */
	memset(&p, 0, sizeof(p));
	assert_int_equal(status_of("Uid:\t0\t0\nGid:\t0\t0\n"
	    "NSpid:\t4242\nCapEff:\tzz\n", &p), 0);
	assert_int_equal(p.ns_pid, 0);
	assert_false(p.caps_known);
}

static void
t_cgroup(void **state)
{
	static const char v2[] = "0::/system.slice/ssh.service\n";
	static const char v1[] = "12:cpu:/x\n1:name=systemd:/system.slice/"
	    "cron.service\n";
	char *s;

	(void)state;
	s = procscan_parse_cgroup(v2, sizeof(v2) - 1);
	assert_string_equal(s, "/system.slice/ssh.service");
	free(s);
	s = procscan_parse_cgroup(v1, sizeof(v1) - 1);
	assert_string_equal(s, "/system.slice/cron.service");
	free(s);
	assert_null(procscan_parse_cgroup("", 0));
	assert_null(procscan_parse_cgroup("3:memory:/a\n", 12));
}

static void
t_fixture_scan(void **state)
{
	/* inodes from tests/fixtures/host-a: 8269 is held by a parent and
	 * its forked child, 9318 by a process with a hostile name, 1 by no
	 * one */
	static const uint64_t want[] = { 8269, 9318, 7816, 1, 8269 };
	char root[1024];
	struct procscan ps;
	size_t first, n;
	int threads;

	(void)state;
	snprintf(root, sizeof(root), "%s/host-a/root", FIXTURE_DIR);
	sysroot_set(root);
	for (threads = 1; threads <= 4; threads += 3) {
		procscan_run(want, 5, threads, PS_NEED_ALL, &ps);
		assert_int_equal(ps.proc_unreadable, 0);
		assert_int_equal(ps.scanned, 9);
		assert_int_equal(ps.denied, 0);
		n = procscan_owners_of(&ps, 8269, &first);
		assert_int_equal(n, 2);
		assert_int_equal(ps.owners[first].pid, 3492);
		assert_int_equal(ps.owners[first + 1].pid, 3497);
		assert_int_equal(ps.procs[ps.owners[first + 1].proc].ppid, 3492);
		assert_int_equal(ps.owners[first].nfds, 1);
		assert_int_equal(procscan_fds(&ps, &ps.owners[first])[0], 3);
		n = procscan_owners_of(&ps, 9318, &first);
		assert_int_equal(n, 1);
		assert_string_equal(ps.procs[ps.owners[first].proc].comm,
		    "\033[2J\nevil");
		n = procscan_owners_of(&ps, 7816, &first);
		assert_int_equal(n, 1);
		assert_string_equal(ps.procs[ps.owners[first].proc].exe,
		    "/usr/bin/python3.11");
		assert_string_equal(ps.procs[ps.owners[first].proc].cgroup,
		    "/system.slice/portsleuth-fixture.service");
		assert_non_null(strstr(ps.procs[ps.owners[first].proc].cmdline,
		    "http.server --bind 127.0.0.1 8000"));
		assert_int_equal(procscan_owners_of(&ps, 1, &first), 0);
		/* only processes that hold a wanted socket are described */
		assert_int_equal(ps.nprocs, 4);
		procscan_release(&ps);
	}
	sysroot_set("/nonexistent-root");
	notes_reset();
	procscan_run(want, 5, 1, PS_NEED_ALL, &ps);
	assert_int_equal(ps.proc_unreadable, 1);
	/* and the run says so, with the reason */
	assert_int_equal(notes_count(), 1);
	assert_non_null(strstr(notes_get(0), "cannot open '/proc': No such "
	    "file or directory"));
	notes_reset();
	assert_int_equal(ps.nowners, 0);
	procscan_release(&ps);
	sysroot_set(NULL);
}

/* This process's own sockets in the live /proc: one held by three
 * descriptors, one by one; each owner's numbers in order. */
static void
t_live_fds(void **state)
{
	int a = socket(AF_UNIX, SOCK_DGRAM, 0), b, c, d;
	int one = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct stat sa, s1;
	uint64_t want[2];
	struct procscan ps;
	size_t first, n, k;
	const int *fds;

	(void)state;
	assert_true(a >= 0 && one >= 0);
	b = dup(a);
	c = dup(one);	/* closed again: one descriptor left */
	close(c);
	d = dup(a);
	assert_true(b >= 0 && d >= 0);
	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(one, &s1), 0);
	want[0] = (uint64_t)s1.st_ino;
	want[1] = (uint64_t)sa.st_ino;
	sysroot_set(NULL);
	procscan_run(want, 2, 2, PS_NEED_ALL, &ps);
	n = procscan_owners_of(&ps, (uint64_t)sa.st_ino, &first);
	assert_int_equal(n, 1);
	assert_int_equal(ps.owners[first].pid, getpid());
	assert_int_equal(ps.owners[first].nfds, 3);
	fds = procscan_fds(&ps, &ps.owners[first]);
	for (k = 1; k < 3; k++)
		assert_true(fds[k - 1] < fds[k]);
	for (k = 0; k < 3; k++)
		assert_true(fds[k] == a || fds[k] == b || fds[k] == d);
	n = procscan_owners_of(&ps, (uint64_t)s1.st_ino, &first);
	assert_int_equal(n, 1);
	assert_int_equal(ps.owners[first].nfds, 1);
	assert_int_equal(procscan_fds(&ps, &ps.owners[first])[0], one);
	procscan_release(&ps);
	close(a);
	close(b);
	close(d);
	close(one);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_stat),
		cmocka_unit_test(t_status),
		cmocka_unit_test(t_cgroup),
		cmocka_unit_test(t_fixture_scan),
		cmocka_unit_test(t_live_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
