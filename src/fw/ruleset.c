/*
 * ruleset.c - libnftables' JSON (and iptables-nft's compat blobs) into
 * the evaluator's typed ruleset.
 *
 * Every value is parsed by the type of the expression it is compared
 * with (an address for ip saddr, a port for tcp dport, a flag list for
 * ct state), so the evaluator compares numbers, never text.  What is
 * not understood is kept as a statement the evaluator cannot decide,
 * with the reason; it is never dropped, which would change verdicts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <jansson.h>

#include "fw/ruleset.h"
#include "fw/xtnat.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CHAINS_MAX	100000
#define RULES_MAX	1000000
#define STMTS_MAX	64		/* statements of one rule */
#define SETS_MAX	100000
#define ELEMS_MAX	(1u << 20)	/* elements of all sets together */

/* nft's ct state bits */
#define CTS_INVALID	1u
#define CTS_ESTABLISHED	2u
#define CTS_RELATED	4u
#define CTS_NEW		8u
#define CTS_UNTRACKED	64u

const char *
fw_family_name(enum fw_family f)
{
	static const char *const n[] = { "ip", "ip6", "inet", "netdev",
	    "bridge", "arp", "?" };

	return f <= FAM_OTHER ? n[f] : "?";
}

const char *
fw_hook_name(enum fw_hook h)
{
	static const char *const n[] = { "", "ingress", "prerouting", "input",
	    "forward", "output", "postrouting" };

	return h <= HK_POSTROUTING ? n[h] : "";
}

static enum fw_family
family_of(const char *s)
{
	static const char *const n[] = { "ip", "ip6", "inet", "netdev",
	    "bridge", "arp" };

	for (size_t i = 0; s && i < sizeof(n) / sizeof(n[0]); i++)
		if (strcmp(s, n[i]) == 0)
			return (enum fw_family)i;
	return FAM_OTHER;
}

static enum fw_hook
hook_of(const char *s)
{
	for (int h = HK_INGRESS; s && h <= HK_POSTROUTING; h++)
		if (strcmp(s, fw_hook_name((enum fw_hook)h)) == 0)
			return (enum fw_hook)h;
	return HK_NONE;
}

static int
has_prefix(const char *s, const char *p)
{
	return s && strncmp(s, p, strlen(p)) == 0;
}

static int
has_word(const char *s, const char *w)
{
	return s && strstr(s, w) != NULL;
}

const char *
fw_maker(const char *table, const char *chain, const char *comment)
{
	if (has_prefix(chain, "NETAVARK") || has_prefix(table, "netavark"))
		return "netavark";
	if (has_prefix(chain, "CNI-HOSTPORT") || has_prefix(chain, "CNI-DN-"))
		return "CNI portmap (hostPort)";
	if (has_prefix(chain, "CNI-"))
		return "CNI";
	if (has_prefix(chain, "KUBE-") || has_prefix(table, "kube-proxy"))
		return "kube-proxy";
	if (has_prefix(chain, "DOCKER"))
		return "docker";
	if (has_prefix(table, "firewalld") || has_prefix(chain, "filter_IN_") ||
	    has_prefix(chain, "nat_PRE_"))
		return "firewalld";
	if (has_prefix(chain, "LIBVIRT_") || has_prefix(table, "libvirt"))
		return "libvirt";
	if (has_prefix(chain, "ufw"))
		return "ufw";
	if (has_prefix(chain, "f2b-") || has_prefix(table, "f2b-") ||
	    has_word(comment, "fail2ban"))
		return "fail2ban";
	if (has_prefix(chain, "sshguard") || has_prefix(table, "sshguard"))
		return "sshguard";
	if (has_prefix(chain, "cali-") || has_prefix(chain, "cilium"))
		return "a Kubernetes network plugin";
	return NULL;
}

/* --- chain lookup: open addressing over (family, table, name) ------- */

static uint64_t
hash3(int f, const char *t, const char *n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)f;

	for (; *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (; *n; n++)
		h = (h ^ (unsigned char)*n) * 1099511628211ull;
	return h;
}

static void
hash_put(struct fw_ruleset *rs, uint32_t idx)
{
	const struct fw_chain *c = &rs->chains[idx];
	size_t mask, i;

	if ((rs->nchains + 1) * 2 > rs->hcap) {
		size_t ncap = rs->hcap ? rs->hcap * 2 : 64;

		free(rs->hash);
		rs->hash = xcalloc(ncap, sizeof(*rs->hash));
		rs->hcap = ncap;
		for (uint32_t k = 0; k < idx; k++)
			hash_put(rs, k);
	}
	mask = rs->hcap - 1;
	i = (size_t)hash3(c->family, c->table, c->name) & mask;
	while (rs->hash[i])
		i = (i + 1) & mask;
	rs->hash[i] = idx + 1;
}

long
fw_chain_find(const struct fw_ruleset *rs, enum fw_family f,
    const char *table, const char *name)
{
	size_t mask, i;

	if (rs->hcap == 0 || table == NULL || name == NULL)
		return -1;
	mask = rs->hcap - 1;
	i = (size_t)hash3(f, table, name) & mask;
	while (rs->hash[i]) {
		const struct fw_chain *c = &rs->chains[rs->hash[i] - 1];

		if (c->family == f && strcmp(c->table, table) == 0 &&
		    strcmp(c->name, name) == 0)
			return (long)rs->hash[i] - 1;
		i = (i + 1) & mask;
	}
	return -1;
}

static long
add_chain(struct fw_ruleset *rs, enum fw_family f, const char *table,
    const char *name)
{
	struct fw_chain *c;

	if (rs->nchains >= CHAINS_MAX) {
		rs->cut++;
		return -1;
	}
	xgrow((void **)&rs->chains, &rs->ccap, rs->nchains + 1,
	    sizeof(*rs->chains));
	c = &rs->chains[rs->nchains];
	memset(c, 0, sizeof(*c));
	c->family = f;
	c->table = xstrndup(table, 256);
	c->name = xstrndup(name, 256);
	hash_put(rs, (uint32_t)rs->nchains);
	return (long)rs->nchains++;
}

/* --- values ---------------------------------------------------------- */

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

struct name_val {
	const char	*name;
	unsigned int	 val;
};

static int
lookup_name(const struct name_val *t, const char *s, fw_u128 *out)
{
	for (; t->name; t++)
		if (strcmp(t->name, s) == 0) {
			*out = t->val;
			return 0;
		}
	return -1;
}

static const struct name_val protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 },
	{ "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 },
	{ "ipv6-icmp", 58 }, { "sctp", 132 }, { "udplite", 136 },
	{ "dccp", 33 }, { "comp", 108 }, { NULL, 0 } };
static const struct name_val ctstates[] = {
	{ "invalid", CTS_INVALID }, { "established", CTS_ESTABLISHED },
	{ "related", CTS_RELATED }, { "new", CTS_NEW },
	{ "untracked", CTS_UNTRACKED }, { NULL, 0 } };
static const struct name_val ctstatus[] = {
	{ "expected", 1 }, { "seen-reply", 2 }, { "assured", 4 },
	{ "confirmed", 8 }, { "snat", 16 }, { "dnat", 32 }, { "dying", 512 },
	{ NULL, 0 } };
static const struct name_val ctdirs[] = {
	{ "original", 0 }, { "reply", 1 }, { NULL, 0 } };
static const struct name_val fibtypes[] = {
	{ "unspec", 0 }, { "unicast", 1 }, { "local", 2 }, { "broadcast", 3 },
	{ "anycast", 4 }, { "multicast", 5 }, { "blackhole", 6 },
	{ "unreachable", 7 }, { "prohibit", 8 }, { NULL, 0 } };
static const struct name_val pkttypes[] = {
	{ "host", 0 }, { "unicast", 0 }, { "broadcast", 1 },
	{ "multicast", 2 }, { "other", 3 }, { NULL, 0 } };
static const struct name_val iiftypes[] = {
	{ "ether", 1 }, { "ppp", 512 }, { "ipip", 768 }, { "ipip6", 769 },
	{ "loopback", 772 }, { "sit", 776 }, { "ipgre", 778 }, { "none", 65534 },
	{ NULL, 0 } };
static const struct name_val nfprotos[] = {
	{ "ipv4", 2 }, { "ipv6", 10 }, { NULL, 0 } };
