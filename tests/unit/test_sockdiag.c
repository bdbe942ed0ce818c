/*
 * Unit tests for sockdiag.c and nlio.c: netlink message validation and
 * dumps replayed from recordings, including hostile ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "cm.h"
#include "kernel/nlio.h"
#include "kernel/sockdiag.h"
#include "util/strbuf.h"
#include "util/sysroot.h"

/* Build one SOCK_DIAG_BY_FAMILY reply into buf; returns its length. */
static size_t
make_msg(char *buf, size_t cap, int family, int state, uint16_t port,
    int v6only, uint32_t inode)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_msg *m;

	assert_true(cap >= 256);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(port);
	m->idiag_uid = 1000;
	m->idiag_inode = inode;
	if (family == AF_INET)
		m->id.idiag_src[0] = htonl(0x7f000001);
	if (v6only >= 0)
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, (uint8_t)v6only);
	return nlh->nlmsg_len;
}

static void
t_parse_valid(void **state)
{
	char buf[512];
	struct sock_rec r;

	(void)state;
	make_msg(buf, sizeof(buf), AF_INET, 10, 22, -1, 4242);
	assert_int_equal(sockdiag_parse_msg((void *)buf, PROTO_TCP, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.state, ST_LISTEN);
	assert_int_equal(r.lport, 22);
	assert_int_equal(r.uid, 1000);
	assert_int_equal(r.inode, 4242);
	assert_int_equal(r.laddr[0], 127);
	assert_int_equal(r.laddr[3], 1);
	assert_int_equal(r.v6only, 0);

	make_msg(buf, sizeof(buf), AF_INET6, 10, 80, 1, 7);
	assert_int_equal(sockdiag_parse_msg((void *)buf, PROTO_TCP, &r), 0);
	assert_int_equal(r.v6only, 1);
	make_msg(buf, sizeof(buf), AF_INET6, 10, 80, 0, 7);
	assert_int_equal(sockdiag_parse_msg((void *)buf, PROTO_TCP, &r), 0);
	assert_int_equal(r.v6only, 0);
	/* no attribute: unknown, not guessed */
	make_msg(buf, sizeof(buf), AF_INET6, 10, 80, -1, 7);
	assert_int_equal(sockdiag_parse_msg((void *)buf, PROTO_TCP, &r), 0);
	assert_int_equal(r.v6only, -1);
}

static void
t_parse_truncated(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = (void *)buf;
	struct sock_rec r;

	(void)state;
	make_msg(buf, sizeof(buf), AF_INET, 10, 22, -1, 1);
	/* payload shorter than struct inet_diag_msg */
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 1;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	nlh->nlmsg_len = 4;	/* shorter than the header itself */
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
}

static void
t_parse_bad_fields(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = (void *)buf;
	struct inet_diag_msg *m;
	struct sock_rec r;

	(void)state;
	make_msg(buf, sizeof(buf), AF_INET, 10, 22, -1, 1);
	m = mnl_nlmsg_get_payload(nlh);
	m->idiag_family = AF_UNIX;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	m->idiag_family = AF_INET;
	m->idiag_state = 200;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
}

static void
t_parse_bad_attrs(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = (void *)buf;
	struct nlattr *a;
	struct sock_rec r;
	size_t len;

	(void)state;
	/* an attribute claiming more bytes than the message has */
	len = make_msg(buf, sizeof(buf), AF_INET6, 10, 22, 1, 1);
	a = (void *)(buf + NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct inet_diag_msg)));
	a->nla_len = 200;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	/* a v6only attribute of the wrong size */
	make_msg(buf, sizeof(buf), AF_INET6, 10, 22, -1, 1);
	mnl_attr_put_u32(nlh, INET_DIAG_SKV6ONLY, 1);
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	/* nla_len below the attribute header */
	len = make_msg(buf, sizeof(buf), AF_INET6, 10, 22, 1, 1);
	a->nla_len = 2;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	/* a trailing fragment too short to be an attribute */
	len = make_msg(buf, sizeof(buf), AF_INET, 10, 22, -1, 1);
	nlh->nlmsg_len = (uint32_t)len + 2;
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), -1);
	/* unknown attributes are skipped */
	make_msg(buf, sizeof(buf), AF_INET, 10, 22, -1, 1);
	mnl_attr_put_u32(nlh, 250, 99);
	assert_int_equal(sockdiag_parse_msg(nlh, PROTO_TCP, &r), 0);
}

