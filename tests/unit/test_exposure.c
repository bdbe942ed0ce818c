/* Unit tests for exposure.c: the verdict for every kind of bind address. */
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "cm.h"
#include "model/exposure.h"

static struct ifaces ifs;

static int
setup(void **state)
{
	uint8_t a[16];

	(void)state;
	memset(&ifs, 0, sizeof(ifs));
	ifs.have4 = ifs.have6 = 1;
	ifaces_add_link(&ifs, 1, "lo", IFF_LOOPBACK);
	ifaces_add_link(&ifs, 2, "eth0", 0);
	ifaces_add_link(&ifs, 3, "veth1", 0);
	inet_pton(AF_INET, "127.0.0.1", a);
	ifaces_add_addr(&ifs, 1, AF_INET, a, 8);
	inet_pton(AF_INET, "192.0.2.10", a);
	ifaces_add_addr(&ifs, 2, AF_INET, a, 24);
	inet_pton(AF_INET, "10.9.0.1", a);
	ifaces_add_addr(&ifs, 3, AF_INET, a, 24);
	inet_pton(AF_INET6, "2001:db8::10", a);
	ifaces_add_addr(&ifs, 2, AF_INET6, a, 64);
	inet_pton(AF_INET6, "fe80::1", a);
	ifaces_add_addr(&ifs, 3, AF_INET6, a, 64);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ifaces_release(&ifs);
	return 0;
}

static struct exposure
verdict(const char *addr, int v6only, uint32_t dev)
{
	struct sock_rec s;
	struct exposure e;

	memset(&s, 0, sizeof(s));
	s.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(s.family, addr, s.laddr), 1);
	s.v6only = (int8_t)v6only;
	s.bound_if = dev;
	exposure_compute(&s, &ifs, &e);
	return e;
}

static void
t_loopback(void **state)
{
	(void)state;
	assert_int_equal(verdict("127.0.0.1", 0, 0).kind, EXP_LOOPBACK);
	assert_int_equal(verdict("127.8.9.10", 0, 0).kind, EXP_LOOPBACK);
	assert_int_equal(verdict("::1", 1, 0).kind, EXP_LOOPBACK);
	/* v4-mapped loopback is loopback too */
	assert_int_equal(verdict("::ffff:127.0.0.1", 0, 0).kind, EXP_LOOPBACK);
	/* loopback stays loopback even when bound to a device */
	assert_int_equal(verdict("127.0.0.1", 0, 2).kind, EXP_LOOPBACK);
	assert_string_equal(verdict("::1", 1, 0).text, "loopback only");
}

static void
t_wildcard(void **state)
{
	struct exposure e;

	(void)state;
	e = verdict("0.0.0.0", 0, 0);
	assert_int_equal(e.kind, EXP_ALL);
	assert_string_equal(e.text, "all interfaces (IPv4)");
	assert_true(e.v4 && !e.v6);
	e = verdict("::", 0, 0);
	assert_int_equal(e.kind, EXP_ALL);
	assert_string_equal(e.text, "all interfaces (IPv4+IPv6)");
	assert_true(e.v4 && e.v6);
	e = verdict("::", 1, 0);
	assert_string_equal(e.text, "all interfaces (IPv6 only)");
	assert_true(!e.v4 && e.v6);
	/* unknown v6only (from /proc/net) is said, not guessed */
	e = verdict("::", -1, 0);
	assert_string_equal(e.text, "all interfaces (IPv6, IPv4 unless v6only)");
}

static void
t_device(void **state)
{
	struct exposure e;

	(void)state;
	e = verdict("0.0.0.0", 0, 3);
	assert_int_equal(e.kind, EXP_DEVICE);
	assert_string_equal(e.ifname, "veth1");
	assert_string_equal(e.text, "device veth1 only (IPv4)");
	/* an index no longer present is still named */
	e = verdict("::", 1, 42);
	assert_int_equal(e.kind, EXP_DEVICE);
	assert_null(e.ifname);
	assert_string_equal(e.text, "device if42 only (IPv6 only)");
}

