/*
 * nftnl.c - a namespace's nftables ruleset read from netlink with
 * libnftnl, into the evaluator's typed ruleset (fw/ruleset).
 *
 * The kernel holds rules as register code: a payload, meta, ct or fib
 * expression loads a register, bitwise masks it, cmp, range or lookup
 * compares it, immediate loads data or sets the verdict.  Each rule is
 * read back into matches the way nft itself prints them: the register
 * file remembers what each register holds (which field, of which family
 * and protocol, masked how), and a comparison of a register becomes a
 * match of that field.  Network and transport headers are named from
 * the table's family or the rule's own earlier nfproto and l4proto
 * tests, as nft adds them.  Whatever is not understood becomes a
 * statement the evaluator cannot decide, never a guess.
 *
 * Sets come with their elements (one GETSETELEM dump per set); an
 * element's key is kept as bytes until a lookup says what the key is
 * made of (address, port, interface name), then typed once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>	/* NFTNL_UDATA_RULE_COMMENT */

#include "fw/nla.h"
#include "fw/nlcheck.h"
#include "fw/nftnl.h"
#include "fw/ruleset.h"
#include "fw/xtnat.h"
#include "util/xmalloc.h"
#include "util/dl.h"
#include "util/banned.h"

/* libnftnl, for the requests: opened with the first ruleset (util/dl.h) */
static struct {
	__typeof__(nftnl_nlmsg_build_hdr)	*nftnl_nlmsg_build_hdr;
	__typeof__(nftnl_set_alloc)		*nftnl_set_alloc;
	__typeof__(nftnl_set_elems_nlmsg_build_payload)
					*nftnl_set_elems_nlmsg_build_payload;
	__typeof__(nftnl_set_free)		*nftnl_set_free;
	__typeof__(nftnl_set_set_str)		*nftnl_set_set_str;
} nftnl;
static const struct dl_sym nftnl_syms[] = {
	DL_SYM(nftnl, nftnl_nlmsg_build_hdr),
	DL_SYM(nftnl, nftnl_set_alloc),
	DL_SYM(nftnl, nftnl_set_elems_nlmsg_build_payload),
	DL_SYM(nftnl, nftnl_set_free),
	DL_SYM(nftnl, nftnl_set_set_str),
};
static struct dl_lib nftnl_lib = DL_LIB(PS_SONAME_NFTNL, nftnl_syms);

#define RECV_SIZE	(1u << 16)
#define DATAGRAMS_MAX	(1u << 20)
#define RAW_SETS_MAX	100000
#define RAW_ELEMS_MAX	(1u << 21)
#define KEY_MAX		64
#define STMTS_MAX	64

/* --- a set as netlink hands it over ----------------------------------- */

struct relem {
	uint8_t		 key[KEY_MAX], key_end[KEY_MAX];
	uint8_t		 klen, kelen;
	uint32_t	 flags;
	int32_t		 verdict;
	char		*chain;
};

struct rset {
	enum fw_family	 family;
	char		*table, *name;
	uint32_t	 flags, key_len, data_type;
	struct relem	*e;
	size_t		 n, cap;
	long		 typed;		/* fw_set index once typed, -1 */
	int		 cut;
};

struct reader {
	struct fw_ruleset *rs;
	struct rset	*sets;
	size_t		 nsets, scap;
	size_t		 nelems;
	struct mnl_socket *nl;
	char		*buf;
	struct fw_stmt	*scratch;	/* one rule's statements, reused */
	unsigned int	 seq, portid;
	char		*cause;
};

static enum fw_family
family_of(uint32_t nfproto)
{
	switch (nfproto) {
	case NFPROTO_IPV4:
		return FAM_IP;
	case NFPROTO_IPV6:
		return FAM_IP6;
	case NFPROTO_INET:
		return FAM_INET;
	case NFPROTO_NETDEV:
		return FAM_NETDEV;
	case NFPROTO_BRIDGE:
		return FAM_BRIDGE;
	case NFPROTO_ARP:
		return FAM_ARP;
	default:
		return FAM_OTHER;
	}
}

/* One dump: the request built by the caller, each reply to cb. */
static int
dump(struct reader *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int count = 0;
	int rc = MNL_CB_OK;
	ssize_t len;

	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0) {
		r->cause = xasprintf("cannot ask for the ruleset: %s",
		    strerror(errno));
		return -1;
	}
	while (rc > MNL_CB_STOP && count++ < DATAGRAMS_MAX &&
	    (len = mnl_socket_recvfrom(r->nl, r->buf, RECV_SIZE)) > 0)
		rc = mnl_cb_run(r->buf, (size_t)len, r->seq, r->portid, cb,
		    data);
	if (rc == MNL_CB_ERROR) {
		/* a set or table that went away during the dump is not an
		 * error of the whole read */
		if (errno == ENOENT)
			return 0;
		r->cause = xasprintf("cannot read the ruleset: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static const char *
str_attr(const char *s)
{
	return s ? s : "";
}

/* --- attributes of a validated message ---------------------------------- */

#define TB_MAX	32

/* The attributes of a nest (or of a message after its nfgenmsg) by type;
 * a type past TB_MAX is passed over. */
static void
tb_nest(const struct nlattr *nest, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, TB_MAX * sizeof(*tb));
	NA_FOR_EACH_NESTED(a, nest)
		if (na_type(a) < TB_MAX)
			tb[na_type(a)] = a;
}

static void
tb_msg(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *a;

	memset(tb, 0, TB_MAX * sizeof(*tb));
	NA_FOR_EACH(a, nlh, sizeof(struct nfgenmsg))
		if (na_type(a) < TB_MAX)
			tb[na_type(a)] = a;
}

static uint32_t
a_u32(const struct nlattr *a)
{
	return a ? ntohl(mnl_attr_get_u32(a)) : 0;
}

static const char *
a_str(const struct nlattr *a)
{
	return a ? mnl_attr_get_str(a) : NULL;
}

/* A data nest's value (NFTA_DATA_VALUE): its bytes, or NULL. */
static const uint8_t *
a_value(const struct nlattr *a, uint32_t *len)
{
	const struct nlattr *tb[TB_MAX];

	*len = 0;
	if (a == NULL)
		return NULL;
	tb_nest(a, tb);
	if (tb[NFTA_DATA_VALUE] == NULL)
		return NULL;
	*len = na_len(tb[NFTA_DATA_VALUE]);
	return na_data(tb[NFTA_DATA_VALUE]);
}

/* A data nest's verdict (NFTA_DATA_VERDICT): 0 with code and chain. */
static int
a_verdict(const struct nlattr *a, int32_t *code, const char **chain)
{
	const struct nlattr *tb[TB_MAX], *v[TB_MAX];

	*chain = NULL;
	if (a == NULL)
		return -1;
	tb_nest(a, tb);
	if (tb[NFTA_DATA_VERDICT] == NULL)
		return -1;
	tb_nest(tb[NFTA_DATA_VERDICT], v);
	if (v[NFTA_VERDICT_CODE] == NULL)
		return -1;
	*code = (int32_t)a_u32(v[NFTA_VERDICT_CODE]);
	*chain = a_str(v[NFTA_VERDICT_CHAIN]);
	return 0;
}

/* --- chains ------------------------------------------------------------ */

static enum fw_hook
hook_of(enum fw_family f, uint32_t num)
{
	static const enum fw_hook inet[] = { HK_PREROUTING, HK_INPUT,
	    HK_FORWARD, HK_OUTPUT, HK_POSTROUTING, HK_INGRESS };

	if (f == FAM_NETDEV)
		return num == 0 ? HK_INGRESS : HK_NONE;
	return num < sizeof(inet) / sizeof(inet[0]) ? inet[num] : HK_NONE;
}

static int
chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *r = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TB_MAX], *hk[TB_MAX];
	struct fw_chain *fc;
	enum fw_family f;
	long ci;

	if (!nlcheck_chain(nlh)) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	tb_msg(nlh, tb);
	if (tb[NFTA_CHAIN_NAME] == NULL || tb[NFTA_CHAIN_TABLE] == NULL) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	f = family_of(g->nfgen_family);
	ci = fw_rs_chain(r->rs, f, a_str(tb[NFTA_CHAIN_TABLE]),
	    a_str(tb[NFTA_CHAIN_NAME]));
	if (ci < 0 || tb[NFTA_CHAIN_HOOK] == NULL)
		return MNL_CB_OK;
	tb_nest(tb[NFTA_CHAIN_HOOK], hk);
	if (hk[NFTA_HOOK_HOOKNUM] == NULL)
		return MNL_CB_OK;
	fc = &r->rs->chains[ci];
	fc->hook = hook_of(f, a_u32(hk[NFTA_HOOK_HOOKNUM]));
	fc->base = fc->hook != HK_NONE;
	{
		int32_t prio = (int32_t)a_u32(hk[NFTA_HOOK_PRIORITY]);

		fc->prio = prio < -100000 ? -100000 : prio > 100000 ? 100000 :
		    prio;
	}
	fc->policy_drop = tb[NFTA_CHAIN_POLICY] &&
	    a_u32(tb[NFTA_CHAIN_POLICY]) == NF_DROP;
	fc->type_nat = tb[NFTA_CHAIN_TYPE] &&
	    strcmp(a_str(tb[NFTA_CHAIN_TYPE]), "nat") == 0;
	if (hk[NFTA_HOOK_DEV])
		fc->dev = xstrndup(a_str(hk[NFTA_HOOK_DEV]), 64);
	return MNL_CB_OK;
}