static const struct name_val tcpflags[] = {
	{ "fin", 1 }, { "syn", 2 }, { "rst", 4 }, { "psh", 8 }, { "ack", 16 },
	{ "urg", 32 }, { "ecn", 64 }, { "cwr", 128 }, { NULL, 0 } };

static const struct name_val icmp4types[] = {
	{ "echo-reply", 0 }, { "destination-unreachable", 3 },
	{ "source-quench", 4 }, { "redirect", 5 }, { "echo-request", 8 },
	{ "router-advertisement", 9 }, { "router-solicitation", 10 },
	{ "time-exceeded", 11 }, { "parameter-problem", 12 },
	{ "timestamp-request", 13 }, { "timestamp-reply", 14 }, { NULL, 0 } };
static const struct name_val icmp6types[] = {
	{ "destination-unreachable", 1 }, { "packet-too-big", 2 },
	{ "time-exceeded", 3 }, { "parameter-problem", 4 },
	{ "echo-request", 128 }, { "echo-reply", 129 },
	{ "mld-listener-query", 130 }, { "mld-listener-report", 131 },
	{ "mld-listener-done", 132 }, { "mld-listener-reduction", 132 },
	{ "nd-router-solicit", 133 }, { "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 }, { "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 }, { "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 }, { "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 }, { NULL, 0 } };

static int
is_flags(enum fw_field f)
{
	return f == FF_CTSTATE || f == FF_CTSTATUS || f == FF_TCPFLAGS;
}

static int
is_str_field(enum fw_field f)
{
	return f == FF_IIFNAME || f == FF_OIFNAME || f == FF_IIF ||
	    f == FF_OIF || f == FF_FIBRPF;
}

static fw_u128
ones(int bits)
{
	return bits >= 128 ? ~(fw_u128)0 : (((fw_u128)1 << bits) - 1);
}

static int
addr_val(const char *s, int fam, fw_u128 *out)
{
	uint8_t b[16];
	fw_u128 v = 0;
	int n;

	if (s == NULL)
		return -1;
	if (fam == 4 ? inet_pton(AF_INET, s, b) != 1 :
	    inet_pton(AF_INET6, s, b) != 1)
		return -1;
	n = fam == 4 ? 4 : 16;
	for (int i = 0; i < n; i++)
		v = (v << 8) | b[i];
	*out = v;
	return 0;
}

/* One scalar of field f (component k of key) into *out. */
static int
scalar(json_t *v, const struct fw_key *k, int comp, fw_u128 *out)
{
	enum fw_field f = k->f[comp];
	const struct name_val *t = NULL;
	const char *s;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return -1;
		*out = (fw_u128)json_integer_value(v);
		return 0;
	}
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	switch (f) {
	case FF_SADDR:
	case FF_DADDR:
		return addr_val(s, k->fam[comp] ? k->fam[comp] :
		    strchr(s, ':') ? 6 : 4, out);
	case FF_L4PROTO:
		t = protos;
		break;
	case FF_CTSTATE:
		t = ctstates;
		break;
	case FF_CTSTATUS:
		t = ctstatus;
		break;
	case FF_CTDIR:
		t = ctdirs;
		break;
	case FF_FIBTYPE:
		t = fibtypes;
		break;
	case FF_PKTTYPE:
		t = pkttypes;
		break;
	case FF_IIFTYPE:
		t = iiftypes;
		break;
	case FF_NFPROTO:
		t = nfprotos;
		break;
	case FF_TCPFLAGS:
		t = tcpflags;
		break;
	case FF_ICMPTYPE:
		t = k->proto[comp] == 58 ? icmp6types : icmp4types;
		break;
	default:
		break;
	}
	if (t)
		return lookup_name(t, s, out);
	/* a port by its service name: only the few every table has */
	if (f == FF_DPORT || f == FF_SPORT) {
		static const struct name_val svc[] = { { "ssh", 22 },
		    { "http", 80 }, { "https", 443 }, { "domain", 53 },
		    { "smtp", 25 }, { "ntp", 123 }, { NULL, 0 } };

		return lookup_name(svc, s, out);
	}
	return -1;
}

/* One component of a set element or right-hand side into r. */
static int
component(json_t *v, const struct fw_key *k, int comp, struct fw_range *r)
{
	enum fw_field f = k->f[comp];
	json_t *pre = json_object_get(v, "prefix");
	json_t *rng = json_object_get(v, "range");

	memset(r, 0, sizeof(*r));
	if (is_str_field(f)) {
		const char *s;
		size_t n;

		if (!json_is_string(v))
			return f == FF_FIBRPF && json_is_false(v) ? (r->str = 1,
			    r->s[0] = '\0', 0) : -1;
		s = json_string_value(v);
		n = strlen(s);
		if (n > FW_IFNAME_MAX)
			return -1;
		memcpy(r->s, s, n + 1);
		r->str = 1;
		if (n && s[n - 1] == '*' && (n < 2 || s[n - 2] != '\\')) {
			r->wild = 1;
			r->s[n - 1] = '\0';
		}
		return 0;
	}
	if (pre) {
		json_t *len = json_object_get(pre, "len");
		int fam = k->fam[comp] ? k->fam[comp] :
		    (jstr(pre, "addr") && strchr(jstr(pre, "addr"), ':')) ? 6 : 4;
		int bits = fam == 4 ? 32 : 128;
		json_int_t l;
		fw_u128 a;

		if ((f != FF_SADDR && f != FF_DADDR) || !json_is_integer(len) ||
		    (l = json_integer_value(len)) < 0 || l > bits ||
		    addr_val(jstr(pre, "addr"), fam, &a) < 0)
			return -1;
		r->lo = a & ~ones(bits - (int)l) & ones(bits);
		r->hi = r->lo | ones(bits - (int)l);
		return 0;
	}
	if (rng) {
		if (!json_is_array(rng) || json_array_size(rng) != 2 ||
		    scalar(json_array_get(rng, 0), k, comp, &r->lo) < 0 ||
		    scalar(json_array_get(rng, 1), k, comp, &r->hi) < 0 ||
		    r->lo > r->hi)
			return -1;
		return 0;
	}
	if (json_is_array(v) && is_flags(f)) {
		fw_u128 m = 0, x;

		for (size_t i = 0; i < json_array_size(v); i++) {
			if (scalar(json_array_get(v, i), k, comp, &x) < 0)
				return -1;
			m |= x;
		}
		r->lo = r->hi = m;
		return 0;
	}
	if (scalar(v, k, comp, &r->lo) < 0)
		return -1;
	r->hi = r->lo;
	return 0;
}

/* An element (a value, a concatenation, {"elem": {"val": ...}}). */
static int
element(json_t *v, const struct fw_key *k, struct fw_elem *e)
{
	json_t *el = json_object_get(v, "elem");
	json_t *cc;

	memset(e, 0, sizeof(*e));
	if (el && json_object_get(el, "val"))
		v = json_object_get(el, "val");
	cc = json_object_get(v, "concat");
	if (k->n > 1) {
		if (!json_is_array(cc) || (int)json_array_size(cc) != k->n)
			return -1;
		for (int i = 0; i < k->n; i++)
			if (component(json_array_get(cc, (size_t)i), k, i,
			    &e->c[i]) < 0)
				return -1;
		return 0;
	}
	return component(v, k, 0, &e->c[0]);
}

/* --- sets ------------------------------------------------------------ */

/* Room for one more element: a set's first is allocated alone (most
 * sets are a rule's one value), later ones double. */
static void
set_room(struct fw_set *s)
{
	if (s->cap == 0) {
		s->v = xcalloc(1, sizeof(*s->v));
		s->cap = 1;
		return;
	}
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
}


static uint32_t
new_set(struct fw_ruleset *rs)
{
	struct fw_set *s;

	xgrow((void **)&rs->sets, &rs->scap, rs->nsets + 1, sizeof(*rs->sets));
	s = &rs->sets[rs->nsets];
	memset(s, 0, sizeof(*s));
	return (uint32_t)rs->nsets++;
}

static int
range_cmp(const void *a, const void *b)
{
	const struct fw_elem *x = a, *y = b;

	return x->c[0].lo < y->c[0].lo ? -1 : x->c[0].lo > y->c[0].lo;
}

/*
 * One numeric component: sorted by the low end, with the running
 * maximum of the high ends in c[1].hi (unused by such a set), so a
 * lookup is a binary search even when ranges overlap.
 */
