/*
 * sockdiag.h - the kernel's socket tables.
 *
 * Sockets come from the sock_diag netlink interface (inet_diag for TCP,
 * UDP and UDP-Lite, raw_diag, sctp_diag).  Where the kernel has no diag
 * handler for a protocol, the table is read from /proc/net instead
 * (procnet.h) and the report says so.
 */
#ifndef PS_SOCKDIAG_H
#define PS_SOCKDIAG_H

#include <stdint.h>
#include <linux/netlink.h>

#include "kernel/sock.h"
#include "kernel/nlio.h"

struct sockdiag_query {
	unsigned int	 protos;	/* PROTO_BIT() mask */
	int		 want4, want6;
	uint32_t	 tcp_states;	/* STATE_BIT() masks */
	uint32_t	 dgram_states;	/* UDP, UDP-Lite, raw */
	/* the fallback: "/proc/net" in portsleuth's own namespace (under
	 * the system root); for another (other_netns), /proc/PID/net of a
	 * process in it, or NULL for none */
	int		 other_netns;
	const char	*procnet_dir;
	int		 serial;	/* dumps on the calling thread only (the
					   caller runs several collections at once) */
};

struct sockdiag_report {
	/* Per protocol and family (0: IPv4, 1: IPv6), where rows came from. */
	char		*source[PROTO_COUNT][2];
	unsigned int	 malformed;	/* skipped messages or lines */
	unsigned int	 retries;	/* interrupted dumps started again */
	unsigned int	 duplicates;	/* repeated sockets dropped */
};

/*
 * Append the sockets selected by q to out.  Never fails as a whole: a
 * table that cannot be read is named in rep->source.  The caller releases
 * rep with sockdiag_report_release().
 */
void sockdiag_collect(struct nlio *io, const struct sockdiag_query *q,
    struct socklist *out, struct sockdiag_report *rep);
void sockdiag_report_release(struct sockdiag_report *rep);

/*
 * Decode one SOCK_DIAG_BY_FAMILY reply of protocol proto into *out.
 * Returns 0, or -1 when the message is too short, of the wrong family or
 * carries a malformed attribute.  Exposed for unit tests and fuzzing.
 */
int sockdiag_parse_msg(const struct nlmsghdr *nlh, enum ps_proto proto,
    struct sock_rec *out);


#endif
