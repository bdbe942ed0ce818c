/* Unit tests for ifaces.c: rtnetlink messages and /proc/net/if_inet6. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "cm.h"
#include "kernel/ifaces.h"

static struct nlmsghdr *
link_msg(char *buf, int index, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = index;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static struct nlmsghdr *
addr_msg(char *buf, int family, int index, const char *addr, int plen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	uint8_t a[16];

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)index;
	ifa->ifa_prefixlen = (uint8_t)plen;
	inet_pton(family, addr, a);
	mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, a);
	return nlh;
}

static void
t_link(void **state)
{
	char buf[512];
	struct ifaces ifs;

	(void)state;
	memset(&ifs, 0, sizeof(ifs));
	assert_int_equal(ifaces_parse_link(link_msg(buf, 2, "eth0"), &ifs), 0);
	assert_string_equal(ifaces_name(&ifs, 2), "eth0");
	assert_null(ifaces_name(&ifs, 3));
	/* no name, bad index, wrong type, short payload */
	assert_int_equal(ifaces_parse_link(link_msg(buf, 3, NULL), &ifs), -1);
	assert_int_equal(ifaces_parse_link(link_msg(buf, 0, "x"), &ifs), -1);
	((struct nlmsghdr *)buf)->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(ifaces_parse_link((void *)buf, &ifs), -1);
	link_msg(buf, 4, "y");
	((struct nlmsghdr *)buf)->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(ifaces_parse_link((void *)buf, &ifs), -1);
	/* a name longer than IFNAMSIZ */
	assert_int_equal(ifaces_parse_link(link_msg(buf, 5,
	    "a-name-far-too-long-for-linux"), &ifs), -1);
	assert_int_equal(ifs.nlinks, 1);
	ifaces_release(&ifs);
}

static void
t_addr(void **state)
{
	char buf[512];
	struct ifaces ifs;
	uint8_t a[16];
	struct nlattr *attr;
	struct nlmsghdr *nlh;

	(void)state;
	memset(&ifs, 0, sizeof(ifs));
	assert_int_equal(ifaces_parse_addr(addr_msg(buf, AF_INET, 2,
	    "192.0.2.1", 24), &ifs), 0);
	assert_int_equal(ifaces_parse_addr(addr_msg(buf, AF_INET6, 2,
	    "2001:db8::1", 64), &ifs), 0);
	inet_pton(AF_INET, "192.0.2.1", a);
	assert_non_null(ifaces_find_addr(&ifs, AF_INET, a));
	assert_int_equal(ifaces_find_addr(&ifs, AF_INET, a)->index, 2);
	inet_pton(AF_INET, "192.0.2.2", a);
	assert_null(ifaces_find_addr(&ifs, AF_INET, a));
	/* prefix longer than the address */
	assert_int_equal(ifaces_parse_addr(addr_msg(buf, AF_INET, 2,
	    "192.0.2.1", 33), &ifs), -1);
	/* address attribute of the wrong size */
	nlh = addr_msg(buf, AF_INET, 2, "192.0.2.1", 24);
	attr = (void *)((char *)nlh + NLMSG_HDRLEN +
	    MNL_ALIGN(sizeof(struct ifaddrmsg)));
	attr->nla_len = 6;
	assert_int_equal(ifaces_parse_addr(nlh, &ifs), -1);
	assert_int_equal(ifs.naddrs, 2);
	ifaces_release(&ifs);
}

static void
t_if_inet6(void **state)
{
	static const char text[] =
	    "00000000000000000000000000000001 01 80 10 80       lo\n"
	    "fe800000000000000000000000000001 03 40 20 80    veth1\n"
	    "zz800000000000000000000000000001 03 40 20 80    veth1\n"
	    "short\n";
	struct ifaces ifs;
	uint8_t a[16];

	(void)state;
	memset(&ifs, 0, sizeof(ifs));
	assert_int_equal(ifaces_parse_if_inet6(text, sizeof(text) - 1, &ifs), 2);
	assert_int_equal(ifs.naddrs, 2);
	inet_pton(AF_INET6, "fe80::1", a);
	assert_int_equal(ifaces_find_addr(&ifs, AF_INET6, a)->index, 3);
	assert_int_equal(ifaces_find_addr(&ifs, AF_INET6, a)->prefixlen, 64);
	ifaces_release(&ifs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_link),
		cmocka_unit_test(t_addr),
		cmocka_unit_test(t_if_inet6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
