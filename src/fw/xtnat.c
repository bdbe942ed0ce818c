/*
 * xtnat.c - the targets of iptables-nft's DNAT rules.
 *
 * iptables-nft (docker, podman's iptables driver) writes its DNAT as a
 * compat "target" expression whose address and port sit in an opaque
 * blob that libnftables' JSON leaves out.  libnftnl hands that blob over
 * (NFTNL_EXPR_TG_INFO); its layout is the kernel's xt NAT target
 * argument: struct nf_nat_ipv4_multi_range_compat for revision 0, struct
 * nf_nat_range or nf_nat_range2 after.  Each blob is length-checked
 * before it is read; anything else is left out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "fw/xtnat.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define XT_MAX		100000		/* targets kept */
#define RECV_SIZE	(1u << 16)
#define DATAGRAMS_MAX	(1u << 20)

int
xt_nat_decode(int family, unsigned int rev, const void *info, size_t len,
    uint8_t addr[16], uint16_t *port)
{
	memset(addr, 0, 16);
	*port = 0;
	if (rev == 0 && family == NFPROTO_IPV4) {
		struct nf_nat_ipv4_multi_range_compat c;

		if (len < sizeof(c))
			return -1;
		memcpy(&c, info, sizeof(c));
		if (c.rangesize != 1 ||
		    !(c.range[0].flags & NF_NAT_RANGE_MAP_IPS))
			return -1;
		memcpy(addr, &c.range[0].min_ip, 4);
		if (c.range[0].flags & NF_NAT_RANGE_PROTO_SPECIFIED)
			*port = ntohs(c.range[0].min.all);
		return 0;
	}
	if (rev >= 1) {
		struct nf_nat_range r;

		if (len < sizeof(r))
			return -1;
		memcpy(&r, info, sizeof(r));
		if (!(r.flags & NF_NAT_RANGE_MAP_IPS))
			return -1;
		memcpy(addr, family == NFPROTO_IPV4 ? (const void *)&r.min_addr.ip :
		    (const void *)&r.min_addr.in6, family == NFPROTO_IPV4 ? 4 : 16);
		if (r.flags & NF_NAT_RANGE_PROTO_SPECIFIED)
			*port = ntohs(r.min_proto.all);
		return 0;
	}
	return -1;
}

struct walk {
	struct xt_nat	**v;
	size_t		 *n, cap;
	struct nftnl_rule *r;
	int		  family;
};

static int
expr_cb(struct nftnl_expr *e, void *data)
{
	struct walk *w = data;
	const char *kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const char *name;
	const void *info;
	uint32_t len = 0;
	struct xt_nat *x;
	uint8_t addr[16];
	uint16_t port;

	if (kind == NULL || strcmp(kind, "target") != 0 ||
	    (name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME)) == NULL ||
	    strcmp(name, "DNAT") != 0 || *w->n >= XT_MAX)
		return MNL_CB_OK;
	info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	if (info == NULL || xt_nat_decode(w->family,
	    nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV), info, len, addr,
	    &port) < 0)
		return MNL_CB_OK;
	xgrow((void **)w->v, &w->cap, *w->n + 1, sizeof(**w->v));
	x = &(*w->v)[(*w->n)++];
	memset(x, 0, sizeof(*x));
	x->family = w->family == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	snprintf(x->table, sizeof(x->table), "%s",
	    nftnl_rule_get_str(w->r, NFTNL_RULE_TABLE) ?
	    nftnl_rule_get_str(w->r, NFTNL_RULE_TABLE) : "");
	snprintf(x->chain, sizeof(x->chain), "%s",
	    nftnl_rule_get_str(w->r, NFTNL_RULE_CHAIN) ?
	    nftnl_rule_get_str(w->r, NFTNL_RULE_CHAIN) : "");
	x->handle = nftnl_rule_get_u64(w->r, NFTNL_RULE_HANDLE);
	memcpy(x->addr, addr, 16);
	x->port = port;
	return MNL_CB_OK;
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (r == NULL)
		return MNL_CB_OK;
	if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		w->r = r;
		w->family = (int)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		if (w->family == NFPROTO_IPV4 || w->family == NFPROTO_IPV6)
			nftnl_expr_foreach(r, expr_cb, w);
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

int
xt_nat_read(struct xt_nat **out, size_t *n, char **cause)
{
	static const struct timeval timeout = { 10, 0 };
	struct walk w = { out, n, 0, NULL, 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char *buf;
	unsigned int seq = (unsigned int)time(NULL), portid, count = 0;
	int rc = MNL_CB_OK;
	ssize_t len;

	*out = NULL;
	*n = 0;
	*cause = NULL;
	nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (nl == NULL || setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET,
	    SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*cause = xasprintf("cannot open a netfilter socket: %s",
		    strerror(errno));
		if (nl)
			mnl_socket_close(nl);
		return -1;
	}
	portid = mnl_socket_get_portid(nl);
	buf = xmalloc(RECV_SIZE);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC,
	    NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		*cause = xasprintf("cannot ask for the rules: %s",
		    strerror(errno));
		rc = MNL_CB_ERROR;
	}
	while (rc > MNL_CB_STOP && count++ < DATAGRAMS_MAX &&
	    (len = mnl_socket_recvfrom(nl, buf, RECV_SIZE)) > 0)
		rc = mnl_cb_run(buf, (size_t)len, seq, portid, rule_cb, &w);
	if (rc == MNL_CB_ERROR && *cause == NULL)
		*cause = xasprintf("cannot read the rules: %s",
		    strerror(errno));
	free(buf);
	mnl_socket_close(nl);
	if (*cause) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

const struct xt_nat *
xt_nat_find(const struct xt_nat *v, size_t n, int family, const char *table,
    const char *chain, uint64_t handle)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].handle == handle && v[i].family == family &&
		    strcmp(v[i].table, table) == 0 &&
		    strcmp(v[i].chain, chain) == 0)
			return &v[i];
	return NULL;
}