/* --- sets and their elements ------------------------------------------- */

static int
set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *r = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TB_MAX];
	struct rset *rs;

	if (!nlcheck_set(nlh)) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	tb_msg(nlh, tb);
	if (tb[NFTA_SET_NAME] == NULL || tb[NFTA_SET_TABLE] == NULL ||
	    r->nsets >= RAW_SETS_MAX) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	xgrow((void **)&r->sets, &r->scap, r->nsets + 1, sizeof(*r->sets));
	rs = &r->sets[r->nsets++];
	memset(rs, 0, sizeof(*rs));
	rs->family = family_of(g->nfgen_family);
	rs->table = xstrndup(a_str(tb[NFTA_SET_TABLE]), 256);
	rs->name = xstrndup(a_str(tb[NFTA_SET_NAME]), 256);
	rs->flags = a_u32(tb[NFTA_SET_FLAGS]);
	rs->key_len = a_u32(tb[NFTA_SET_KEY_LEN]);
	rs->data_type = a_u32(tb[NFTA_SET_DATA_TYPE]);
	rs->typed = -1;
	return MNL_CB_OK;
}

static struct rset *raw_set(struct reader *r, enum fw_family f,
    const char *table, const char *name);

static void
elem_one(struct reader *r, struct rset *s, const struct nlattr *elem)
{
	const struct nlattr *tb[TB_MAX];
	const uint8_t *k;
	struct relem *x;
	uint32_t len;

	if (r->nelems >= RAW_ELEMS_MAX) {
		s->cut = 1;
		return;
	}
	tb_nest(elem, tb);
	xgrow((void **)&s->e, &s->cap, s->n + 1, sizeof(*s->e));
	x = &s->e[s->n++];
	memset(x, 0, sizeof(*x));
	r->nelems++;
	if ((k = a_value(tb[NFTA_SET_ELEM_KEY], &len)) && len && len <= KEY_MAX) {
		memcpy(x->key, k, len);
		x->klen = (uint8_t)len;
	}
	if ((k = a_value(tb[NFTA_SET_ELEM_KEY_END], &len)) && len &&
	    len <= KEY_MAX) {
		memcpy(x->key_end, k, len);
		x->kelen = (uint8_t)len;
	}
	x->flags = a_u32(tb[NFTA_SET_ELEM_FLAGS]);
	x->verdict = 1;
	{
		const char *chain;
		int32_t code;

		if (a_verdict(tb[NFTA_SET_ELEM_DATA], &code, &chain) == 0) {
			x->verdict = code;
			if (chain)
				x->chain = xstrndup(chain, 256);
		}
	}
}

static int
elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *r = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TB_MAX], *e;
	struct rset *set;

	/* the message names its set: the one it belongs to */
	if (!nlcheck_setelem(nlh)) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	tb_msg(nlh, tb);
	if (tb[NFTA_SET_ELEM_LIST_TABLE] == NULL ||
	    tb[NFTA_SET_ELEM_LIST_SET] == NULL ||
	    (set = raw_set(r, family_of(g->nfgen_family),
	    a_str(tb[NFTA_SET_ELEM_LIST_TABLE]),
	    a_str(tb[NFTA_SET_ELEM_LIST_SET]))) == NULL) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	if (tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		NA_FOR_EACH_NESTED(e, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
			elem_one(r, set, e);
	return MNL_CB_OK;
}

static uint32_t
nfproto_of(enum fw_family f)
{
	static const uint32_t v[] = { NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_INET,
	    NFPROTO_NETDEV, NFPROTO_BRIDGE, NFPROTO_ARP, NFPROTO_UNSPEC };

	return f <= FAM_OTHER ? v[f] : NFPROTO_UNSPEC;
}

static int
read_elements(struct reader *r, struct rset *set)
{
	struct nftnl_set *s = nftnl.nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int rc;

	if (s == NULL)
		return -1;
	nftnl.nftnl_set_set_str(s, NFTNL_SET_TABLE, set->table);
	nftnl.nftnl_set_set_str(s, NFTNL_SET_NAME, set->name);
	nlh = nftnl.nftnl_nlmsg_build_hdr(r->buf, NFT_MSG_GETSETELEM,
	    (uint16_t)nfproto_of(set->family), NLM_F_DUMP, ++r->seq);
	nftnl.nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl.nftnl_set_free(s);
	rc = dump(r, nlh, elems_cb, r);
	return rc;
}

static struct rset *
raw_set(struct reader *r, enum fw_family f, const char *table,
    const char *name)
{
	for (size_t i = 0; i < r->nsets; i++)
		if (r->sets[i].family == f && strcmp(r->sets[i].table, table) ==
		    0 && strcmp(r->sets[i].name, name) == 0)
			return &r->sets[i];
	return NULL;
}

/* --- registers ---------------------------------------------------------- */

/* What a 32-bit register slot holds. */
struct slot {
	enum { R_NONE, R_FIELD, R_IMM, R_UNKNOWN } kind;
	enum fw_field	 f;
	uint8_t		 fam, proto;
	uint8_t		 len;		/* bytes the load put there */
	uint8_t		 full;		/* an address's whole length (4, 16):
					 * a shorter load is its prefix */
	int		 ethertype;	/* meta protocol: 0x0800 is IPv4 */
	int		 host;		/* host byte order (meta, ct) */
	int		 has_mask;
	uint8_t		 mask[16];
	uint8_t		 data[16];	/* R_IMM */
	const char	*why;
};

struct rule_ctx {
	struct slot	 reg[16];
	uint8_t		 fam;		/* 4, 6, 0: the packet's family */
	uint8_t		 l4;		/* the rule's l4proto test, 0 */
	enum fw_family	 table_family;
	const char	*table;
};

/* A register number into the first of its 32-bit slots, -1 for none. */
static int
slot_of(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg - NFT_REG_1) * 4;
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)(reg - NFT_REG32_00);
	return -1;
}

