/* test_firewall.c - the ruleset reader and the evaluator on rulesets
 * written here and in fixtures (unknown expressions, deep jumps, a jump
 * loop, a big set), and on a set larger than the reader keeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>

#include "cm.h"
#include "fw/eval.h"
#include "fw/firewall.h"
#include "fw/nftnl.h"
#include "fw/ruleset.h"
#include "fw/xtnat.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"

#define RS FIXTURE_DIR "/rulesets/"

static const fw_u128 LOCAL4 = 0x0a4d0101u;	/* 10.77.1.1 */
static const fw_u128 PEER4 = 0xc6336401u;	/* 198.51.100.1 */

static int
is_local(const void *ctx, int family, fw_u128 a)
{
	(void)ctx;
	return family == 4 && a == LOCAL4;
}

static struct fw_result
run(const struct fw_ruleset *rs, int proto, uint16_t port, fw_u128 saddr,
    const char *iif)
{
	struct fw_env env = { rs, is_local, NULL, NULL };
	struct fw_packet p;
	struct fw_result r;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.l4proto = (uint8_t)proto;
	p.saddr = saddr;
	p.daddr = LOCAL4;
	p.dport = port;
	p.iifname = iif;
	p.iiftype = 1;
	fw_eval(&env, &p, &r);
	return r;
}

static void
parse(const char *json, struct fw_ruleset *rs)
{
	char *cause = NULL;

	assert_int_equal(fw_ruleset_parse(json, strlen(json), NULL, 0, rs,
	    &cause), 0);
	assert_null(cause);
}

static void
parse_file(const char *path, struct fw_ruleset *rs)
{
	struct strbuf sb;

	strbuf_init(&sb, 64u << 20);
	assert_int_equal(read_at_capped(-1, path, 64u << 20, &sb), 0);
	parse(sb.buf, rs);
	strbuf_release(&sb);
}

#define HEAD "{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"t\"}},"
#define BASE(pol) "{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":" \
	"\"in\",\"type\":\"filter\",\"hook\":\"input\",\"prio\":0,\"policy\":\"" \
	pol "\"}},"
#define RULE(h, e) "{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":" \
	"\"in\",\"handle\":" #h ",\"expr\":[" e "]}}"
#define DPORT(p) "{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\"" \
	":\"tcp\",\"field\":\"dport\"}},\"right\":" p "}}"
#define ACCEPT "{\"accept\":null}"

static void
t_policy_and_accept(void **state)
{
	struct fw_ruleset rs;
	struct fw_result r;

	(void)state;
	parse(HEAD BASE("drop") RULE(2, DPORT("22") "," ACCEPT) ","
	    RULE(3, DPORT("{\"range\":[8000,8010]}") "," ACCEPT) ","
	    RULE(4, DPORT("{\"set\":[25,{\"range\":[100,200]},150]}") ","
	    "{\"reject\":{\"type\":\"tcp reset\"}}") "]}", &rs);
	r = run(&rs, 6, 22, PEER4, "eth0");
	assert_int_equal(r.v, FWV_OPEN);
	assert_int_equal(r.npassed, 1);
	assert_int_equal(rs.rules[r.passed[0].rule].handle, 2);
	r = run(&rs, 6, 8005, PEER4, "eth0");
	assert_int_equal(r.v, FWV_OPEN);
	r = run(&rs, 6, 8011, PEER4, "eth0");
	assert_int_equal(r.v, FWV_FILTERED);
	assert_int_equal(r.by.rule, -1);	/* the policy */
	/* overlapping ranges in one set: 150 inside 100-200 */
	r = run(&rs, 6, 150, PEER4, "eth0");
	assert_int_equal(r.v, FWV_REJECTED);
	r = run(&rs, 6, 199, PEER4, "eth0");
	assert_int_equal(r.v, FWV_REJECTED);
	/* UDP: the tcp dport matches cannot apply */
	r = run(&rs, 17, 22, PEER4, "eth0");
	assert_int_equal(r.v, FWV_FILTERED);
	fw_ruleset_release(&rs);
}

