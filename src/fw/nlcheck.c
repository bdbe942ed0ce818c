/*
 * nlcheck.c - nf_tables netlink replies checked before they are parsed.
 *
 * libnftnl trusts what the kernel sends: an attribute of the wrong size
 * makes it print "kernel ABI is broken" and exit, an expression without
 * a name is dereferenced, a jump without its chain is copied from NULL.
 * Each message is checked here with libmnl against the kernel's own
 * attribute policies (the types of linux/netfilter/nf_tables.h): every
 * attribute of a known type has its type's size, nests are whole, no
 * attribute but a list's element repeats, a data value is at most 64
 * bytes, a jump names its chain.  A type the header knows that a table
 * here does not list is refused (libnftnl may check it); one past the
 * header's last is a newer kernel's and passed over, as libnftnl passes
 * it over.  A rule's expressions are checked by kind; a kind not listed
 * is reported, so the caller can keep the rule as undecidable.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>

#include "fw/nla.h"

#include "fw/nlcheck.h"
#include "util/banned.h"

struct aspec {
	uint16_t		 type;
	uint8_t			 t;	/* enum mnl_attr_data_type */
	const struct aspec	*nest;	/* for nested attributes */
};
#define A_END(max)	{ max, MNL_TYPE_UNSPEC, NULL }

/* nests that hold one expression, or a list of them (sets' and
 * elements' stateful expressions, which libnftnl parses too) */
static const struct aspec one_expr[] = { { 0, MNL_TYPE_UNSPEC, NULL } };
static const struct aspec expr_list[] = { { 0, MNL_TYPE_UNSPEC, NULL } };
#define BIN(a)	{ a, MNL_TYPE_BINARY, NULL }

static const struct aspec verdict_spec[] = {
	{ NFTA_VERDICT_CODE, MNL_TYPE_U32, NULL },
	{ NFTA_VERDICT_CHAIN, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_VERDICT_CHAIN_ID, MNL_TYPE_U32, NULL }, A_END(NFTA_VERDICT_MAX) };
static const struct aspec data_spec[] = {
	{ NFTA_DATA_VALUE, MNL_TYPE_BINARY, NULL },
	{ NFTA_DATA_VERDICT, MNL_TYPE_NESTED, verdict_spec }, A_END(NFTA_DATA_MAX) };
static const struct aspec counters_spec[] = {
	{ NFTA_COUNTER_BYTES, MNL_TYPE_U64, NULL },
	{ NFTA_COUNTER_PACKETS, MNL_TYPE_U64, NULL }, BIN(NFTA_COUNTER_PAD),
	A_END(NFTA_COUNTER_MAX) };
static const struct aspec hook_devs_spec[] = {
	{ NFTA_DEVICE_NAME, MNL_TYPE_NUL_STRING, NULL }, A_END(NFTA_DEVICE_MAX) };
static const struct aspec hook_spec[] = {
	{ NFTA_HOOK_HOOKNUM, MNL_TYPE_U32, NULL },
	{ NFTA_HOOK_PRIORITY, MNL_TYPE_U32, NULL },
	{ NFTA_HOOK_DEV, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_HOOK_DEVS, MNL_TYPE_NESTED, hook_devs_spec },
	A_END(NFTA_HOOK_MAX) };
static const struct aspec chain_spec[] = {
	{ NFTA_CHAIN_TABLE, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_CHAIN_NAME, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_CHAIN_HANDLE, MNL_TYPE_U64, NULL },
	{ NFTA_CHAIN_HOOK, MNL_TYPE_NESTED, hook_spec },
	{ NFTA_CHAIN_POLICY, MNL_TYPE_U32, NULL },
	{ NFTA_CHAIN_USE, MNL_TYPE_U32, NULL },
	{ NFTA_CHAIN_TYPE, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_CHAIN_COUNTERS, MNL_TYPE_NESTED, counters_spec },
	{ NFTA_CHAIN_FLAGS, MNL_TYPE_U32, NULL },
	{ NFTA_CHAIN_ID, MNL_TYPE_U32, NULL }, BIN(NFTA_CHAIN_PAD),
	BIN(NFTA_CHAIN_USERDATA), A_END(NFTA_CHAIN_MAX) };
