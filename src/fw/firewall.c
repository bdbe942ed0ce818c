/*
 * firewall.c - verdicts for the listeners of a listing.
 *
 * Per listener: the interfaces and families it accepts on (its bind
 * address, SO_BINDTODEVICE, IPV6_V6ONLY), and per each a new flow from
 * outside to the address the interface holds, evaluated by fw/eval in
 * the listener's namespace.  A port the host publishes to it (fw/nat's
 * join) is followed from the host's interfaces: prerouting's DNAT, the
 * forward path, then the container's own input chains.
 *
 * The source: the rules' own source conditions cut the address space
 * into ranges; the world is a range no rule names, and the other ranges
 * are evaluated too and listed when their verdict differs.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "fw/firewall.h"
#include "fw/nat.h"
#include "fw/nftread.h"
#include "kernel/ifaces.h"
#include "kernel/sock.h"
#include "model/listing.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CELLS_EVAL	256	/* source ranges evaluated per flow */

static fw_u128
u128_of(int family, const uint8_t *b)
{
	fw_u128 v = 0;

	for (int i = 0; i < (family == 4 ? 4 : 16); i++)
		v = (v << 8) | b[i];
	return v;
}

static void
bytes_of(int family, fw_u128 v, uint8_t *b)
{
	int n = family == 4 ? 4 : 16;

	memset(b, 0, 16);
	for (int i = n - 1; i >= 0; i--) {
		b[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void
fw_addr_text(int family, fw_u128 a, char *buf, size_t sz)
{
	uint8_t b[16];

	bytes_of(family, a, b);
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, b, buf,
	    (socklen_t)sz) == NULL)
		snprintf(buf, sz, "?");
}

void
fw_range_text(int family, fw_u128 lo, fw_u128 hi, char *buf, size_t sz)
{
	int bits = family == 4 ? 32 : 128;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	for (int len = 0; len <= bits; len++) {
		fw_u128 host = len == 0 ? (bits == 128 ? ~(fw_u128)0 :
		    (((fw_u128)1 << bits) - 1)) : (len == bits ? 0 :
		    (((fw_u128)1 << (bits - len)) - 1));

		if ((lo & host) == 0 && (lo | host) == hi) {
			fw_addr_text(family, lo, a, sizeof(a));
			snprintf(buf, sz, "%s/%d", a, len);
			return;
		}
	}
	fw_addr_text(family, lo, a, sizeof(a));
	fw_addr_text(family, hi, b, sizeof(b));
	snprintf(buf, sz, "%s-%s", a, b);
}

int
fw_parse_from(const char *spec, struct fw_from *out, char **cause)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *pct = strchr(spec, '%');
	size_t n = pct ? (size_t)(pct - spec) : strlen(spec);
	uint8_t b[16];

	memset(out, 0, sizeof(*out));
	*cause = NULL;
	if (n == 0 || n >= sizeof(addr)) {
		*cause = xasprintf("--from takes ADDR or ADDR%%IFACE");
		return -1;
	}
	memcpy(addr, spec, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, b) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, addr, b) == 1)
		out->family = 6;
	else {
		*cause = xasprintf("--from: '%s' is not an IPv4 or IPv6 "
		    "address", addr);
		return -1;
	}
	out->addr = u128_of(out->family, b);
	if (pct) {
		if (strlen(pct + 1) == 0 || strlen(pct + 1) >= IF_NAMESIZE) {
			*cause = xasprintf("--from: the interface after %% must "
			    "be 1 to %d bytes", IF_NAMESIZE - 1);
			return -1;
		}
		snprintf(out->ifname, sizeof(out->ifname), "%s", pct + 1);
	}
	out->set = 1;
	return 0;
}

/* --- what the evaluator asks of a namespace -------------------------- */

struct nsctx {
	const struct ifaces *ifs;
};

static int
is_local(const void *ctx, int family, fw_u128 addr)
{
	const struct nsctx *c = ctx;
	uint8_t b[16];

	if (family == 4 && (addr >> 24) == 127)
		return 1;
	if (family == 6 && addr == 1)
		return 1;
	bytes_of(family, addr, b);
	return ifaces_find_addr(c->ifs, family == 4 ? AF_INET : AF_INET6,
	    b) != NULL;
}

