/*
 * packetdiag.c - AF_PACKET sockets through packet_diag, multicast
 * memberships from /proc/net/igmp{,6} (see packetdiag.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>

#include <libmnl/libmnl.h>

#include "kernel/nlio.h"
#include "kernel/packetdiag.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define IGMP_CAP	(4u << 20)

int
packetdiag_parse_msg(const struct nlmsghdr *nlh, struct packet_sock *out)
{
	const struct packet_diag_msg *m;
	size_t plen, off;
	const char *payload;
	int seen_filter = 0;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -1;
	plen = mnl_nlmsg_get_payload_len(nlh);
	if (plen < sizeof(*m))
		return -1;
	m = mnl_nlmsg_get_payload(nlh);
	if (m->pdiag_family != AF_PACKET)
		return -1;
	out->inode = m->pdiag_ino;
	out->type = m->pdiag_type;
	out->protocol = m->pdiag_num;	/* the kernel gives it in host order */
	payload = mnl_nlmsg_get_payload(nlh);
	off = MNL_ALIGN(sizeof(*m));
	while (off < plen) {
		const struct nlattr *a = (const void *)(payload + off);
		size_t alen, dlen;
		const char *d;

		if (plen - off < sizeof(*a) || a->nla_len < sizeof(*a) ||
		    a->nla_len > plen - off) {
			/* a trailing fragment, a forged length */
			free(out->filter);
			out->filter = NULL;
			return -1;
		}
		alen = a->nla_len;
		d = (const char *)a + MNL_ATTR_HDRLEN;
		dlen = alen - MNL_ATTR_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case PACKET_DIAG_INFO:
			if (dlen >= sizeof(struct packet_diag_info)) {
				struct packet_diag_info info;

				memcpy(&info, d, sizeof(info));
				out->ifindex = info.pdi_index;
				out->have_info = 1;
			}
			break;
		case PACKET_DIAG_UID:
			if (dlen >= sizeof(uint32_t)) {
				memcpy(&out->uid, d, sizeof(uint32_t));
				out->have_uid = 1;
			}
			break;
		case PACKET_DIAG_MCLIST:
			out->nmc = (unsigned int)(dlen /
			    sizeof(struct packet_diag_mclist));
			break;
		case PACKET_DIAG_FILTER: {
			size_t n = dlen / sizeof(struct sock_filter);

			/* an empty attribute: the kernel would not say
			 * (no CAP_NET_ADMIN) */
			seen_filter = 1;
			out->filter_known = dlen > 0;
			if (n > PD_FILTER_MAX)
				n = PD_FILTER_MAX;
			free(out->filter);
			out->filter = NULL;
			out->nfilter = 0;
			if (n) {
				out->filter = xcalloc(n, sizeof(*out->filter));
				for (size_t i = 0; i < n; i++) {
					struct sock_filter f;

					memcpy(&f, d + i * sizeof(f), sizeof(f));
					out->filter[i].code = f.code;
					out->filter[i].jt = f.jt;
					out->filter[i].jf = f.jf;
					out->filter[i].k = f.k;
				}
				out->nfilter = n;
			}
			break;
		}
		default:
			break;
		}
		off += MNL_ALIGN(alen);
	}
	/* asked for and not given: no filter is attached */
	if (!seen_filter)
		out->filter_known = 1;
	return 0;
}

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct packet_socks *s = data;
	struct packet_sock p;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	if (packetdiag_parse_msg(nlh, &p) < 0) {
		s->malformed++;
		return MNL_CB_OK;
	}
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = p;
	return MNL_CB_OK;
}

void
packetdiag_collect(struct nlio *io, struct packet_socks *out)
{
	struct {
		struct nlmsghdr		nlh;
		struct packet_diag_req	r;
	} req;
	size_t first = out->n;

	for (int attempt = 0; attempt < 4; attempt++) {
		memset(&req, 0, sizeof(req));
		req.nlh.nlmsg_len = sizeof(req);
		req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		req.r.sdiag_family = AF_PACKET;
		req.r.pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_MCLIST |
		    PACKET_SHOW_FILTER;
		if (nlio_dump(io, NETLINK_SOCK_DIAG, "packetdiag", &req.nlh,
		    dump_cb, out) == 0)
			return;
		/* a half dump proves nothing: start again */
		for (size_t i = first; i < out->n; i++)
			free(out->v[i].filter);
		out->n = first;
		if (errno != EINTR)
			break;
	}
	free(out->error);
	out->error = xasprintf("packet_diag: %s", errno == ENOENT ?
	    "not in this kernel (CONFIG_PACKET_DIAG)" : strerror(errno));
}

