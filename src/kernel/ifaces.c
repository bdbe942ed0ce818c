/*
 * ifaces.c - interfaces and addresses from rtnetlink, or from /proc and
 * /sys when netlink cannot be used.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "kernel/ifaces.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

void
ifaces_add_link(struct ifaces *ifs, uint32_t index, const char *name,
    unsigned int flags)
{
	struct iface *l;

	xgrow((void **)&ifs->links, &ifs->lcap, ifs->nlinks + 1,
	    sizeof(*ifs->links));
	l = &ifs->links[ifs->nlinks++];
	memset(l, 0, sizeof(*l));
	l->index = index;
	l->flags = flags;
	snprintf(l->name, sizeof(l->name), "%s", name);
}

void
ifaces_add_addr(struct ifaces *ifs, uint32_t index, int family,
    const void *addr, uint8_t prefixlen)
{
	struct iface_addr *a;

	xgrow((void **)&ifs->addrs, &ifs->acap, ifs->naddrs + 1,
	    sizeof(*ifs->addrs));
	a = &ifs->addrs[ifs->naddrs++];
	memset(a, 0, sizeof(*a));
	a->index = index;
	a->family = (uint8_t)family;
	a->prefixlen = prefixlen;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
}

int
ifaces_parse_link(const struct nlmsghdr *nlh, struct ifaces *ifs)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *attr;
	const char *name = NULL;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_for_each(attr, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(attr) != IFLA_IFNAME)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IF_NAMESIZE)
			return -1;
		name = mnl_attr_get_str(attr);
	}
	if (name == NULL || ifi->ifi_index <= 0)
		return -1;
	ifaces_add_link(ifs, (uint32_t)ifi->ifi_index, name, ifi->ifi_flags);
	return 0;
}

int
ifaces_parse_addr(const struct nlmsghdr *nlh, struct ifaces *ifs)
{
	const struct ifaddrmsg *ifa;
	const struct nlattr *attr;
	const void *local = NULL, *address = NULL;
	size_t want;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -1;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -1;
	want = ifa->ifa_family == AF_INET ? 4 : 16;
	if (ifa->ifa_prefixlen > want * 8)
		return -1;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		int type = mnl_attr_get_type(attr);

		if (type != IFA_LOCAL && type != IFA_ADDRESS)
			continue;
		if (mnl_attr_get_payload_len(attr) != want)
			return -1;
		if (type == IFA_LOCAL)
			local = mnl_attr_get_payload(attr);
		else
			address = mnl_attr_get_payload(attr);
	}
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
	if (local == NULL)
		local = address;
	if (local == NULL)
		return -1;
	ifaces_add_addr(ifs, ifa->ifa_index, ifa->ifa_family, local,
	    ifa->ifa_prefixlen);
	ifs->addrs[ifs->naddrs - 1].scope = ifa->ifa_scope;
	return 0;
}

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaces *ifs = data;

	if (ifaces_parse_link(nlh, ifs) != 0)
		ifs->malformed++;
	return MNL_CB_OK;
}

static int
addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifaces *ifs = data;

	if (ifaces_parse_addr(nlh, ifs) != 0)
		ifs->malformed++;
	return MNL_CB_OK;
}

static int
dump(struct nlio *io, const char *key, int type, int family, mnl_cb_t cb,
    struct ifaces *ifs)
{
	struct {
		struct nlmsghdr	nlh;
		struct rtgenmsg	g;
		char		pad[3];
	} req;
	int attempt;

	for (attempt = 0; attempt < 4; attempt++) {
		size_t nl = ifs->nlinks, na = ifs->naddrs;

		memset(&req, 0, sizeof(req));
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
		req.nlh.nlmsg_type = (uint16_t)type;
		req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		req.g.rtgen_family = (unsigned char)family;
		if (nlio_dump(io, NETLINK_ROUTE, key, &req.nlh, cb, ifs) == 0)
			return 0;
		ifs->nlinks = nl;
		ifs->naddrs = na;
		if (errno != EINTR)
			return -1;
	}
	return -1;
}

unsigned int
ifaces_parse_if_inet6(const char *text, size_t len, struct ifaces *ifs)
{
	const char *p = text, *end = text + len;
	unsigned int bad = 0;

	/* "fe800000000000000000000000000001 02 40 20 80 eth0" */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		uint8_t addr[16];
		uint64_t idx, plen, v;
		size_t i;

		if (eol - p >= 45 && p[32] == ' ') {
			int ok = 1;
			const char *q = p + 33, *f;

			for (i = 0; i < 16 && ok; i++) {
				if (num_parse_u64(p + 2 * i, 2, 16, 0, 255, &v))
					ok = 0;
				addr[i] = (uint8_t)v;
			}
			f = q;
			while (q < eol && *q != ' ')
				q++;
			if (ok && num_parse_u64(f, (size_t)(q - f), 16, 1,
			    UINT32_MAX, &idx) != 0)
				ok = 0;
			f = ++q;
			while (q < eol && *q != ' ')
				q++;
			if (ok && num_parse_u64(f, (size_t)(q - f), 16, 0, 128,
			    &plen) != 0)
				ok = 0;
			if (ok)
				ifaces_add_addr(ifs, (uint32_t)idx, AF_INET6,
				    addr, (uint8_t)plen);
			else
				bad++;
		} else if (eol > p)
			bad++;
		p = nl ? nl + 1 : end;
	}
	return bad;
}

