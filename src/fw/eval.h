/*
 * eval.h - what the packet filter does with the first packet of a new
 * flow from outside: followed through ingress, prerouting (DNAT), the
 * routing decision, then input or forward and postrouting, across every
 * table's base chains in hook and priority order.
 *
 * Pure: the ruleset and what the namespace's addresses are come in,
 * the verdict and the rule that decided it go out.  A condition it
 * cannot know (a rate limit, a mark set elsewhere, a compat match it
 * cannot read) is followed both ways; when the two ways end alike the
 * verdict stands, else it is undecided with that condition as reason.
 */
#ifndef PS_FW_EVAL_H
#define PS_FW_EVAL_H

#include "fw/ruleset.h"

struct fw_packet {
	int		 family;	/* 4 or 6 */
	uint8_t		 l4proto;	/* 6 (TCP), 17 (UDP), 136, 132 */
	fw_u128		 saddr, daddr;
	uint16_t	 sport, dport;
	const char	*iifname;
	uint32_t	 iif;		/* its index (0: not known) */
	uint16_t	 iiftype;	/* ARPHRD_ETHER, ... */
	/*
	 * Not the flow's first packet but the client's next one (the
	 * ACK that ends TCP's handshake): conntrack calls it established,
	 * and the NAT the first packet got (dnat, daddr, dport after it)
	 * is applied at the NAT hook's priority without the nat chains.
	 */
	int		 established;
	int		 dnat;
	fw_u128		 dnat_daddr;
	uint16_t	 dnat_dport;
	/* ICMP / ICMPv6 (l4proto 1, 58): the type; conntrack leaves
	 * neighbour discovery untracked */
	int		 icmp_type;
};

/* FWV_REDIRECTED: the flow is let in but a DNAT sends it elsewhere (set
 * by the layer that knows where the listener is, never by fw_eval). */
enum fw_verdict { FWV_OPEN, FWV_FILTERED, FWV_REJECTED, FWV_UNDECIDED,
	FWV_REDIRECTED };

/* A rule (rule >= 0, index into rs->rules) or a chain's policy. */
struct fw_at {
	int32_t		 chain;		/* -1: none */
	int32_t		 rule;		/* -1: the chain's policy */
};

#define FW_PATH_MAX	12

struct fw_result {
	enum fw_verdict	 v;
	struct fw_at	 by;		/* drop, reject, undecided: where */
	/* every base chain passed, and what accepted in it */
	struct fw_at	 passed[FW_PATH_MAX];
	int		 npassed;
	/* prerouting's DNAT (or redirect), when one took the flow */
	int		 dnat;
	struct fw_at	 dnat_at;
	int		 dnat_family;
	fw_u128		 daddr;		/* the destination after DNAT */
	uint16_t	 dport;
	int		 forwarded;	/* not local after DNAT: the forward path */
	const char	*why;		/* FWV_UNDECIDED */
	unsigned int	 could;		/* undecided: bit per verdict possible */
};

/* What the evaluator asks of the namespace. */
struct fw_env {
	const struct fw_ruleset *rs;
	/* is addr (family 4, 6) one of the namespace's own addresses? */
	int		(*is_local)(const void *ctx, int family, fw_u128 addr);
	/* the interface a forwarded flow leaves by (NULL: not known) */
	const char	*(*oif_for)(const void *ctx, int family, fw_u128 addr);
	const void	*ctx;
};

void fw_eval(const struct fw_env *env, const struct fw_packet *p,
    struct fw_result *out);

const char *fw_verdict_name(enum fw_verdict v);

/*
 * Pure: is value v (one component) in range r?  For tests and for the
 * `firewall` command's hole finder.
 */
int fw_in_range(const struct fw_range *r, fw_u128 v);

#endif