static void
load(struct rule_ctx *c, uint32_t reg, const struct slot *v)
{
	int s = slot_of(reg);

	if (s < 0)
		return;
	c->reg[s] = *v;
	/* a load wider than one slot covers the next ones */
	for (int k = 1; k < (v->len + 3) / 4 && s + k < 16; k++)
		c->reg[s + k].kind = R_NONE;
}

static void
load_unknown(struct rule_ctx *c, uint32_t reg, const char *why)
{
	struct slot v;

	memset(&v, 0, sizeof(v));
	v.kind = R_UNKNOWN;
	v.why = why;
	v.len = 4;
	load(c, reg, &v);
}

/* An expression of a rule: its name and its data's attributes. */
struct xexpr {
	const char		*name;
	const struct nlattr	*tb[TB_MAX];
};

static void
payload(struct rule_ctx *c, const struct xexpr *e)
{
	uint32_t base = a_u32(e->tb[NFTA_PAYLOAD_BASE]);
	uint32_t off = a_u32(e->tb[NFTA_PAYLOAD_OFFSET]);
	uint32_t len = a_u32(e->tb[NFTA_PAYLOAD_LEN]);
	uint32_t dreg = a_u32(e->tb[NFTA_PAYLOAD_DREG]);
	struct slot v;

	memset(&v, 0, sizeof(v));
	v.kind = R_FIELD;
	v.len = (uint8_t)(len > 16 ? 16 : len);
	if (base == NFT_PAYLOAD_NETWORK_HEADER && c->fam == 4) {
		v.fam = 4;
		v.full = 4;
		/* ip saddr 10.1.0.0/16 loads the two bytes it compares */
		if (off == 12 && len >= 1 && len <= 4)
			v.f = FF_SADDR;
		else if (off == 16 && len >= 1 && len <= 4)
			v.f = FF_DADDR;
		else if (off == 9 && len == 1)
			v.f = FF_L4PROTO;
		else
			v.kind = R_UNKNOWN;
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER && c->fam == 6) {
		v.fam = 6;
		v.full = 16;
		if (off == 8 && len >= 1 && len <= 16)
			v.f = FF_SADDR;
		else if (off == 24 && len >= 1 && len <= 16)
			v.f = FF_DADDR;
		else if (off == 6 && len == 1)
			v.f = FF_L4PROTO;
		else
			v.kind = R_UNKNOWN;
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER) {
		int icmp = c->l4 == 1 || c->l4 == 58;

		v.proto = c->l4;
		if (icmp && off == 0 && len == 1)
			v.f = FF_ICMPTYPE;
		else if (icmp)
			v.f = FF_ICMPOTHER;
		else if (c->l4 == 6 && off == 13 && len == 1)
			v.f = FF_TCPFLAGS;
		else if (off == 0 && len == 2)
			v.f = FF_SPORT;
		else if (off == 2 && len == 2)
			v.f = FF_DPORT;
		else if (c->l4 && c->l4 != 6 && c->l4 != 17 && c->l4 != 132 &&
		    c->l4 != 136 && c->l4 != 33)
			v.f = FF_OTHERPROTO;	/* esp, ah, gre, ... */
		else
			v.kind = R_UNKNOWN;
	} else
		v.kind = R_UNKNOWN;
	if (v.kind == R_UNKNOWN)
		v.why = "a match on a header field the evaluator does not model";
	load(c, dreg, &v);
}

static void
meta(struct rule_ctx *c, const struct xexpr *e, struct fw_stmt *st)
{
	uint32_t key = a_u32(e->tb[NFTA_META_KEY]);
	struct slot v;

	if ((e->tb[NFTA_META_SREG] != NULL)) {
		/* meta set: a mark is followed, the rest (priority, ...)
		 * does not change a verdict */
		int s = slot_of(a_u32(e->tb[NFTA_META_SREG]));

		st->kind = FS_NOP;
		if (key == NFT_META_MARK) {
			st->kind = FS_MARKSET;
			if (s >= 0 && c->reg[s].kind == R_IMM)
				memcpy(&st->value, c->reg[s].data, 4);
			else
				st->unknown_value = 1;
			st->value &= 0xffffffffu;
		}
		return;
	}
	memset(&v, 0, sizeof(v));
	v.kind = R_FIELD;
	v.host = 1;
	switch (key) {
	case NFT_META_L4PROTO:
		v.f = FF_L4PROTO;
		v.len = 1;
		break;
	case NFT_META_NFPROTO:
		v.f = FF_NFPROTO;
		v.len = 1;
		break;
	case NFT_META_PROTOCOL:
		v.f = FF_NFPROTO;
		v.len = 2;
		v.ethertype = 1;
		v.host = 0;
		break;
	case NFT_META_IIFNAME:
		v.f = FF_IIFNAME;
		v.len = 16;
		break;
	case NFT_META_OIFNAME:
		v.f = FF_OIFNAME;
		v.len = 16;
		break;
	case NFT_META_IIF:
		v.f = FF_IIFIDX;
		v.len = 4;
		break;
	case NFT_META_IIFTYPE:
		v.f = FF_IIFTYPE;
		v.len = 2;
		break;
	case NFT_META_PKTTYPE:
		v.f = FF_PKTTYPE;
		v.len = 1;
		break;
	case NFT_META_MARK:
		v.f = FF_MARK;
		v.len = 4;
		break;
	default:
		v.kind = R_UNKNOWN;
		v.len = 4;
		v.why = "a meta match the evaluator does not model";
		break;
	}
	load(c, a_u32(e->tb[NFTA_META_DREG]), &v);
}

static void
ct(struct rule_ctx *c, const struct xexpr *e, struct fw_stmt *st)
{
	uint32_t key = a_u32(e->tb[NFTA_CT_KEY]);
	struct slot v;

	if ((e->tb[NFTA_CT_SREG] != NULL)) {
		int s = slot_of(a_u32(e->tb[NFTA_CT_SREG]));

		st->kind = FS_NOP;
		if (key == NFT_CT_MARK) {
			st->kind = FS_CTMARKSET;
			if (s >= 0 && c->reg[s].kind == R_IMM)
				memcpy(&st->value, c->reg[s].data, 4);
			else
				st->unknown_value = 1;
			st->value &= 0xffffffffu;
		}
		return;
	}
	memset(&v, 0, sizeof(v));
	v.kind = R_FIELD;
	v.host = 1;
	v.len = 4;
	switch (key) {
	case NFT_CT_STATE:
		v.f = FF_CTSTATE;
		break;
	case NFT_CT_STATUS:
		v.f = FF_CTSTATUS;
		break;
	case NFT_CT_DIRECTION:
		v.f = FF_CTDIR;
		v.len = 1;
		break;
	case NFT_CT_MARK:
		v.f = FF_CTMARK;
		break;
	default:
		v.kind = R_UNKNOWN;
		v.why = "a conntrack match the evaluator does not model";
	}
	load(c, a_u32(e->tb[NFTA_CT_DREG]), &v);
}