static void
t_jumps_and_maps(void **state)
{
	struct fw_ruleset rs;

	(void)state;
	parse(HEAD BASE("drop")
	    "{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"sub\"}},"
	    "{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"g\"}},"
	    RULE(2, "{\"vmap\":{\"key\":{\"payload\":{\"protocol\":\"tcp\","
	    "\"field\":\"dport\"}},\"data\":{\"set\":[[1,{\"accept\":null}],"
	    "[2,{\"drop\":null}],[3,{\"jump\":{\"target\":\"sub\"}}],"
	    "[4,{\"goto\":{\"target\":\"g\"}}]]}}}") ","
	    RULE(3, DPORT("5") "," ACCEPT) ","
	    "{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"sub\","
	    "\"handle\":9,\"expr\":[{\"return\":null}]}},"
	    "{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"g\","
	    "\"handle\":10,\"expr\":[{\"continue\":null}]}}"
	    "]}", &rs);
	assert_int_equal(run(&rs, 6, 1, PEER4, "e").v, FWV_OPEN);
	assert_int_equal(run(&rs, 6, 2, PEER4, "e").v, FWV_FILTERED);
	/* jump, return: on with the next rule, which does not match 3 */
	assert_int_equal(run(&rs, 6, 3, PEER4, "e").v, FWV_FILTERED);
	/* goto g, whose end returns past the base chain: the policy */
	assert_int_equal(run(&rs, 6, 4, PEER4, "e").v, FWV_FILTERED);
	assert_int_equal(run(&rs, 6, 5, PEER4, "e").v, FWV_OPEN);
	fw_ruleset_release(&rs);
}

static void
t_unknowns(void **state)
{
	struct fw_ruleset rs;
	struct fw_result r;

	(void)state;
	parse_file(RS "unknown-expressions.json", &rs);
	/* osf accept, then a drop policy: either way */
	r = run(&rs, 6, 9999, PEER4, "e");
	assert_int_equal(r.v, FWV_UNDECIDED);
	assert_non_null(r.why);
	assert_true(r.could & (1u << FWV_OPEN));
	assert_true(r.could & (1u << FWV_FILTERED));
	/* port 443: a statement no one knows (rule 3) could be any
	 * verdict, so the accept after it decides nothing */
	r = run(&rs, 6, 443, PEER4, "e");
	assert_int_equal(r.v, FWV_UNDECIDED);
	fw_ruleset_release(&rs);
	/* the same with the osf rule dropping: drop either way for 9999 */
	parse(HEAD BASE("drop") RULE(2, "{\"match\":{\"op\":\"==\",\"left\":"
	    "{\"osf\":{\"key\":\"name\"}},\"right\":\"Linux\"}},{\"drop\":null}")
	    "]}", &rs);
	assert_int_equal(run(&rs, 6, 9999, PEER4, "e").v, FWV_FILTERED);
	fw_ruleset_release(&rs);
}

static void
t_bounded(void **state)
{
	struct fw_ruleset rs;
	struct fw_result r;

	(void)state;
	parse_file(RS "deep-jumps.json", &rs);
	r = run(&rs, 6, 22, PEER4, "e");
	assert_int_equal(r.v, FWV_UNDECIDED);
	assert_non_null(strstr(r.why, "deeper"));
	fw_ruleset_release(&rs);
	parse_file(RS "jump-loop.json", &rs);
	r = run(&rs, 6, 22, PEER4, "e");
	assert_int_equal(r.v, FWV_UNDECIDED);
	r = run(&rs, 6, 23, PEER4, "e");
	assert_int_equal(r.v, FWV_OPEN);
	fw_ruleset_release(&rs);
	parse_file(RS "big-set.json", &rs);
	assert_int_equal(run(&rs, 6, 1, 0x0a000001u, "e").v, FWV_FILTERED);
	assert_int_equal(run(&rs, 6, 1, 0x0ac70001u + 0xf900, "e").v,
	    FWV_FILTERED);		/* 10.199.249.1 */
	assert_int_equal(run(&rs, 6, 1, 0xc0a80505u, "e").v, FWV_FILTERED);
	assert_int_equal(run(&rs, 6, 1, 0x0a000002u, "e").v, FWV_OPEN);
	fw_ruleset_release(&rs);
}