/* Write a recording: entries of (key, datagram bytes). */
static void
rec_add(struct strbuf *sb, const char *key, const void *data, size_t len)
{
	if (sb->len == 0)
		strbuf_addstr(sb, "PSNL 1\n");
	strbuf_addf(sb, "D %s %zu\n", key, len);
	strbuf_add(sb, data, len);
	strbuf_addch(sb, '\n');
}

static size_t
make_done(char *buf, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *e;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*e = err;
	return nlh->nlmsg_len;
}

/*
 * Replay a one-datagram recording under key through sockdiag_collect(),
 * with the system root at root (for the /proc/net fallback).
 */
static void
replay(const char *key, const void *dgram, size_t len, const char *root,
    const struct sockdiag_query *q, struct socklist *list,
    struct sockdiag_report *rep)
{
	struct strbuf sb;
	struct nlio *io;
	char *cause = NULL;

	strbuf_init(&sb, 1u << 20);
	rec_add(&sb, key, dgram, len);
	io = nlio_open_buffer(sb.buf, sb.len, &cause);
	assert_non_null(io);
	sysroot_set(root);
	memset(rep, 0, sizeof(*rep));
	sockdiag_collect(io, q, list, rep);
	sysroot_set(NULL);
	nlio_close(io, NULL);
	strbuf_release(&sb);
}

static void
t_replay_dump(void **state)
{
	char dgram[4096];
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_TCP), 1, 0,
	    STATE_BIT(ST_LISTEN), 0 };
	size_t off = 0;
	struct nlmsghdr *bad;

	(void)state;
	off += make_msg(dgram + off, sizeof(dgram) - off, AF_INET, 10, 22, -1,
	    11);
	/* a malformed message in the middle: skipped and counted */
	bad = (void *)(dgram + off);
	make_msg(dgram + off, sizeof(dgram) - off, AF_INET, 10, 23, -1, 12);
	bad->nlmsg_len = NLMSG_HDRLEN + 8;	/* payload cut short */
	off += MNL_ALIGN(bad->nlmsg_len);
	/* a socket in a state that was not asked for: dropped */
	off += make_msg(dgram + off, sizeof(dgram) - off, AF_INET, 1, 24, -1,
	    14);
	off += make_msg(dgram + off, sizeof(dgram) - off, AF_INET, 10, 80, -1,
	    13);
	off += make_done(dgram + off, 0);
	replay("sockdiag tcp 4", dgram, off, "/nonexistent-root", &q, &list,
	    &rep);
	assert_string_equal(rep.source[PROTO_TCP][0], "netlink");
	assert_int_equal(list.n, 2);
	assert_int_equal(list.v[0].lport, 22);
	assert_int_equal(list.v[1].lport, 80);
	assert_int_equal(rep.malformed, 1);
	sockdiag_report_release(&rep);
	socklist_release(&list);
}

static void
t_replay_enoent_fallback(void **state)
{
	char dgram[64], root[1024];
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_TCP), 1, 0,
	    STATE_BIT(ST_LISTEN), 0 };

	(void)state;
	/* the kernel's way of saying "no diag module": DONE with -ENOENT */
	snprintf(root, sizeof(root), "%s/host-a/root", FIXTURE_DIR);
	replay("sockdiag tcp 4", dgram, make_done(dgram, -ENOENT), root, &q,
	    &list, &rep);
	assert_non_null(strstr(rep.source[PROTO_TCP][0], "/proc/net/tcp"));
	assert_non_null(strstr(rep.source[PROTO_TCP][0], "no diag handler"));
	assert_true(list.n > 0);
	assert_int_equal(list.v[0].source, SRC_PROCFS);
	sockdiag_report_release(&rep);
	socklist_release(&list);
}

static void
t_replay_interrupted(void **state)
{
	char dgram[512];
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_UDP), 1, 0, 0,
	    STATE_BIT(ST_CLOSE) };
	size_t len;

	(void)state;
	/* a dump that is always interrupted: retried a bounded number of
	 * times, then abandoned for /proc/net, never looping forever */
	len = make_msg(dgram, sizeof(dgram), AF_INET, 7, 53, -1, 5);
	((struct nlmsghdr *)dgram)->nlmsg_flags |= NLM_F_DUMP_INTR;
	replay("sockdiag udp 4", dgram, len, "/nonexistent-root", &q, &list,
	    &rep);
	assert_int_equal(rep.retries, 3);
	assert_int_equal(list.n, 0);	/* partial results dropped */
	assert_non_null(strstr(rep.source[PROTO_UDP][0], "unavailable"));
	assert_non_null(strstr(rep.source[PROTO_UDP][0], "interrupted"));
	sockdiag_report_release(&rep);
	socklist_release(&list);
}