static void
fib(struct rule_ctx *c, const struct xexpr *e)
{
	uint32_t flags = a_u32(e->tb[NFTA_FIB_FLAGS]);
	uint32_t res = a_u32(e->tb[NFTA_FIB_RESULT]);
	struct slot v;

	memset(&v, 0, sizeof(v));
	v.kind = R_FIELD;
	v.host = 1;
	v.len = 4;
	flags &= ~(uint32_t)NFTA_FIB_F_PRESENT;
	if (res == NFT_FIB_RESULT_ADDRTYPE && (flags & ~(uint32_t)NFTA_FIB_F_IIF)
	    == NFTA_FIB_F_DADDR)
		v.f = FF_FIBTYPE;
	else if (res == NFT_FIB_RESULT_OIF && flags == (NFTA_FIB_F_SADDR |
	    NFTA_FIB_F_IIF))
		v.f = FF_FIBRPFIDX;
	else {
		v.kind = R_UNKNOWN;
		v.why = "a routing lookup the evaluator does not model";
	}
	load(c, a_u32(e->tb[NFTA_FIB_DREG]), &v);
}

/* --- typed values ---------------------------------------------------------- */

static fw_u128
value_of(const struct slot *v, const uint8_t *b, size_t len)
{
	fw_u128 x = 0;

	if (v->ethertype) {
		unsigned int et = len >= 2 ? (unsigned int)(b[0] << 8 | b[1]) : 0;

		return et == 0x0800 ? 2 : et == 0x86dd ? 10 : 0xffff;
	}
	if (v->host) {
		uint32_t h = 0;

		memcpy(&h, b, len < 4 ? len : 4);
		return h;
	}
	for (size_t i = 0; i < len && i < 16; i++)
		x = (x << 8) | b[i];
	return x;
}

static int
is_name(enum fw_field f)
{
	return f == FF_IIFNAME || f == FF_OIFNAME;
}

/* One component value of register slot v from bytes b (blen bytes). */
static void
component(const struct slot *v, const uint8_t *b, size_t blen,
    struct fw_range *r, int partial)
{
	memset(r, 0, sizeof(*r));
	if (is_name(v->f)) {
		size_t n = strnlen((const char *)b, blen < 16 ? blen : 16);

		memcpy(r->s, b, n);
		r->s[n] = '\0';
		r->str = 1;
		/* a comparison shorter than the name: "veth*" */
		r->wild = partial && n == blen;
		return;
	}
	r->lo = r->hi = value_of(v, b, blen < v->len ? blen : v->len);
}

static const uint8_t *
mask_of(const struct slot *v)
{
	return v->has_mask ? v->mask : NULL;
}

/* A prefix mask (ones then zeros) of len bytes: its length, else -1. */
static int
prefix_len(const uint8_t *m, size_t len)
{
	int bits = 0;
	size_t i = 0;

	while (i < len && m[i] == 0xff) {
		bits += 8;
		i++;
	}
	if (i < len) {
		uint8_t b = m[i];
		int k = 0;

		while (b & 0x80) {
			b = (uint8_t)(b << 1);
			k++;
		}
		if (b)
			return -1;
		bits += k;
		for (i++; i < len; i++)
			if (m[i])
				return -1;
	}
	return bits;
}

static void
key_of(const struct slot *v, struct fw_key *k, int i)
{
	k->f[i] = v->f;
	k->fam[i] = v->fam;
	k->proto[i] = v->proto;
}

/* cmp and range: a match of one register. */
static void
compare(struct fw_ruleset *rs, struct rule_ctx *c, int s, int op,
    const uint8_t *lo, size_t llen, const uint8_t *hi, struct fw_stmt *st)
{
	const struct slot *v;
	struct fw_elem el;
	long si;

	if (s < 0 || c->reg[s].kind != R_FIELD) {
		fw_rs_unknown(st, FS_MATCH, s >= 0 && c->reg[s].why ?
		    c->reg[s].why : "a comparison of a value the evaluator "
		    "does not model");
		return;
	}
	v = &c->reg[s];
	memset(st, 0, sizeof(*st));
	st->kind = FS_MATCH;
	st->key.n = 1;
	key_of(v, &st->key, 0);
	switch (op) {
	case NFT_CMP_EQ:
		st->op = OP_EQ;
		break;
	case NFT_CMP_NEQ:
		st->op = OP_NE;
		break;
	case NFT_CMP_LT:
		st->op = OP_LT;
		break;
	case NFT_CMP_LTE:
		st->op = OP_LE;
		break;
	case NFT_CMP_GT:
		st->op = OP_GT;
		break;
	case NFT_CMP_GTE:
		st->op = OP_GE;
		break;
	default:
		fw_rs_unknown(st, FS_MATCH, "a comparison the evaluator does "
		    "not model");
		return;
	}
	if ((si = fw_rs_set(rs, 1)) < 0) {
		fw_rs_unknown(st, FS_MATCH, "more sets than the evaluator keeps");
		return;
	}
	memset(&el, 0, sizeof(el));
	component(v, lo, llen, &el.c[0], llen < v->len);
	if ((v->f == FF_SADDR || v->f == FF_DADDR) && v->full &&
	    (v->len < v->full || mask_of(v)) && !hi) {
		/* a prefix: the loaded bytes (masked) of a whole address */
		uint8_t a[16] = { 0 }, m[16] = { 0 };
		int plen, bits = v->full * 8;
		fw_u128 addr = 0, host;

		memcpy(a, lo, llen < v->len ? llen : v->len);
		if (mask_of(v))
			memcpy(m, v->mask, v->len);
		else
			memset(m, 0xff, v->len);
		plen = prefix_len(m, v->full);
		if (plen < 0 || (st->op != OP_EQ && st->op != OP_NE)) {
			fw_rs_unknown(st, FS_MATCH, "an address match with a "
			    "mask that is not a prefix");
			return;
		}
		for (int i = 0; i < v->full; i++)
			addr = (addr << 8) | (a[i] & m[i]);
		host = plen >= bits ? 0 : bits - plen >= 128 ? ~(fw_u128)0 :
		    (((fw_u128)1 << (bits - plen)) - 1);
		el.c[0].lo = addr;
		el.c[0].hi = addr | host;
	} else if (hi) {
		struct fw_range h;

		component(v, hi, llen, &h, 0);
		el.c[0].hi = h.lo;
	} else if (mask_of(v) && !is_name(v->f)) {
		/* ct state established,related: (x & mask) != 0 */
		st->key.has_mask = 1;
		st->key.mask = value_of(v, v->mask, v->len);
	}
	if (el.c[0].lo > el.c[0].hi) {
		fw_rs_unknown(st, FS_MATCH, "a range not understood");
		return;
	}
	fw_rs_set_add(rs, (uint32_t)si, &el);
	st->set = (uint32_t)si;
	/* the rule's own tests name the headers that follow */
	if (st->op == OP_EQ && v->f == FF_L4PROTO)
		c->l4 = (uint8_t)el.c[0].lo;
	if (st->op == OP_EQ && v->f == FF_NFPROTO)
		c->fam = el.c[0].lo == 2 ? 4 : el.c[0].lo == 10 ? 6 : c->fam;
}