/* Interface names from /sys/class/net/NAME/ifindex. */
static void
links_from_sys(struct ifaces *ifs)
{
	char *path = sysroot_path("/sys/class/net");
	DIR *d = opendir(path);
	struct dirent *de;
	struct strbuf sb;

	free(path);
	if (d == NULL)
		return;
	strbuf_init(&sb, 64);
	while ((de = readdir(d)) != NULL) {
		char p[300];
		uint64_t idx;
		size_t n;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= IF_NAMESIZE)
			continue;
		snprintf(p, sizeof(p), "/sys/class/net/%s/ifindex", de->d_name);
		if (sysroot_read(p, 32, &sb) < 0)
			continue;
		n = sb.len;
		while (n > 0 && (sb.buf[n - 1] == '\n' || sb.buf[n - 1] == ' '))
			n--;
		if (num_parse_u64(sb.buf, n, 10, 1, UINT32_MAX, &idx) == 0)
			ifaces_add_link(ifs, (uint32_t)idx, de->d_name,
			    strcmp(de->d_name, "lo") == 0 ? IFF_LOOPBACK : 0);
	}
	strbuf_release(&sb);
	closedir(d);
}

void
ifaces_collect(struct nlio *io, struct ifaces *ifs)
{
	int lrc, arc, saved;
	struct strbuf sb;

	lrc = dump(io, "route link", RTM_GETLINK, AF_UNSPEC, link_cb, ifs);
	arc = dump(io, "route addr", RTM_GETADDR, AF_UNSPEC, addr_cb, ifs);
	if (lrc == 0 && arc == 0) {
		ifs->have4 = ifs->have6 = 1;
		ifs->source = xstrdup("rtnetlink");
		return;
	}
	saved = errno;
	ifs->nlinks = ifs->naddrs = 0;
	if (saved == ENODATA && !sysroot_is_fixture()) {
		/* a recording without them: this system's files would mix
		 * live interfaces into a recorded listing */
		ifs->source = xstrdup("unavailable (not in the recording)");
		return;
	}
	links_from_sys(ifs);
	strbuf_init(&sb, 1u << 20);
	if (sysroot_read("/proc/net/if_inet6", 1u << 20, &sb) == 0 &&
	    (ifs->have6 = 1))
		ifs->malformed += ifaces_parse_if_inet6(strbuf_str(&sb),
		    sb.len, ifs);
	strbuf_release(&sb);
	ifs->source = xasprintf("/sys/class/net and /proc/net/if_inet6 "
	    "(rtnetlink: %s; IPv4 addresses unknown)",
	    saved == ENXIO ? "not used: --root without --replay" :
	    saved == ENODATA ? "not in the recording" : strerror(saved));
}

void
ifaces_release(struct ifaces *ifs)
{
	free(ifs->links);
	free(ifs->addrs);
	free(ifs->source);
	memset(ifs, 0, sizeof(*ifs));
}

const char *
ifaces_name(const struct ifaces *ifs, uint32_t index)
{
	size_t i;

	for (i = 0; i < ifs->nlinks; i++)
		if (ifs->links[i].index == index)
			return ifs->links[i].name;
	return NULL;
}

const struct iface_addr *
ifaces_find_addr(const struct ifaces *ifs, int family, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < ifs->naddrs; i++)
		if (ifs->addrs[i].family == family &&
		    memcmp(ifs->addrs[i].addr, addr,
		    family == AF_INET ? 4 : 16) == 0)
			return &ifs->addrs[i];
	return NULL;
}
