/*
 * nftnl.h - the nftables ruleset of the namespace this thread is in,
 * read from netlink with libnftnl (chains, sets with their elements,
 * rules as register code read back into matches), into the evaluator's
 * typed ruleset: the same one fw_ruleset_parse builds from libnftables'
 * JSON, without the JSON printer's cost.
 */
#ifndef PS_FW_NFTNL_H
#define PS_FW_NFTNL_H

struct fw_ruleset;

/* 0, or -1 with *cause (caller frees): no netfilter socket, no
 * CAP_NET_ADMIN, the dump failed. */
int fw_ruleset_read_netlink(struct fw_ruleset *rs, char **cause);
/*
 * Pure: the same from a buffer of netlink replies (NEWCHAIN, NEWSET,
 * NEWSETELEM, NEWRULE messages, in any order; anything else, or
 * malformed, is passed over and counted in rs->skipped).
 */
#include <stddef.h>
void fw_ruleset_from_netlink(const void *buf, size_t len,
    struct fw_ruleset *rs);

#endif