/* The verdict kind of a netlink verdict code. */
static int
verdict_kind(int32_t code)
{
	switch (code) {
	case NF_ACCEPT:
		return FS_ACCEPT;
	case NF_DROP:
		return FS_DROP;
	case NF_QUEUE:
		return FS_QUEUE;
	case NFT_CONTINUE:
	case NFT_BREAK:
		return FS_CONTINUE;
	case NFT_JUMP:
		return FS_JUMP;
	case NFT_GOTO:
		return FS_GOTO;
	case NFT_RETURN:
		return FS_RETURN;
	default:
		return FS_UNKNOWN;
	}
}

/* Type a set's elements by the key a lookup reads; -1 when they do not
 * fit it.  The typed set is kept for the next lookup of the same set. */
static long
typed_set(struct fw_ruleset *rs, const struct rset *raw, const struct slot *comp,
    int ncomp, int map)
{
	size_t offs[FW_CONCAT_MAX], total = 0;
	int interval = (raw->flags & NFT_SET_INTERVAL) != 0;
	long si;

	for (int i = 0; i < ncomp; i++) {
		offs[i] = total;
		total += ((size_t)comp[i].len + 3) & ~(size_t)3;
	}
	if (ncomp == 1)
		total = comp[0].len;
	if (total != raw->key_len || (si = fw_rs_set(rs, ncomp)) < 0)
		return -1;
	rs->sets[si].is_map = map;
	rs->sets[si].too_large = raw->cut;
	rs->sets[si].dynamic = (raw->flags & NFT_SET_EVAL) != 0;
	rs->sets[si].name = xstrdup(raw->name);
	rs->sets[si].table = xstrdup(raw->table);
	rs->sets[si].family = xstrdup(fw_family_name(raw->family));
	if (interval && ncomp == 1 && !is_name(comp[0].f)) {
		/* starts and ends (the end flagged, exclusive), in any
		 * order: sorted, then paired */
		struct relem **v = xcalloc(raw->n ? raw->n : 1, sizeof(*v));
		size_t n = raw->n;

		for (size_t i = 0; i < n; i++)
			v[i] = &raw->e[i];
		for (size_t i = 1; i < n; i++)	/* insertion: few, or sorted */
			for (size_t j = i; j > 0 && memcmp(v[j - 1]->key,
			    v[j]->key, raw->key_len) > 0; j--) {
				struct relem *t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		for (size_t i = 0; i < n; i++) {
			struct fw_elem el;

			if (v[i]->flags & NFT_SET_ELEM_INTERVAL_END)
				continue;
			memset(&el, 0, sizeof(el));
			component(&comp[0], v[i]->key, raw->key_len, &el.c[0], 0);
			if (v[i]->kelen) {
				struct fw_range h;

				component(&comp[0], v[i]->key_end, raw->key_len,
				    &h, 0);
				el.c[0].hi = h.lo;
			} else if (i + 1 < n && (v[i + 1]->flags &
			    NFT_SET_ELEM_INTERVAL_END)) {
				struct fw_range h;

				component(&comp[0], v[i + 1]->key, raw->key_len,
				    &h, 0);
				el.c[0].hi = h.lo ? h.lo - 1 : 0;
			} else
				el.c[0].hi = comp[0].len >= 16 ? ~(fw_u128)0 :
				    (((fw_u128)1 << (comp[0].len * 8)) - 1);
			el.vkind = verdict_kind(v[i]->verdict);
			el.vchain = -1;
			if (v[i]->chain) {
				el.vchain = (int32_t)fw_chain_find(rs, raw->family,
				    raw->table, v[i]->chain);
				if (el.vchain < 0)
					el.vkind = FS_UNKNOWN;
			}
			if (el.c[0].lo <= el.c[0].hi &&
			    fw_rs_set_add(rs, (uint32_t)si, &el) < 0)
				break;
		}
		free(v);
	} else {
		for (size_t i = 0; i < raw->n; i++) {
			const struct relem *x = &raw->e[i];
			struct fw_elem el;

			if (x->flags & NFT_SET_ELEM_INTERVAL_END)
				continue;
			if (x->klen < total) {
				rs->sets[si].bad = 1;
				continue;
			}
			memset(&el, 0, sizeof(el));
			for (int k = 0; k < ncomp; k++) {
				component(&comp[k], x->key + offs[k], comp[k].len,
				    &el.c[k], 0);
				if (x->kelen >= total) {
					struct fw_range h;

					component(&comp[k], x->key_end + offs[k],
					    comp[k].len, &h, 0);
					if (!el.c[k].str)
						el.c[k].hi = h.lo;
				}
			}
			el.vkind = verdict_kind(x->verdict);
			el.vchain = -1;
			if (x->chain) {
				el.vchain = (int32_t)fw_chain_find(rs, raw->family,
				    raw->table, x->chain);
				if (el.vchain < 0)
					el.vkind = FS_UNKNOWN;
			}
			if (fw_rs_set_add(rs, (uint32_t)si, &el) < 0)
				break;
		}
	}
	fw_rs_set_done(rs, (uint32_t)si);
	return si;
}

static void
lookup(struct reader *r, struct rule_ctx *c, const struct xexpr *e,
    struct fw_stmt *st)
{
	struct fw_ruleset *rs = r->rs;
	const char *name = a_str(e->tb[NFTA_LOOKUP_SET]);
	int s = slot_of(a_u32(e->tb[NFTA_LOOKUP_SREG]));
	int vmap = (e->tb[NFTA_LOOKUP_DREG] != NULL) &&
	    a_u32(e->tb[NFTA_LOOKUP_DREG]) == NFT_REG_VERDICT;
	uint32_t flags = (e->tb[NFTA_LOOKUP_FLAGS] != NULL) ?
	    a_u32(e->tb[NFTA_LOOKUP_FLAGS]) : 0;
	struct rset *raw = name ? raw_set(r, c->table_family, c->table, name) :
	    NULL;
	struct slot comp[FW_CONCAT_MAX];
	size_t have = 0;
	int n = 0;
	long si;

	if ((e->tb[NFTA_LOOKUP_DREG] != NULL) && !vmap) {
		/* a data map: what it gives is not known here */
		load_unknown(c, a_u32(e->tb[NFTA_LOOKUP_DREG]),
		    "a value looked up in a map");
		st->kind = FS_NOP;
		return;
	}
	if (raw == NULL || s < 0) {
		fw_rs_unknown(st, vmap ? FS_UNKNOWN : FS_MATCH, "a set the "
		    "ruleset does not hold");
		return;
	}
	/* the key's components: the registers from sreg on */
	while (have < raw->key_len && n < FW_CONCAT_MAX && s < 16) {
		if (c->reg[s].kind != R_FIELD) {
			fw_rs_unknown(st, vmap ? FS_UNKNOWN : FS_MATCH,
			    c->reg[s].why ? c->reg[s].why : "a lookup of a "
			    "value the evaluator does not model");
			return;
		}
		comp[n] = c->reg[s];
		have += ((size_t)c->reg[s].len + 3) & ~(size_t)3;
		s += (c->reg[s].len + 3) / 4;
		n++;
	}
	if (raw->typed >= 0)
		si = raw->typed;
	else if ((si = typed_set(rs, raw, comp, n, vmap)) >= 0)
		raw->typed = si;
	if (si < 0) {
		fw_rs_unknown(st, vmap ? FS_UNKNOWN : FS_MATCH, "a set whose "
		    "elements are not understood");
		return;
	}
	memset(st, 0, sizeof(*st));
	st->kind = vmap ? FS_VMAP : FS_MATCH;
	st->key.n = n;
	for (int i = 0; i < n; i++)
		key_of(&comp[i], &st->key, i);
	st->op = (flags & NFT_LOOKUP_F_INV) ? OP_NE : OP_EQ;
	st->set = (uint32_t)si;
	if (rs->sets[si].dynamic)
		fw_rs_unknown(st, FS_MAYBE, "a lookup in a set fed at run time");
	else if (rs->sets[si].too_large || rs->sets[si].bad)
		fw_rs_unknown(st, vmap ? FS_UNKNOWN : FS_MATCH,
		    rs->sets[si].too_large ? "a set larger than the evaluator "
		    "keeps" : "a set with elements not understood");
}

static int
imm_port(const struct rule_ctx *c, uint32_t reg, uint16_t *port)
{
	int s = slot_of(reg);

	if (s < 0 || c->reg[s].kind != R_IMM)
		return -1;
	*port = (uint16_t)(c->reg[s].data[0] << 8 | c->reg[s].data[1]);
	return 0;
}

static void
nat(struct rule_ctx *c, const struct xexpr *e, struct fw_stmt *st)
{
	uint32_t type = a_u32(e->tb[NFTA_NAT_TYPE]);
	uint32_t fam = a_u32(e->tb[NFTA_NAT_FAMILY]);

	memset(st, 0, sizeof(*st));
	if (type != NFT_NAT_DNAT) {
		st->kind = FS_NATOTHER;
		return;
	}
	st->kind = FS_DNAT;
	st->nat_family = fam == NFPROTO_IPV6 ? 6 : 4;
	if ((e->tb[NFTA_NAT_REG_ADDR_MIN] != NULL)) {
		int s = slot_of(a_u32(e->tb[NFTA_NAT_REG_ADDR_MIN]));

		if (s < 0 || c->reg[s].kind != R_IMM) {
			fw_rs_unknown(st, FS_UNKNOWN, "a DNAT to a map or an "
			    "expression");
			return;
		}
		for (int i = 0; i < (st->nat_family == 4 ? 4 : 16); i++)
			st->addr = (st->addr << 8) | c->reg[s].data[i];
		st->has_addr = 1;
	}
	if ((e->tb[NFTA_NAT_REG_PROTO_MIN] != NULL)) {
		if (imm_port(c, a_u32(e->tb[NFTA_NAT_REG_PROTO_MIN]), &st->port) < 0) {
			fw_rs_unknown(st, FS_UNKNOWN, "a DNAT to a port map");
			return;
		}
		st->has_port = 1;
	}
	if (!st->has_addr)
		fw_rs_unknown(st, FS_UNKNOWN, "a DNAT without an address");
}

struct expr_walk {
	struct reader	*r;
	struct rule_ctx	 c;
	struct fw_stmt	*st;
	size_t		 n;
	unsigned int	 xtseq;
	int		 too_long;
};

/* kind is lit (the first byte tells most kinds apart) */
static inline int
is_kind(const char *kind, const char *lit)
{
	return kind[0] == lit[0] && strcmp(kind, lit) == 0;
}

static int
expr_cb(const struct xexpr *e, struct expr_walk *w)
{
	struct rule_ctx *c = &w->c;
	const char *kind = e->name;
	struct fw_stmt *st;

	if (w->n >= STMTS_MAX) {
		w->too_long = 1;
		return -1;
	}
	st = &w->st[w->n];
	memset(st, 0, sizeof(*st));
	st->kind = FS_NOP;
	if (kind == NULL)
		fw_rs_unknown(st, FS_UNKNOWN, "an expression without a name");
	else if (is_kind(kind, "payload")) {
		if ((e->tb[NFTA_PAYLOAD_SREG] != NULL))
			st->kind = FS_NOP;	/* payload set */
		else
			payload(c, e);
	} else if (is_kind(kind, "meta"))
		meta(c, e, st);
	else if (is_kind(kind, "ct"))
		ct(c, e, st);
	else if (is_kind(kind, "fib"))
		fib(c, e);
	else if (is_kind(kind, "immediate")) {
		uint32_t dreg = a_u32(e->tb[NFTA_IMMEDIATE_DREG]);

		if (dreg == NFT_REG_VERDICT) {
			int32_t code = FS_UNKNOWN;
			const char *chain = NULL;

			if (a_verdict(e->tb[NFTA_IMMEDIATE_DATA], &code,
			    &chain) < 0)
				code = INT32_MIN;	/* none: not known */
			st->kind = (enum fw_stmt_kind)verdict_kind(code);
			if (st->kind == FS_JUMP || st->kind == FS_GOTO) {
				long t = chain ? fw_chain_find(w->r->rs,
				    c->table_family, c->table, chain) : -1;

				if (t < 0)
					fw_rs_unknown(st, FS_UNKNOWN, "a jump to a "
					    "chain the ruleset does not hold");
				else
					st->target = (uint32_t)t;
			} else if (st->kind == FS_UNKNOWN)
				st->what = "a verdict the evaluator does not "
				    "model";
		} else {
			struct slot v;
			uint32_t len = 0;
			const void *d = a_value(e->tb[NFTA_IMMEDIATE_DATA], &len);

			memset(&v, 0, sizeof(v));
			v.kind = R_IMM;
			v.len = (uint8_t)(len > 16 ? 16 : len);
			if (d)
				memcpy(v.data, d, v.len);
			load(c, dreg, &v);
		}
	} else if (is_kind(kind, "bitwise")) {
		int s = slot_of(a_u32(e->tb[NFTA_BITWISE_SREG]));
		uint32_t dreg = a_u32(e->tb[NFTA_BITWISE_DREG]);
		uint32_t ml = 0, xl = 0;
		const uint8_t *m = a_value(e->tb[NFTA_BITWISE_MASK], &ml);
		const uint8_t *x = a_value(e->tb[NFTA_BITWISE_XOR], &xl);
		int xor0 = 1;

		for (uint32_t i = 0; x && i < xl; i++)
			xor0 &= x[i] == 0;
		if (s >= 0 && c->reg[s].kind == R_FIELD && m && ml &&
		    ml <= 16 && xor0 && (!(e->tb[NFTA_BITWISE_OP] != NULL) || a_u32(e->tb[NFTA_BITWISE_OP]) == NFT_BITWISE_BOOL)) {
			struct slot v = c->reg[s];

			v.has_mask = 1;
			memset(v.mask, 0, sizeof(v.mask));
			memcpy(v.mask, m, ml);
			load(c, dreg, &v);
		} else
			load_unknown(c, dreg, "a computed value the evaluator "
			    "does not model");
	} else if (is_kind(kind, "cmp")) {
		uint32_t len = 0;
		const uint8_t *d = a_value(e->tb[NFTA_CMP_DATA], &len);
		int s = slot_of(a_u32(e->tb[NFTA_CMP_SREG]));

		if (d == NULL || len == 0 || len > 16)
			fw_rs_unknown(st, FS_MATCH, "a comparison not understood");
		else
			compare(w->r->rs, c, s, (int)a_u32(e->tb[NFTA_CMP_OP]), d, len, NULL, st);
	} else if (is_kind(kind, "range")) {
		uint32_t l1 = 0, l2 = 0;
		const uint8_t *a = a_value(e->tb[NFTA_RANGE_FROM_DATA], &l1);
		const uint8_t *b = a_value(e->tb[NFTA_RANGE_TO_DATA], &l2);
		int s = slot_of(a_u32(e->tb[NFTA_RANGE_SREG]));
		uint32_t op = a_u32(e->tb[NFTA_RANGE_OP]);

		if (a == NULL || b == NULL || l1 != l2 || l1 == 0 || l1 > 16)
			fw_rs_unknown(st, FS_MATCH, "a range not understood");
		else
			compare(w->r->rs, c, s, op == NFT_RANGE_NEQ ?
			    NFT_CMP_NEQ : NFT_CMP_EQ, a, l1, b, st);
	} else if (is_kind(kind, "lookup"))
		lookup(w->r, c, e, st);
	else if (is_kind(kind, "nat"))
		nat(c, e, st);
	else if (is_kind(kind, "redir")) {
		st->kind = FS_REDIRECT;
		if ((e->tb[NFTA_REDIR_REG_PROTO_MIN] != NULL)) {
			if (imm_port(c, a_u32(e->tb[NFTA_REDIR_REG_PROTO_MIN]), &st->port) < 0)
				fw_rs_unknown(st, FS_UNKNOWN, "a redirect to a port "
				    "map");
			else
				st->has_port = 1;
		}
	} else if (is_kind(kind, "masq"))
		st->kind = FS_NATOTHER;
	else if (is_kind(kind, "reject"))
		st->kind = FS_REJECT;
	else if (is_kind(kind, "queue"))
		fw_rs_unknown(st, FS_QUEUE, "a queue to user space");
	else if (is_kind(kind, "notrack"))
		st->kind = FS_NOTRACK;
	else if (is_kind(kind, "counter") || is_kind(kind, "log") ||
	    is_kind(kind, "flow_offload") || is_kind(kind, "dup") ||
	    is_kind(kind, "last"))
		st->kind = FS_NOP;
	else if (is_kind(kind, "limit"))
		fw_rs_unknown(st, FS_MAYBE, "a rate limit");
	else if (is_kind(kind, "quota"))
		fw_rs_unknown(st, FS_MAYBE, "a quota");
	else if (is_kind(kind, "connlimit"))
		fw_rs_unknown(st, FS_MAYBE, "a connection count limit");
	else if (is_kind(kind, "objref")) {
		uint32_t t = a_u32(e->tb[NFTA_OBJREF_IMM_TYPE]);

		if (t == NFT_OBJECT_COUNTER || t == NFT_OBJECT_CT_HELPER ||
		    t == NFT_OBJECT_CT_TIMEOUT || t == NFT_OBJECT_SECMARK)
			st->kind = FS_NOP;
		else
			fw_rs_unknown(st, FS_MAYBE, "a named limit, quota or "
			    "object");
	} else if (is_kind(kind, "dynset")) {
		const char *nm = a_str(e->tb[NFTA_DYNSET_SET_NAME]);
		struct rset *raw = nm ? raw_set(w->r, c->table_family,
		    c->table, nm) : NULL;

		if (raw)
			raw->flags |= NFT_SET_EVAL;	/* fed at run time */
		if ((e->tb[NFTA_DYNSET_EXPR] != NULL) ||
		    (e->tb[NFTA_DYNSET_EXPRESSIONS] != NULL))
			fw_rs_unknown(st, FS_MAYBE, "a meter (a limit per key, "
			    "fed at run time)");
		else
			st->kind = FS_NOP;
	} else if (is_kind(kind, "match") || is_kind(kind, "target")) {
		struct xt_blob b;
		uint32_t len = 0;
		int target = kind[0] == 't';
		const struct nlattr *ia = e->tb[NFTA_MATCH_INFO];
		const void *info = ia ? na_data(ia) : NULL;
		const char *xn = a_str(e->tb[NFTA_MATCH_NAME]);

		memset(&b, 0, sizeof(b));
		b.family = c->table_family == FAM_IP6 ? NFPROTO_IPV6 :
		    NFPROTO_IPV4;
		b.target = (uint8_t)target;
		snprintf(b.name, sizeof(b.name), "%s", str_attr(xn));
		len = ia ? na_len(ia) : 0;
		b.rev = a_u32(e->tb[NFTA_MATCH_REV]);
		b.info = (uint8_t *)(uintptr_t)info;
		b.len = (uint16_t)(len > 1024 ? 0 : len);
		if (b.len == 0)
			b.info = NULL;
		fw_rs_compat(w->r->rs, &b, st);
	} else if (is_kind(kind, "exthdr") || is_kind(kind, "socket") ||
	    is_kind(kind, "osf") || is_kind(kind, "rt") ||
	    is_kind(kind, "numgen") || is_kind(kind, "hash") ||
	    is_kind(kind, "xfrm") || is_kind(kind, "tunnel") ||
	    is_kind(kind, "inner")) {
		/* a load of something not modelled: every register is then
		 * not known, so the comparison that reads it is undecided
		 * (an exthdr write is rare and changes no verdict here) */
		for (int k = 0; k < 16; k++) {
			c->reg[k].kind = R_UNKNOWN;
			c->reg[k].why = "a match on what the evaluator does not "
			    "model (an extension header, a socket, an OS "
			    "fingerprint, a route, a hash)";
		}
		st->kind = FS_NOP;
		return 0;
	} else
		fw_rs_unknown(st, FS_UNKNOWN, is_kind(kind, "tproxy") ?
		    "a transparent proxy (tproxy)" : is_kind(kind, "fwd") ?
		    "a forward to another device (fwd)" : strcmp(kind,
		    "synproxy") == 0 ? "a SYN proxy" : "a statement the "
		    "evaluator does not model");
	/* loads leave no statement of their own */
	if (!(st->kind == FS_NOP && (strcmp(str_attr(kind), "payload") == 0 ||
	    strcmp(str_attr(kind), "meta") == 0 || strcmp(str_attr(kind),
	    "ct") == 0 || strcmp(str_attr(kind), "fib") == 0 ||
	    strcmp(str_attr(kind), "immediate") == 0 || strcmp(str_attr(kind),
	    "bitwise") == 0)))
		w->n++;
	return 0;
}

/*
 * The rule's comment from its user data: type-length-value records
 * (one byte each for type and length), walked here with every length
 * checked against the buffer (libnftnl's walker reads past a record
 * that claims more than is left).
 */
static const char *
rule_comment(const uint8_t *ud, size_t len)
{
	size_t off = 0;

	while (len - off >= 2) {
		uint8_t type = ud[off], l = ud[off + 1];

		if ((size_t)l > len - off - 2)
			return NULL;
		if (type == NFTNL_UDATA_RULE_COMMENT && l > 0 &&
		    ud[off + 2 + l - 1] == '\0')
			return (const char *)ud + off + 2;
		off += 2 + (size_t)l;
	}
	return NULL;
}

/* A rule with an expression kind the table does not hold: kept, by its
 * table, chain and handle, as one statement that cannot be decided. */
static void
unknown_rule(struct reader *r, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const char *table = NULL, *chain = NULL;
	uint64_t handle = 0;
	const struct nlattr *a;
	struct fw_stmt *st;
	long ci;

	NA_FOR_EACH(a, nlh, sizeof(struct nfgenmsg)) {
		if (na_type(a) == NFTA_RULE_TABLE)
			table = mnl_attr_get_str(a);
		else if (na_type(a) == NFTA_RULE_CHAIN)
			chain = mnl_attr_get_str(a);
		else if (na_type(a) == NFTA_RULE_HANDLE)
			handle = be64toh(mnl_attr_get_u64(a));
	}
	ci = table && chain ? fw_chain_find(r->rs, family_of(g->nfgen_family),
	    table, chain) : -1;
	if (ci < 0) {
		r->rs->skipped++;
		return;
	}
	st = xcalloc(1, sizeof(*st));
	fw_rs_unknown(st, FS_UNKNOWN, "an expression the evaluator does not "
	    "read");
	fw_rs_rule(r->rs, (uint32_t)ci, handle, NULL, st, 1);
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reader *r = data;
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[TB_MAX], *el;
	struct expr_walk w;
	const char *comment = NULL;
	int unknown = 0;
	long ci;

	if (!nlcheck_rule(nlh, &unknown)) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	if (unknown) {
		unknown_rule(r, nlh);
		return MNL_CB_OK;
	}
	tb_msg(nlh, tb);
	if (tb[NFTA_RULE_TABLE] == NULL || tb[NFTA_RULE_CHAIN] == NULL) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.c.table_family = family_of(g->nfgen_family);
	w.c.table = a_str(tb[NFTA_RULE_TABLE]);
	w.c.fam = w.c.table_family == FAM_IP ? 4 : w.c.table_family ==
	    FAM_IP6 ? 6 : 0;
	ci = fw_chain_find(r->rs, w.c.table_family, w.c.table,
	    a_str(tb[NFTA_RULE_CHAIN]));
	if (ci < 0) {
		r->rs->skipped++;
		return MNL_CB_OK;
	}
	w.st = r->scratch;
	if (tb[NFTA_RULE_EXPRESSIONS])
		NA_FOR_EACH_NESTED(el, tb[NFTA_RULE_EXPRESSIONS]) {
			const struct nlattr *et[TB_MAX];
			struct xexpr x;

			tb_nest(el, et);
			memset(&x, 0, sizeof(x));
			x.name = a_str(et[NFTA_EXPR_NAME]);
			if (et[NFTA_EXPR_DATA])
				tb_nest(et[NFTA_EXPR_DATA], x.tb);
			if (expr_cb(&x, &w) < 0)
				break;
		}
	if (w.too_long) {
		fw_rs_unknown(&w.st[0], FS_UNKNOWN, "a rule of more statements "
		    "than the evaluator reads");
		w.n = 1;
		r->rs->cut++;
	}
	if (tb[NFTA_RULE_USERDATA])
		comment = rule_comment(na_data(
		    tb[NFTA_RULE_USERDATA]), na_len(
		    tb[NFTA_RULE_USERDATA]));
	{
		/* the rule keeps exactly its statements */
		struct fw_stmt *st = xcalloc(w.n ? w.n : 1, sizeof(*st));

		memcpy(st, w.st, w.n * sizeof(*st));
		fw_rs_rule(r->rs, (uint32_t)ci, tb[NFTA_RULE_HANDLE] ?
		    be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE])) : 0,
		    comment, st, w.n);
	}
	return MNL_CB_OK;
}