static void
t_replay_no_done(void **state)
{
	char dgram[512];
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_TCP), 1, 0,
	    STATE_BIT(ST_LISTEN), 0 };

	(void)state;
	/* a recording cut before NLMSG_DONE is an error, not a full table */
	replay("sockdiag tcp 4", dgram,
	    make_msg(dgram, sizeof(dgram), AF_INET, 10, 22, -1, 5),
	    "/nonexistent-root", &q, &list, &rep);
	assert_int_equal(list.n, 0);
	assert_non_null(strstr(rep.source[PROTO_TCP][0], "unavailable"));
	sockdiag_report_release(&rep);
	socklist_release(&list);
}

static void
t_replay_forged_length(void **state)
{
	char dgram[512];
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_TCP), 1, 0,
	    STATE_BIT(ST_LISTEN), 0 };
	size_t len;

	(void)state;
	/* nlmsg_len near 2^32 once sent libmnl's walk out of the buffer */
	len = make_msg(dgram, sizeof(dgram), AF_INET, 10, 22, -1, 5);
	((struct nlmsghdr *)dgram)->nlmsg_len = 0xfffffff0u;
	replay("sockdiag tcp 4", dgram, len, "/nonexistent-root", &q, &list,
	    &rep);
	assert_int_equal(list.n, 0);
	assert_non_null(strstr(rep.source[PROTO_TCP][0], "unavailable"));
	sockdiag_report_release(&rep);
	socklist_release(&list);
}

static void
t_recording_format(void **state)
{
	static const struct {
		const char *text;
		const char *err;
	} bad[] = {
		{ "", "bad magic" },
		{ "PSNL 2\n", "bad magic" },
		{ "PSNL 1\nX key 3\nabc\n", "malformed entry header" },
		{ "PSNL 1\nD key 10\nabc\n", "truncated entry" },
		{ "PSNL 1\nD key 3\nabcX", "truncated entry" },
		{ "PSNL 1\nD key 99999999999\n", "malformed entry header" },
		{ "PSNL 1\nD  3\nabc\n", "malformed entry header" },
		{ "PSNL 1\nD key", "malformed entry header" },
		{ "PSNL 1\nD k\001y 3\nabc\n", "bad key" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cause = NULL;
		struct nlio *io = nlio_open_buffer(bad[i].text,
		    strlen(bad[i].text), &cause);

		assert_null(io);
		assert_non_null(cause);
		if (strstr(cause, bad[i].err) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, cause,
			    bad[i].err);
		free(cause);
	}
}

static void
t_recorded_fixture(void **state)
{
	char path[1024];
	char *cause = NULL;
	struct nlio *io;
	struct socklist list = { 0 };
	struct sockdiag_report rep;
	struct sockdiag_query q = { PROTO_BIT(PROTO_TCP) | PROTO_BIT(PROTO_UDP),
	    1, 1, STATE_BIT(ST_LISTEN), STATE_BIT(ST_CLOSE) };
	size_t i, v6only = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/host-a/netlink.psnl", FIXTURE_DIR);
	io = nlio_open_replay(path, &cause);
	assert_non_null(io);
	memset(&rep, 0, sizeof(rep));
	sockdiag_collect(io, &q, &list, &rep);
	assert_int_equal(rep.malformed, 0);
	assert_int_equal(list.n, 8);
	for (i = 0; i < list.n; i++)
		if (list.v[i].family == AF_INET6 && list.v[i].v6only == 1)
			v6only++;
	assert_int_equal(v6only, 1);
	sockdiag_report_release(&rep);
	socklist_release(&list);
	nlio_close(io, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_valid),
		cmocka_unit_test(t_parse_truncated),
		cmocka_unit_test(t_parse_bad_fields),
		cmocka_unit_test(t_parse_bad_attrs),
		cmocka_unit_test(t_replay_dump),
		cmocka_unit_test(t_replay_enoent_fallback),
		cmocka_unit_test(t_replay_interrupted),
		cmocka_unit_test(t_replay_no_done),
		cmocka_unit_test(t_replay_forged_length),
		cmocka_unit_test(t_recording_format),
		cmocka_unit_test(t_recorded_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
