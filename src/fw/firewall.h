/*
 * firewall.h - the packet filter's verdict for every listener of a
 * listing: per interface and family it accepts on, what happens to a
 * new connection (TCP) or datagram (UDP) from outside, and the rule
 * that decided it.  A container's published port is followed through
 * the host's prerouting DNAT and forward chains into the container's
 * own input chains.
 *
 * "From outside" means from a source no rule names (the world at
 * large); sources the rules treat differently are listed as exceptions.
 * --from ADDR[%IFACE] asks for one source instead.
 */
#ifndef PS_FW_FIREWALL_H
#define PS_FW_FIREWALL_H

#include <net/if.h>

#include "fw/eval.h"
#include "fw/ruleset.h"

/* --from ADDR[%IFACE] */
struct fw_from {
	int		 set;
	int		 family;	/* 4, 6 */
	fw_u128		 addr;
	char		 ifname[IF_NAMESIZE];	/* "" for any */
};

/* Sources whose verdict differs from the world's. */
struct fw_exception {
	fw_u128		 lo, hi;
	enum fw_verdict	 v;
};

#define FW_EXC_MAX	16

struct fw_entry {
	int		 family;	/* 4, 6 */
	char		 ifname[IF_NAMESIZE];	/* where the flow comes in */
	uint32_t	 ns;		/* the namespace it comes in to */
	fw_u128		 daddr;		/* what it is sent to */
	uint16_t	 dport;
	fw_u128		 saddr;		/* the source evaluated */
	enum fw_verdict	 v;		/* the verdict for this listener */
	const char	*why;		/* undecided: the reason */
	/* the evaluation in ns (for a published port: the host's) */
	struct fw_result r;
	/* a published port: the container namespace's own input */
	int		 has_inner;
	uint32_t	 inner_ns;
	struct fw_result inner;
	/* what else the flow needs and the rules stop: "handshake" (TCP's
	 * established ACK), "neighbour discovery" (IPv6); its evaluation */
	const char	*companion_kind;
	struct fw_result companion;
	uint32_t	 companion_ns;
	/* the flow is sent elsewhere by a DNAT (or redirect) first */
	int		 redirected;
	int		 published;	/* reached through a host port */
	struct fw_exception exc[FW_EXC_MAX];
	size_t		 nexc;
	unsigned int	 exc_more;	/* exceptions beyond FW_EXC_MAX */
	int		 exc_unexamined; /* more source ranges than examined */
};

struct fw_view {
	struct fw_entry	*e;
	size_t		 n;
	const char	*none;		/* why there is no entry (or NULL) */
};

struct fw_sources;
struct listing;
struct nat_links;

struct firewall {
	struct fw_ruleset *rs;		/* per namespace */
	int		*have;		/* ... read and parsed */
	char		**error;	/* ... why not */
	size_t		 nns;
	struct fw_view	*views;		/* parallel to l->views */
	size_t		 nviews;
	struct fw_from	 from;
	unsigned int	 evaluations, memo_hits;
	unsigned int	 skipped;	/* items of the rulesets not understood */
};

/* "ADDR" or "ADDR%IFACE": 0, or -1 with *cause. */
int fw_parse_from(const char *spec, struct fw_from *out, char **cause);

/* The verdicts of every listener (nl may be NULL). */
void firewall_build(struct firewall *fw, const struct listing *l,
    const struct nat_links *nl, const struct fw_sources *src,
    const struct fw_from *from);
void firewall_release(struct firewall *fw);

/* The IP protocol number of a socket's protocol (6, 17, 136, 132; 0 for
 * raw sockets). */
struct sock_rec;
int fw_l4_of(const struct sock_rec *s);
/* An address of family 4 / 6 as text. */
void fw_addr_text(int family, fw_u128 a, char *buf, size_t sz);
/* A source range as text: CIDR when it is one, else "lo-hi". */
void fw_range_text(int family, fw_u128 lo, fw_u128 hi, char *buf, size_t sz);

#endif