/* A set larger than the reader keeps: cut, and its lookups undecided. */
/*
 * A long chain's port index: every verdict equals the one of the same
 * chain walked rule by rule, for every port and protocol, and each next
 * candidate is the first rule the quick port test lets through.
 */
static void
t_port_index(void **state)
{
	struct strbuf sb;
	struct fw_ruleset rs, plain;

	(void)state;
	strbuf_init(&sb, 1u << 20);
	strbuf_addstr(&sb, HEAD BASE("drop"));
	for (int i = 0; i < 200; i++) {
		if (i % 7 == 0)		/* one port */
			strbuf_addf(&sb, RULE(%d, DPORT("%d") "," ACCEPT) ",",
			    i + 10, 1000 + i % 90);
		else if (i % 7 == 1)	/* a small range, then a drop */
			strbuf_addf(&sb, RULE(%d, DPORT("{\"range\":[%d,%d]}")
			    ",{\"drop\":null}") ",", i + 10, 1000 + i % 80,
			    1003 + i % 80);
		else if (i % 7 == 2)	/* a wide range: tested every time */
			strbuf_addf(&sb, RULE(%d, DPORT("{\"range\":[%d,%d]}")
			    ",{\"reject\":null}") ",", i + 10, 1040 + i, 1300 + i);
		else if (i % 7 == 3)	/* no port test at all */
			strbuf_addf(&sb, RULE(%d, "{\"match\":{\"op\":\"==\","
			    "\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
			    "\"saddr\"}},\"right\":\"10.%d.0.1\"}}," ACCEPT) ",",
			    i + 10, i);
		else if (i % 7 == 4)	/* udp */
			strbuf_addf(&sb, RULE(%d, "{\"match\":{\"op\":\"==\","
			    "\"left\":{\"payload\":{\"protocol\":\"udp\",\"field\":"
			    "\"dport\"}},\"right\":%d}}," ACCEPT) ",", i + 10,
			    1000 + i % 60);
		else			/* a set of ports */
			strbuf_addf(&sb, RULE(%d, DPORT("{\"set\":[%d,%d]}") ","
			    ACCEPT) ",", i + 10, 1100 + i, 1200 + i);
	}
	strbuf_addstr(&sb, RULE(9999, DPORT("1") "," ACCEPT) "]}");
	assert_false(sb.truncated);
	parse(sb.buf, &rs);
	parse(sb.buf, &plain);
	assert_int_equal(rs.nchains, 1);
	assert_true(rs.chains[0].indexed);
	plain.chains[0].indexed = 0;	/* walked rule by rule */
	for (int proto = 0; proto < 3; proto++)
		for (uint16_t port = 990; port < 1600; port++) {
			int l4 = proto == 0 ? 6 : proto == 1 ? 17 : 1;
			struct fw_result a = run(&rs, l4, port, PEER4, "eth0");
			struct fw_result b = run(&plain, l4, port, PEER4, "eth0");

			assert_int_equal(a.v, b.v);
			assert_int_equal(a.by.rule, b.by.rule);
		}
	/* the candidates themselves */
	{
		const struct fw_chain *c = &rs.chains[0];

		for (uint32_t from = 0; from < c->nrules; from += 3) {
			uint32_t want = from;

			while (want < c->nrules) {
				const struct fw_rule *r = &rs.rules[c->rules[want]];

				if (!r->pf || (1050 >= r->pf_lo &&
				    1050 <= r->pf_hi))
					break;
				want++;
			}
			assert_true(fw_chain_next(c, from, 1, 1050) <= want);
			/* what it passes over cannot match 1050 */
			for (uint32_t k = from; k < fw_chain_next(c, from, 1,
			    1050); k++) {
				const struct fw_rule *r = &rs.rules[c->rules[k]];

				assert_true(r->pf && (1050 < r->pf_lo ||
				    1050 > r->pf_hi));
			}
		}
	}
	fw_ruleset_release(&rs);
	fw_ruleset_release(&plain);
	strbuf_release(&sb);
}