static void
sort_set(struct fw_set *s)
{
	fw_u128 mx = 0;

	if (s->ncomp != 1 || s->n < 2 || s->v[0].c[0].str)
		return;
	qsort(s->v, s->n, sizeof(struct fw_elem), range_cmp);
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].c[0].hi > mx)
			mx = s->v[i].c[0].hi;
		s->v[i].c[1].hi = mx;
	}
	s->sorted = 1;
}

static void parse_verdict_data(struct fw_ruleset *rs, json_t *d,
    enum fw_family fam, const char *table, struct fw_elem *e);

/* Elements of a JSON array into set s, typed by key k. */
static void
fill_set(struct fw_ruleset *rs, uint32_t si, json_t *arr,
    const struct fw_key *k, enum fw_family fam, const char *table)
{
	rs->sets[si].ncomp = k->n;
	for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		struct fw_elem e;
		struct fw_set *s = &rs->sets[si];

		if (rs->nelems >= ELEMS_MAX) {
			s->too_large = 1;
			rs->cut++;
			break;
		}
		if (s->is_map) {
			if (!json_is_array(v) || json_array_size(v) != 2 ||
			    element(json_array_get(v, 0), k, &e) < 0) {
				s->bad = 1;
				continue;
			}
			parse_verdict_data(rs, json_array_get(v, 1), fam, table,
			    &e);
		} else if (element(v, k, &e) < 0) {
			s->bad = 1;
			continue;
		}
		set_room(s);
		s->v[s->n++] = e;
		rs->nelems++;
	}
	sort_set(&rs->sets[si]);
}

/* The key a named set's type names (one component per type). */
static int
key_of_type(json_t *type, struct fw_key *k)
{
	static const struct { const char *n; enum fw_field f; uint8_t fam; }
	    types[] = {
		{ "ipv4_addr", FF_SADDR, 4 }, { "ipv6_addr", FF_SADDR, 6 },
		{ "inet_service", FF_DPORT, 0 }, { "inet_proto", FF_L4PROTO, 0 },
		{ "ifname", FF_IIFNAME, 0 }, { "mark", FF_MARK, 0 },
		{ "ct_state", FF_CTSTATE, 0 }, { "iface_index", FF_IIF, 0 },
		{ "nf_proto", FF_NFPROTO, 0 }, { "pkt_type", FF_PKTTYPE, 0 },
		{ "ct_status", FF_CTSTATUS, 0 }, { "fib_addrtype", FF_FIBTYPE, 0 },
	};
	size_t n = json_is_array(type) ? json_array_size(type) : 1;

	memset(k, 0, sizeof(*k));
	if (n == 0 || n > FW_CONCAT_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_is_array(type) ? json_array_get(type, i) : type;
		size_t j;

		for (j = 0; j < sizeof(types) / sizeof(types[0]); j++)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), types[j].n) == 0)
				break;
		if (j == sizeof(types) / sizeof(types[0]))
			return -1;
		k->f[i] = types[j].f;
		k->fam[i] = types[j].fam;
	}
	k->n = (int)n;
	return 0;
}

static long
find_named_set(const struct fw_ruleset *rs, enum fw_family fam,
    const char *table, const char *name)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		const struct fw_set *s = &rs->sets[i];

		if (s->name && strcmp(s->name, name) == 0 && s->table &&
		    strcmp(s->table, table) == 0 &&
		    family_of(s->family) == fam)
			return (long)i;
	}
	return -1;
}

static void
parse_named_set(struct fw_ruleset *rs, json_t *o, int is_map)
{
	const char *name = jstr(o, "name"), *table = jstr(o, "table");
	const char *fam = jstr(o, "family");
	json_t *flags = json_object_get(o, "flags");
	struct fw_key k;
	uint32_t si;

	if (name == NULL || table == NULL || fam == NULL) {
		rs->skipped++;
		return;
	}
	if (rs->nsets >= SETS_MAX) {
		rs->cut++;
		return;
	}
	si = new_set(rs);
	rs->sets[si].name = xstrndup(name, 256);
	rs->sets[si].table = xstrndup(table, 256);
	rs->sets[si].family = xstrndup(fam, 16);
	rs->sets[si].is_map = is_map;
	if (is_map && (jstr(o, "map") == NULL || strcmp(jstr(o, "map"),
	    "verdict") != 0)) {
		rs->sets[si].bad = 1;	/* a data map: not a verdict */
		return;
	}
	for (size_t i = 0; json_is_array(flags) && i < json_array_size(flags);
	    i++)
		if (json_is_string(json_array_get(flags, i)) && strcmp(
		    json_string_value(json_array_get(flags, i)), "dynamic") == 0)
			rs->sets[si].dynamic = 1;
	if (key_of_type(json_object_get(o, "type"), &k) < 0) {
		rs->sets[si].bad = 1;
		return;
	}
	fill_set(rs, si, json_object_get(o, "elem"), &k, family_of(fam),
	    table);
}

/* --- expressions ----------------------------------------------------- */

static int
proto_num(const char *p)
{
	fw_u128 v;

	if (p == NULL || lookup_name(protos, p, &v) < 0)
		return -1;
	return (int)v;
}

/* The left side of a match, one component; -1 with *why when unknown. */
static int
key_component(json_t *e, struct fw_key *k, int i, const char **why)
{
	json_t *pl = json_object_get(e, "payload");
	json_t *meta = json_object_get(e, "meta");
	json_t *ct = json_object_get(e, "ct");
	json_t *fib = json_object_get(e, "fib");

	k->fam[i] = 0;
	k->proto[i] = 0;
	if (pl) {
		const char *p = jstr(pl, "protocol"), *f = jstr(pl, "field");

		if (p == NULL || f == NULL) {
			*why = "a raw payload match";
			return -1;
		}
		if (strcmp(p, "ip") == 0 || strcmp(p, "ip6") == 0) {
			k->fam[i] = p[2] == '6' ? 6 : 4;
			if (strcmp(f, "saddr") == 0)
				k->f[i] = FF_SADDR;
			else if (strcmp(f, "daddr") == 0)
				k->f[i] = FF_DADDR;
			else if (strcmp(f, "protocol") == 0 ||
			    strcmp(f, "nexthdr") == 0)
				k->f[i] = FF_L4PROTO;
			else {
				*why = "a match on another IP header field";
				return -1;
			}
			return 0;
		}
		if (strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 ||
		    strcmp(p, "th") == 0 || strcmp(p, "udplite") == 0 ||
		    strcmp(p, "sctp") == 0 || strcmp(p, "dccp") == 0) {
			k->proto[i] = strcmp(p, "th") == 0 ? 0 :
			    (uint8_t)proto_num(p);
			if (strcmp(f, "dport") == 0)
				k->f[i] = FF_DPORT;
			else if (strcmp(f, "sport") == 0)
				k->f[i] = FF_SPORT;
			else if (strcmp(p, "tcp") == 0 &&
			    strcmp(f, "flags") == 0)
				k->f[i] = FF_TCPFLAGS;
			else {
				*why = "a match on another transport header "
				    "field";
				return -1;
			}
			return 0;
		}
		if (strcmp(p, "icmp") == 0 || strcmp(p, "icmpv6") == 0) {
			k->proto[i] = p[4] == 'v' ? 58 : 1;
			k->f[i] = strcmp(f, "type") == 0 ? FF_ICMPTYPE :
			    FF_ICMPOTHER;
			return 0;
		}
		if (strcmp(p, "esp") == 0 || strcmp(p, "ah") == 0 ||
		    strcmp(p, "igmp") == 0 || strcmp(p, "gre") == 0 ||
		    strcmp(p, "comp") == 0) {
			/* a header this TCP or UDP packet does not have */
			k->f[i] = FF_OTHERPROTO;
			return 0;
		}
		*why = "a match on a header of another layer";
		return -1;
	}
	if (meta) {
		static const struct { const char *n; enum fw_field f; } m[] = {
			{ "l4proto", FF_L4PROTO }, { "nfproto", FF_NFPROTO },
			{ "iifname", FF_IIFNAME }, { "iif", FF_IIF },
			{ "oifname", FF_OIFNAME }, { "oif", FF_OIF },
			{ "iiftype", FF_IIFTYPE }, { "pkttype", FF_PKTTYPE },
			{ "mark", FF_MARK }, { "protocol", FF_NFPROTO },
		};
		const char *key = jstr(meta, "key");

		for (size_t j = 0; key && j < sizeof(m) / sizeof(m[0]); j++)
			if (strcmp(key, m[j].n) == 0) {
				k->f[i] = m[j].f;
				return 0;
			}
		*why = "a meta match the evaluator does not model";
		return -1;
	}
	if (ct) {
		const char *key = jstr(ct, "key");

		if (key && strcmp(key, "state") == 0)
			k->f[i] = FF_CTSTATE;
		else if (key && strcmp(key, "status") == 0)
			k->f[i] = FF_CTSTATUS;
		else if (key && strcmp(key, "direction") == 0)
			k->f[i] = FF_CTDIR;
		else if (key && strcmp(key, "mark") == 0)
			k->f[i] = FF_CTMARK;
		else {
			*why = "a conntrack match the evaluator does not model";
			return -1;
		}
		return 0;
	}
	if (fib) {
		const char *res = jstr(fib, "result");
		json_t *fl = json_object_get(fib, "flags");
		int saddr = 0, daddr = 0, iif = 0, other = 0;

		for (size_t j = 0; json_is_array(fl) && j < json_array_size(fl);
		    j++) {
			const char *s = json_string_value(json_array_get(fl, j));

			if (s && strcmp(s, "saddr") == 0)
				saddr = 1;
			else if (s && strcmp(s, "daddr") == 0)
				daddr = 1;
			else if (s && strcmp(s, "iif") == 0)
				iif = 1;
			else
				other = 1;
		}
		if (res && strcmp(res, "type") == 0 && daddr && !saddr && !other) {
			k->f[i] = FF_FIBTYPE;
			return 0;
		}
		if (res && strcmp(res, "oif") == 0 && saddr && iif && !daddr &&
		    !other) {
			k->f[i] = FF_FIBRPF;
			return 0;
		}
		*why = "a routing lookup the evaluator does not model";
		return -1;
	}
	*why = "an expression the evaluator does not model";
	return -1;
}

