/*
 * ruleset.h - a network namespace's packet filter as the evaluator
 * reads it: base chains with their hook, priority and policy, the rules
 * of every chain as typed statements, and the named sets and maps.
 *
 * Built from netlink by fw/nftnl (what a run reads), or from a
 * libnftables JSON document (`list ruleset`, libnftables-json(5)) with
 * the compat blobs fw/xtnat reads (the format of the tests' fixtures and
 * of the ruleset fuzzer); the policies of legacy iptables tables join.  Everything in it is untrusted input: a part not
 * understood becomes a statement the evaluator cannot decide (with the
 * reason), never a guess; every count is capped.
 */
#ifndef PS_FW_RULESET_H
#define PS_FW_RULESET_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 fw_u128;

#define FW_CONCAT_MAX	4
#define FW_IFNAME_MAX	16

/* What a match reads of the packet. */
enum fw_field {
	FF_SADDR, FF_DADDR,		/* ip / ip6 saddr, daddr */
	FF_SPORT, FF_DPORT,		/* tcp, udp, th, sctp, udplite */
	FF_L4PROTO,			/* meta l4proto, ip protocol, ip6 nexthdr */
	FF_NFPROTO,			/* meta nfproto */
	FF_IIFNAME, FF_IIF, FF_OIFNAME, FF_OIF,
	FF_IIFTYPE, FF_PKTTYPE,
	FF_MARK, FF_CTMARK,
	FF_CTSTATE, FF_CTSTATUS, FF_CTDIR,
	FF_FIBTYPE,			/* fib daddr type */
	FF_FIBRPF,			/* fib saddr . iif oif (the reverse path) */
	FF_TCPFLAGS,
	FF_ADDRTYPE_DST,		/* xt addrtype --dst-type (bit per type) */
	FF_IIFIDX,			/* meta iif as netlink has it: an index */
	FF_FIBRPFIDX,			/* fib saddr . iif oif: an index, 0 none */
	FF_ICMPTYPE,			/* icmp / icmpv6 type */
	FF_ICMPOTHER,			/* another icmp field (code, id) */
	FF_OTHERPROTO			/* a header of a protocol not TCP/UDP */
};

/* One component of a key: the field and the family its header needs. */
struct fw_key {
	enum fw_field	 f[FW_CONCAT_MAX];
	uint8_t		 fam[FW_CONCAT_MAX];	/* 0, 4 (ip), 6 (ip6) */
	uint8_t		 proto[FW_CONCAT_MAX];	/* 0, or the L4 protocol */
	int		 n;
	int		 has_mask;		/* {"&": [field, mask]} */
	fw_u128		 mask;
};

/* A value or range of one component; names (interfaces) as strings. */
struct fw_range {
	fw_u128		 lo, hi;
	char		 s[FW_IFNAME_MAX + 1];
	uint8_t		 str, wild;		/* wild: "veth*" */
};

struct fw_elem {
	struct fw_range	 c[FW_CONCAT_MAX];
	int32_t		 vkind;		/* maps: an enum fw_stmt_kind */
	int32_t		 vchain;	/* ... its chain for jump / goto */
};

struct fw_set {
	char		*family, *table, *name;	/* NULL: anonymous */
	struct fw_elem	*v;
	size_t		 n, cap;
	int		 ncomp;
	int		 is_map;	/* verdict map */
	int		 dynamic;	/* fed at run time (flag, add/update) */
	int		 too_large;	/* cut at the cap: lookups undecided */
	int		 bad;		/* an element not understood */
	int		 sorted;	/* one numeric component, sorted by lo;
					 * c[1].hi: the running maximum of hi */
};

enum fw_op { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE, OP_IN, OP_NOTIN };