static void
t_address(void **state)
{
	struct exposure e;

	(void)state;
	e = verdict("192.0.2.10", 0, 0);
	assert_int_equal(e.kind, EXP_ADDRESS);
	assert_string_equal(e.ifname, "eth0");
	assert_string_equal(e.text, "one address on eth0");
	e = verdict("10.9.0.1", 0, 0);
	assert_string_equal(e.ifname, "veth1");
	e = verdict("2001:db8::10", 1, 0);
	assert_string_equal(e.ifname, "eth0");
	/* a v4-mapped address is found among the IPv4 addresses */
	e = verdict("::ffff:192.0.2.10", 0, 0);
	assert_int_equal(e.kind, EXP_ADDRESS);
	assert_string_equal(e.ifname, "eth0");
	e = verdict("192.0.2.10", 0, 2);
	assert_string_equal(e.text, "one address on eth0 (device-bound)");
}

static void
t_linklocal(void **state)
{
	struct exposure e;

	(void)state;
	/* the scope id of a link-local bind is the bound device */
	e = verdict("fe80::1", 1, 3);
	assert_int_equal(e.kind, EXP_LINKLOCAL);
	assert_string_equal(e.ifname, "veth1");
	assert_string_equal(e.text, "link-local on veth1");
	e = verdict("fe80::99", 1, 0);
	assert_int_equal(e.kind, EXP_LINKLOCAL);
	assert_string_equal(e.text, "link-local on unknown link");
}

static void
t_other(void **state)
{
	struct exposure e;

	(void)state;
	e = verdict("203.0.113.5", 0, 0);
	assert_int_equal(e.kind, EXP_NONLOCAL);
	e = verdict("224.0.0.251", 0, 0);
	assert_int_equal(e.kind, EXP_MULTICAST);
	e = verdict("ff02::fb", 1, 0);
	assert_int_equal(e.kind, EXP_MULTICAST);
	/* without an IPv4 address table, the interface is unknown */
	ifs.have4 = 0;
	e = verdict("203.0.113.5", 0, 0);
	ifs.have4 = 1;
	assert_int_equal(e.kind, EXP_ADDRESS);
	assert_null(e.ifname);
	assert_string_equal(e.text, "one address (interface unknown)");
}

/* The listing's copy: equal texts share one string, the table grows. */
static void
t_keep(void **state)
{
	struct exposure_texts t = { 0 };
	struct exposure e = { .kind = EXP_ALL, .ifname = NULL };
	const struct exposure_view *a, *b, *c;
	const char *seen[1000];

	(void)state;
	snprintf(e.text, sizeof(e.text), "all interfaces (IPv4)");
	a = exposure_keep(&t, &e);
	b = exposure_keep(&t, &e);
	assert_ptr_equal(a->text, b->text);
	assert_int_equal(a->kind, EXP_ALL);
	snprintf(e.text, sizeof(e.text), "loopback only");
	e.kind = EXP_LOOPBACK;
	c = exposure_keep(&t, &e);
	assert_ptr_not_equal(a->text, c->text);
	assert_string_equal(c->text, "loopback only");
	assert_string_equal(a->text, "all interfaces (IPv4)");
	assert_int_equal(t.n, 2);
	for (int i = 0; i < 1000; i++) {
		snprintf(e.text, sizeof(e.text), "one address on eth%d", i);
		c = exposure_keep(&t, &e);
		seen[i] = c->text;
	}
	assert_int_equal(t.n, 1002);
	for (int i = 0; i < 1000; i++) {
		char want[32];

		snprintf(want, sizeof(want), "one address on eth%d", i);
		snprintf(e.text, sizeof(e.text), "%s", want);
		c = exposure_keep(&t, &e);
		assert_ptr_equal(c->text, seen[i]);
		assert_string_equal(c->text, want);
	}
	assert_int_equal(t.n, 1002);
	exposure_texts_release(&t);
	assert_null(t.slots);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_loopback),
		cmocka_unit_test(t_wildcard),
		cmocka_unit_test(t_device),
		cmocka_unit_test(t_address),
		cmocka_unit_test(t_linklocal),
		cmocka_unit_test(t_other),
		cmocka_unit_test(t_keep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