static int
parse_key(json_t *left, struct fw_key *k, const char **why)
{
	json_t *and = json_object_get(left, "&");
	json_t *cc;

	memset(k, 0, sizeof(*k));
	if (json_is_array(and) && json_array_size(and) == 2) {
		struct fw_range mr;

		if (parse_key(json_array_get(and, 0), k, why) < 0)
			return -1;
		if (k->n != 1 || k->has_mask ||
		    component(json_array_get(and, 1), k, 0, &mr) < 0 ||
		    mr.str || mr.lo != mr.hi) {
			*why = "a masked match the evaluator does not model";
			return -1;
		}
		k->has_mask = 1;
		k->mask = mr.lo;
		return 0;
	}
	cc = json_object_get(left, "concat");
	if (cc) {
		if (!json_is_array(cc) || json_array_size(cc) < 1 ||
		    json_array_size(cc) > FW_CONCAT_MAX) {
			*why = "a concatenation too long";
			return -1;
		}
		for (size_t i = 0; i < json_array_size(cc); i++)
			if (key_component(json_array_get(cc, i), k, (int)i,
			    why) < 0)
				return -1;
		k->n = (int)json_array_size(cc);
		return 0;
	}
	if (key_component(left, k, 0, why) < 0)
		return -1;
	k->n = 1;
	return 0;
}

/* The right side into a set (named, anonymous, or one value). */
static int
parse_right(struct fw_ruleset *rs, json_t *right, const struct fw_key *k,
    enum fw_family fam, const char *table, uint32_t *si, const char **why)
{
	json_t *set = json_object_get(right, "set");
	struct fw_elem e;

	if (json_is_string(right) && json_string_value(right)[0] == '@') {
		long i = find_named_set(rs, fam, table,
		    json_string_value(right) + 1);

		if (i < 0) {
			*why = "a set the ruleset does not hold";
			return -1;
		}
		*si = (uint32_t)i;
		return 0;
	}
	if (rs->nsets >= SETS_MAX) {
		rs->cut++;
		*why = "more sets than the evaluator keeps";
		return -1;
	}
	if (set) {
		*si = new_set(rs);
		fill_set(rs, *si, set, k, fam, table);
		if (rs->sets[*si].bad) {
			*why = "a set element not understood";
			return -1;
		}
		return 0;
	}
	if (element(right, k, &e) < 0) {
		*why = "a value not understood";
		return -1;
	}
	*si = new_set(rs);
	rs->sets[*si].ncomp = k->n;
	set_room(&rs->sets[*si]);
	rs->sets[*si].v[0] = e;
	rs->sets[*si].n = 1;
	return 0;
}

static enum fw_op
op_of(const char *s, int *ok)
{
	static const struct { const char *n; enum fw_op op; } t[] = {
		{ "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT }, { ">", OP_GT },
		{ "<=", OP_LE }, { ">=", OP_GE }, { "in", OP_IN },
	};

	*ok = 1;
	if (s == NULL)
		return OP_EQ;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].n) == 0)
			return t[i].op;
	*ok = 0;
	return OP_EQ;
}

/* A verdict object ({"accept": null}, {"jump": {"target": X}}). */
static int
verdict_kind(json_t *d, const char **target)
{
	static const struct { const char *n; enum fw_stmt_kind k; } t[] = {
		{ "accept", FS_ACCEPT }, { "drop", FS_DROP },
		{ "continue", FS_CONTINUE }, { "return", FS_RETURN },
		{ "jump", FS_JUMP }, { "goto", FS_GOTO }, { "queue", FS_QUEUE },
	};

	*target = NULL;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		json_t *v = json_object_get(d, t[i].n);

		if (v == NULL)
			continue;
		if (t[i].k == FS_JUMP || t[i].k == FS_GOTO) {
			*target = jstr(v, "target");
			if (*target == NULL)
				return -1;
		}
		return (int)t[i].k;
	}
	return -1;
}

static void
parse_verdict_data(struct fw_ruleset *rs, json_t *d, enum fw_family fam,
    const char *table, struct fw_elem *e)
{
	const char *target;
	int k = verdict_kind(d, &target);

	e->vchain = -1;
	if (k < 0) {
		e->vkind = FS_UNKNOWN;
		return;
	}
	e->vkind = k;
	if (target) {
		long c = fw_chain_find(rs, fam, table, target);

		if (c < 0)
			e->vkind = FS_UNKNOWN;
		e->vchain = (int32_t)c;
	}
}

/* --- compat expressions ------------------------------------------------ */

static void
stmt_unknown(struct fw_stmt *st, enum fw_stmt_kind kind, const char *what)
{
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->what = what;
	if (kind == FS_MATCH)
		st->unknown = 1;
}

static struct fw_set *
one_range_set(struct fw_ruleset *rs, uint32_t *si, int ncomp)
{
	*si = new_set(rs);
	rs->sets[*si].ncomp = ncomp;
	return &rs->sets[*si];
}

static void
set_add_range(struct fw_set *s, fw_u128 lo, fw_u128 hi)
{
	set_room(s);
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].c[0].lo = lo;
	s->v[s->n].c[0].hi = hi;
	s->n++;
}