static int
in_prefix(int family, fw_u128 a, fw_u128 net, int len)
{
	int bits = family == 4 ? 32 : 128;

	if (len <= 0)
		return 1;
	if (len >= bits)
		return a == net;
	return (a >> (bits - len)) == (net >> (bits - len));
}

static const char *
oif_for(const void *ctx, int family, fw_u128 addr)
{
	const struct nsctx *c = ctx;

	for (size_t i = 0; i < c->ifs->naddrs; i++) {
		const struct iface_addr *ia = &c->ifs->addrs[i];

		if (ia->family != (family == 4 ? AF_INET : AF_INET6) ||
		    !in_prefix(family, addr, u128_of(family, ia->addr),
		    ia->prefixlen))
			continue;
		return ifaces_name(c->ifs, ia->index);
	}
	return NULL;
}

static const struct ifaces *
ns_ifaces(const struct listing *l, uint32_t ns)
{
	return ns == 0 || ns >= l->nets.n ? &l->ifs : &l->nsv[ns].ifs;
}

/* The index of interface name in namespace ns (0: none). */
static uint32_t
index_of(const struct listing *l, uint32_t ns, const char *name)
{
	const struct ifaces *ifs = ns_ifaces(l, ns);

	for (size_t i = 0; name && i < ifs->nlinks; i++)
		if (strcmp(ifs->links[i].name, name) == 0)
			return ifs->links[i].index;
	return 0;
}

static void
eval_pkt(const struct firewall *fw, const struct listing *l, uint32_t ns,
    const struct fw_packet *p, struct fw_result *r)
{
	struct nsctx c = { ns_ifaces(l, ns) };
	struct fw_env env = { &fw->rs[ns], is_local, oif_for, &c };

	fw_eval(&env, p, r);
}

static void
eval_in(const struct firewall *fw, const struct listing *l, uint32_t ns,
    const char *iif, int family, int proto, fw_u128 saddr, fw_u128 daddr,
    uint16_t dport, struct fw_result *r)
{
	struct fw_packet p;

	memset(&p, 0, sizeof(p));
	p.family = family;
	p.l4proto = (uint8_t)proto;
	p.saddr = saddr;
	p.daddr = daddr;
	p.dport = dport;
	p.sport = 40000;
	p.iifname = iif;
	p.iif = index_of(l, ns, iif);
	p.iiftype = 1;		/* ARPHRD_ETHER: veth, ethernet, bridges */
	eval_pkt(fw, l, ns, &p, r);
}

/*
 * What else a flow needs: TCP's handshake ends with the client's ACK,
 * which conntrack calls established (a ruleset that accepts only new
 * flows lets the SYN in and drops the rest); IPv6 needs neighbour
 * discovery (an input chain that drops ICMPv6 makes the host
 * unreachable once the peer's neighbour entry expires).  1 when the
 * verdict changed.
 */
static int
companions(const struct firewall *fw, const struct listing *l, uint32_t ns,
    const char *iif, int family, int proto, fw_u128 saddr, fw_u128 daddr,
    uint16_t dport, const struct fw_result *first, struct fw_entry *e,
    int nd)
{
	struct fw_packet p;
	struct fw_result r;

	memset(&p, 0, sizeof(p));
	p.family = family;
	p.saddr = saddr;
	p.daddr = daddr;
	p.sport = 40000;
	p.iifname = iif;
	p.iif = index_of(l, ns, iif);
	p.iiftype = 1;
	if (proto == 6) {
		p.l4proto = 6;
		p.dport = dport;
		p.established = 1;
		p.dnat = first->dnat;
		p.dnat_daddr = first->daddr;
		p.dnat_dport = first->dport;
		eval_pkt(fw, l, ns, &p, &r);
		if (r.v != FWV_OPEN) {
			e->v = r.v;
			e->why = r.v == FWV_UNDECIDED ? r.why : NULL;
			e->companion = r;
			e->companion_ns = ns;
			e->companion_kind = "handshake";
			return 1;
		}
	}
	if (nd && family == 6) {
		p.l4proto = 58;
		p.icmp_type = 135;	/* a neighbour solicitation */
		p.established = 0;
		p.dnat = 0;
		p.dport = 0;
		eval_pkt(fw, l, ns, &p, &r);
		if (r.v != FWV_OPEN) {
			e->v = r.v == FWV_UNDECIDED ? FWV_UNDECIDED : FWV_FILTERED;
			e->why = r.v == FWV_UNDECIDED ? r.why : NULL;
			e->companion = r;
			e->companion_ns = ns;
			e->companion_kind = "neighbour discovery";
			return 1;
		}
	}
	return 0;
}