static const struct aspec set_field_spec[] = {
	{ NFTA_SET_FIELD_LEN, MNL_TYPE_U32, NULL }, A_END(NFTA_SET_FIELD_MAX) };
static const struct aspec set_fields_spec[] = {
	{ NFTA_LIST_ELEM, MNL_TYPE_NESTED, set_field_spec },
	A_END(NFTA_LIST_MAX) };
static const struct aspec set_desc_spec[] = {
	{ NFTA_SET_DESC_SIZE, MNL_TYPE_U32, NULL },
	{ NFTA_SET_DESC_CONCAT, MNL_TYPE_NESTED, set_fields_spec },
	A_END(NFTA_SET_DESC_MAX) };
static const struct aspec set_spec[] = {
	{ NFTA_SET_TABLE, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_SET_NAME, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_SET_FLAGS, MNL_TYPE_U32, NULL },
	{ NFTA_SET_KEY_TYPE, MNL_TYPE_U32, NULL },
	{ NFTA_SET_KEY_LEN, MNL_TYPE_U32, NULL },
	{ NFTA_SET_DATA_TYPE, MNL_TYPE_U32, NULL },
	{ NFTA_SET_DATA_LEN, MNL_TYPE_U32, NULL },
	{ NFTA_SET_POLICY, MNL_TYPE_U32, NULL },
	{ NFTA_SET_DESC, MNL_TYPE_NESTED, set_desc_spec },
	{ NFTA_SET_ID, MNL_TYPE_U32, NULL },
	{ NFTA_SET_TIMEOUT, MNL_TYPE_U64, NULL },
	{ NFTA_SET_GC_INTERVAL, MNL_TYPE_U32, NULL },
	{ NFTA_SET_OBJ_TYPE, MNL_TYPE_U32, NULL },
	{ NFTA_SET_HANDLE, MNL_TYPE_U64, NULL },
	{ NFTA_SET_EXPR, MNL_TYPE_NESTED, one_expr },
	{ NFTA_SET_EXPRESSIONS, MNL_TYPE_NESTED, expr_list },
	BIN(NFTA_SET_USERDATA), BIN(NFTA_SET_PAD), A_END(NFTA_SET_MAX) };
static const struct aspec elem_spec[] = {
	{ NFTA_SET_ELEM_KEY, MNL_TYPE_NESTED, data_spec },
	{ NFTA_SET_ELEM_DATA, MNL_TYPE_NESTED, data_spec },
	{ NFTA_SET_ELEM_FLAGS, MNL_TYPE_U32, NULL },
	{ NFTA_SET_ELEM_TIMEOUT, MNL_TYPE_U64, NULL },
	{ NFTA_SET_ELEM_EXPIRATION, MNL_TYPE_U64, NULL },
	{ NFTA_SET_ELEM_OBJREF, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_SET_ELEM_KEY_END, MNL_TYPE_NESTED, data_spec },
	{ NFTA_SET_ELEM_EXPR, MNL_TYPE_NESTED, one_expr },
	{ NFTA_SET_ELEM_EXPRESSIONS, MNL_TYPE_NESTED, expr_list },
	BIN(NFTA_SET_ELEM_USERDATA), BIN(NFTA_SET_ELEM_PAD),
	A_END(NFTA_SET_ELEM_MAX) };
static const struct aspec elems_spec[] = {
	{ NFTA_LIST_ELEM, MNL_TYPE_NESTED, elem_spec }, A_END(NFTA_LIST_MAX) };
static const struct aspec setelem_spec[] = {
	{ NFTA_SET_ELEM_LIST_TABLE, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_SET_ELEM_LIST_SET, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_SET_ELEM_LIST_ELEMENTS, MNL_TYPE_NESTED, elems_spec },
	{ NFTA_SET_ELEM_LIST_SET_ID, MNL_TYPE_U32, NULL }, A_END(NFTA_SET_ELEM_LIST_MAX) };