/* The statement an iptables-nft compat expression is. */
static void
compat(struct fw_ruleset *rs, const struct xt_blob *b, struct fw_stmt *st)
{
	const uint8_t *info = b ? b->info : NULL;
	size_t len = b ? b->len : 0;

	if (b == NULL) {
		stmt_unknown(st, FS_MATCH, "an iptables-nft compat expression "
		    "whose arguments could not be read");
		return;
	}
	memset(st, 0, sizeof(*st));
	if (b->target) {
		if (strcmp(b->name, "REJECT") == 0)
			st->kind = FS_REJECT;
		else if (strcmp(b->name, "LOG") == 0 ||
		    strcmp(b->name, "NFLOG") == 0 ||
		    strcmp(b->name, "TCPMSS") == 0 ||
		    strcmp(b->name, "CHECKSUM") == 0 ||
		    strcmp(b->name, "CT") == 0)
			st->kind = FS_NOP;
		else if (strcmp(b->name, "MASQUERADE") == 0 ||
		    strcmp(b->name, "SNAT") == 0)
			st->kind = FS_NATOTHER;
		else if (strcmp(b->name, "DNAT") == 0 ||
		    strcmp(b->name, "REDIRECT") == 0) {
			uint8_t a[16];
			uint16_t port;

			if (strcmp(b->name, "DNAT") == 0 && info &&
			    xt_nat_decode(b->family, b->rev, info, len, a,
			    &port) == 0) {
				st->kind = FS_DNAT;
				st->has_addr = 1;
				st->nat_family = b->family == NFPROTO_IPV4 ?
				    4 : 6;
				for (int i = 0; i < (st->nat_family == 4 ?
				    4 : 16); i++)
					st->addr = (st->addr << 8) | a[i];
				st->has_port = port != 0;
				st->port = port;
			} else
				stmt_unknown(st, FS_UNKNOWN, "an iptables "
				    "NAT target not understood");
		} else if (strcmp(b->name, "MARK") == 0 && info &&
		    len >= sizeof(struct xt_mark_tginfo2) && b->rev == 2) {
			struct xt_mark_tginfo2 m;

			memcpy(&m, info, sizeof(m));
			st->kind = FS_MARKSET;
			st->value = m.mark;
			st->unknown_value = m.mask != 0xffffffffu;
		} else if (strcmp(b->name, "NFQUEUE") == 0)
			st->kind = FS_QUEUE;
		else
			stmt_unknown(st, FS_UNKNOWN, "an iptables target the "
			    "evaluator does not model");
		return;
	}
	if (strcmp(b->name, "comment") == 0) {
		st->kind = FS_NOP;
		return;
	}
	if (strcmp(b->name, "conntrack") == 0 && info && b->rev >= 1 &&
	    len >= sizeof(struct xt_conntrack_mtinfo1)) {
		uint16_t flags, inv, state;
		struct fw_set *s;
		uint32_t si;

		if (b->rev == 1) {
			struct xt_conntrack_mtinfo1 c;

			memcpy(&c, info, sizeof(c));
			flags = c.match_flags;
			inv = c.invert_flags;
			state = c.state_mask;
		} else if (len >= sizeof(struct xt_conntrack_mtinfo2)) {
			struct xt_conntrack_mtinfo2 c;

			memcpy(&c, info, sizeof(c));
			flags = c.match_flags;
			inv = c.invert_flags;
			state = c.state_mask;
		} else {
			stmt_unknown(st, FS_MATCH, "an iptables conntrack "
			    "match not understood");
			return;
		}
		if ((flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS)) ||
		    !(flags & XT_CONNTRACK_STATE)) {
			stmt_unknown(st, FS_MATCH, "an iptables conntrack "
			    "match on more than the state");
			return;
		}
		/* xt's bits: INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8,
		 * UNTRACKED 1 << 10 (IP_CT_NUMBER + 1); nft's differ only
		 * for untracked */
		st->kind = FS_MATCH;
		st->key.n = 1;
		st->key.f[0] = FF_CTSTATE;
		st->op = (inv & XT_CONNTRACK_STATE) ? OP_NOTIN : OP_IN;
		s = one_range_set(rs, &si, 1);
		set_add_range(s, (state & 0x0f) |
		    ((state & (1u << 10)) ? CTS_UNTRACKED : 0),
		    (state & 0x0f) | ((state & (1u << 10)) ? CTS_UNTRACKED : 0));
		st->set = si;
		return;
	}
	if (strcmp(b->name, "state") == 0 && info &&
	    len >= sizeof(struct xt_state_info)) {
		struct xt_state_info c;
		struct fw_set *s;
		uint32_t si, m;

		memcpy(&c, info, sizeof(c));
		m = (c.statemask & 0x0f) | ((c.statemask &
		    XT_STATE_UNTRACKED) ? CTS_UNTRACKED : 0);
		st->kind = FS_MATCH;
		st->key.n = 1;
		st->key.f[0] = FF_CTSTATE;
		st->op = OP_IN;
		s = one_range_set(rs, &si, 1);
		set_add_range(s, m, m);
		st->set = si;
		return;
	}
	if (strcmp(b->name, "multiport") == 0 && info && b->rev == 1 &&
	    len >= sizeof(struct xt_multiport_v1)) {
		struct xt_multiport_v1 c;
		struct fw_set *s;
		uint32_t si;

		memcpy(&c, info, sizeof(c));
		if (c.count > XT_MULTI_PORTS || c.flags > XT_MULTIPORT_EITHER) {
			stmt_unknown(st, FS_MATCH, "an iptables multiport "
			    "match not understood");
			return;
		}
		if (c.flags == XT_MULTIPORT_EITHER) {
			stmt_unknown(st, FS_MATCH, "an iptables multiport "
			    "match on either port (the source port is not "
			    "known)");
			return;
		}
		st->kind = FS_MATCH;
		st->key.n = 1;
		st->key.f[0] = c.flags == XT_MULTIPORT_SOURCE ? FF_SPORT :
		    FF_DPORT;
		st->op = c.invert ? OP_NE : OP_EQ;
		s = one_range_set(rs, &si, 1);
		for (unsigned int i = 0; i < c.count; i++) {
			if (c.pflags[i] && i + 1 < c.count) {
				set_add_range(s, c.ports[i], c.ports[i + 1]);
				i++;
			} else
				set_add_range(s, c.ports[i], c.ports[i]);
		}
		st->set = si;
		return;
	}
	if (strcmp(b->name, "addrtype") == 0 && info && b->rev == 1 &&
	    len >= sizeof(struct xt_addrtype_info_v1)) {
		struct xt_addrtype_info_v1 c;
		struct fw_set *s;
		uint32_t si;

		memcpy(&c, info, sizeof(c));
		if (c.source || (c.flags & ~XT_ADDRTYPE_INVERT_DEST) ||
		    c.dest == 0) {
			stmt_unknown(st, FS_MATCH, "an iptables addrtype "
			    "match on more than the destination");
			return;
		}
		st->kind = FS_MATCH;
		st->key.n = 1;
		st->key.f[0] = FF_ADDRTYPE_DST;
		st->op = (c.flags & XT_ADDRTYPE_INVERT_DEST) ? OP_NOTIN : OP_IN;
		s = one_range_set(rs, &si, 1);
		set_add_range(s, c.dest, c.dest);
		st->set = si;
		return;
	}
	if (strcmp(b->name, "mark") == 0 && info && b->rev == 1 &&
	    len >= sizeof(struct xt_mark_mtinfo1)) {
		struct xt_mark_mtinfo1 c;
		struct fw_set *s;
		uint32_t si;

		memcpy(&c, info, sizeof(c));
		st->kind = FS_MATCH;
		st->key.n = 1;
		st->key.f[0] = FF_MARK;
		st->key.has_mask = 1;
		st->key.mask = c.mask;
		st->op = c.invert ? OP_NE : OP_EQ;
		s = one_range_set(rs, &si, 1);
		set_add_range(s, c.mark, c.mark);
		st->set = si;
		return;
	}
	if (strcmp(b->name, "limit") == 0 || strcmp(b->name, "hashlimit") == 0) {
		stmt_unknown(st, FS_MAYBE, "an iptables rate limit");
		return;
	}
	if (strcmp(b->name, "recent") == 0 || strcmp(b->name, "set") == 0 ||
	    strcmp(b->name, "connlimit") == 0) {
		stmt_unknown(st, FS_MAYBE, strcmp(b->name, "set") == 0 ?
		    "an ipset lookup (ipset is not read)" :
		    "an iptables match on state fed at run time");
		return;
	}
	stmt_unknown(st, FS_MATCH, "an iptables match the evaluator does "
	    "not model");
}

/* --- rules ------------------------------------------------------------- */

/* Does a match name the destination ports plainly? */
static void
note_dport(struct fw_rule *r, const struct fw_stmt *st)
{
	if (st->kind != FS_MATCH || st->unknown || st->key.n != 1 ||
	    st->key.f[0] != FF_DPORT || st->op != OP_EQ)
		return;
	r->names_dport = 1;
	if (st->key.proto[0])
		r->dproto = st->key.proto[0];
}

static void
parse_stmt(struct fw_ruleset *rs, json_t *e, enum fw_family fam,
    const char *table, const char *chain, uint64_t handle,
    unsigned int *xtseq, const struct xt_blob *xt, size_t nxt,
    struct fw_stmt *st)
{
	json_t *m = json_object_get(e, "match");
	json_t *v;
	const char *why = NULL, *target;
	int k, ok;

