/*
 * nlcheck.h - an nf_tables netlink reply checked before libnftnl or
 * fw/nftnl parses it (libnftnl exits, or reads out of bounds, on some
 * malformed messages).  Each returns 1 for a sound message, 0 for one to
 * pass over.
 */
#ifndef PS_FW_NLCHECK_H
#define PS_FW_NLCHECK_H

struct nlmsghdr;

int nlcheck_chain(const struct nlmsghdr *nlh);
int nlcheck_set(const struct nlmsghdr *nlh);
int nlcheck_setelem(const struct nlmsghdr *nlh);
/* *unknown_expr: an expression of a kind no table here describes (the
 * message is sound otherwise; libnftnl must not see it) */
int nlcheck_rule(const struct nlmsghdr *nlh, int *unknown_expr);

#endif