/* each expression's attributes, by its name */
#define U32(a)	{ a, MNL_TYPE_U32, NULL }
#define U64(a)	{ a, MNL_TYPE_U64, NULL }
#define U16(a)	{ a, MNL_TYPE_U16, NULL }
#define U8(a)	{ a, MNL_TYPE_U8, NULL }
#define STR(a)	{ a, MNL_TYPE_NUL_STRING, NULL }
#define DATA(a)	{ a, MNL_TYPE_NESTED, data_spec }
static const struct aspec e_payload[] = { U32(NFTA_PAYLOAD_DREG),
	U32(NFTA_PAYLOAD_BASE), U32(NFTA_PAYLOAD_OFFSET), U32(NFTA_PAYLOAD_LEN),
	U32(NFTA_PAYLOAD_SREG), U32(NFTA_PAYLOAD_CSUM_TYPE),
	U32(NFTA_PAYLOAD_CSUM_OFFSET), U32(NFTA_PAYLOAD_CSUM_FLAGS), A_END(NFTA_PAYLOAD_MAX) };
static const struct aspec e_meta[] = { U32(NFTA_META_DREG),
	U32(NFTA_META_KEY), U32(NFTA_META_SREG), A_END(NFTA_META_MAX) };
static const struct aspec e_ct[] = { U32(NFTA_CT_DREG), U32(NFTA_CT_KEY),
	U8(NFTA_CT_DIRECTION), U32(NFTA_CT_SREG), A_END(NFTA_CT_MAX) };
static const struct aspec e_cmp[] = { U32(NFTA_CMP_SREG), U32(NFTA_CMP_OP),
	DATA(NFTA_CMP_DATA), A_END(NFTA_CMP_MAX) };
static const struct aspec e_imm[] = { U32(NFTA_IMMEDIATE_DREG),
	DATA(NFTA_IMMEDIATE_DATA), A_END(NFTA_IMMEDIATE_MAX) };
static const struct aspec e_bitwise[] = { U32(NFTA_BITWISE_SREG),
	U32(NFTA_BITWISE_DREG), U32(NFTA_BITWISE_LEN), U32(NFTA_BITWISE_OP),
	DATA(NFTA_BITWISE_MASK), DATA(NFTA_BITWISE_XOR), DATA(NFTA_BITWISE_DATA),
	A_END(NFTA_BITWISE_MAX) };
static const struct aspec e_range[] = { U32(NFTA_RANGE_SREG),
	U32(NFTA_RANGE_OP), DATA(NFTA_RANGE_FROM_DATA), DATA(NFTA_RANGE_TO_DATA),
	A_END(NFTA_RANGE_MAX) };
static const struct aspec e_lookup[] = { U32(NFTA_LOOKUP_SREG),
	U32(NFTA_LOOKUP_DREG), STR(NFTA_LOOKUP_SET), U32(NFTA_LOOKUP_SET_ID),
	U32(NFTA_LOOKUP_FLAGS), A_END(NFTA_LOOKUP_MAX) };
static const struct aspec e_nat[] = { U32(NFTA_NAT_TYPE), U32(NFTA_NAT_FAMILY),
	U32(NFTA_NAT_REG_ADDR_MIN), U32(NFTA_NAT_REG_ADDR_MAX),
	U32(NFTA_NAT_REG_PROTO_MIN), U32(NFTA_NAT_REG_PROTO_MAX),
	U32(NFTA_NAT_FLAGS), A_END(NFTA_NAT_MAX) };
static const struct aspec e_redir[] = { U32(NFTA_REDIR_REG_PROTO_MIN),
	U32(NFTA_REDIR_REG_PROTO_MAX), U32(NFTA_REDIR_FLAGS), A_END(NFTA_REDIR_MAX) };
static const struct aspec e_masq[] = { U32(NFTA_MASQ_FLAGS),
	U32(NFTA_MASQ_REG_PROTO_MIN), U32(NFTA_MASQ_REG_PROTO_MAX), A_END(NFTA_MASQ_MAX) };