static void
reader_release(struct reader *r)
{
	for (size_t i = 0; i < r->nsets; i++) {
		for (size_t k = 0; k < r->sets[i].n; k++)
			free(r->sets[i].e[k].chain);
		free(r->sets[i].e);
		free(r->sets[i].table);
		free(r->sets[i].name);
	}
	free(r->sets);
	free(r->scratch);
	free(r->buf);
	free(r->cause);
}

void
fw_ruleset_from_netlink(const void *buf, size_t len, struct fw_ruleset *rs)
{
	static const struct { uint16_t type; mnl_cb_t cb; } order[] = {
		{ NFT_MSG_NEWCHAIN, chain_cb }, { NFT_MSG_NEWSET, set_cb },
		{ NFT_MSG_NEWSETELEM, elems_cb }, { NFT_MSG_NEWRULE, rule_cb },
	};
	struct reader r;

	memset(rs, 0, sizeof(*rs));
	memset(&r, 0, sizeof(r));
	r.rs = rs;
	r.scratch = xcalloc(STMTS_MAX, sizeof(*r.scratch));
	/* chains, then sets, their elements, then rules, as a dump gives
	 * them; each message checked by libmnl before it is parsed */
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		size_t off = 0;

		/* each message's length checked against what is left (libmnl's
		 * own check takes a length past 2 GiB for a negative one) */
		while (len - off >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *nlh =
			    (const void *)((const char *)buf + off);
			uint32_t ml;

			memcpy(&ml, &nlh->nlmsg_len, sizeof(ml));
			if (ml < sizeof(struct nlmsghdr) || ml > len - off ||
			    ((uintptr_t)nlh & 3) != 0)
				break;
			if (NFNL_MSG_TYPE(nlh->nlmsg_type) == order[k].type)
				order[k].cb(nlh, &r);
			off += ((size_t)ml + 3) & ~(size_t)3;
			if (off > len)
				break;
		}
	}
	fw_ruleset_finish(rs);
	reader_release(&r);
}