	memset(st, 0, sizeof(*st));
	if (m) {
		st->kind = FS_MATCH;
		st->op = op_of(jstr(m, "op"), &ok);
		if (!ok) {
			stmt_unknown(st, FS_MATCH, "a comparison the evaluator "
			    "does not model");
			return;
		}
		if (parse_key(json_object_get(m, "left"), &st->key, &why) < 0 ||
		    parse_right(rs, json_object_get(m, "right"), &st->key, fam,
		    table, &st->set, &why) < 0) {
			stmt_unknown(st, FS_MATCH, why);
			return;
		}
		if (rs->sets[st->set].dynamic) {
			stmt_unknown(st, FS_MAYBE, "a lookup in a set fed at "
			    "run time");
			return;
		}
		if (rs->sets[st->set].too_large || rs->sets[st->set].bad) {
			stmt_unknown(st, FS_MATCH, rs->sets[st->set].too_large ?
			    "a set larger than the evaluator keeps" :
			    "a set with elements not understood");
			return;
		}
		if ((st->op == OP_LT || st->op == OP_GT || st->op == OP_LE ||
		    st->op == OP_GE) && (st->key.n != 1 ||
		    rs->sets[st->set].n != 1 || is_str_field(st->key.f[0]))) {
			stmt_unknown(st, FS_MATCH, "an ordered comparison "
			    "with a set");
			return;
		}
		if (st->key.f[0] == FF_IIF || st->key.f[0] == FF_IIFNAME ||
		    st->key.f[0] == FF_FIBRPF)
			rs->uses_iif = 1;
		for (int i = 0; i < st->key.n; i++) {
			if (st->key.f[i] == FF_OIF || st->key.f[i] == FF_OIFNAME)
				rs->uses_oif = 1;
			if (st->key.f[i] == FF_SPORT)
				rs->uses_sport = 1;
			if (st->key.f[i] == FF_IIF || st->key.f[i] == FF_IIFNAME)
				rs->uses_iif = 1;
		}
		return;
	}
	if ((k = verdict_kind(e, &target)) >= 0) {
		st->kind = (enum fw_stmt_kind)k;
		if (target) {
			long c = fw_chain_find(rs, fam, table, target);

			if (c < 0) {
				stmt_unknown(st, FS_UNKNOWN, "a jump to a chain "
				    "the ruleset does not hold");
				return;
			}
			st->target = (uint32_t)c;
		}
		return;
	}
	if (json_object_get(e, "reject")) {
		st->kind = FS_REJECT;
		return;
	}
	if ((v = json_object_get(e, "vmap"))) {
		json_t *data = json_object_get(v, "data");

		st->kind = FS_VMAP;
		if (parse_key(json_object_get(v, "key"), &st->key, &why) < 0) {
			stmt_unknown(st, FS_UNKNOWN, why);
			return;
		}
		if (json_is_string(data) && json_string_value(data)[0] == '@') {
			long i = find_named_set(rs, fam, table,
			    json_string_value(data) + 1);

			if (i < 0 || !rs->sets[i].is_map || rs->sets[i].bad ||
			    rs->sets[i].too_large) {
				stmt_unknown(st, FS_UNKNOWN, "a verdict map not "
				    "understood");
				return;
			}
			st->set = (uint32_t)i;
			return;
		}
		if (rs->nsets >= SETS_MAX) {
			stmt_unknown(st, FS_UNKNOWN, "more sets than the "
			    "evaluator keeps");
			return;
		}
		st->set = new_set(rs);
		rs->sets[st->set].is_map = 1;
		fill_set(rs, st->set, json_object_get(data, "set"), &st->key,
		    fam, table);
		if (rs->sets[st->set].bad || rs->sets[st->set].too_large)
			stmt_unknown(st, FS_UNKNOWN, "a verdict map not "
			    "understood");
		return;
	}
	if ((v = json_object_get(e, "dnat"))) {
		const char *a = jstr(v, "addr");
		json_t *p = json_object_get(v, "port");
		const char *f = jstr(v, "family");
		int nf = f ? (strcmp(f, "ip6") == 0 ? 6 : 4) :
		    fam == FAM_IP6 ? 6 : (a && strchr(a, ':')) ? 6 : 4;

		st->kind = FS_DNAT;
		st->nat_family = (uint8_t)nf;
		if (a) {
			if (addr_val(a, nf, &st->addr) < 0) {
				stmt_unknown(st, FS_UNKNOWN, "a DNAT to a map or "
				    "an expression");
				return;
			}
			st->has_addr = 1;
		}
		if (p) {
			if (!json_is_integer(p) || json_integer_value(p) < 0 ||
			    json_integer_value(p) > 65535) {
				stmt_unknown(st, FS_UNKNOWN, "a DNAT to a port "
				    "map or range");
				return;
			}
			st->has_port = 1;
			st->port = (uint16_t)json_integer_value(p);
		}
		if (!st->has_addr)
			stmt_unknown(st, FS_UNKNOWN, "a DNAT without an address");
		return;
	}
	if ((v = json_object_get(e, "redirect"))) {
		json_t *p = json_object_get(v, "port");

		st->kind = FS_REDIRECT;
		if (p) {
			if (!json_is_integer(p) || json_integer_value(p) < 0 ||
			    json_integer_value(p) > 65535) {
				stmt_unknown(st, FS_UNKNOWN, "a redirect to a "
				    "port map or range");
				return;
			}
			st->has_port = 1;
			st->port = (uint16_t)json_integer_value(p);
		}
		return;
	}
	if (json_object_get(e, "snat") || json_object_get(e, "masquerade")) {
		st->kind = FS_NATOTHER;
		return;
	}
	if ((v = json_object_get(e, "mangle"))) {
		json_t *key = json_object_get(v, "key");
		json_t *val = json_object_get(v, "value");
		const char *mk = jstr(json_object_get(key, "meta"), "key");
		const char *ck = jstr(json_object_get(key, "ct"), "key");

		if ((mk && strcmp(mk, "mark") == 0) || (ck && strcmp(ck,
		    "mark") == 0)) {
			st->kind = mk ? FS_MARKSET : FS_CTMARKSET;
			if (json_is_integer(val) && json_integer_value(val) >= 0)
				st->value = (fw_u128)json_integer_value(val);
			else
				st->unknown_value = 1;
		} else
			st->kind = FS_NOP;	/* priority, dscp, ttl */
		return;
	}
	if (json_object_get(e, "notrack")) {
		st->kind = FS_NOTRACK;
		return;
	}
	if ((v = json_object_get(e, "xt"))) {
		/* iptables-nft's compat expression: its arguments come from
		 * libnftnl (fw/xtnat), in the order of the rule */
		compat(rs, xt_blob_find(xt, nxt, fam == FAM_IP6 ?
		    NFPROTO_IPV6 : NFPROTO_IPV4, table, chain, handle,
		    (*xtseq)++), st);
		return;
	}
	if (json_object_get(e, "limit")) {
		stmt_unknown(st, FS_MAYBE, "a rate limit");
		return;
	}
	if (json_object_get(e, "quota")) {
		stmt_unknown(st, FS_MAYBE, "a quota");
		return;
	}
	if (json_object_get(e, "ct count")) {
		stmt_unknown(st, FS_MAYBE, "a connection count limit");
		return;
	}
	if ((v = json_object_get(e, "set"))) {
		/* add/update @set: the set is fed at run time (marked in
		 * the first pass); a meter is a limit per key */
		if (json_object_get(v, "stmt"))
			stmt_unknown(st, FS_MAYBE, "a meter (a limit per key, "
			    "fed at run time)");
		else
			st->kind = FS_NOP;
		return;
	}
	if (json_object_get(e, "queue")) {
		stmt_unknown(st, FS_QUEUE, "a queue to user space");
		return;
	}
	if (json_object_get(e, "tproxy") || json_object_get(e, "fwd") ||
	    json_object_get(e, "synproxy")) {
		stmt_unknown(st, FS_UNKNOWN, json_object_get(e, "tproxy") ?
		    "a transparent proxy (tproxy)" : json_object_get(e, "fwd") ?
		    "a forward to another device (fwd)" : "a SYN proxy");
		return;
	}
	if (json_object_get(e, "counter") || json_object_get(e, "log") ||
	    json_object_get(e, "flow") || json_object_get(e, "dup") ||
	    json_object_get(e, "secmark") || json_object_get(e, "ct helper") ||
	    json_object_get(e, "ct timeout") ||
	    json_object_get(e, "ct expectation")) {
		st->kind = FS_NOP;
		return;
	}
	stmt_unknown(st, FS_UNKNOWN, "a statement the evaluator does not "
	    "model");
}

