/*
 * ifaces.h - this host's interfaces and their addresses.
 *
 * Read through rtnetlink (RTM_GETLINK and RTM_GETADDR dumps via nlio, so
 * they are recorded and replayed with the socket tables).  When netlink
 * is unavailable, IPv6 addresses come from /proc/net/if_inet6 and
 * interface names from /sys/class/net; IPv4 addresses then stay unknown
 * and `source` says so.
 */
#ifndef PS_IFACES_H
#define PS_IFACES_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "kernel/nlio.h"

struct iface {
	uint32_t	 index;
	unsigned int	 flags;		/* IFF_* */
	char		 name[IF_NAMESIZE];
};

struct iface_addr {
	uint32_t	 index;
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 prefixlen;
	uint8_t		 scope;
	uint8_t		 addr[16];
};

struct ifaces {
	struct iface		*links;
	size_t			 nlinks, lcap;
	struct iface_addr	*addrs;
	size_t			 naddrs, acap;
	unsigned int		 malformed;
	int			 have4, have6;	/* address tables known */
	char			*source;	/* how the table was read */
};

void ifaces_collect(struct nlio *io, struct ifaces *ifs);
void ifaces_release(struct ifaces *ifs);

/* Decode one RTM_NEWLINK / RTM_NEWADDR message; -1 when malformed. */
int ifaces_parse_link(const struct nlmsghdr *nlh, struct ifaces *ifs);
int ifaces_parse_addr(const struct nlmsghdr *nlh, struct ifaces *ifs);
/* Parse /proc/net/if_inet6 text; returns the number of bad lines. */
unsigned int ifaces_parse_if_inet6(const char *text, size_t len,
    struct ifaces *ifs);

/* Add entries directly (fixtures and tests). */
void ifaces_add_link(struct ifaces *ifs, uint32_t index, const char *name,
    unsigned int flags);
void ifaces_add_addr(struct ifaces *ifs, uint32_t index, int family,
    const void *addr, uint8_t prefixlen);

/* Name of interface index, or NULL. */
const char *ifaces_name(const struct ifaces *ifs, uint32_t index);
/* The interface holding this exact address, or NULL. */
const struct iface_addr *ifaces_find_addr(const struct ifaces *ifs,
    int family, const uint8_t *addr);

#endif