int
fw_ruleset_read_netlink(struct fw_ruleset *rs, char **cause)
{
	static const struct timeval timeout = { 10, 0 };
	struct reader r;
	struct nlmsghdr *nlh;
	int rc = -1;

	memset(rs, 0, sizeof(*rs));
	memset(&r, 0, sizeof(r));
	*cause = NULL;
	r.rs = rs;
	r.seq = (unsigned int)time(NULL);
	if (dl_load(&nftnl_lib, cause) != 0)
		return -1;
	r.nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (r.nl == NULL || setsockopt(mnl_socket_get_fd(r.nl), SOL_SOCKET,
	    SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_bind(r.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*cause = xasprintf("cannot open a netfilter socket: %s",
		    strerror(errno));
		if (r.nl)
			mnl_socket_close(r.nl);
		return -1;
	}
	r.portid = mnl_socket_get_portid(r.nl);
	r.buf = xmalloc(RECV_SIZE);
	r.scratch = xcalloc(STMTS_MAX, sizeof(*r.scratch));
	nlh = nftnl.nftnl_nlmsg_build_hdr(r.buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC,
	    NLM_F_DUMP, ++r.seq);
	if (dump(&r, nlh, chain_cb, &r) < 0)
		goto out;
	nlh = nftnl.nftnl_nlmsg_build_hdr(r.buf, NFT_MSG_GETSET, NFPROTO_UNSPEC,
	    NLM_F_DUMP, ++r.seq);
	if (dump(&r, nlh, set_cb, &r) < 0)
		goto out;
	for (size_t i = 0; i < r.nsets; i++)
		if (read_elements(&r, &r.sets[i]) < 0)
			goto out;
	nlh = nftnl.nftnl_nlmsg_build_hdr(r.buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC,
	    NLM_F_DUMP, ++r.seq);
	if (dump(&r, nlh, rule_cb, &r) < 0)
		goto out;
	fw_ruleset_finish(rs);
	rc = 0;
out:
	if (rc < 0) {
		*cause = r.cause ? r.cause : xstrdup("cannot read the ruleset");
		r.cause = NULL;
		fw_ruleset_release(rs);
	}
	reader_release(&r);
	mnl_socket_close(r.nl);
	return rc;
}
