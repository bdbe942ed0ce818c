/*
 * nftread.h - a namespace's packet filter as the kernel holds it, read
 * once per run and shared by the NAT join and the firewall evaluator:
 * libnftables' JSON of `list ruleset`, the argument blobs of
 * iptables-nft's compat expressions (through libnftnl), and what legacy
 * iptables tables (ip_tables, ip6_tables) hold.
 */
#ifndef PS_FW_NFTREAD_H
#define PS_FW_NFTREAD_H

#include <stddef.h>

#include "fw/xtnat.h"

/* One legacy iptables table of a namespace. */
struct legacy_table {
	int		 family;	/* 4, 6 */
	char		 name[32];
	unsigned int	 hooks;		/* bit per NF_INET_* hook */
	unsigned int	 policy_drop;	/* ... whose policy is DROP */
	unsigned int	 rules;		/* entries beyond the policies */
	int		 unread;	/* its entries could not be read */
};

struct fw_ruleset;

struct nft_text {
	int		 read;		/* 0: not read (see error) */
	/* NFT_WANT_RULES: the typed ruleset, read from netlink */
	struct fw_ruleset *rules;
	/* NFT_WANT_JSON: libnftables' JSON and the compat blobs */
	char		*json;
	size_t		 len;
	struct xt_blob	*xt;
	size_t		 nxt;
	struct legacy_table *legacy;
	size_t		 nlegacy;
	char		*error;
};

/*
 * Read the namespace of netns_fd (-1: portsleuth's own).  0, or -1 with
 * *cause (libnftables failed, or reading needs CAP_NET_ADMIN).  Only
 * tables the kernel already lists are asked: nothing is loaded or made.
 */
#define NFT_WANT_JSON	1	/* for the NAT join */
#define NFT_WANT_RULES	2	/* for the evaluator */
int nft_read_ns(int netns_fd, unsigned int want, struct nft_text *out,
    char **cause);
void nft_text_release(struct nft_text *t);

/*
 * Pure: the table names of /proc/net/ip_tables_names text into names
 * (at most max, each at most 31 bytes); the number found.
 */
size_t legacy_parse_names(const char *text, size_t len, char names[][32],
    size_t max);

/* Every namespace of a listing that has an interface besides loopback
 * (a namespace of only loopback hears nothing from outside). */
struct listing;
struct fw_sources {
	struct nft_text	*ns;		/* parallel to l->nets.v */
	size_t		 n;
	unsigned int	 read, failed;
	char		*first_error;
};

/*
 * The read of portsleuth's own namespace, begun on a thread of its own
 * before the listing is made (the read does not depend on it), so the
 * kernel's dump of a long ruleset runs beside the listing's /proc walk.
 * fw_sources_read takes its result for that namespace (or drops it when
 * the namespace is not read); it is always joined there.
 */
struct nft_prefetch {
	unsigned int	 want;
	int		 started, rc;
	struct nft_text	 out;
	char		*cause;
	double		 ms;		/* the read's own time */
	double		 waited;	/* of it, what the join waited */
	unsigned long	 tid;		/* pthread_t */
};
void nft_prefetch_start(struct nft_prefetch *p, unsigned int want);
/* Joined and its result dropped (not taken): NULL or not begun is fine. */
void nft_prefetch_drop(struct nft_prefetch *p);

/* pre: NULL, or a prefetch begun (or not) with nft_prefetch_start. */
void fw_sources_read(struct fw_sources *src, const struct listing *l,
    unsigned int want, struct nft_prefetch *pre);
void fw_sources_release(struct fw_sources *src);

#endif