static const struct aspec e_reject[] = { U32(NFTA_REJECT_TYPE),
	U8(NFTA_REJECT_ICMP_CODE), A_END(NFTA_REJECT_MAX) };
static const struct aspec e_queue[] = { U16(NFTA_QUEUE_NUM),
	U16(NFTA_QUEUE_TOTAL), U16(NFTA_QUEUE_FLAGS), U32(NFTA_QUEUE_SREG_QNUM),
	A_END(NFTA_QUEUE_MAX) };
static const struct aspec e_counter[] = { U64(NFTA_COUNTER_BYTES),
	U64(NFTA_COUNTER_PACKETS), BIN(NFTA_COUNTER_PAD),
	A_END(NFTA_COUNTER_MAX) };
static const struct aspec e_log[] = { U16(NFTA_LOG_GROUP),
	STR(NFTA_LOG_PREFIX), U32(NFTA_LOG_SNAPLEN), U16(NFTA_LOG_QTHRESHOLD),
	U32(NFTA_LOG_LEVEL), U32(NFTA_LOG_FLAGS), A_END(NFTA_LOG_MAX) };
static const struct aspec e_limit[] = { U64(NFTA_LIMIT_RATE),
	U64(NFTA_LIMIT_UNIT), U32(NFTA_LIMIT_BURST), U32(NFTA_LIMIT_TYPE),
	U32(NFTA_LIMIT_FLAGS), BIN(NFTA_LIMIT_PAD), A_END(NFTA_LIMIT_MAX) };
static const struct aspec e_quota[] = { U64(NFTA_QUOTA_BYTES),
	U32(NFTA_QUOTA_FLAGS), U64(NFTA_QUOTA_CONSUMED), BIN(NFTA_QUOTA_PAD),
	A_END(NFTA_QUOTA_MAX) };
static const struct aspec e_connlimit[] = { U32(NFTA_CONNLIMIT_COUNT),
	U32(NFTA_CONNLIMIT_FLAGS), A_END(NFTA_CONNLIMIT_MAX) };
static const struct aspec e_objref[] = { U32(NFTA_OBJREF_IMM_TYPE),
	STR(NFTA_OBJREF_IMM_NAME), U32(NFTA_OBJREF_SET_SREG),
	STR(NFTA_OBJREF_SET_NAME), U32(NFTA_OBJREF_SET_ID), A_END(NFTA_OBJREF_MAX) };
static const struct aspec e_fib[] = { U32(NFTA_FIB_DREG),
	U32(NFTA_FIB_RESULT), U32(NFTA_FIB_FLAGS), A_END(NFTA_FIB_MAX) };
static const struct aspec e_xt[] = { STR(NFTA_MATCH_NAME),
	U32(NFTA_MATCH_REV), { NFTA_MATCH_INFO, MNL_TYPE_BINARY, NULL }, A_END(NFTA_MATCH_MAX) };
static const struct aspec e_none[] = { A_END(0) };
/* loads of what the evaluator does not model: read, then not known */
static const struct aspec e_exthdr[] = { U32(NFTA_EXTHDR_DREG),
	U8(NFTA_EXTHDR_TYPE), U32(NFTA_EXTHDR_OFFSET), U32(NFTA_EXTHDR_LEN),
	U32(NFTA_EXTHDR_FLAGS), U32(NFTA_EXTHDR_OP), U32(NFTA_EXTHDR_SREG),
	A_END(NFTA_EXTHDR_MAX) };
static const struct aspec e_rt[] = { U32(NFTA_RT_DREG), U32(NFTA_RT_KEY),
	A_END(NFTA_RT_MAX) };
static const struct aspec e_socket[] = { U32(NFTA_SOCKET_KEY),
	U32(NFTA_SOCKET_DREG), U32(NFTA_SOCKET_LEVEL), A_END(NFTA_SOCKET_MAX) };