enum fw_stmt_kind {
	FS_MATCH, FS_ACCEPT, FS_DROP, FS_REJECT, FS_JUMP, FS_GOTO, FS_RETURN,
	FS_CONTINUE, FS_QUEUE, FS_DNAT, FS_REDIRECT, FS_NATOTHER,
	FS_MARKSET, FS_CTMARKSET, FS_NOTRACK, FS_VMAP,
	FS_MAYBE,	/* a condition the evaluator cannot know (rate, quota) */
	FS_UNKNOWN,	/* a verdict or effect it cannot model (tproxy, fwd) */
	FS_NOP		/* counters, log, comments */
};

struct fw_stmt {
	enum fw_stmt_kind kind;
	/* FS_MATCH, FS_VMAP: the key; FS_MATCH: op and the right side */
	struct fw_key	 key;
	enum fw_op	 op;
	uint32_t	 set;		/* index in sets (anonymous or named) */
	uint32_t	 target;	/* FS_JUMP, FS_GOTO: chain index */
	/* FS_DNAT: where; FS_REDIRECT: port only; FS_MARKSET: value */
	int		 has_addr, has_port;
	uint8_t		 nat_family;	/* 4, 6 */
	fw_u128		 addr, value;
	uint16_t	 port;
	int		 unknown_value;	/* FS_MARKSET from a non-constant */
	const char	*what;		/* FS_MAYBE, FS_UNKNOWN, unknown match */
	int		 unknown;	/* FS_MATCH that cannot be decided */
};

struct fw_rule {
	uint32_t	 chain;
	uint64_t	 handle;
	char		*comment;
	struct fw_stmt	*st;
	size_t		 nst;
	/* the ports the rule names for the destination, when it names
	 * them plainly (tcp dport 22, a set of ports): for the `firewall`
	 * command's holes */
	uint8_t		 dproto;	/* 0: any */
	int		 names_dport;
	/*
	 * A quick test before the rule is walked: when every statement
	 * before its destination-port match is a known match (nothing
	 * with an effect, nothing undecidable), a packet whose port lies
	 * outside [pf_lo, pf_hi] (or of another protocol than pf_proto)
	 * cannot match the rule.
	 */
	int		 pf;
	uint8_t		 pf_proto;	/* 0: any with ports */
	uint16_t	 pf_lo, pf_hi;
};

enum fw_hook { HK_NONE, HK_INGRESS, HK_PREROUTING, HK_INPUT, HK_FORWARD,
	HK_OUTPUT, HK_POSTROUTING };

/* nft families as in the JSON. */
enum fw_family { FAM_IP, FAM_IP6, FAM_INET, FAM_NETDEV, FAM_BRIDGE,
	FAM_ARP, FAM_OTHER };

struct fw_chain {
	char		*table, *name, *comment, *dev;
	enum fw_family	 family;
	int		 base;
	enum fw_hook	 hook;
	int		 prio;
	int		 policy_drop;
	int		 type_nat;
	int		 legacy;	/* a legacy iptables table's built-in */
	uint32_t	*rules;		/* indices into rules */
	size_t		 nrules, cap;
	/*
	 * An index by destination port, for long chains (fw_ruleset_finish):
	 * the positions of the rules every packet must be tested against
	 * (no quick port test, or one over a wide range), and (port << 32 |
	 * position) of the others, sorted.  The evaluator goes from one
	 * candidate to the next instead of over every rule between.
	 */
	uint32_t	*any_pos;
	size_t		 nany;
	uint64_t	*port_pos;
	size_t		 nport;
	int		 indexed;
};

struct fw_ruleset {
	struct fw_chain	*chains;
	size_t		 nchains, ccap;
	struct fw_rule	*rules;
	size_t		 nrules, rcap;
	struct fw_set	*sets;
	size_t		 nsets, scap;
	size_t		 nelems;	/* of every set together */
	/* the base chains, sorted by hook and priority */
	uint32_t	*bases;
	size_t		 nbases;
	/* what the evaluator may share between packets */
	int		 uses_iif, uses_oif, uses_sport;
	unsigned int	 skipped;	/* items not understood (counted) */
	unsigned int	 cut;		/* items beyond the caps */
	/* legacy iptables tables with rules of their own, by family:
	 * what the evaluator cannot read ("filter with 3 rules") */
	char		*legacy4, *legacy6;
	/* the rules that name a source address (for the source cells) */
	uint32_t	*src_rules;
	size_t		 nsrc;
	/* chain name lookup */
	uint32_t	*hash;
	size_t		 hcap;
};