static void
t_huge_set(void **state)
{
	struct strbuf sb;
	struct fw_ruleset rs;
	struct fw_result r;

	(void)state;
	strbuf_init(&sb, 64u << 20);
	strbuf_addstr(&sb, HEAD "{\"set\":{\"family\":\"inet\",\"table\":\"t\","
	    "\"name\":\"p\",\"type\":\"inet_service\",\"elem\":[");
	for (unsigned int i = 0; i < (1u << 20) + 10; i++)
		strbuf_addf(&sb, "%s%u", i ? "," : "", i % 65536);
	strbuf_addstr(&sb, "]}}," BASE("drop") RULE(2, DPORT("\"@p\"") ","
	    ACCEPT) "]}");
	assert_false(sb.truncated);
	parse(sb.buf, &rs);
	assert_true(rs.cut > 0);
	r = run(&rs, 6, 22, PEER4, "e");
	assert_int_equal(r.v, FWV_UNDECIDED);
	fw_ruleset_release(&rs);
	strbuf_release(&sb);
}

static void
t_nat_and_handshake(void **state)
{
	struct fw_ruleset rs;
	struct fw_env env = { &rs, is_local, NULL, NULL };
	struct fw_packet p;
	struct fw_result r;

	(void)state;
	parse("{\"nftables\":[{\"chain\":{\"family\":\"ip\",\"table\":\"n\","
	    "\"name\":\"pre\",\"type\":\"nat\",\"hook\":\"prerouting\","
	    "\"prio\":-100,\"policy\":\"accept\"}},"
	    "{\"chain\":{\"family\":\"inet\",\"table\":\"f\",\"name\":\"fwd\","
	    "\"type\":\"filter\",\"hook\":\"forward\",\"prio\":0,\"policy\":"
	    "\"drop\"}},"
	    "{\"rule\":{\"family\":\"ip\",\"table\":\"n\",\"chain\":\"pre\","
	    "\"handle\":2,\"expr\":[" DPORT("8080") ",{\"dnat\":{\"addr\":"
	    "\"10.88.0.2\",\"port\":80}}]}},"
	    "{\"rule\":{\"family\":\"inet\",\"table\":\"f\",\"chain\":\"fwd\","
	    "\"handle\":3,\"expr\":[{\"match\":{\"op\":\"in\",\"left\":{\"ct\":"
	    "{\"key\":\"status\"}},\"right\":\"dnat\"}},{\"match\":{\"op\":"
	    "\"in\",\"left\":{\"ct\":{\"key\":\"state\"}},\"right\":\"new\"}},"
	    ACCEPT "]}}]}", &rs);
	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.l4proto = 6;
	p.saddr = PEER4;
	p.daddr = LOCAL4;
	p.dport = 8080;
	p.iifname = "eth0";
	fw_eval(&env, &p, &r);
	assert_int_equal(r.v, FWV_OPEN);
	assert_true(r.dnat && r.forwarded);
	assert_true(r.daddr == 0x0a580002u && r.dport == 80);
	/* the handshake's ACK: established, not new: the forward chain
	 * accepts only new flows, so it is dropped */
	p.established = 1;
	p.dnat = 1;
	p.dnat_daddr = r.daddr;
	p.dnat_dport = r.dport;
	fw_eval(&env, &p, &r);
	assert_int_equal(r.v, FWV_FILTERED);
	fw_ruleset_release(&rs);
	/* the DNAT in a chain the nat base chain jumps to (netavark's,
	 * docker's, kube-proxy's shape) */
	parse("{\"nftables\":[{\"chain\":{\"family\":\"ip\",\"table\":\"n\","
	    "\"name\":\"pre\",\"type\":\"nat\",\"hook\":\"prerouting\","
	    "\"prio\":-100,\"policy\":\"accept\"}},"
	    "{\"chain\":{\"family\":\"ip\",\"table\":\"n\",\"name\":\"dn\"}},"
	    "{\"rule\":{\"family\":\"ip\",\"table\":\"n\",\"chain\":\"pre\","
	    "\"handle\":2,\"expr\":[{\"jump\":{\"target\":\"dn\"}}]}},"
	    "{\"rule\":{\"family\":\"ip\",\"table\":\"n\",\"chain\":\"dn\","
	    "\"handle\":3,\"expr\":[" DPORT("8080") ",{\"dnat\":{\"addr\":"
	    "\"10.88.0.2\",\"port\":80}}]}}]}", &rs);
	p.established = 0;
	p.dnat = 0;
	p.dport = 8080;
	fw_eval(&env, &p, &r);
	assert_true(r.v == FWV_OPEN && r.dnat && r.forwarded && r.dport == 80);
	fw_ruleset_release(&rs);
}

