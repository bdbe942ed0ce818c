/* Unit tests for services.c: /etc/services, /etc/protocols, IANA table. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "model/services.h"
#include "util/strbuf.h"
#include "util/sysroot.h"

static void
parse_file(struct services *s, enum services_format fmt, const char *name)
{
	char path[1024];
	struct strbuf sb;

	snprintf(path, sizeof(path), "%s/services/%s", FIXTURE_DIR, name);
	strbuf_init(&sb, 1u << 20);
	assert_int_equal(read_at_capped(AT_FDCWD, path, 1u << 20, &sb), 0);
	memset(s, 0, sizeof(*s));
	services_parse(s, fmt, strbuf_str(&sb), sb.len);
	services_finish(s);
	strbuf_release(&sb);
}

static void
t_edge(void **state)
{
	struct services s;
	const struct service_ent *e;

	(void)state;
	parse_file(&s, SF_SERVICES, "edge.services");
	e = services_lookup(&s, SP_TCP, 22);
	assert_non_null(e);
	assert_string_equal(e->name, "ssh");
	assert_int_equal(e->naliases, 2);
	assert_string_equal(services_alias(&s, e, 0), "secure-shell");
	assert_string_equal(services_alias(&s, e, 1), "sshd");
	assert_string_equal(e->desc, "SSH Remote Login Protocol");
	/* tcp and udp are separate namespaces */
	e = services_lookup(&s, SP_UDP, 22);
	assert_non_null(e);
	assert_string_equal(e->name, "ssh-udp");
	assert_null(services_lookup(&s, SP_UDP, 25));
	/* duplicate port: the first line wins, as getservbyport does */
	assert_string_equal(services_lookup(&s, SP_TCP, 25)->name, "smtp");
	assert_string_equal(services_lookup(&s, SP_TCP, 80)->name, "http");
	assert_string_equal(services_lookup(&s, SP_SCTP, 9)->name, "sctp-only");
	assert_null(services_lookup(&s, SP_TCP, 9));
	/* aliases past the limit are dropped, not overflowed */
	assert_int_equal(services_lookup(&s, SP_TCP, 100)->naliases,
	    SERVICES_MAX_ALIASES);
	assert_string_equal(services_lookup(&s, SP_TCP, 0)->name, "zero");
	assert_string_equal(services_lookup(&s, SP_UDP, 65535)->name, "max");
	assert_null(services_lookup(&s, SP_TCP, 65535));
	/* noport, badport, negative, noproto, slashonly, onlyname, hexport */
	assert_int_equal(s.malformed, 7);
	services_release(&s);
}

static void
t_crlf_noeol(void **state)
{
	struct services s;
	const struct service_ent *e;

	(void)state;
	parse_file(&s, SF_SERVICES, "crlf-noeol.services");
	e = services_lookup(&s, SP_TCP, 7);
	assert_non_null(e);
	assert_string_equal(e->name, "crlf");
	assert_int_equal(e->naliases, 1);
	assert_string_equal(e->desc, "comment");
	assert_string_equal(services_lookup(&s, SP_UDP, 13)->name, "last");
	assert_int_equal(s.malformed, 0);
	services_release(&s);
}

static void
t_nul(void **state)
{
	struct services s;

	(void)state;
	parse_file(&s, SF_SERVICES, "nul.services");
	assert_non_null(services_lookup(&s, SP_TCP, 5));
	assert_null(services_lookup(&s, SP_TCP, 6));
	assert_non_null(services_lookup(&s, SP_TCP, 8));
	assert_int_equal(s.malformed, 1);
	services_release(&s);
}

static void
t_empty(void **state)
{
	struct services s;

	(void)state;
	memset(&s, 0, sizeof(s));
	services_parse(&s, SF_SERVICES, "", 0);
	services_finish(&s);
	assert_null(services_lookup(&s, SP_TCP, 22));
	services_release(&s);
}

static void
t_iana(void **state)
{
	static const char tsv[] =
	    "# comment\n"
	    "24\t24\ttcp\t\tany private mail system\n"
	    "626\t626\tudp\tasia\tASIA\n"
	    "6000\t6063\ttcp\tx11\tX Window System\n"
	    "6010\t6010\ttcp\tlater\tinside the x11 range, listed later\n"
	    "70000\t70000\ttcp\tbad\tport too big\n"
	    "100\t90\ttcp\tbad\treversed range\n"
	    "5\ttcp\tshort\n";
	struct services s;
	const struct service_ent *e;

	(void)state;
	memset(&s, 0, sizeof(s));
	services_parse(&s, SF_IANA_TSV, tsv, sizeof(tsv) - 1);
	services_finish(&s);
	e = services_lookup(&s, SP_TCP, 24);
	assert_non_null(e);
	assert_string_equal(e->name, "");
	assert_string_equal(e->desc, "any private mail system");
	assert_string_equal(services_lookup(&s, SP_UDP, 626)->name, "asia");
	assert_string_equal(services_lookup(&s, SP_TCP, 6001)->name, "x11");
	/* inside a range registered earlier: the earlier line wins */
	assert_string_equal(services_lookup(&s, SP_TCP, 6010)->name, "x11");
	assert_null(services_lookup(&s, SP_TCP, 6064));
	assert_int_equal(s.malformed, 3);
	services_release(&s);
}