/* The namespace (other than from) whose interfaces hold addr. */
static long
ns_holding(const struct listing *l, const struct firewall *fw, int family,
    fw_u128 addr, uint32_t prefer, const char **ifname)
{
	uint8_t b[16];

	bytes_of(family, addr, b);
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < l->nets.n && i < fw->nns; i++) {
			const struct ifaces *ifs = ns_ifaces(l, (uint32_t)i);
			const struct iface_addr *ia;

			if ((pass == 0) != (i == prefer))
				continue;
			ia = ifaces_find_addr(ifs, family == 4 ? AF_INET :
			    AF_INET6, b);
			if (ia) {
				*ifname = ifaces_name(ifs, ia->index);
				return (long)i;
			}
		}
	return -1;
}

int
fw_l4_of(const struct sock_rec *s)
{
	switch (s->proto) {
	case PROTO_TCP:
		return 6;
	case PROTO_UDP:
		return 17;
	case PROTO_UDPLITE:
		return 136;
	case PROTO_SCTP:
		return 132;
	default:
		return 0;
	}
}

/*
 * One flow: evaluated in ns, then (forwarded by a DNAT) in the
 * namespace holding the new destination.  The verdict is for the
 * listener in want_ns on want_port.
 */
static void
flow(const struct firewall *fw, const struct listing *l, uint32_t ns,
    const char *iif, int family, int proto, fw_u128 saddr, fw_u128 daddr,
    uint16_t dport, uint32_t want_ns, uint16_t want_port,
    struct fw_entry *e)
{
	eval_in(fw, l, ns, iif, family, proto, saddr, daddr, dport, &e->r);
	e->has_inner = 0;
	e->redirected = 0;
	e->v = e->r.v;
	e->why = e->r.why;
	e->companion_kind = NULL;
	/* a peer that cannot resolve the address sends nothing at all:
	 * whatever the rules say of the flow, it is filtered */
	if (family == 6 && e->r.v != FWV_FILTERED && companions(fw, l, ns, iif,
	    family, 0, saddr, daddr, dport, &e->r, e, 1))
		return;
	if (e->r.v != FWV_OPEN)
		return;
	if (companions(fw, l, ns, iif, family, proto, saddr, daddr, dport,
	    &e->r, e, 0))
		return;
	if (!e->r.forwarded) {
		if (ns != want_ns || e->r.dport != want_port) {
			e->v = FWV_REDIRECTED;
			e->redirected = 1;
		}
		return;
	}
	{
		const char *in = NULL;
		long t = ns_holding(l, fw, e->r.dnat_family, e->r.daddr,
		    want_ns, &in);

		if (t < 0 || (uint32_t)t != want_ns || e->r.dport != want_port) {
			e->v = FWV_REDIRECTED;
			e->redirected = 1;
			return;
		}
		if (!fw->have[t]) {
			e->v = FWV_UNDECIDED;
			e->why = "the rules of the namespace it is forwarded to "
			    "could not be read";
			return;
		}
		e->has_inner = 1;
		e->inner_ns = (uint32_t)t;
		eval_in(fw, l, (uint32_t)t, in, e->r.dnat_family, proto, saddr,
		    e->r.daddr, e->r.dport, &e->inner);
		e->v = e->inner.v;
		e->why = e->inner.why;
		if (e->inner.v == FWV_OPEN && companions(fw, l, (uint32_t)t, in,
		    e->r.dnat_family, proto, saddr, e->r.daddr, e->r.dport,
		    &e->inner, e, 0))
			return;
		if (e->inner.v == FWV_OPEN && (e->inner.forwarded ||
		    e->inner.dport != want_port)) {
			e->v = FWV_REDIRECTED;
			e->redirected = 1;
		}
	}
}

/* --- sources ------------------------------------------------------------ */

struct cut {
	fw_u128		 at;
	int		 named, martian;	/* +1 a range starts, -1 ends */
};