/* iptables-nft's compat matches, from their argument blobs. */
static void
t_compat(void **state)
{
	struct xt_conntrack_mtinfo2 ct;
	struct xt_multiport_v1 mp;
	struct xt_blob b[3];
	struct fw_ruleset rs;
	char *cause;
	const char *json = "{\"nftables\":[{\"chain\":{\"family\":\"ip\","
	    "\"table\":\"filter\",\"name\":\"INPUT\",\"type\":\"filter\","
	    "\"hook\":\"input\",\"prio\":0,\"policy\":\"drop\"}},"
	    "{\"rule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":"
	    "\"INPUT\",\"handle\":5,\"expr\":[{\"xt\":{\"type\":\"match\","
	    "\"name\":\"conntrack\"}},{\"xt\":{\"type\":\"match\",\"name\":"
	    "\"multiport\"}}," ACCEPT "]}},"
	    "{\"rule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":"
	    "\"INPUT\",\"handle\":6,\"expr\":[" DPORT("9") ",{\"xt\":{\"type\":"
	    "\"target\",\"name\":\"REJECT\"}}]}}]}";

	(void)state;
	memset(b, 0, sizeof(b));
	memset(&ct, 0, sizeof(ct));
	ct.match_flags = XT_CONNTRACK_STATE;
	ct.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
	memset(&mp, 0, sizeof(mp));
	mp.flags = XT_MULTIPORT_DESTINATION;
	mp.count = 3;
	mp.ports[0] = 80;
	mp.ports[1] = 1000;
	mp.ports[2] = 1010;
	mp.pflags[1] = 1;	/* 1000-1010 */
	for (int i = 0; i < 3; i++) {
		b[i].family = NFPROTO_IPV4;
		snprintf(b[i].table, sizeof(b[i].table), "filter");
		snprintf(b[i].chain, sizeof(b[i].chain), "INPUT");
	}
	b[0].handle = 5;
	b[0].seq = 0;
	b[0].rev = 2;
	snprintf(b[0].name, sizeof(b[0].name), "conntrack");
	b[0].info = (uint8_t *)&ct;
	b[0].len = sizeof(ct);
	b[1].handle = 5;
	b[1].seq = 1;
	b[1].rev = 1;
	snprintf(b[1].name, sizeof(b[1].name), "multiport");
	b[1].info = (uint8_t *)&mp;
	b[1].len = sizeof(mp);
	b[2].handle = 6;
	b[2].target = 1;
	snprintf(b[2].name, sizeof(b[2].name), "REJECT");
	xt_blobs_sort(b, 3);
	assert_int_equal(fw_ruleset_parse(json, strlen(json), b, 3, &rs,
	    &cause), 0);
	assert_int_equal(run(&rs, 6, 80, PEER4, "e").v, FWV_OPEN);
	assert_int_equal(run(&rs, 6, 1005, PEER4, "e").v, FWV_OPEN);
	assert_int_equal(run(&rs, 6, 1011, PEER4, "e").v, FWV_FILTERED);
	assert_int_equal(run(&rs, 6, 9, PEER4, "e").v, FWV_REJECTED);
	fw_ruleset_release(&rs);
	/* without the blobs: the compat match cannot be read, undecided */
	assert_int_equal(fw_ruleset_parse(json, strlen(json), NULL, 0, &rs,
	    &cause), 0);
	assert_int_equal(run(&rs, 6, 80, PEER4, "e").v, FWV_UNDECIDED);
	fw_ruleset_release(&rs);
}