void
packet_socks_release(struct packet_socks *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].filter);
	free(s->v);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

const char *
ethertype_name(uint16_t proto, char *buf, size_t n)
{
	switch (proto) {
	case 0:
		return "none";
	case ETH_P_ALL:
		return "all";
	case ETH_P_IP:
		return "ip";
	case ETH_P_IPV6:
		return "ipv6";
	case ETH_P_ARP:
		return "arp";
	case ETH_P_8021Q:
		return "802.1q";
	case ETH_P_PAE:
		return "eapol";
	case ETH_P_LLDP:
		return "lldp";
	default:
		snprintf(buf, n, "0x%04x", proto);
		return buf;
	}
}

/* ---- multicast --------------------------------------------------------- */

static void
mc_add(struct mc_groups *g, const char *ifname, size_t ifn, int family,
    const uint8_t *addr, unsigned int users)
{
	struct mc_group *m;

	if (g->n >= 65536)
		return;
	xgrow((void **)&g->v, &g->cap, g->n + 1, sizeof(*g->v));
	m = &g->v[g->n++];
	memset(m, 0, sizeof(*m));
	snprintf(m->ifname, sizeof(m->ifname), "%.*s",
	    (int)(ifn < sizeof(m->ifname) ? ifn : sizeof(m->ifname) - 1),
	    ifname);
	m->family = family;
	memcpy(m->addr, addr, family == AF_INET ? 4 : 16);
	m->users = users;
}

/* The whitespace-separated words of a line, at most max. */
static size_t
words(const char *l, const char *eol, const char **w, size_t *wl, size_t max)
{
	size_t n = 0;

	while (l < eol && n < max) {
		while (l < eol && (*l == ' ' || *l == '\t'))
			l++;
		if (l >= eol)
			break;
		w[n] = l;
		while (l < eol && *l != ' ' && *l != '\t')
			l++;
		wl[n] = (size_t)(l - w[n]);
		n++;
	}
	return n;
}

/*
 * /proc/net/igmp: a line per device, "Idx Device : Count Querier", then
 * indented lines "Group Users Timer Reporter", the group as the hex of
 * its bytes in memory order (010000E0 is 224.0.0.1).
 */
void
mc_parse_igmp(const char *text, size_t len, struct mc_groups *out)
{
	const char *p = text, *end = text + len, *dev = NULL;
	size_t devn = 0;
	int first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *w[6];
		size_t wl[6], n = words(p, eol, w, wl, 6);
		int indented = p < eol && (*p == '\t' || *p == ' ');
		uint64_t v, users;

		p = nl ? nl + 1 : end;
		if (first) {	/* the header */
			first = 0;
			continue;
		}
		if (!indented && n >= 2) {
			dev = w[1];
			devn = wl[1];
			continue;
		}
		if (indented && dev && n >= 2 && wl[0] == 8 &&
		    num_parse_u64(w[0], 8, 16, 0, UINT32_MAX, &v) == 0 &&
		    num_parse_u64(w[1], wl[1], 10, 0, UINT32_MAX, &users) == 0) {
			uint32_t be = (uint32_t)v;
			uint8_t a[4];

			/* the kernel prints the __be32 as a host-order u32 */
			memcpy(a, &be, 4);
			mc_add(out, dev, devn, AF_INET, a, (unsigned int)users);
		}
	}
}

/* /proc/net/igmp6: "Idx Device Group(32 hex) Users Flags Timer". */
void
mc_parse_igmp6(const char *text, size_t len, struct mc_groups *out)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *w[6];
		size_t wl[6], n = words(p, eol, w, wl, 6);
		uint8_t a[16];
		uint64_t users, b;
		int ok = n >= 4 && wl[2] == 32;

		p = nl ? nl + 1 : end;
		for (int i = 0; ok && i < 16; i++) {
			ok = num_parse_u64(w[2] + 2 * i, 2, 16, 0, 255, &b) == 0;
			a[i] = (uint8_t)b;
		}
		if (ok && num_parse_u64(w[3], wl[3], 10, 0, UINT32_MAX,
		    &users) == 0)
			mc_add(out, w[1], wl[1], AF_INET6, a,
			    (unsigned int)users);
	}
}