static void
t_registry(void **state)
{
	char root[1024], iana[1024];
	struct registry r;
	struct service_match m;

	(void)state;
	snprintf(root, sizeof(root), "%s/host-a/root", FIXTURE_DIR);
	snprintf(iana, sizeof(iana), "%s/../../data/iana-ports.tsv",
	    FIXTURE_DIR);
	sysroot_set(root);
	registry_init(&r, iana);
	assert_null(r.etc_error);
	m = registry_lookup(&r, PROTO_TCP, 22);
	assert_int_equal(m.source, SVC_ETC_SERVICES);
	assert_int_equal(m.ent->source, SVC_ETC_SERVICES);	/* as kept */
	assert_string_equal(m.ent->name, "ssh");
	/* Debian's file lacks 24/tcp and 626/udp; IANA knows them */
	m = registry_lookup(&r, PROTO_TCP, 24);
	assert_int_equal(m.source, SVC_IANA);
	assert_string_equal(m.ent->desc, "any private mail system");
	m = registry_lookup(&r, PROTO_UDP, 626);
	assert_int_equal(m.source, SVC_IANA);
	assert_int_equal(m.ent->source, SVC_IANA);
	assert_string_equal(m.ent->name, "asia");
	/* UDP-Lite uses UDP's names */
	m = registry_lookup(&r, PROTO_UDPLITE, 5353);
	assert_string_equal(m.ent->name, "mdns");
	/* raw sockets: the "port" is an IP protocol number */
	m = registry_lookup(&r, PROTO_RAW, 1);
	assert_int_equal(m.source, SVC_ETC_PROTOCOLS);
	assert_int_equal(m.ent->source, SVC_ETC_PROTOCOLS);
	assert_string_equal(m.ent->name, "icmp");
	m = registry_lookup(&r, PROTO_TCP, 65000);
	assert_int_equal(m.source, SVC_NONE);
	registry_release(&r);
	/* a root without /etc/services says so */
	sysroot_set("/nonexistent-root");
	registry_init(&r, NULL);
	assert_non_null(r.etc_error);
	assert_non_null(strstr(r.etc_error, "cannot read '/etc/services'"));
	m = registry_lookup(&r, PROTO_TCP, 22);
	assert_int_equal(m.source, SVC_NONE);
	registry_release(&r);
	sysroot_set(NULL);
}

/* Ports named first: only their IANA rows are kept, and every lookup
 * answers as the whole table would. */
static void
t_registry_want(void **state)
{
	char root[1024], iana[1024];
	struct registry r;
	struct service_match m;
	unsigned int malformed;

	(void)state;
	snprintf(root, sizeof(root), "%s/host-a/root", FIXTURE_DIR);
	snprintf(iana, sizeof(iana), "%s/../../data/iana-ports.tsv",
	    FIXTURE_DIR);
	sysroot_set(root);
	registry_init(&r, iana);
	registry_want(&r, PROTO_TCP, 24);
	registry_want(&r, PROTO_TCP, 6010);	/* in x11's range */
	registry_want(&r, PROTO_TCP, 22);	/* /etc/services has it */
	m = registry_lookup(&r, PROTO_TCP, 24);
	assert_int_equal(m.source, SVC_IANA);
	assert_string_equal(m.ent->desc, "any private mail system");
	assert_true(r.iana_partial);
	assert_in_range(r.iana.n, 1, 8);
	malformed = r.iana.malformed;
	m = registry_lookup(&r, PROTO_TCP, 6010);
	assert_string_equal(m.ent->name, "x11");
	assert_string_equal(m.ent->desc, "X Window System");
	assert_string_equal(registry_lookup(&r, PROTO_TCP, 22).ent->name,
	    "ssh");
	/* named after the load: read again, still only the wanted rows */
	registry_want(&r, PROTO_UDP, 626);
	assert_true(r.iana_stale);
	m = registry_lookup(&r, PROTO_UDP, 626);
	assert_string_equal(m.ent->name, "asia");
	assert_true(r.iana_partial);
	assert_false(r.iana_stale);
	assert_in_range(r.iana.n, 2, 9);
	/* never named: the whole table from then on */
	m = registry_lookup(&r, PROTO_TCP, 65000);
	assert_int_equal(m.source, SVC_NONE);
	assert_false(r.iana_partial);
	assert_true(r.iana.n > 10000);
	assert_int_equal(r.iana.malformed, malformed);
	assert_string_equal(registry_lookup(&r, PROTO_TCP, 24).ent->desc,
	    "any private mail system");
	registry_want(&r, PROTO_TCP, 7);	/* loaded whole: nothing to do */
	assert_false(r.iana_stale);
	registry_release(&r);
	sysroot_set(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_edge),
		cmocka_unit_test(t_crlf_noeol),
		cmocka_unit_test(t_nul),
		cmocka_unit_test(t_empty),
		cmocka_unit_test(t_iana),
		cmocka_unit_test(t_registry),
		cmocka_unit_test(t_registry_want),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