static void
t_bad_documents(void **state)
{
	static const char *const bad[] = { "", "[", "{}", "{\"nftables\":3}",
	    "{\"nftables\":[{\"rule\":{\"expr\":\"x\"}},{\"chain\":7},"
	    "{\"set\":{\"name\":1}},{\"rule\":{\"family\":\"inet\",\"table\":"
	    "\"t\",\"chain\":\"nope\",\"expr\":[]}}]}" };
	struct fw_ruleset rs;
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(fw_ruleset_parse(bad[i], strlen(bad[i]), NULL,
		    0, &rs, &cause), -1);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
	}
	assert_int_equal(fw_ruleset_parse(bad[4], strlen(bad[4]), NULL, 0, &rs,
	    &cause), 0);
	assert_true(rs.skipped >= 2);
	fw_ruleset_release(&rs);
}

/* A real dump (chains, sets, elements, rules as netlink gave them) read
 * back into matches; each verdict as the ruleset says. */
static struct fw_result
run_nl(const struct fw_ruleset *rs, int proto, uint16_t port, fw_u128 saddr,
    const char *iif, uint32_t index)
{
	struct fw_env env = { rs, is_local, NULL, NULL };
	struct fw_packet p;
	struct fw_result r;

	memset(&p, 0, sizeof(p));
	p.family = 4;
	p.l4proto = (uint8_t)proto;
	p.saddr = saddr;
	p.daddr = LOCAL4;
	p.dport = port;
	p.iifname = iif;
	p.iif = index;
	p.iiftype = 1;
	fw_eval(&env, &p, &r);
	return r;
}

static void
load_nl(const char *path, struct fw_ruleset *rs)
{
	struct strbuf sb;

	strbuf_init(&sb, 1u << 20);
	assert_int_equal(read_at_capped(-1, path, 1u << 20, &sb), 0);
	fw_ruleset_from_netlink(sb.buf, sb.len, rs);
	strbuf_release(&sb);
}

