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
 *
 * The same dump hands over every other compat expression (conntrack,
 * multiport, addrtype, REJECT, ...) for the firewall evaluator.
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

#include "fw/nlcheck.h"
#include "fw/xtnat.h"
#include "util/xmalloc.h"
#include "util/dl.h"
#include "util/banned.h"

/* libnftnl, for the compat targets' rules: opened with the first read
 * (util/dl.h) */
static struct {
	__typeof__(nftnl_expr_foreach)		*nftnl_expr_foreach;
	__typeof__(nftnl_expr_get)		*nftnl_expr_get;
	__typeof__(nftnl_expr_get_str)		*nftnl_expr_get_str;
	__typeof__(nftnl_expr_get_u32)		*nftnl_expr_get_u32;
	__typeof__(nftnl_nlmsg_build_hdr)	*nftnl_nlmsg_build_hdr;
	__typeof__(nftnl_rule_alloc)		*nftnl_rule_alloc;
	__typeof__(nftnl_rule_free)		*nftnl_rule_free;
	__typeof__(nftnl_rule_get_str)		*nftnl_rule_get_str;
	__typeof__(nftnl_rule_get_u32)		*nftnl_rule_get_u32;
	__typeof__(nftnl_rule_get_u64)		*nftnl_rule_get_u64;
	__typeof__(nftnl_rule_nlmsg_parse)	*nftnl_rule_nlmsg_parse;
} nftnl;
static const struct dl_sym nftnl_syms[] = {
	DL_SYM(nftnl, nftnl_expr_foreach),
	DL_SYM(nftnl, nftnl_expr_get),
	DL_SYM(nftnl, nftnl_expr_get_str),
	DL_SYM(nftnl, nftnl_expr_get_u32),
	DL_SYM(nftnl, nftnl_nlmsg_build_hdr),
	DL_SYM(nftnl, nftnl_rule_alloc),
	DL_SYM(nftnl, nftnl_rule_free),
	DL_SYM(nftnl, nftnl_rule_get_str),
	DL_SYM(nftnl, nftnl_rule_get_u32),
	DL_SYM(nftnl, nftnl_rule_get_u64),
	DL_SYM(nftnl, nftnl_rule_nlmsg_parse),
};
static struct dl_lib nftnl_lib = DL_LIB(PS_SONAME_NFTNL, nftnl_syms);

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

#define BLOB_MAX	1024		/* an argument blob kept, at most */

struct walk {
	struct xt_blob	**v;
	size_t		 *n, cap;
	struct nftnl_rule *r;
	int		  family;
	unsigned int	  seq;
};

static int
expr_cb(struct nftnl_expr *e, void *data)
{
	struct walk *w = data;
	const char *kind = nftnl.nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const char *name, *t;
	const void *info;
	uint32_t len = 0;
	struct xt_blob *x;
	int target;

	if (kind == NULL || (strcmp(kind, "target") != 0 &&
	    strcmp(kind, "match") != 0))
		return MNL_CB_OK;
	target = strcmp(kind, "target") == 0;
	name = nftnl.nftnl_expr_get_str(e, target ? NFTNL_EXPR_TG_NAME :
	    NFTNL_EXPR_MT_NAME);
	info = nftnl.nftnl_expr_get(e, target ? NFTNL_EXPR_TG_INFO :
	    NFTNL_EXPR_MT_INFO, &len);
	if (*w->n >= XT_MAX) {
		w->seq++;
		return MNL_CB_OK;
	}
	xgrow((void **)w->v, &w->cap, *w->n + 1, sizeof(**w->v));
	x = &(*w->v)[(*w->n)++];
	memset(x, 0, sizeof(*x));
	x->family = w->family;
	t = nftnl.nftnl_rule_get_str(w->r, NFTNL_RULE_TABLE);
	snprintf(x->table, sizeof(x->table), "%s", t ? t : "");
	t = nftnl.nftnl_rule_get_str(w->r, NFTNL_RULE_CHAIN);
	snprintf(x->chain, sizeof(x->chain), "%s", t ? t : "");
	x->handle = nftnl.nftnl_rule_get_u64(w->r, NFTNL_RULE_HANDLE);
	x->seq = (uint16_t)w->seq++;
	x->target = (uint8_t)target;
	snprintf(x->name, sizeof(x->name), "%s", name ? name : "");
	x->rev = nftnl.nftnl_expr_get_u32(e, target ? NFTNL_EXPR_TG_REV :
	    NFTNL_EXPR_MT_REV);
	if (info && len > 0 && len <= BLOB_MAX) {
		x->info = xmalloc(len);
		memcpy(x->info, info, len);
		x->len = (uint16_t)len;
	}
	return MNL_CB_OK;
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct walk *w = data;
	struct nftnl_rule *r = nftnl.nftnl_rule_alloc();
	int unknown = 0;

	if (r == NULL)
		return MNL_CB_OK;
	/* checked first: libnftnl exits on some malformed replies, and
	 * a rule of an expression kind not checked is left out */
	if (nlcheck_rule(nlh, &unknown) && !unknown &&
	    nftnl.nftnl_rule_nlmsg_parse(nlh, r) == 0) {
		w->r = r;
		w->seq = 0;
		w->family = (int)nftnl.nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		if (w->family == NFPROTO_IPV4 || w->family == NFPROTO_IPV6)
			nftnl.nftnl_expr_foreach(r, expr_cb, w);
	}
	nftnl.nftnl_rule_free(r);
	return MNL_CB_OK;
}