static const struct {
	const char		*name;
	const struct aspec	*spec;
} expr_specs[] = {
	{ "payload", e_payload }, { "meta", e_meta }, { "ct", e_ct },
	{ "cmp", e_cmp }, { "immediate", e_imm }, { "bitwise", e_bitwise },
	{ "range", e_range }, { "lookup", e_lookup }, { "nat", e_nat },
	{ "redir", e_redir }, { "masq", e_masq }, { "reject", e_reject },
	{ "queue", e_queue }, { "counter", e_counter }, { "log", e_log },
	{ "limit", e_limit }, { "quota", e_quota }, { "connlimit", e_connlimit },
	{ "objref", e_objref }, { "fib", e_fib }, { "match", e_xt },
	{ "target", e_xt }, { "notrack", e_none }, { "exthdr", e_exthdr },
	{ "rt", e_rt }, { "socket", e_socket },
};

static int valid_nest(const struct nlattr *nest, const struct aspec *spec,
    int depth);
static int valid_expr_body(const struct nlattr *e);

static int
valid_one(const struct nlattr *a, const struct aspec *spec, int depth)
{
	const struct aspec *s;

	for (s = spec; s->t != MNL_TYPE_UNSPEC; s++) {
		if (na_type(a) != s->type)
			continue;
		if (mnl_attr_validate(a, (enum mnl_attr_data_type)s->t) < 0)
			return 0;
		if (spec == data_spec && s->t == MNL_TYPE_BINARY &&
		    na_len(a) > 64)
			return 0;	/* a data value is at most 64 bytes */
		if (s->nest == one_expr)
			return valid_expr_body(a) > 0;
		if (s->nest == expr_list) {
			const struct nlattr *e;

			NA_FOR_EACH_NESTED(e, a)
				if (na_type(e) != NFTA_LIST_ELEM ||
				    valid_expr_body(e) <= 0)
					return 0;
			return 1;
		}
		return s->nest == NULL || valid_nest(a, s->nest, depth + 1);
	}
	/* s is the end: past the types this header knows, a newer kernel's
	 * attribute, passed over by libnftnl too; within them, one whose
	 * check libnftnl may make and this table does not: refused */
	return na_type(a) > s->type;
}

static int
valid_nest(const struct nlattr *nest, const struct aspec *spec, int depth)
{
	const struct nlattr *a;
	size_t seen = 0;

	if (depth > 8)
		return 0;
	int code = 1, chain = 0;
	/* lists repeat their element; nothing else repeats (libnftnl keeps
	 * the last of two and leaks what it copied of the first) */
	int list = spec[0].type == NFTA_LIST_ELEM || spec == hook_devs_spec;
	uint64_t types = 0;

	NA_FOR_EACH_NESTED(a, nest) {
		uint16_t t = na_type(a);

		if (!list && t < 64) {
			if (types & (1ull << t))
				return 0;
			types |= 1ull << t;
		}
		if (!valid_one(a, spec, depth))
			return 0;
		seen += (size_t)NLA_ALIGN(a->nla_len);
		if (spec == verdict_spec && na_type(a) ==
		    NFTA_VERDICT_CODE)
			code = (int)ntohl(mnl_attr_get_u32(a));
		if (spec == verdict_spec && na_type(a) ==
		    NFTA_VERDICT_CHAIN)
			chain = 1;
	}
	/* a jump names its chain (libnftnl copies the name unchecked) */
	if (spec == verdict_spec && (code == NFT_JUMP || code == NFT_GOTO) &&
	    !chain)
		return 0;
	/* the nest's bytes are whole attributes */
	return seen == na_len(nest) ||
	    seen == (size_t)NLA_ALIGN(na_len(nest));
}

/* An expression list element: 1 sound, 0 malformed, -1 of a kind the
 * table does not hold. */
static int
valid_expr(const struct nlattr *elem)
{
	if (na_type(elem) != NFTA_LIST_ELEM)
		return 0;
	return valid_expr_body(elem);
}