static void
t_netlink(void **state)
{
	struct fw_ruleset rs;
	struct fw_result r;

	(void)state;
	/* inet f: drop policy; a verdict map @vm (8080 accept, 8081 drop);
	 * an inline map (7001: goto sub, which accepts); ip saddr @allowed
	 * (10.0.0.0/8, a range) . tcp dport @ports (22, 80); iifname
	 * "veth*" 9000-9010; th dport 5000 for tcp and udp; fib daddr
	 * local 6000 reject; then a mark, a limit and a reject; ip nat:
	 * 80 dnat to 10.1.1.2:8080 */
	load_nl(FIXTURE_DIR "/netlink/mixed.nl", &rs);
	assert_true(rs.nrules == 20 && rs.nbases == 2 && rs.skipped == 0);
	assert_int_equal(run_nl(&rs, 6, 8080, PEER4, "eth0", 2).v, FWV_OPEN);
	assert_int_equal(run_nl(&rs, 6, 8081, PEER4, "eth0", 2).v,
	    FWV_FILTERED);
	assert_int_equal(run_nl(&rs, 6, 22, 0x0a010203u, "eth0", 2).v,
	    FWV_OPEN);
	assert_int_equal(run_nl(&rs, 6, 9005, PEER4, "veth0", 3).v, FWV_OPEN);
	assert_int_equal(run_nl(&rs, 6, 7001, PEER4, "eth0", 2).v, FWV_OPEN);
	assert_int_equal(run_nl(&rs, 17, 5000, PEER4, "eth0", 2).v, FWV_OPEN);
	assert_int_equal(run_nl(&rs, 6, 6000, PEER4, "eth0", 2).v,
	    FWV_REJECTED);
	/* 22 from elsewhere reaches the mark and the limit: undecided */
	r = run_nl(&rs, 6, 22, PEER4, "eth0", 2);
	assert_int_equal(r.v, FWV_UNDECIDED);
	r = run_nl(&rs, 6, 80, PEER4, "eth0", 2);
	assert_true(r.v == FWV_OPEN && r.dnat && r.forwarded &&
	    r.daddr == 0x0a010102u && r.dport == 8080);
	fw_ruleset_release(&rs);
	/* iptables-nft: a drop policy; conntrack, multiport (80, 443),
	 * REJECT for 25; nat: addrtype LOCAL jumps to DN, which DNATs 8080
	 * to 10.88.0.2:80 */
	load_nl(FIXTURE_DIR "/netlink/iptables-nft.nl", &rs);
	assert_int_equal(run_nl(&rs, 6, 443, PEER4, "eth0", 2).v, FWV_OPEN);
	assert_int_equal(run_nl(&rs, 6, 25, PEER4, "eth0", 2).v, FWV_REJECTED);
	assert_int_equal(run_nl(&rs, 6, 26, PEER4, "eth0", 2).v, FWV_FILTERED);
	r = run_nl(&rs, 6, 8080, PEER4, "eth0", 2);
	assert_true(r.v == FWV_OPEN && r.dnat && r.forwarded &&
	    r.daddr == 0x0a580002u && r.dport == 80);
	fw_ruleset_release(&rs);
	/* bytes that are no messages: nothing, no crash */
	fw_ruleset_from_netlink("garbage", 7, &rs);
	assert_int_equal(rs.nrules, 0);
	fw_ruleset_release(&rs);
}

static void
t_text(void **state)
{
	struct fw_from f;
	char buf[128], *cause = NULL;

	(void)state;
	fw_range_text(4, 0x0a000000u, 0x0affffffu, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/8");
	fw_range_text(4, 0x0a000001u, 0x0a000005u, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1-10.0.0.5");
	fw_range_text(6, 0, ~(fw_u128)0, buf, sizeof(buf));
	assert_string_equal(buf, "::/0");
	assert_int_equal(fw_parse_from("10.1.2.3%eth0", &f, &cause), 0);
	assert_true(f.family == 4 && f.addr == 0x0a010203u &&
	    strcmp(f.ifname, "eth0") == 0);
	assert_int_equal(fw_parse_from("fd00::1", &f, &cause), 0);
	assert_int_equal(f.family, 6);
	assert_int_equal(fw_parse_from("nope", &f, &cause), -1);
	free(cause);
	assert_int_equal(fw_parse_from("1.2.3.4%", &f, &cause), -1);
	free(cause);
	assert_int_equal(fw_parse_from("1.2.3.4%averyveryverylongname", &f,
	    &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_policy_and_accept),
		cmocka_unit_test(t_port_index),
		cmocka_unit_test(t_jumps_and_maps),
		cmocka_unit_test(t_unknowns),
		cmocka_unit_test(t_bounded),
		cmocka_unit_test(t_huge_set),
		cmocka_unit_test(t_nat_and_handshake),
		cmocka_unit_test(t_compat),
		cmocka_unit_test(t_bad_documents),
		cmocka_unit_test(t_netlink),
		cmocka_unit_test(t_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