void
mc_read(const char *dir, struct mc_groups *out)
{
	struct strbuf sb;
	char *path;

	strbuf_init(&sb, IGMP_CAP);
	path = xasprintf("%s/igmp", dir);
	if (sysroot_read(path, IGMP_CAP, &sb) == 0)
		mc_parse_igmp(sb.buf, sb.len, out);
	free(path);
	path = xasprintf("%s/igmp6", dir);
	if (sysroot_read(path, IGMP_CAP, &sb) == 0)
		mc_parse_igmp6(sb.buf, sb.len, out);
	free(path);
	strbuf_release(&sb);
}

void
mc_groups_release(struct mc_groups *g)
{
	free(g->v);
	memset(g, 0, sizeof(*g));
}

/* ---- classic BPF in words -------------------------------------------------- */

const char *
bpf_insn_text(const struct bpf_insn_rec *in, size_t pc, char *buf, size_t n)
{
	static const char *const jmp[] = { "ja", "jeq", "jgt", "jge", "jset" };
	static const char *const alu[] = { "add", "sub", "mul", "div", "or",
	    "and", "lsh", "rsh", "neg", "mod", "xor" };
	uint16_t c = in->code;
	const char *sz = BPF_SIZE(c) == BPF_W ? "" : BPF_SIZE(c) == BPF_H ?
	    "h" : "b";
	char src[32];

	if (BPF_SRC(c) == BPF_X)
		snprintf(src, sizeof(src), "x");
	else
		snprintf(src, sizeof(src), "#0x%x", in->k);
	switch (BPF_CLASS(c)) {
	case BPF_LD:
	case BPF_LDX: {
		const char *op = BPF_CLASS(c) == BPF_LD ? "ld" : "ldx";

		switch (BPF_MODE(c)) {
		case BPF_IMM:
			snprintf(buf, n, "%s #0x%x", op, in->k);
			break;
		case BPF_ABS:
			snprintf(buf, n, "%s%s [%u]", op, sz, in->k);
			break;
		case BPF_IND:
			snprintf(buf, n, "%s%s [x + %u]", op, sz, in->k);
			break;
		case BPF_MEM:
			snprintf(buf, n, "%s M[%u]", op, in->k);
			break;
		case BPF_LEN:
			snprintf(buf, n, "%s #pktlen", op);
			break;
		case BPF_MSH:
			snprintf(buf, n, "ldxb 4*([%u]&0xf)", in->k);
			break;
		default:
			snprintf(buf, n, "code 0x%02x", c);
		}
		break;
	}
	case BPF_ST:
		snprintf(buf, n, "st M[%u]", in->k);
		break;
	case BPF_STX:
		snprintf(buf, n, "stx M[%u]", in->k);
		break;
	case BPF_ALU: {
		unsigned int o = BPF_OP(c) >> 4;

		if (o < sizeof(alu) / sizeof(alu[0]))
			snprintf(buf, n, "%s %s", alu[o], BPF_OP(c) == BPF_NEG ?
			    "" : src);
		else
			snprintf(buf, n, "code 0x%02x", c);
		break;
	}
	case BPF_JMP: {
		unsigned int o = BPF_OP(c) >> 4;

		if (BPF_OP(c) == BPF_JA)
			snprintf(buf, n, "ja %zu", pc + 1 + in->k);
		else if (o < sizeof(jmp) / sizeof(jmp[0]))
			snprintf(buf, n, "%s %s jt %zu jf %zu", jmp[o], src,
			    pc + 1 + in->jt, pc + 1 + in->jf);
		else
			snprintf(buf, n, "code 0x%02x", c);
		break;
	}
	case BPF_RET:
		if (BPF_RVAL(c) == BPF_A)
			snprintf(buf, n, "ret a");
		else if (BPF_RVAL(c) == BPF_X)
			snprintf(buf, n, "ret x");
		else
			snprintf(buf, n, "ret #%u", in->k);
		break;
	case BPF_MISC:
		if (BPF_MISCOP(c) == BPF_TAX || BPF_MISCOP(c) == BPF_TXA)
			snprintf(buf, n, "%s", BPF_MISCOP(c) == BPF_TAX ? "tax" :
			    "txa");
		else
			snprintf(buf, n, "code 0x%02x", c);
		break;
	default:
		snprintf(buf, n, "code 0x%02x", c);
	}
	return buf;
}