void
xt_blobs_free(struct xt_blob *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].info);
	free(v);
}

static int
blob_cmp_key(const struct xt_blob *a, int family, const char *table,
    const char *chain, uint64_t handle, unsigned int seq)
{
	int c;

	if (a->handle != handle)
		return a->handle < handle ? -1 : 1;
	if (a->family != family)
		return a->family < family ? -1 : 1;
	if ((c = strcmp(a->table, table)) != 0)
		return c;
	if ((c = strcmp(a->chain, chain)) != 0)
		return c;
	return a->seq == seq ? 0 : a->seq < seq ? -1 : 1;
}

static int
blob_cmp(const void *x, const void *y)
{
	const struct xt_blob *b = y;

	return blob_cmp_key(x, b->family, b->table, b->chain, b->handle,
	    b->seq);
}

void
xt_blobs_sort(struct xt_blob *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), blob_cmp);
}

const struct xt_blob *
xt_blob_find(const struct xt_blob *v, size_t n, int family,
    const char *table, const char *chain, uint64_t handle, unsigned int seq)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = blob_cmp_key(&v[mid], family, table, chain, handle, seq);

		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
xt_nat_collect(const struct xt_blob *v, size_t n, struct xt_nat **out,
    size_t *nout)
{
	size_t cap = 0;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		struct xt_nat *x;
		uint8_t addr[16];
		uint16_t port;

		if (!v[i].target || strcmp(v[i].name, "DNAT") != 0 ||
		    v[i].info == NULL || xt_nat_decode(v[i].family, v[i].rev,
		    v[i].info, v[i].len, addr, &port) < 0)
			continue;
		xgrow((void **)out, &cap, *nout + 1, sizeof(**out));
		x = &(*out)[(*nout)++];
		memset(x, 0, sizeof(*x));
		x->family = v[i].family == NFPROTO_IPV4 ? AF_INET : AF_INET6;
		memcpy(x->table, v[i].table, sizeof(x->table));
		memcpy(x->chain, v[i].chain, sizeof(x->chain));
		x->handle = v[i].handle;
		memcpy(x->addr, addr, 16);
		x->port = port;
	}
}

int
xt_blobs_read(struct xt_blob **out, size_t *n, char **cause)
{
	static const struct timeval timeout = { 10, 0 };
	struct walk w = { out, n, 0, NULL, 0, 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	char *buf;
	unsigned int seq = (unsigned int)time(NULL), portid, count = 0;
	int rc = MNL_CB_OK;
	ssize_t len;

	*out = NULL;
	*n = 0;
	*cause = NULL;
	if (dl_load(&nftnl_lib, cause) != 0)
		return -1;
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
	nlh = nftnl.nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC,
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
		xt_blobs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	xt_blobs_sort(*out, *n);
	return 0;
}

int
xt_nat_read(struct xt_nat **out, size_t *n, char **cause)
{
	struct xt_blob *v;
	size_t nv;

	if (xt_blobs_read(&v, &nv, cause) < 0)
		return -1;
	xt_nat_collect(v, nv, out, n);
	xt_blobs_free(v, nv);
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
