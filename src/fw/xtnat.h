/*
 * xtnat.h - where iptables-nft's DNAT targets send a flow: the part of
 * a rule libnftables' JSON does not show, read with libnftnl.
 */
#ifndef PS_FW_XTNAT_H
#define PS_FW_XTNAT_H

#include <stddef.h>
#include <stdint.h>

struct xt_nat {
	int		 family;	/* AF_INET, AF_INET6 */
	char		 table[64], chain[64];
	uint64_t	 handle;
	uint8_t		 addr[16];
	uint16_t	 port;		/* 0: the same port */
};

/*
 * A compat expression of iptables-nft (an xt match or target) with its
 * argument blob, in the order of its rule.
 */
struct xt_blob {
	int		 family;	/* NFPROTO_IPV4, NFPROTO_IPV6 */
	char		 table[64], chain[64];
	uint64_t	 handle;
	uint16_t	 seq;		/* the n-th compat expression of the rule */
	uint8_t		 target;	/* a target, else a match */
	char		 name[32];
	uint32_t	 rev;
	uint16_t	 len;
	uint8_t		*info;		/* len bytes (NULL: none) */
};

/*
 * Every compat expression of the rulesets of the namespace this thread
 * is in: 0 with *out (free with xt_blobs_free) and *n, or -1 with *cause.
 */
int xt_blobs_read(struct xt_blob **out, size_t *n, char **cause);
void xt_blobs_free(struct xt_blob *v, size_t n);
/* Sort for xt_blob_find (xt_blobs_read returns them sorted). */
void xt_blobs_sort(struct xt_blob *v, size_t n);
const struct xt_blob *xt_blob_find(const struct xt_blob *v, size_t n,
    int family, const char *table, const char *chain, uint64_t handle,
    unsigned int seq);
/* The DNAT targets among the blobs (caller frees *out). */
void xt_nat_collect(const struct xt_blob *v, size_t n, struct xt_nat **out,
    size_t *nout);

/*
 * Every xt DNAT target of the rulesets of the namespace this thread is
 * in: 0 with *out (caller frees) and *n, or -1 with *cause.
 */
int xt_nat_read(struct xt_nat **out, size_t *n, char **cause);
/* The target of rule (family, table, chain, handle), or NULL. */
const struct xt_nat *xt_nat_find(const struct xt_nat *v, size_t n,
    int family, const char *table, const char *chain, uint64_t handle);
/*
 * Pure: the address and port of an xt NAT target's argument blob of
 * revision rev for family (NFPROTO_IPV4, NFPROTO_IPV6).  0, or -1 when
 * the blob is short or maps no address.
 */
int xt_nat_decode(int family, unsigned int rev, const void *info,
    size_t len, uint8_t addr[16], uint16_t *port);

#endif