static int
cut_cmp(const void *a, const void *b)
{
	const struct cut *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

struct cell {
	fw_u128		 lo, hi;
	int		 named;		/* some rule names it */
	int		 martian;	/* no outside packet has this source */
};

struct cells {
	struct cell	*v;
	size_t		 n;
	long		 world;		/* the cell no rule names, -1 none */
};

static void
add_cut(struct cut **v, size_t *n, size_t *cap, fw_u128 lo, fw_u128 hi,
    fw_u128 top, int martian)
{
	xgrow((void **)v, cap, *n + 2, sizeof(**v));
	(*v)[(*n)++] = (struct cut){ lo, !martian, martian };
	if (hi < top)
		(*v)[(*n)++] = (struct cut){ hi + 1, -!martian, -martian };
}

/* The source ranges the rulesets of namespaces a and b (-1: none)
 * name, as cells: each either inside or outside every named range. */
static void
cells_build(const struct firewall *fw, uint32_t a, long b, int family,
    int proto, uint16_t dport, struct cells *out)
{
	static const struct { int fam; const char *net; int len; } martians[] = {
		{ 4, "0.0.0.0", 8 }, { 4, "127.0.0.0", 8 },
		{ 4, "224.0.0.0", 3 }, { 6, "::", 8 }, { 6, "ff00::", 8 },
	};
	int bits = family == 4 ? 32 : 128;
	fw_u128 top = family == 4 ? 0xffffffffu : ~(fw_u128)0;
	struct cut *cuts = NULL;
	size_t ncuts = 0, cap = 0, ccap = 0, i = 0;
	uint32_t nss[2] = { a, b >= 0 ? (uint32_t)b : a };
	int named = 0, martian = 0;
	fw_u128 at = 0;

	memset(out, 0, sizeof(*out));
	out->world = -1;
	for (int k = 0; k < (b >= 0 && (uint32_t)b != a ? 2 : 1); k++) {
		const struct fw_ruleset *rs = &fw->rs[nss[k]];

		for (size_t ri = 0; ri < rs->nsrc; ri++)
			for (size_t q = 0; q < rs->rules[rs->src_rules[ri]].nst;
			    q++) {
				const struct fw_rule *ru =
				    &rs->rules[rs->src_rules[ri]];
				const struct fw_stmt *st = &ru->st[q];
				const struct fw_set *s;

				/* a rule for other ports names no source
				 * that matters here (a DNAT may change the
				 * port: only the first namespace's rules
				 * are passed over so) */
				if (k == 0 && ru->pf && ((ru->pf_proto &&
				    ru->pf_proto != proto) || dport <
				    ru->pf_lo || dport > ru->pf_hi))
					break;
				if ((st->kind != FS_MATCH && st->kind !=
				    FS_VMAP) || st->unknown ||
				    st->set >= rs->nsets)
					continue;
				s = &rs->sets[st->set];
				for (int c = 0; c < st->key.n; c++) {
					if (st->key.f[c] != FF_SADDR ||
					    (st->key.fam[c] && st->key.fam[c] !=
					    family))
						continue;
					for (size_t e = 0; e < s->n; e++)
						if (!s->v[e].c[c].str &&
						    s->v[e].c[c].hi <= top)
							add_cut(&cuts, &ncuts,
							    &cap, s->v[e].c[c].lo,
							    s->v[e].c[c].hi, top,
							    0);
				}
			}
	}
	for (size_t m = 0; m < sizeof(martians) / sizeof(martians[0]); m++) {
		uint8_t bb[16];
		fw_u128 lo;

		if (martians[m].fam != family ||
		    inet_pton(family == 4 ? AF_INET : AF_INET6, martians[m].net,
		    bb) != 1)
			continue;
		lo = u128_of(family, bb);
		add_cut(&cuts, &ncuts, &cap, lo, lo | ((((fw_u128)1) <<
		    (bits - martians[m].len)) - 1), top, 1);
	}
	if (ncuts > 1)
		qsort(cuts, ncuts, sizeof(*cuts), cut_cmp);
	for (;;) {
		int more;
		fw_u128 next;

		while (i < ncuts && cuts[i].at == at) {
			named += cuts[i].named;
			martian += cuts[i].martian;
			i++;
		}
		more = i < ncuts;
		next = more ? cuts[i].at : 0;
		xgrow((void **)&out->v, &ccap, out->n + 1, sizeof(*out->v));
		out->v[out->n].lo = at;
		out->v[out->n].hi = more ? next - 1 : top;
		out->v[out->n].named = named > 0;
		out->v[out->n].martian = martian > 0;
		out->n++;
		if (!more)
			break;
		at = next;
	}
	free(cuts);
	/* the world: the range no rule names that holds a documentation
	 * address (198.51.100.1, 2001:db8::1), else the largest such */
	{
		fw_u128 best = 0;
		fw_u128 doc = family == 4 ? 0xc6336401u :
		    (((fw_u128)0x20010db8u) << 96) | 1;

		for (size_t c = 0; c < out->n; c++) {
			const struct cell *cl = &out->v[c];

			if (cl->named || cl->martian)
				continue;
			if (doc >= cl->lo && doc <= cl->hi) {
				out->world = (long)c;
				break;
			}
			if (out->world < 0 || cl->hi - cl->lo > best) {
				best = cl->hi - cl->lo;
				out->world = (long)c;
			}
		}
	}
}

static fw_u128
cell_source(int family, const struct cell *c)
{
	/* 198.51.100.1 and 2001:db8::1 when the cell holds them */
	fw_u128 doc = family == 4 ? 0xc6336401u :
	    (((fw_u128)0x20010db8u) << 96) | 1;

	return doc >= c->lo && doc <= c->hi ? doc : c->lo;
}

/* --- per listener ------------------------------------------------------- */

static struct fw_entry *
new_entry(struct fw_view *fv)
{
	fv->e = xreallocarray(fv->e, fv->n + 1, sizeof(*fv->e));
	memset(&fv->e[fv->n], 0, sizeof(fv->e[0]));
	return &fv->e[fv->n++];
}

/*
 * One entry: the world's verdict (or --from's), then the other source
 * ranges of the rules, listed when they differ.
 */
static void
entry(struct firewall *fw, const struct listing *l, struct fw_view *fv,
    uint32_t ns, const char *iif, int family, int proto, fw_u128 daddr,
    uint16_t dport, uint32_t want_ns, uint16_t want_port, int published)
{
	struct fw_entry *e;
	struct cells cells;
	struct fw_entry tmp;
	size_t evaluated = 0;

	if (fw->from.set && (fw->from.family != family ||
	    (fw->from.ifname[0] && strcmp(fw->from.ifname, iif) != 0)))
		return;
	e = new_entry(fv);
	e->family = family;
	snprintf(e->ifname, sizeof(e->ifname), "%s", iif);
	e->ns = ns;
	e->daddr = daddr;
	e->dport = dport;
	e->published = published;
	if (fw->from.set) {
		e->saddr = fw->from.addr;
		flow(fw, l, ns, iif, family, proto, e->saddr, daddr, dport,
		    want_ns, want_port, e);
		fw->evaluations++;
		return;
	}
	cells_build(fw, ns, published ? (long)want_ns : -1, family, proto,
	    dport, &cells);
	if (cells.world < 0) {
		/* every range is named: the largest one stands for all */
		fw_u128 best = 0;

		for (size_t i = 0; i < cells.n; i++)
			if (!cells.v[i].martian && (cells.world < 0 ||
			    cells.v[i].hi - cells.v[i].lo > best)) {
				best = cells.v[i].hi - cells.v[i].lo;
				cells.world = (long)i;
			}
	}
	if (cells.world < 0) {
		e->v = FWV_UNDECIDED;
		e->why = "no source address is left to ask with";
		free(cells.v);
		return;
	}
	e->saddr = cell_source(family, &cells.v[cells.world]);
	flow(fw, l, ns, iif, family, proto, e->saddr, daddr, dport, want_ns,
	    want_port, e);
	fw->evaluations++;
	for (size_t i = 0; i < cells.n; i++) {
		const struct cell *c = &cells.v[i];

		if ((long)i == cells.world || c->martian || !c->named)
			continue;
		if (evaluated++ >= CELLS_EVAL) {
			e->exc_unexamined = 1;
			break;
		}
		memset(&tmp, 0, sizeof(tmp));
		flow(fw, l, ns, iif, family, proto, cell_source(family, c),
		    daddr, dport, want_ns, want_port, &tmp);
		fw->evaluations++;
		if (tmp.v == e->v)
			continue;
		/* adjacent ranges of the same verdict are one */
		if (e->nexc && e->exc[e->nexc - 1].v == tmp.v &&
		    e->exc[e->nexc - 1].hi + 1 == c->lo) {
			e->exc[e->nexc - 1].hi = c->hi;
			continue;
		}
		if (e->nexc >= FW_EXC_MAX) {
			e->exc_more++;
			continue;
		}
		e->exc[e->nexc].lo = c->lo;
		e->exc[e->nexc].hi = c->hi;
		e->exc[e->nexc++].v = tmp.v;
	}
	free(cells.v);
}

/* The address an interface holds for family (global scope first). */
static int
iface_addr(const struct ifaces *ifs, uint32_t index, int family, fw_u128 *out)
{
	int found = 0;

	for (size_t i = 0; i < ifs->naddrs; i++) {
		const struct iface_addr *ia = &ifs->addrs[i];

		if (ia->index != index || ia->family != (family == 4 ?
		    AF_INET : AF_INET6))
			continue;
		if (!found || ia->scope == 0) {
			*out = u128_of(family, ia->addr);
			if (ia->scope == 0)
				return 1;
			found = 1;
		}
	}
	return found;
}

static const uint8_t zero16[16];

static void
view_entries(struct firewall *fw, const struct listing *l, size_t vi,
    const struct nat_links *nl)
{
	const struct sock_view *sv = &l->views[vi];
	const struct sock_rec *s = sv->s;
	struct fw_view *fv = &fw->views[vi];
	const struct ifaces *ifs;
	int proto = fw_l4_of(s), wild, mapped4;
	uint32_t ns = s->netns;

	if (proto == 0 || !((s->state == ST_LISTEN) || (s->state == ST_CLOSE &&
	    s->proto != PROTO_TCP && s->proto != PROTO_SCTP))) {
		fv->none = "not a listener";
		return;
	}
	if (ns >= fw->nns || !fw->have[ns]) {
		fv->none = ns < fw->nns && fw->error[ns] ? fw->error[ns] :
		    "the rules of its namespace were not read";
		return;
	}
	if (sv->exp->kind == EXP_LOOPBACK) {
		fv->none = "loopback only";
		return;
	}
	ifs = ns_ifaces(l, ns);
	wild = memcmp(s->laddr, zero16, 16) == 0;
	mapped4 = s->family == AF_INET6 && memcmp(s->laddr, zero16, 10) == 0 &&
	    s->laddr[10] == 0xff && s->laddr[11] == 0xff;
	for (size_t k = 0; k < ifs->nlinks; k++) {
		const struct iface *lk = &ifs->links[k];

		if ((lk->flags & IFF_LOOPBACK) || !(lk->flags & IFF_UP) ||
		    (s->bound_if && s->bound_if != lk->index))
			continue;
		for (int family = 4; family <= 6; family += 2) {
			fw_u128 daddr;

			if (family == 4 && !(s->family == AF_INET || mapped4 ||
			    (s->family == AF_INET6 && wild && s->v6only != 1)))
				continue;
			if (family == 6 && (s->family != AF_INET6 || mapped4))
				continue;
			if (wild) {
				if (!iface_addr(ifs, lk->index, family, &daddr))
					continue;
			} else {
				const uint8_t *a = mapped4 ? s->laddr + 12 :
				    s->laddr;
				const struct iface_addr *ia = ifaces_find_addr(
				    ifs, family == 4 ? AF_INET : AF_INET6, a);

				if (ia == NULL || ia->index != lk->index)
					continue;
				daddr = u128_of(family, a);
			}
			entry(fw, l, fv, ns, lk->name, family, proto, daddr,
			    s->lport, ns, s->lport, 0);
		}
	}
	/* the host ports published to it */
	for (size_t k = 0; nl && vi < nl->nviews && k < nl->nof_view[vi]; k++) {
		const struct nat_rule *r = &nl->rules.v[nl->of_view[vi][k]];
		uint32_t hn = r->netns;
		const struct ifaces *hifs;
		int family = r->family == AF_INET ? 4 : 6;
		uint16_t hport = r->to_port ? r->dport_lo : s->lport;

		if (r->kind != NAT_DNAT || hn >= fw->nns || !fw->have[hn])
			continue;
		hifs = ns_ifaces(l, hn);
		for (size_t q = 0; q < hifs->nlinks; q++) {
			const struct iface *lk = &hifs->links[q];
			fw_u128 daddr;

			if ((lk->flags & IFF_LOOPBACK) || !(lk->flags & IFF_UP))
				continue;
			if (r->has_daddr) {
				const struct iface_addr *ia = ifaces_find_addr(
				    hifs, r->family, r->daddr);

				if (ia == NULL || ia->index != lk->index)
					continue;
				daddr = u128_of(family, r->daddr);
			} else if (!iface_addr(hifs, lk->index, family, &daddr))
				continue;
			/* the container's own bridge is not "outside" */
			{
				struct nsctx hc = { hifs };
				const char *br = oif_for(&hc, family,
				    u128_of(family, r->to_addr));

				if (br && strcmp(br, lk->name) == 0)
					continue;
			}
			entry(fw, l, fv, hn, lk->name, family, proto, daddr,
			    hport, ns, s->lport, 1);
		}
	}
	if (fv->n == 0 && fv->none == NULL)
		fv->none = fw->from.set ? "the source asked for cannot reach "
		    "its interfaces" : "no interface but loopback";
}

void
firewall_build(struct firewall *fw, const struct listing *l,
    const struct nat_links *nl, const struct fw_sources *src,
    const struct fw_from *from)
{
	memset(fw, 0, sizeof(*fw));
	if (from)
		fw->from = *from;
	fw->nns = l->nets.n;
	fw->rs = xcalloc(fw->nns ? fw->nns : 1, sizeof(*fw->rs));
	fw->have = xcalloc(fw->nns ? fw->nns : 1, sizeof(*fw->have));
	fw->error = xcalloc(fw->nns ? fw->nns : 1, sizeof(*fw->error));
	for (size_t i = 0; i < fw->nns && i < src->n; i++) {
		const struct nft_text *t = &src->ns[i];

		if (!t->read) {
			fw->error[i] = t->error ? xasprintf("its rules could not "
			    "be read: %s", t->error) : NULL;
			continue;
		}
		if (t->rules == NULL) {
			fw->error[i] = xstrdup("its rules could not be read");
			continue;
		}
		/* taken over from the read */
		fw->rs[i] = *t->rules;
		memset(t->rules, 0, sizeof(*t->rules));
		size_t nchains = fw->rs[i].nchains;

		for (size_t k = 0; k < t->nlegacy; k++) {
			const struct legacy_table *lt = &t->legacy[k];

			if (lt->rules || lt->unread) {
				char **dst = lt->family == 4 ? &fw->rs[i].legacy4 :
				    &fw->rs[i].legacy6;

				if (*dst == NULL)
					*dst = lt->unread ? xasprintf("legacy "
					    "iptables table '%s' could not be "
					    "read", lt->name) : xasprintf("legacy "
					    "iptables table '%s' has %u rules",
					    lt->name, lt->rules);
				continue;
			}
			fw_ruleset_add_legacy(&fw->rs[i], lt->family, lt->name,
			    lt->hooks, lt->policy_drop);
		}
		if (fw->rs[i].nchains != nchains)
			fw_ruleset_finish(&fw->rs[i]);	/* legacy chains joined */
		fw->skipped += fw->rs[i].skipped;
		fw->have[i] = 1;
	}
	fw->nviews = l->nviews;
	fw->views = xcalloc(l->nviews ? l->nviews : 1, sizeof(*fw->views));
	for (size_t v = 0; v < l->nviews; v++) {
		view_entries(fw, l, v, nl);
		/* legacy iptables rules the evaluator cannot read decide
		 * nothing here: such a family's verdicts are undecided */
		for (size_t k = 0; k < fw->views[v].n; k++) {
			struct fw_entry *e = &fw->views[v].e[k];
			const struct fw_ruleset *rs = &fw->rs[e->ns];
			const char *lg = e->family == 4 ? rs->legacy4 :
			    rs->legacy6;

			if (lg == NULL && e->has_inner) {
				rs = &fw->rs[e->inner_ns];
				lg = e->family == 4 ? rs->legacy4 : rs->legacy6;
			}
			if (lg && e->v != FWV_FILTERED && e->v != FWV_REJECTED) {
				e->v = FWV_UNDECIDED;
				e->why = lg;
			}
		}
	}
}

void
firewall_release(struct firewall *fw)
{
	for (size_t i = 0; i < fw->nns; i++) {
		fw_ruleset_release(&fw->rs[i]);
		free(fw->error[i]);
	}
	for (size_t v = 0; v < fw->nviews; v++)
		free(fw->views[v].e);
	free(fw->rs);
	free(fw->have);
	free(fw->error);
	free(fw->views);
	memset(fw, 0, sizeof(*fw));
}