static void
prefilter(const struct fw_ruleset *rs, struct fw_rule *r)
{
	for (size_t i = 0; i < r->nst; i++) {
		const struct fw_stmt *st = &r->st[i];
		const struct fw_set *s;

		if (st->kind != FS_MATCH || st->unknown ||
		    st->set >= rs->nsets)
			return;
		s = &rs->sets[st->set];
		if (st->key.n != 1 || st->key.f[0] != FF_DPORT ||
		    st->op != OP_EQ || st->key.has_mask || s->n == 0)
			continue;
		r->pf = 1;
		r->pf_proto = st->key.proto[0];
		r->pf_lo = 65535;
		r->pf_hi = 0;
		for (size_t e = 0; e < s->n; e++) {
			if (s->v[e].c[0].lo < r->pf_lo)
				r->pf_lo = (uint16_t)s->v[e].c[0].lo;
			if (s->v[e].c[0].hi > r->pf_hi)
				r->pf_hi = s->v[e].c[0].hi > 65535 ? 65535 :
				    (uint16_t)s->v[e].c[0].hi;
		}
		return;
	}
}

static void
parse_rule(struct fw_ruleset *rs, json_t *o, const struct xt_blob *xt,
    size_t nxt)
{
	const char *fam = jstr(o, "family"), *table = jstr(o, "table");
	const char *chain = jstr(o, "chain");
	json_t *expr = json_object_get(o, "expr");
	json_t *h = json_object_get(o, "handle");
	enum fw_family f = family_of(fam);
	struct fw_rule *r;
	struct fw_chain *c;
	unsigned int xtseq = 0;
	long ci;
	size_t n;

	if (table == NULL || chain == NULL || !json_is_array(expr) ||
	    (ci = fw_chain_find(rs, f, table, chain)) < 0) {
		rs->skipped++;
		return;
	}
	if (rs->nrules >= RULES_MAX) {
		rs->cut++;
		return;
	}
	xgrow((void **)&rs->rules, &rs->rcap, rs->nrules + 1,
	    sizeof(*rs->rules));
	r = &rs->rules[rs->nrules];
	memset(r, 0, sizeof(*r));
	r->chain = (uint32_t)ci;
	r->handle = json_is_integer(h) && json_integer_value(h) > 0 ?
	    (uint64_t)json_integer_value(h) : 0;
	if (jstr(o, "comment"))
		r->comment = xstrndup(jstr(o, "comment"), 256);
	n = json_array_size(expr);
	if (n > STMTS_MAX) {
		/* a rule this long is not read: it cannot be decided */
		r->st = xcalloc(1, sizeof(*r->st));
		stmt_unknown(&r->st[0], FS_UNKNOWN, "a rule of more statements "
		    "than the evaluator reads");
		r->nst = 1;
		rs->cut++;
	} else {
		r->st = xcalloc(n ? n : 1, sizeof(*r->st));
		for (size_t i = 0; i < n; i++) {
			parse_stmt(rs, json_array_get(expr, i), f, table, chain,
			    r->handle, &xtseq, xt, nxt, &r->st[i]);
			note_dport(r, &r->st[i]);
		}
		r->nst = n;
		prefilter(rs, r);
	}
	c = &rs->chains[ci];
	xgrow((void **)&c->rules, &c->cap, c->nrules + 1, sizeof(*c->rules));
	c->rules[c->nrules++] = (uint32_t)rs->nrules++;
}

/* --- the builder other readers share (fw/nftnl) ----------------------- */

long
fw_rs_chain(struct fw_ruleset *rs, enum fw_family f, const char *table,
    const char *name)
{
	if (fw_chain_find(rs, f, table, name) >= 0) {
		rs->skipped++;
		return -1;
	}
	return add_chain(rs, f, table, name);
}

long
fw_rs_set(struct fw_ruleset *rs, int ncomp)
{
	uint32_t si;

	if (rs->nsets >= SETS_MAX) {
		rs->cut++;
		return -1;
	}
	si = new_set(rs);
	rs->sets[si].ncomp = ncomp;
	return (long)si;
}

int
fw_rs_set_add(struct fw_ruleset *rs, uint32_t si, const struct fw_elem *e)
{
	struct fw_set *s = &rs->sets[si];

	if (rs->nelems >= ELEMS_MAX) {
		s->too_large = 1;
		rs->cut++;
		return -1;
	}
	set_room(s);
	s->v[s->n++] = *e;
	rs->nelems++;
	return 0;
}

void
fw_rs_set_done(struct fw_ruleset *rs, uint32_t si)
{
	sort_set(&rs->sets[si]);
}

void
fw_rs_unknown(struct fw_stmt *st, enum fw_stmt_kind kind, const char *what)
{
	stmt_unknown(st, kind, what);
}

void
fw_rs_compat(struct fw_ruleset *rs, const struct xt_blob *b,
    struct fw_stmt *st)
{
	compat(rs, b, st);
}

void
fw_rs_rule(struct fw_ruleset *rs, uint32_t chain, uint64_t handle,
    const char *comment, struct fw_stmt *st, size_t n)
{
	struct fw_rule *r;
	struct fw_chain *c;

	if (rs->nrules >= RULES_MAX || chain >= rs->nchains) {
		rs->cut++;
		free(st);
		return;
	}
	xgrow((void **)&rs->rules, &rs->rcap, rs->nrules + 1,
	    sizeof(*rs->rules));
	r = &rs->rules[rs->nrules];
	memset(r, 0, sizeof(*r));
	r->chain = chain;
	r->handle = handle;
	r->comment = comment ? xstrndup(comment, 256) : NULL;
	r->st = st;
	r->nst = n;
	for (size_t i = 0; i < n; i++) {
		note_dport(r, &st[i]);
		if (st[i].kind == FS_MATCH && !st[i].unknown)
			for (int k = 0; k < st[i].key.n; k++) {
				enum fw_field f = st[i].key.f[k];

				rs->uses_iif |= f == FF_IIF || f == FF_IIFNAME ||
				    f == FF_FIBRPF || f == FF_IIFIDX ||
				    f == FF_FIBRPFIDX;
				rs->uses_oif |= f == FF_OIF || f == FF_OIFNAME;
				rs->uses_sport |= f == FF_SPORT;
			}
	}
	prefilter(rs, r);
	c = &rs->chains[chain];
	xgrow((void **)&c->rules, &c->cap, c->nrules + 1, sizeof(*c->rules));
	c->rules[c->nrules++] = (uint32_t)rs->nrules++;
}

static void
parse_chain(struct fw_ruleset *rs, json_t *o)
{
	const char *fam = jstr(o, "family"), *table = jstr(o, "table");
	const char *name = jstr(o, "name"), *hook = jstr(o, "hook");
	const char *policy = jstr(o, "policy"), *type = jstr(o, "type");
	json_t *prio = json_object_get(o, "prio");
	struct fw_chain *c;
	long ci;

	if (table == NULL || name == NULL) {
		rs->skipped++;
		return;
	}
	if (fw_chain_find(rs, family_of(fam), table, name) >= 0) {
		rs->skipped++;		/* listed twice: the first counts */
		return;
	}
	if ((ci = add_chain(rs, family_of(fam), table, name)) < 0)
		return;
	c = &rs->chains[ci];
	if (jstr(o, "comment"))
		c->comment = xstrndup(jstr(o, "comment"), 256);
	if (jstr(o, "dev"))
		c->dev = xstrndup(jstr(o, "dev"), 64);
	if (hook) {
		c->hook = hook_of(hook);
		c->base = c->hook != HK_NONE;
		c->prio = json_is_integer(prio) && json_integer_value(prio) >=
		    -100000 && json_integer_value(prio) <= 100000 ?
		    (int)json_integer_value(prio) : 0;
		c->policy_drop = policy && strcmp(policy, "drop") == 0;
		c->type_nat = type && strcmp(type, "nat") == 0;
	}
}

