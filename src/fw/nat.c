/*
 * nat.c - DNAT rules from libnftables' JSON, in any namespace (read
 * once per run by fw/nftread), joined to the listeners they lead to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>

#include <jansson.h>

#include "fw/nat.h"
#include "fw/nftread.h"
#include "fw/ruleset.h"
#include "fw/xtnat.h"
#include "kernel/netns.h"
#include "kernel/sock.h"
#include "model/listing.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RULES_MAX	100000		/* DNAT rules kept */

void
nat_set_release(struct nat_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].iifname);
		free(s->v[i].table);
		free(s->v[i].chain);
		free(s->v[i].comment);
		free(s->v[i].table_family);
		free(s->v[i].via);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

uint16_t
nat_target_port(const struct nat_rule *r, uint16_t dport)
{
	return r->to_port ? r->to_port : dport;
}

const char *
nat_maker(const struct nat_rule *r)
{
	if (r->kind == NAT_PROXY)
		return r->via;
	return fw_maker(r->table, r->chain, r->comment);
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
port_of(json_t *v, uint16_t *p)
{
	json_int_t n;

	if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 ||
	    n > 65535)
		return -1;
	*p = (uint16_t)n;
	return 0;
}

/* What one rule matched, while its expressions are read. */
struct match {
	uint8_t		 proto;
	int		 have_proto;
	uint16_t	 ports[64][2];	/* (lo, hi) */
	size_t		 nports;
	int		 has_daddr, daddr_family;
	uint8_t		 daddr[16];
	const char	*iifname;
	int		 unknown;	/* a match we do not model */
};