static int
valid_expr_body(const struct nlattr *elem)
{
	const struct nlattr *a, *name = NULL, *data = NULL;

	if (mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
		return 0;
	NA_FOR_EACH_NESTED(a, elem) {
		if (na_type(a) == NFTA_EXPR_NAME) {
			if (name)
				return 0;
			name = a;
		} else if (na_type(a) == NFTA_EXPR_DATA) {
			if (data)
				return 0;
			data = a;
		}
	}
	if (name == NULL || mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0 ||
	    (data && mnl_attr_validate(data, MNL_TYPE_NESTED) < 0))
		return 0;
	for (size_t i = 0; i < sizeof(expr_specs) / sizeof(expr_specs[0]); i++)
		if (*(const char *)na_data(name) == expr_specs[i].name[0] &&
		    strcmp(na_data(name), expr_specs[i].name) == 0)
			return data == NULL || valid_nest(data, expr_specs[i].spec,
			    1);
	return -1;
}

/* A message's top attributes against spec: 1 sound, 0 not; for a rule,
 * *unknown_expr is set when an expression kind is not in the table. */
static int
valid_msg(const struct nlmsghdr *nlh, const struct aspec *spec,
    int *unknown_expr)
{
	const struct nlattr *a;
	size_t off = sizeof(struct nfgenmsg), seen = 0;

	if (nlh->nlmsg_len < mnl_nlmsg_size(off))
		return 0;
	uint64_t types = 0;

	NA_FOR_EACH(a, nlh, off) {
		uint16_t t = na_type(a);

		if (t < 64) {
			if (types & (1ull << t))
				return 0;
			types |= 1ull << t;
		}
		seen += (size_t)NLA_ALIGN(a->nla_len);
		if (unknown_expr && na_type(a) ==
		    NFTA_RULE_EXPRESSIONS) {
			const struct nlattr *e;

			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return 0;
			NA_FOR_EACH_NESTED(e, a) {
				int v = valid_expr(e);

				if (v == 0)
					return 0;
				if (v < 0)
					*unknown_expr = 1;
			}
			continue;
		}
		if (!valid_one(a, spec, 0))
			return 0;
	}
	return seen == (size_t)NLA_ALIGN(nlh->nlmsg_len - mnl_nlmsg_size(off)) ||
	    seen == nlh->nlmsg_len - mnl_nlmsg_size(off);
}

static const struct aspec rule_compat_spec[] = {
	{ NFTA_RULE_COMPAT_PROTO, MNL_TYPE_U32, NULL },
	{ NFTA_RULE_COMPAT_FLAGS, MNL_TYPE_U32, NULL }, A_END(NFTA_RULE_COMPAT_MAX) };
static const struct aspec rule_spec[] = {
	{ NFTA_RULE_TABLE, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_RULE_CHAIN, MNL_TYPE_NUL_STRING, NULL },
	{ NFTA_RULE_HANDLE, MNL_TYPE_U64, NULL },
	{ NFTA_RULE_POSITION, MNL_TYPE_U64, NULL },
	{ NFTA_RULE_USERDATA, MNL_TYPE_BINARY, NULL },
	{ NFTA_RULE_ID, MNL_TYPE_U32, NULL },
	{ NFTA_RULE_POSITION_ID, MNL_TYPE_U32, NULL },
	{ NFTA_RULE_CHAIN_ID, MNL_TYPE_U32, NULL }, BIN(NFTA_RULE_PAD),
	/* iptables-nft's compat info (protocol, flags) */
	{ NFTA_RULE_COMPAT, MNL_TYPE_NESTED, rule_compat_spec }, A_END(NFTA_RULE_MAX) };


int
nlcheck_chain(const struct nlmsghdr *nlh)
{
	return valid_msg(nlh, chain_spec, NULL);
}

int
nlcheck_set(const struct nlmsghdr *nlh)
{
	return valid_msg(nlh, set_spec, NULL);
}

int
nlcheck_setelem(const struct nlmsghdr *nlh)
{
	return valid_msg(nlh, setelem_spec, NULL);
}

int
nlcheck_rule(const struct nlmsghdr *nlh, int *unknown_expr)
{
	*unknown_expr = 0;
	return valid_msg(nlh, rule_spec, unknown_expr);
}
