/* Unit tests for fw/nat.c: DNAT rules from libnftables JSON. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>

#include "cm.h"
#include "fw/nat.h"
#include "fw/xtnat.h"
#include "kernel/sock.h"
#include "util/strbuf.h"
#include "util/sysroot.h"

static void
load(struct nat_set *s, const char *file)
{
	struct strbuf sb;
	char path[512], *cause = NULL;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR "/../fuzz/corpus/nat",
	    file);
	strbuf_init(&sb, 1 << 20);
	assert_int_equal(read_at_capped(AT_FDCWD, path, 1 << 20, &sb), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(nat_parse_json(sb.buf, sb.len, 7, NULL, 0, s, &cause), 0);
	assert_null(cause);
	strbuf_release(&sb);
}

static void
t_rules(void **state)
{
	struct nat_set s;
	char a[64];

	(void)state;
	load(&s, "ruleset");
	/* 18080, 8443, the set {2000, 2001} as two, the range, the ip6 one */
	assert_int_equal(s.n, 6);
	assert_int_equal(s.skipped, 0);
	assert_int_equal(s.v[0].proto, PROTO_TCP);
	assert_int_equal(s.v[0].dport_lo, 18080);
	assert_int_equal(s.v[0].to_port, 8000);
	assert_non_null(inet_ntop(AF_INET, s.v[0].to_addr, a, sizeof(a)));
	assert_string_equal(a, "10.88.0.2");
	assert_string_equal(s.v[0].comment, "web");
	assert_string_equal(s.v[0].chain, "prerouting");
	assert_int_equal(s.v[0].handle, 3);
	assert_int_equal(s.v[0].netns, 7);
	assert_false(s.v[0].has_daddr);
	/* interface and destination address kept */
	assert_string_equal(s.v[1].iifname, "eth0");
	assert_true(s.v[1].has_daddr);
	assert_int_equal(s.v[2].dport_lo, 2000);
	assert_int_equal(s.v[3].dport_lo, 2001);
	/* a range, without a port: the same port */
	assert_int_equal(s.v[4].proto, PROTO_UDP);
	assert_int_equal(s.v[4].dport_lo, 5000);
	assert_int_equal(s.v[4].dport_hi, 5010);
	assert_int_equal(nat_target_port(&s.v[4], 5004), 5004);
	assert_int_equal(s.v[5].family, AF_INET6);
	assert_int_equal(nat_target_port(&s.v[5], 8080), 80);
	nat_set_release(&s);
}

static void
t_odd(void **state)
{
	struct nat_set s;
	char *cause = NULL;

	(void)state;
	/* a negated match, a bad address, expr not an array, an empty dnat:
	 * nothing kept, each counted, no crash */
	load(&s, "odd");
	assert_int_equal(s.n, 0);
	assert_int_equal(s.skipped, 2);
	nat_set_release(&s);
	memset(&s, 0, sizeof(s));
	/* iptables-nft's compat DNAT: counted apart, it hides its target */
	load(&s, "xt-dnat");
	assert_int_equal(s.n, 0);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(s.xt_dnat, 1);
	nat_set_release(&s);
	memset(&s, 0, sizeof(s));
	assert_int_equal(nat_parse_json("[1,2", 4, 0, NULL, 0, &s, &cause), -1);
	assert_non_null(strstr(cause, "not JSON"));
	free(cause);
}

/* kube-proxy's way: the port matched in chains that jump to the one
 * holding the DNAT; loops and a fan-out end (the walk has a budget). */