/* A compat expression of iptables-nft, as fw/xtnat reads it. */
struct xt_blob;

/*
 * Pure: the ruleset of a libnftables JSON document (the fixtures' and
 * the fuzzer's format; a run reads netlink); xt[0..nxt) are the compat
 * expressions of the same namespace.  0, or -1 with *cause when
 * the document is not JSON at all.  Anything else not understood is
 * counted and turned into undecidable statements.
 */
int fw_ruleset_parse(const char *json, size_t len, const struct xt_blob *xt,
    size_t nxt, struct fw_ruleset *rs, char **cause);
void fw_ruleset_release(struct fw_ruleset *rs);

/*
 * A legacy iptables table that holds only its policies: its built-in
 * chains join the ruleset as base chains at the table's priority
 * (raw -300, mangle -150, nat -100, filter 0, security 50).  family 4
 * or 6; hooks (bit per NF_INET_* hook) and policy_drop (same bits).
 */
void fw_ruleset_add_legacy(struct fw_ruleset *rs, int family,
    const char *table, unsigned int hooks, unsigned int policy_drop);
/* Sort the base chains and index the long chains by port (after every
 * chain and rule is in; again after more are added). */
void fw_ruleset_finish(struct fw_ruleset *rs);
/*
 * The first position at or after from in chain c whose rule a packet to
 * dport (has_port: its protocol carries ports) may match, by the rules'
 * quick port tests; c->nrules when none.  Every position between is a
 * rule the packet cannot match.
 */
uint32_t fw_chain_next(const struct fw_chain *c, uint32_t from,
    int has_port, uint16_t dport);

/*
 * The builder the readers share: a chain (-1 when it is there already
 * or beyond the cap), a set of ncomp components (-1 beyond the cap), an
 * element (-1 when the elements' cap is reached: the set is marked too
 * large), the set sorted once filled, a rule of n statements (st is
 * taken over), an undecidable statement, a compat expression decoded.
 */
long fw_rs_chain(struct fw_ruleset *rs, enum fw_family f, const char *table,
    const char *name);
long fw_rs_set(struct fw_ruleset *rs, int ncomp);
int fw_rs_set_add(struct fw_ruleset *rs, uint32_t si, const struct fw_elem *e);
void fw_rs_set_done(struct fw_ruleset *rs, uint32_t si);
void fw_rs_rule(struct fw_ruleset *rs, uint32_t chain, uint64_t handle,
    const char *comment, struct fw_stmt *st, size_t n);
void fw_rs_unknown(struct fw_stmt *st, enum fw_stmt_kind kind,
    const char *what);
void fw_rs_compat(struct fw_ruleset *rs, const struct xt_blob *b,
    struct fw_stmt *st);

/* "inet", "ip", ... */
const char *fw_family_name(enum fw_family f);
const char *fw_hook_name(enum fw_hook h);
/* The chain index of (family, table, name), or -1. */
long fw_chain_find(const struct fw_ruleset *rs, enum fw_family f,
    const char *table, const char *name);

/*
 * Who made a rule, as its table, chain and comment tell ("netavark",
 * "docker", "firewalld", "ufw", "fail2ban", "libvirt", "kube-proxy",
 * "CNI portmap (hostPort)", "iptables-nft", "legacy iptables"); NULL when
 * the names say nothing.
 */
const char *fw_maker(const char *table, const char *chain,
    const char *comment);

#endif
