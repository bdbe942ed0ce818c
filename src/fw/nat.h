/*
 * nat.h - the destination NAT rules of every network namespace, read
 * from the kernel through libnftables (JSON output), and what they
 * publish: a host port that leads to a listener in another namespace
 * (a container's published port).
 *
 * Only what a DNAT rule says about the new flow is kept: the protocol,
 * the destination port(s), a destination address and an input interface
 * when it names them, and where it sends the packet.  The rest of the
 * path (the chain that jumps to it, marks, sets fed at run time) is the
 * firewall evaluator's (a later module); here the mapping is enough.
 */
#ifndef PS_FW_NAT_H
#define PS_FW_NAT_H

#include <stddef.h>
#include <stdint.h>

struct nat_rule {
	uint32_t	 netns;		/* index of the namespace it lives in */
	uint8_t		 proto;		/* PROTO_TCP or PROTO_UDP */
	uint8_t		 family;	/* AF_INET, AF_INET6 */
	uint16_t	 dport_lo, dport_hi;	/* 0-0: any port */
	int		 has_daddr;
	uint8_t		 daddr[16];	/* the rule's destination, if any */
	char		*iifname;	/* the input interface, or NULL */
	uint8_t		 to_addr[16];	/* where it sends the flow */
	uint16_t	 to_port;	/* 0: the same port */
	char		*table, *chain, *comment;
	char		*table_family;	/* "ip", "ip6", "inet" */
	uint64_t	 handle;
	/*
	 * NAT_PROXY: not a rule but a process that holds the port and
	 * forwards each connection (docker-proxy, rootlessport,
	 * slirp4netns): via names it; where it sends comes from its
	 * command line (to_addr) or from the runtime's metadata
	 * (to_netns, the namespace of the container that declares it).
	 */
	enum { NAT_DNAT, NAT_PROXY } kind;
	char		*via;
	int		 via_pid;
	int		 to_family;	/* of to_addr (AF_UNSPEC: none) */
	long		 to_netns;	/* -1: by to_addr */
	const char	*how;		/* NAT_PROXY: "command line", "podman" */
};

struct nat_set {
	struct nat_rule	*v;
	size_t		 n, cap;
	unsigned int	 skipped;	/* DNAT rules not understood */
	unsigned int	 xt_dnat;	/* ... of which iptables-nft's xt DNAT */
};

/*
 * Pure: the DNAT rules of a libnftables JSON document (`list ruleset`);
 * xt[0..nxt) are the targets of iptables-nft's compat DNAT rules
 * (fw/xtnat), which the JSON shows without their address.
 * Untrusted input: malformed parts are skipped and counted.  0, or -1
 * with *cause when the document is not JSON at all.
 */
struct xt_nat;
int nat_parse_json(const char *json, size_t len, uint32_t index,
    const struct xt_nat *xt, size_t nxt, struct nat_set *out, char **cause);
void nat_set_release(struct nat_set *s);

/* The port rule r sends a flow for dport to. */
uint16_t nat_target_port(const struct nat_rule *r, uint16_t dport);
/*
 * Who made a DNAT rule: fw_maker() of its table, chain and comment
 * ("netavark", "docker", "CNI portmap (hostPort)", "kube-proxy", ...);
 * for a proxy its process's name.  NULL when the names say nothing.
 */
const char *nat_maker(const struct nat_rule *r);

/*
 * Pure: a docker-proxy command line (NUL-separated, len bytes):
 * -proto, -host-ip, -host-port, -container-ip, -container-port (Go's
 * flag syntax: one or two dashes, "-x v" or "-x=v").  0 with the values,
 * or -1 when a part is missing or malformed.
 */
int nat_parse_docker_proxy(const char *cmdline, size_t len, int *proto,
    int *host_family, uint8_t host_ip[16], uint16_t *host_port,
    int *to_family, uint8_t to_ip[16], uint16_t *to_port);

struct listing;

/*
 * The DNAT rules of every namespace of a listing, joined to the
 * listeners they lead to: a rule whose target address is held by an
 * interface of the listener's namespace (or is that namespace's own
 * address), for the listener's protocol and port.
 */
struct nat_links {
	struct nat_set	 rules;
	size_t		**of_view;	/* per view: indices into rules */
	size_t		*nof_view;
	/* per view: the views its port leads to (a host port a rule of its
	 * own namespace sends elsewhere: conmon's reservation, say) */
	size_t		**to_view;
	size_t		**to_rule;	/* the rule of each to_view entry */
	size_t		*nto_view;
	size_t		 nviews;
	unsigned int	 namespaces_read, namespaces_failed;
	char		*first_error;
};

/* Join the rules of the namespaces src read (fw/nftread). */
struct fw_sources;
void nat_links_build(struct nat_links *nl, const struct listing *l,
    const struct fw_sources *src);
void nat_links_release(struct nat_links *nl);

#endif