static int
addr_of(const char *s, uint8_t out[16], int *family)
{
	memset(out, 0, 16);
	if (s && inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (s && inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

static void
read_match(json_t *m, struct match *mt)
{
	json_t *left = json_object_get(m, "left");
	json_t *right = json_object_get(m, "right");
	json_t *pl = json_object_get(left, "payload");
	json_t *meta = json_object_get(left, "meta");
	const char *op = jstr(m, "op");

	if (op && strcmp(op, "==") != 0 && strcmp(op, "in") != 0) {
		mt->unknown = 1;
		return;
	}
	if (pl) {
		const char *proto = jstr(pl, "protocol");
		const char *field = jstr(pl, "field");

		if (proto && field && strcmp(field, "dport") == 0 &&
		    (strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0 ||
		    strcmp(proto, "th") == 0)) {
			json_t *set = json_object_get(right, "set");
			json_t *range = json_object_get(right, "range");
			uint16_t a, b;

			if (strcmp(proto, "th") != 0) {
				mt->proto = strcmp(proto, "tcp") == 0 ?
				    PROTO_TCP : PROTO_UDP;
				mt->have_proto = 1;
			}
			if (port_of(right, &a) == 0 && mt->nports < 64) {
				mt->ports[mt->nports][0] = a;
				mt->ports[mt->nports++][1] = a;
			} else if (json_is_array(range) &&
			    json_array_size(range) == 2 &&
			    port_of(json_array_get(range, 0), &a) == 0 &&
			    port_of(json_array_get(range, 1), &b) == 0 &&
			    a <= b && mt->nports < 64) {
				mt->ports[mt->nports][0] = a;
				mt->ports[mt->nports++][1] = b;
			} else if (json_is_array(set)) {
				for (size_t i = 0; i < json_array_size(set) &&
				    mt->nports < 64; i++)
					if (port_of(json_array_get(set, i),
					    &a) == 0) {
						mt->ports[mt->nports][0] = a;
						mt->ports[mt->nports++][1] = a;
					} else
						mt->unknown = 1;
			} else {
				mt->unknown = 1;	/* a named set, a map */
			}
			return;
		}
		if (proto && field && strcmp(field, "daddr") == 0 &&
		    (strcmp(proto, "ip") == 0 || strcmp(proto, "ip6") == 0)) {
			if (json_is_string(right) && addr_of(json_string_value(
			    right), mt->daddr, &mt->daddr_family) == 0)
				mt->has_daddr = 1;
			else
				mt->unknown = 1;	/* a prefix, a set */
			return;
		}
		mt->unknown = 1;
		return;
	}
	if (meta) {
		const char *key = jstr(meta, "key");

		if (key && strcmp(key, "iifname") == 0 && json_is_string(right)) {
			mt->iifname = json_string_value(right);
			return;
		}
		if (key && strcmp(key, "l4proto") == 0 && json_is_string(right)) {
			const char *p = json_string_value(right);

			mt->proto = strcmp(p, "udp") == 0 ? PROTO_UDP : PROTO_TCP;
			mt->have_proto = strcmp(p, "udp") == 0 ||
			    strcmp(p, "tcp") == 0;
			return;
		}
	}
	/* fib daddr type local, ct state, marks: the path's business, not
	 * the mapping's */
}

static void add_target(struct nat_set *out, json_t *rule, uint32_t index,
    const struct match *mt, const uint8_t *addr, int fam, uint16_t to_port);

static void
add_rule(struct nat_set *out, json_t *rule, json_t *dnat, uint32_t index,
    const struct match *mt)
{
	const char *to = jstr(dnat, "addr");
	uint16_t to_port = 0;
	uint8_t addr[16];
	int fam;

	if (!mt->have_proto || mt->nports == 0 || addr_of(to, addr, &fam) < 0 ||
	    (json_object_get(dnat, "port") &&
	    port_of(json_object_get(dnat, "port"), &to_port) < 0)) {
		out->skipped++;
		return;
	}
	add_target(out, rule, index, mt, addr, fam, to_port);
}

/* One entry per matched port (range) of a rule sending to addr:port. */
static void
add_target(struct nat_set *out, json_t *rule, uint32_t index,
    const struct match *mt, const uint8_t *addr, int fam, uint16_t to_port)
{
	for (size_t i = 0; i < mt->nports; i++) {
		struct nat_rule *r;

		if (out->n >= RULES_MAX) {
			out->skipped++;
			return;
		}
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		r = &out->v[out->n++];
		memset(r, 0, sizeof(*r));
		r->netns = index;
		r->proto = mt->proto;
		r->family = (uint8_t)fam;
		r->dport_lo = mt->ports[i][0];
		r->dport_hi = mt->ports[i][1];
		r->has_daddr = mt->has_daddr && mt->daddr_family == fam;
		memcpy(r->daddr, mt->daddr, 16);
		r->iifname = mt->iifname ? xstrndup(mt->iifname, 64) : NULL;
		memcpy(r->to_addr, addr, 16);
		r->to_port = to_port;
		r->table = jstr(rule, "table") ? xstrndup(jstr(rule, "table"),
		    256) : NULL;
		r->chain = jstr(rule, "chain") ? xstrndup(jstr(rule, "chain"),
		    256) : NULL;
		r->comment = jstr(rule, "comment") ?
		    xstrndup(jstr(rule, "comment"), 256) : NULL;
		r->table_family = jstr(rule, "family") ?
		    xstrndup(jstr(rule, "family"), 16) : NULL;
		if (json_is_integer(json_object_get(rule, "handle")))
			r->handle = (uint64_t)json_integer_value(
			    json_object_get(rule, "handle"));
	}
}

/*
 * The rules that jump to another chain, with what they match: a DNAT
 * rule that matches no port itself (kube-proxy's KUBE-SEP-* endpoint
 * chains, reached from KUBE-SVC-* and KUBE-NODEPORTS) takes the ports of
 * the jumps that lead to its chain.
 */
struct jump {
	const char	*family, *table, *chain, *target;
	struct match	 mt;
};

#define JUMPS_MAX	65536
#define JUMP_DEPTH	4

static void
collect_jumps(json_t *items, struct jump **v, size_t *n)
{
	size_t cap = 0;

	*v = NULL;
	*n = 0;
	for (size_t i = 0; json_is_array(items) && i < json_array_size(items) &&
	    *n < JUMPS_MAX; i++) {
		json_t *rule = json_object_get(json_array_get(items, i), "rule");
		json_t *expr = json_object_get(rule, "expr");
		struct match mt;

		if (!json_is_array(expr))
			continue;
		memset(&mt, 0, sizeof(mt));
		for (size_t k = 0; k < json_array_size(expr); k++) {
			json_t *e = json_array_get(expr, k);
			json_t *m = json_object_get(e, "match");
			json_t *j = json_object_get(e, "jump");
			const char *t;

			if (j == NULL)
				j = json_object_get(e, "goto");
			if (m) {
				read_match(m, &mt);
				continue;
			}
			if (j == NULL)
				continue;	/* a counter, a log */
			if ((t = jstr(j, "target")) == NULL || mt.unknown)
				break;
			xgrow((void **)v, &cap, *n + 1, sizeof(**v));
			(*v)[*n].family = jstr(rule, "family");
			(*v)[*n].table = jstr(rule, "table");
			(*v)[*n].chain = jstr(rule, "chain");
			(*v)[*n].target = t;
			(*v)[*n].mt = mt;
			(*n)++;
			break;
		}
	}
}

static int
same_str(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The ports of the jumps that lead to chain (a few levels up) into out. */
static void
ports_from_jumps(const struct jump *v, size_t n, const char *family,
    const char *table, const char *chain, int depth, unsigned int *budget,
    struct match *out)
{
	/* the budget bounds the walk of a hostile ruleset's jump graph */
	if (*budget == 0)
		return;
	(*budget)--;
	for (size_t i = 0; i < n && out->nports < 64; i++) {
		const struct jump *j = &v[i];

		if (!same_str(j->family, family) || !same_str(j->table, table) ||
		    !same_str(j->target, chain) || same_str(j->chain, chain))
			continue;
		if (j->mt.nports == 0) {
			if (depth < JUMP_DEPTH)
				ports_from_jumps(v, n, family, table, j->chain,
				    depth + 1, budget, out);
			continue;
		}
		if (out->have_proto && j->mt.have_proto &&
		    j->mt.proto != out->proto)
			continue;
		if (!out->have_proto && j->mt.have_proto) {
			out->proto = j->mt.proto;
			out->have_proto = 1;
		}
		if (!out->has_daddr && j->mt.has_daddr) {
			out->has_daddr = 1;
			out->daddr_family = j->mt.daddr_family;
			memcpy(out->daddr, j->mt.daddr, 16);
		}
		for (size_t k = 0; k < j->mt.nports && out->nports < 64; k++) {
			size_t q;

			/* a loop in the chains reaches a jump twice */
			for (q = 0; q < out->nports; q++)
				if (out->ports[q][0] == j->mt.ports[k][0] &&
				    out->ports[q][1] == j->mt.ports[k][1])
					break;
			if (q < out->nports)
				continue;
			out->ports[out->nports][0] = j->mt.ports[k][0];
			out->ports[out->nports++][1] = j->mt.ports[k][1];
		}
	}
}

int
nat_parse_json(const char *json, size_t len, uint32_t index,
    const struct xt_nat *xt, size_t nxt, struct nat_set *out, char **cause)
{
	json_error_t jerr;
	json_t *doc, *items;
	struct jump *jumps;
	size_t njumps;

	*cause = NULL;
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		*cause = xasprintf("the ruleset is not JSON: %s", jerr.text);
		return -1;
	}
	items = json_object_get(doc, "nftables");
	collect_jumps(items, &jumps, &njumps);
	for (size_t i = 0; json_is_array(items) && i < json_array_size(items);
	    i++) {
		json_t *rule = json_object_get(json_array_get(items, i), "rule");
		json_t *expr = json_object_get(rule, "expr");
		struct match mt;

		if (!json_is_array(expr))
			continue;
		memset(&mt, 0, sizeof(mt));
		for (size_t k = 0; k < json_array_size(expr); k++) {
			json_t *e = json_array_get(expr, k);
			json_t *m = json_object_get(e, "match");
			json_t *d = json_object_get(e, "dnat");
			json_t *xt_e = json_object_get(e, "xt");
			const char *xn = jstr(xt_e, "name");

			if (((xt_e && xn && strcmp(xn, "DNAT") == 0) || d) &&
			    mt.nports == 0 && !mt.unknown) {
				unsigned int budget = 64;

				ports_from_jumps(jumps, njumps,
				    jstr(rule, "family"), jstr(rule, "table"),
				    jstr(rule, "chain"), 1, &budget, &mt);
			}
			if (xt_e && xn && strcmp(xn, "DNAT") == 0) {
				/* iptables-nft's compat target: libnftables
				 * shows no address for it; libnftnl did */
				const char *fam = jstr(rule, "family");
				const struct xt_nat *t = xt_nat_find(xt, nxt,
				    fam && strcmp(fam, "ip6") == 0 ? AF_INET6 :
				    AF_INET, jstr(rule, "table") ?
				    jstr(rule, "table") : "", jstr(rule,
				    "chain") ? jstr(rule, "chain") : "",
				    json_is_integer(json_object_get(rule,
				    "handle")) ? (uint64_t)json_integer_value(
				    json_object_get(rule, "handle")) : 0);

				if (t && !mt.unknown && mt.have_proto &&
				    mt.nports)
					add_target(out, rule, index, &mt,
					    t->addr, t->family, t->port);
				else {
					out->skipped++;
					out->xt_dnat++;
				}
				break;
			}
			if (m)
				read_match(m, &mt);
			else if (d) {
				if (mt.unknown)
					out->skipped++;
				else
					add_rule(out, rule, d, index, &mt);
				break;
			}
		}
	}
	free(jumps);
	json_decref(doc);
	return 0;
}

/* Does namespace ns hold address a (one of its interfaces' addresses)? */
static int
ns_holds(const struct listing *l, uint32_t ns, int family, const uint8_t *a)
{
	const struct ifaces *ifs = ns == 0 || ns >= l->nets.n ? &l->ifs :
	    &l->nsv[ns].ifs;

	return ifaces_find_addr(ifs, family, a) != NULL;
}

static const uint8_t any[16];

/* A forwarding process's target: the listener on to_port in the
 * container's namespace, or on to_addr wherever that address is. */
static int
proxy_leads_to(const struct listing *l, const struct nat_rule *r,
    const struct sock_rec *s)
{
	int alen = r->to_family == AF_INET6 ? 16 : 4;

	if ((s->state != ST_LISTEN && s->state != ST_CLOSE) ||
	    s->netns == r->netns || s->lport != r->to_port ||
	    (s->proto != r->proto && !(r->proto == PROTO_UDP &&
	    s->proto == PROTO_UDPLITE)))
		return 0;
	if (r->to_netns >= 0)
		return s->netns == (uint32_t)r->to_netns;
	if (r->to_family == AF_UNSPEC)
		return 0;
	if (memcmp(s->laddr, any, 16) != 0 && (s->family != r->to_family ||
	    memcmp(s->laddr, r->to_addr, (size_t)alen) != 0))
		return 0;
	if (s->family != r->to_family && !(s->family == AF_INET6 &&
	    s->v6only != 1))
		return 0;
	return ns_holds(l, s->netns, r->to_family, r->to_addr);
}

static int
leads_to(const struct listing *l, const struct nat_rule *r,
    const struct sock_rec *s)
{
	int alen = r->family == AF_INET ? 4 : 16;

	if (r->kind == NAT_PROXY)
		return proxy_leads_to(l, r, s);
	/* an IPv6 wildcard without IPV6_V6ONLY takes IPv4 flows too */
	int dual = s->family == AF_INET6 && r->family == AF_INET &&
	    s->v6only != 1 && memcmp(s->laddr, any, 16) == 0;

	if ((s->proto != r->proto && !(r->proto == PROTO_UDP &&
	    s->proto == PROTO_UDPLITE)) || (s->family != r->family && !dual) ||
	    (s->state != ST_LISTEN && s->state != ST_CLOSE))
		return 0;
	if (r->to_port ? s->lport != r->to_port :
	    (s->lport < r->dport_lo || s->lport > r->dport_hi))
		return 0;
	if (!dual && memcmp(s->laddr, any, (size_t)alen) != 0 &&
	    memcmp(s->laddr, r->to_addr, (size_t)alen) != 0)
		return 0;
	return ns_holds(l, s->netns, r->family, r->to_addr);
}

/* One Go flag's value: "-name v", "--name v", "-name=v". */
static const char *
go_flag(const char *cmdline, size_t len, const char *name)
{
	const char *p = cmdline, *end = cmdline + len;
	size_t k = strlen(name);

	while (p < end) {
		const char *next = memchr(p, '\0', (size_t)(end - p));
		const char *f = p;

		next = next ? next + 1 : end;
		if (*f == '-')
			f++;
		if (*f == '-')
			f++;
		if (f > p && strncmp(f, name, k) == 0) {
			if (f[k] == '=')
				return f + k + 1;
			if (f[k] == '\0' && next < end &&
			    memchr(next, '\0', (size_t)(end - next)))
				return next;
		}
		p = next;
	}
	return NULL;
}

static int
parse_port(const char *s, uint16_t *port)
{
	uint64_t v;

	if (s == NULL || num_parse_str(s, 1, 65535, &v) != 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
nat_parse_docker_proxy(const char *cmdline, size_t len, int *proto,
    int *host_family, uint8_t host_ip[16], uint16_t *host_port,
    int *to_family, uint8_t to_ip[16], uint16_t *to_port)
{
	const char *pr;

	/* the last byte must end the last argument: nothing runs off */
	if (len == 0 || cmdline[len - 1] != '\0')
		return -1;
	pr = go_flag(cmdline, len, "proto");
	if (pr == NULL || strcmp(pr, "tcp") == 0)
		*proto = PROTO_TCP;
	else if (strcmp(pr, "udp") == 0)
		*proto = PROTO_UDP;
	else
		return -1;
	if (addr_of(go_flag(cmdline, len, "host-ip"), host_ip,
	    host_family) < 0 ||
	    parse_port(go_flag(cmdline, len, "host-port"), host_port) < 0 ||
	    addr_of(go_flag(cmdline, len, "container-ip"), to_ip,
	    to_family) < 0 ||
	    parse_port(go_flag(cmdline, len, "container-port"), to_port) < 0)
		return -1;
	return 0;
}

static struct nat_rule *
new_proxy(struct nat_set *set, const struct sock_rec *s, const char *via,
    int pid)
{
	struct nat_rule *r;

	xgrow((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v));
	r = &set->v[set->n++];
	memset(r, 0, sizeof(*r));
	r->kind = NAT_PROXY;
	r->netns = s->netns;
	r->proto = s->proto == PROTO_UDPLITE ? PROTO_UDP : s->proto;
	r->family = s->family;
	r->dport_lo = r->dport_hi = s->lport;
	r->has_daddr = memcmp(s->laddr, any, 16) != 0;
	memcpy(r->daddr, s->laddr, 16);
	r->via = xstrdup(via);
	r->via_pid = pid;
	r->to_netns = -1;
	return r;
}

/* Does a DNAT rule of the socket's own namespace take its port? */
static int
dnat_covers(const struct nat_set *set, size_t ndnat, const struct sock_rec *s)
{
	for (size_t k = 0; k < ndnat; k++) {
		const struct nat_rule *r = &set->v[k];

		if (r->kind == NAT_DNAT && r->netns == s->netns &&
		    r->proto == (s->proto == PROTO_UDPLITE ? PROTO_UDP :
		    s->proto) && s->lport >= r->dport_lo &&
		    s->lport <= r->dport_hi)
			return 1;
	}
	return 0;
}

static const char *
base_of(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

/*
 * Processes that hold a host port and forward it: docker-proxy (its
 * command line says where), and the holders podman and docker name in
 * their metadata (rootlessport, slirp4netns, conmon, docker-proxy): a
 * port the container's runtime declares it publishes, held by one of
 * them, leads to that container's port unless a DNAT rule of the
 * namespace takes the port first (conmon then only reserves it).
 */
static void
add_proxies(struct nat_links *nl, const struct listing *l)
{
	static const char *const holders[] = { "docker-proxy", "rootlessport",
	    "slirp4netns", "conmon", "rootlesskit" };
	size_t ndnat = nl->rules.n;
	struct strbuf sb;

	strbuf_init(&sb, 1u << 16);
	for (size_t v = 0; v < l->nviews; v++) {
		const struct sock_view *sv = &l->views[v];
		const struct sock_rec *s = sv->s;
		const struct proc_rec *p;
		const char *name = NULL;
		size_t h;

		if (sv->nowners == 0 || (s->state != ST_LISTEN &&
		    s->state != ST_CLOSE) || dnat_covers(&nl->rules, ndnat, s))
			continue;
		p = &l->ps.procs[l->ps.owners[view_owner(l, sv, 0)].proc];
		for (h = 0; h < sizeof(holders) / sizeof(holders[0]); h++)
			if (strcmp(p->comm, holders[h]) == 0 ||
			    (p->exe && strcmp(base_of(p->exe), holders[h]) == 0))
				name = holders[h];
		if (name == NULL)
			continue;
		if (strcmp(name, "docker-proxy") == 0) {
			char path[64];
			int pr, hf, tf;
			uint8_t hip[16], tip[16];
			uint16_t hp, tp;

			snprintf(path, sizeof(path), "/proc/%d/cmdline",
			    (int)p->pid);
			if (sysroot_read(path, 1u << 16, &sb) == 0 &&
			    !sb.truncated && nat_parse_docker_proxy(sb.buf,
			    sb.len, &pr, &hf, hip, &hp, &tf, tip, &tp) == 0 &&
			    hp == s->lport && pr == (s->proto == PROTO_UDPLITE ?
			    PROTO_UDP : s->proto)) {
				struct nat_rule *r = new_proxy(&nl->rules, s,
				    name, (int)p->pid);

				r->to_family = tf;
				memcpy(r->to_addr, tip, 16);
				r->to_port = tp;
				r->how = "command line";
				continue;
			}
		}
		/* the runtimes' own word for the port */
		for (size_t t = 0; t < l->nets.n; t++) {
			const struct netns *ns = &l->nets.v[t];

			if (t == s->netns)
				continue;
			for (size_t k = 0; k < ns->nports; k++) {
				const struct netns_port *np = &ns->ports[k];
				uint8_t ip[16];
				int fam;
				struct nat_rule *r;

				if (np->proto != (s->proto == PROTO_UDPLITE ?
				    PROTO_UDP : s->proto) ||
				    s->lport < np->host_port ||
				    s->lport - np->host_port >= np->range)
					continue;
				/* a host address it names must be this one */
				if (np->host_ip[0] && addr_of(np->host_ip, ip,
				    &fam) == 0 && memcmp(ip, any, 16) != 0 &&
				    (fam != s->family || memcmp(ip, s->laddr,
				    fam == AF_INET ? 4 : 16) != 0))
					continue;
				r = new_proxy(&nl->rules, s, name, (int)p->pid);
				r->to_netns = (long)t;
				r->to_port = (uint16_t)(np->container_port +
				    (s->lport - np->host_port));
				r->how = ns->runtime;
			}
		}
	}
	strbuf_release(&sb);
}

void
nat_links_build(struct nat_links *nl, const struct listing *l,
    const struct fw_sources *src)
{
	memset(nl, 0, sizeof(*nl));
	nl->namespaces_read = src->read;
	nl->namespaces_failed = src->failed;
	nl->first_error = src->first_error ? xstrdup(src->first_error) : NULL;
	for (size_t i = 0; i < src->n && i < l->nets.n; i++) {
		const struct nft_text *t = &src->ns[i];
		struct xt_nat *xt;
		size_t nxt;
		char *cause = NULL;

		if (!t->read)
			continue;
		xt_nat_collect(t->xt, t->nxt, &xt, &nxt);
		if (nat_parse_json(t->json, t->len, (uint32_t)i, xt, nxt,
		    &nl->rules, &cause) < 0) {
			nl->namespaces_failed++;
			if (nl->first_error == NULL)
				nl->first_error = cause;
			else
				free(cause);
		}
		free(xt);
	}
	add_proxies(nl, l);
	nl->nviews = l->nviews;
	nl->of_view = xcalloc(l->nviews ? l->nviews : 1,
	    sizeof(*nl->of_view));
	nl->nof_view = xcalloc(l->nviews ? l->nviews : 1,
	    sizeof(*nl->nof_view));
	nl->to_view = xcalloc(l->nviews ? l->nviews : 1, sizeof(*nl->to_view));
	nl->to_rule = xcalloc(l->nviews ? l->nviews : 1, sizeof(*nl->to_rule));
	nl->nto_view = xcalloc(l->nviews ? l->nviews : 1,
	    sizeof(*nl->nto_view));
	for (size_t v = 0; v < l->nviews; v++)
		for (size_t k = 0; k < nl->rules.n; k++) {
			if (!leads_to(l, &nl->rules.v[k], l->views[v].s))
				continue;
			nl->of_view[v] = xreallocarray(nl->of_view[v],
			    nl->nof_view[v] + 1, sizeof(size_t));
			nl->of_view[v][nl->nof_view[v]++] = k;
		}
	/* the other side: a listener on the rule's own port, in the rule's
	 * own namespace, leads to where the rule sends (only the views
	 * something publishes are looked at: a host of 10,000 listeners and
	 * no rule costs nothing here) */
	size_t *pub = xcalloc(l->nviews ? l->nviews : 1, sizeof(*pub)), npub = 0;

	for (size_t t = 0; t < l->nviews; t++)
		if (nl->nof_view[t])
			pub[npub++] = t;
	for (size_t v = 0; v < l->nviews && npub; v++) {
		const struct sock_rec *s = l->views[v].s;

		for (size_t q = 0; q < npub; q++) {
			size_t t = pub[q];

			for (size_t j = 0; j < nl->nof_view[t]; j++) {
				const struct nat_rule *r =
				    &nl->rules.v[nl->of_view[t][j]];

				if (t == v || r->netns != s->netns ||
				    (r->proto != s->proto && !(r->proto ==
				    PROTO_UDP && s->proto == PROTO_UDPLITE)) ||
				    s->lport < r->dport_lo ||
				    s->lport > r->dport_hi)
					continue;
				nl->to_view[v] = xreallocarray(nl->to_view[v],
				    nl->nto_view[v] + 1, sizeof(size_t));
				nl->to_rule[v] = xreallocarray(nl->to_rule[v],
				    nl->nto_view[v] + 1, sizeof(size_t));
				nl->to_rule[v][nl->nto_view[v]] =
				    nl->of_view[t][j];
				nl->to_view[v][nl->nto_view[v]++] = t;
				break;
			}
		}
	}
	free(pub);
}

void
nat_links_release(struct nat_links *nl)
{
	for (size_t v = 0; v < nl->nviews; v++) {
		free(nl->of_view[v]);
		free(nl->to_view[v]);
		free(nl->to_rule[v]);
	}
	free(nl->to_rule);
	free(nl->of_view);
	free(nl->nof_view);
	free(nl->to_view);
	free(nl->nto_view);
	nat_set_release(&nl->rules);
	free(nl->first_error);
	memset(nl, 0, sizeof(*nl));
}