static void
t_jumps(void **state)
{
	static const char doc[] =
	    "{\"nftables\": ["
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"KUBE-SERVICES\","
	    " \"handle\": 1, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\":"
	    " {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 30080}},"
	    " {\"counter\": null}, {\"jump\": {\"target\": \"KUBE-SVC-A\"}}]}},"
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"KUBE-SVC-A\","
	    " \"handle\": 2, \"expr\": [{\"jump\": {\"target\": \"KUBE-SEP-A\"}}]}},"
	    /* a loop back into the service chain, and one to itself */
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"KUBE-SEP-A\","
	    " \"handle\": 3, \"expr\": [{\"jump\": {\"target\": \"KUBE-SVC-A\"}}]}},"
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"KUBE-SEP-A\","
	    " \"handle\": 4, \"expr\": [{\"jump\": {\"target\": \"KUBE-SEP-A\"}}]}},"
	    /* the same chain name in another table leads nowhere here */
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"other\", \"chain\": \"x\","
	    " \"handle\": 5, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\":"
	    " {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 9}},"
	    " {\"jump\": {\"target\": \"KUBE-SEP-A\"}}]}},"
	    "{\"rule\": {\"family\": \"ip\", \"table\": \"nat\", \"chain\": \"KUBE-SEP-A\","
	    " \"handle\": 6, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\":"
	    " {\"key\": \"l4proto\"}}, \"right\": \"tcp\"}}, {\"dnat\": {\"addr\":"
	    " \"10.244.1.5\", \"port\": 8080}}]}}"
	    "]}";
	struct nat_set s;
	char *cause = NULL;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(nat_parse_json(doc, sizeof(doc) - 1, 0, NULL, 0, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].dport_lo, 30080);
	assert_int_equal(s.v[0].dport_hi, 30080);
	assert_int_equal(s.v[0].to_port, 8080);
	assert_string_equal(s.v[0].chain, "KUBE-SEP-A");
	assert_string_equal(nat_maker(&s.v[0]), "kube-proxy");
	nat_set_release(&s);
}

static void
t_xt_decode(void **state)
{
	struct nf_nat_range2 r2;
	struct nf_nat_ipv4_multi_range_compat c;
	uint8_t addr[16], want[16];
	uint16_t port;

	(void)state;
	memset(&r2, 0, sizeof(r2));
	r2.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	inet_pton(AF_INET, "10.88.0.2", &r2.min_addr.ip);
	r2.min_proto.all = htons(8000);
	assert_int_equal(xt_nat_decode(NFPROTO_IPV4, 2, &r2, sizeof(r2), addr,
	    &port), 0);
	memset(want, 0, sizeof(want));
	inet_pton(AF_INET, "10.88.0.2", want);
	assert_memory_equal(addr, want, 16);
	assert_int_equal(port, 8000);
	/* no port: the same one */
	r2.flags = NF_NAT_RANGE_MAP_IPS;
	assert_int_equal(xt_nat_decode(NFPROTO_IPV4, 2, &r2, sizeof(r2), addr,
	    &port), 0);
	assert_int_equal(port, 0);
	/* IPv6 */
	inet_pton(AF_INET6, "fd00::2", &r2.min_addr.in6);
	assert_int_equal(xt_nat_decode(NFPROTO_IPV6, 1, &r2, sizeof(r2) - 2,
	    addr, &port), 0);
	inet_pton(AF_INET6, "fd00::2", want);
	assert_memory_equal(addr, want, 16);
	/* revision 0, IPv4's compat layout */
	memset(&c, 0, sizeof(c));
	c.rangesize = 1;
	c.range[0].flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	inet_pton(AF_INET, "192.0.2.7", &c.range[0].min_ip);
	c.range[0].min.all = htons(22);
	assert_int_equal(xt_nat_decode(NFPROTO_IPV4, 0, &c, sizeof(c), addr,
	    &port), 0);
	assert_int_equal(port, 22);
	/* short, addressless or of no known layout: refused */
	assert_int_equal(xt_nat_decode(NFPROTO_IPV4, 2, &r2, 8, addr, &port),
	    -1);
	r2.flags = 0;
	assert_int_equal(xt_nat_decode(NFPROTO_IPV4, 2, &r2, sizeof(r2), addr,
	    &port), -1);
	assert_int_equal(xt_nat_decode(NFPROTO_IPV6, 0, &c, sizeof(c), addr,
	    &port), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rules),
		cmocka_unit_test(t_odd),
		cmocka_unit_test(t_jumps),
		cmocka_unit_test(t_xt_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