int
fw_ruleset_parse(const char *json, size_t len, const struct xt_blob *xt,
    size_t nxt, struct fw_ruleset *rs, char **cause)
{
	json_error_t jerr;
	json_t *doc, *items;

	*cause = NULL;
	memset(rs, 0, sizeof(*rs));
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		*cause = xasprintf("the ruleset is not JSON: %s", jerr.text);
		return -1;
	}
	items = json_object_get(doc, "nftables");
	if (!json_is_array(items)) {
		json_decref(doc);
		*cause = xstrdup("the ruleset has no \"nftables\" array");
		return -1;
	}
	/* chains and sets first: rules and maps name them */
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		json_t *o;

		if ((o = json_object_get(it, "chain")))
			parse_chain(rs, o);
	}
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		json_t *o;

		if ((o = json_object_get(it, "set")))
			parse_named_set(rs, o, 0);
		else if ((o = json_object_get(it, "map")))
			parse_named_set(rs, o, 1);
	}
	/* a set fed by a rule (add/update @set) is known only after every
	 * rule is read: two passes, the first to mark such sets */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < json_array_size(items); i++) {
			json_t *o = json_object_get(json_array_get(items, i),
			    "rule");
			json_t *expr = json_object_get(o, "expr");

			if (o == NULL)
				continue;
			if (pass == 0) {
				for (size_t k = 0; json_is_array(expr) &&
				    k < json_array_size(expr); k++) {
					json_t *sv = json_object_get(
					    json_array_get(expr, k), "set");
					const char *nm = jstr(sv, "set");
					long si = nm && nm[0] == '@' ?
					    find_named_set(rs, family_of(jstr(o,
					    "family")), jstr(o, "table") ?
					    jstr(o, "table") : "", nm + 1) : -1;

					if (si >= 0)
						rs->sets[si].dynamic = 1;
				}
				continue;
			}
			parse_rule(rs, o, xt, nxt);
		}
	}
	json_decref(doc);
	fw_ruleset_finish(rs);
	return 0;
}

static int
legacy_prio(const char *table)
{
	static const struct { const char *n; int p; } t[] = {
		{ "raw", -300 }, { "mangle", -150 }, { "nat", -100 },
		{ "filter", 0 }, { "security", 50 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].n, table) == 0)
			return t[i].p;
	return 0;
}

void
fw_ruleset_add_legacy(struct fw_ruleset *rs, int family, const char *table,
    unsigned int hooks, unsigned int policy_drop)
{
	static const enum fw_hook map[] = { HK_PREROUTING, HK_INPUT,
	    HK_FORWARD, HK_OUTPUT, HK_POSTROUTING };
	static const char *const names[] = { "PREROUTING", "INPUT", "FORWARD",
	    "OUTPUT", "POSTROUTING" };
	char tname[80];

	snprintf(tname, sizeof(tname), "%s (legacy iptables)", table);
	for (int h = 0; h < 5; h++) {
		long ci;

		if (!(hooks & (1u << h)) || !(policy_drop & (1u << h)))
			continue;	/* an accept policy changes nothing */
		if ((ci = add_chain(rs, family == 6 ? FAM_IP6 : FAM_IP, tname,
		    names[h])) < 0)
			return;
		rs->chains[ci].base = 1;
		rs->chains[ci].legacy = 1;
		rs->chains[ci].hook = map[h];
		rs->chains[ci].prio = legacy_prio(table);
		rs->chains[ci].policy_drop = 1;
	}
}

static int
base_cmp(const void *a, const void *b, void *arg)
{
	const struct fw_ruleset *rs = arg;
	const struct fw_chain *x = &rs->chains[*(const uint32_t *)a];
	const struct fw_chain *y = &rs->chains[*(const uint32_t *)b];

	if (x->hook != y->hook)
		return x->hook < y->hook ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Chains shorter than this are walked rule by rule. */
#define INDEX_MIN_RULES		32
/* A quick port test over more ports than this is tested every time. */
#define INDEX_SPAN_MAX		64
/* At most this many (port, position) entries per ruleset. */
#define INDEX_ENTRIES_MAX	(1u << 21)

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
index_chain(const struct fw_ruleset *rs, struct fw_chain *c, size_t *budget)
{
	size_t nport = 0, nany = 0;

	free(c->any_pos);
	free(c->port_pos);
	c->any_pos = NULL;
	c->port_pos = NULL;
	c->nany = c->nport = 0;
	c->indexed = 0;
	if (c->nrules < INDEX_MIN_RULES)
		return;
	for (size_t i = 0; i < c->nrules; i++) {
		const struct fw_rule *r = &rs->rules[c->rules[i]];

		if (r->pf && r->pf_hi >= r->pf_lo &&
		    r->pf_hi - r->pf_lo < INDEX_SPAN_MAX)
			nport += (size_t)(r->pf_hi - r->pf_lo) + 1;
		else if (!r->pf || r->pf_hi >= r->pf_lo)
			nany++;
	}
	if (nport > *budget)
		return;
	*budget -= nport;
	c->any_pos = xcalloc(nany ? nany : 1, sizeof(*c->any_pos));
	c->port_pos = xcalloc(nport ? nport : 1, sizeof(*c->port_pos));
	for (size_t i = 0; i < c->nrules; i++) {
		const struct fw_rule *r = &rs->rules[c->rules[i]];

		if (r->pf && r->pf_hi >= r->pf_lo &&
		    r->pf_hi - r->pf_lo < INDEX_SPAN_MAX) {
			for (uint32_t p = r->pf_lo; p <= r->pf_hi; p++)
				c->port_pos[c->nport++] = (uint64_t)p << 32 |
				    (uint32_t)i;
		} else if (!r->pf || r->pf_hi >= r->pf_lo)
			c->any_pos[c->nany++] = (uint32_t)i;
		/* else: a port test no port passes (an empty range) */
	}
	if (c->nport > 1)
		qsort(c->port_pos, c->nport, sizeof(*c->port_pos), u64_cmp);
	c->indexed = 1;
}

uint32_t
fw_chain_next(const struct fw_chain *c, uint32_t from, int has_port,
    uint16_t dport)
{
	size_t lo = 0, hi = c->nany;
	uint32_t best = (uint32_t)c->nrules;

	if (!c->indexed || from >= c->nrules)
		return from < c->nrules ? from : (uint32_t)c->nrules;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->any_pos[mid] < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->nany)
		best = c->any_pos[lo];
	if (has_port) {
		uint64_t key = (uint64_t)dport << 32 | from;

		lo = 0;
		hi = c->nport;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (c->port_pos[mid] < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < c->nport && (c->port_pos[lo] >> 32) == dport &&
		    (uint32_t)c->port_pos[lo] < best)
			best = (uint32_t)c->port_pos[lo];
	}
	return best;
}

static int
names_source(const struct fw_rule *r)
{
	for (size_t q = 0; q < r->nst; q++) {
		const struct fw_stmt *st = &r->st[q];

		if (st->kind != FS_MATCH && st->kind != FS_VMAP)
			continue;
		for (int c = 0; c < st->key.n; c++)
			if (st->key.f[c] == FF_SADDR)
				return 1;
	}
	return 0;
}

void
fw_ruleset_finish(struct fw_ruleset *rs)
{
	size_t budget = INDEX_ENTRIES_MAX;

	for (size_t i = 0; i < rs->nchains; i++)
		index_chain(rs, &rs->chains[i], &budget);
	free(rs->src_rules);
	rs->src_rules = xcalloc(rs->nrules ? rs->nrules : 1,
	    sizeof(*rs->src_rules));
	rs->nsrc = 0;
	for (size_t i = 0; i < rs->nrules; i++)
		if (names_source(&rs->rules[i]))
			rs->src_rules[rs->nsrc++] = (uint32_t)i;
	free(rs->bases);
	rs->bases = xcalloc(rs->nchains ? rs->nchains : 1, sizeof(uint32_t));
	rs->nbases = 0;
	for (size_t i = 0; i < rs->nchains; i++)
		if (rs->chains[i].base)
			rs->bases[rs->nbases++] = (uint32_t)i;
	if (rs->nbases > 1)
		qsort_r(rs->bases, rs->nbases, sizeof(uint32_t), base_cmp, rs);
}

void
fw_ruleset_release(struct fw_ruleset *rs)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		free(rs->chains[i].table);
		free(rs->chains[i].name);
		free(rs->chains[i].comment);
		free(rs->chains[i].dev);
		free(rs->chains[i].rules);
		free(rs->chains[i].any_pos);
		free(rs->chains[i].port_pos);
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		free(rs->rules[i].comment);
		free(rs->rules[i].st);
	}
	for (size_t i = 0; i < rs->nsets; i++) {
		free(rs->sets[i].family);
		free(rs->sets[i].table);
		free(rs->sets[i].name);
		free(rs->sets[i].v);
	}
	free(rs->chains);
	free(rs->rules);
	free(rs->sets);
	free(rs->bases);
	free(rs->src_rules);
	free(rs->hash);
	free(rs->legacy4);
	free(rs->legacy6);
	memset(rs, 0, sizeof(*rs));
}
