/* Unit tests for procnet.c: the /proc/net table parser. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cm.h"
#include "kernel/packetdiag.h"
#include "kernel/procnet.h"
#include "kernel/sockdiag.h"

static const char tcp4[] =
"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n"
"   1: 0200E70A:1F90 0300E70A:C350 01 00000001:00000002 00:00000000 00000000  1000        0 12346 1 0000000000000000 20 4 30 10 -1\n"
"   2: garbage\n"
"   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0\n"
"   4: 0100007F:1F9G 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1\n"
"   5: 0100007F:1F90 00000000:0000 FF 00000000:00000000 00:00000000 00000000     0        0 5 1\n"
"\n";

static const char tcp6[] =
"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n"
"   1: 0000000000000000FFFF00000100007F:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 100 0 0 10 0";

static void
t_v4(void **state)
{
	struct socklist l = { 0 };
	unsigned int bad = 0;

	(void)state;
	assert_int_equal(procnet_parse(tcp4, sizeof(tcp4) - 1, PROTO_TCP, 0,
	    STATES_ALL, &l, &bad), 2);
	assert_int_equal(bad, 4);
	assert_int_equal(l.v[0].lport, 8080);
	assert_int_equal(l.v[0].state, ST_LISTEN);
	assert_int_equal(l.v[0].laddr[0], 127);
	assert_int_equal(l.v[0].laddr[3], 1);
	assert_int_equal(l.v[0].inode, 12345);
	assert_int_equal(l.v[0].v6only, -1);
	assert_int_equal(l.v[1].raddr[0], 10);
	assert_int_equal(l.v[1].raddr[3], 3);
	assert_int_equal(l.v[1].rport, 50000);
	assert_int_equal(l.v[1].uid, 1000);
	assert_int_equal(l.v[1].wqueue, 1);
	assert_int_equal(l.v[1].rqueue, 2);
	socklist_release(&l);
	/* the state filter */
	bad = 0;
	assert_int_equal(procnet_parse(tcp4, sizeof(tcp4) - 1, PROTO_TCP, 0,
	    STATE_BIT(ST_LISTEN), &l, &bad), 1);
	socklist_release(&l);
}

static void
t_v6(void **state)
{
	struct socklist l = { 0 };
	unsigned int bad = 0;
	static const uint8_t loop6[16] = { [15] = 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff,
	    [12] = 127, [15] = 1 };

	(void)state;
	/* no final newline on the last line */
	assert_int_equal(procnet_parse(tcp6, sizeof(tcp6) - 1, PROTO_TCP, 1,
	    STATES_ALL, &l, &bad), 2);
	assert_int_equal(bad, 0);
	assert_int_equal(l.v[0].family, AF_INET6);
	assert_memory_equal(l.v[0].laddr, loop6, 16);
	assert_int_equal(l.v[0].lport, 22);
	assert_memory_equal(l.v[1].laddr, mapped, 16);
	socklist_release(&l);
}

static const char sctp[] =
" ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS\n"
"       0        0 2   10  29   2905      0 18374 10.0.0.1 *192.168.1.2 \n"
"       0        0 2   10  30   3868    104 18375 *0000:0000:0000:0000:0000:0000:0000:0001 \n"
"       0        0 2   10  31   99999     0 18376 10.0.0.1 \n"
"       0        0 2   10  32   38412     0 18377 not-an-address \n"
"       0        0 1   7   33   2906      0 18378 127.0.0.1 \n";

static void
t_sctp(void **state)
{
	struct socklist l = { 0 };
	unsigned int bad = 0;
	static const uint8_t loop6[16] = { [15] = 1 };

	(void)state;
	assert_int_equal(procnet_parse(sctp, sizeof(sctp) - 1, PROTO_SCTP, 0,
	    STATE_BIT(ST_LISTEN), &l, &bad), 1);
	assert_int_equal(bad, 2);		/* port 99999, bad address */
	assert_int_equal(l.v[0].lport, 2905);
	assert_int_equal(l.v[0].inode, 18374);
	assert_int_equal(l.v[0].laddr[0], 10);
	assert_int_equal(l.v[0].proto, PROTO_SCTP);
	socklist_release(&l);
	bad = 0;
	assert_int_equal(procnet_parse(sctp, sizeof(sctp) - 1, PROTO_SCTP, 1,
	    STATE_BIT(ST_LISTEN), &l, &bad), 1);
	assert_int_equal(l.v[0].family, AF_INET6);
	assert_memory_equal(l.v[0].laddr, loop6, 16);
	assert_int_equal(l.v[0].uid, 104);
	socklist_release(&l);
}

static void
t_empty(void **state)
{
	struct socklist l = { 0 };
	unsigned int bad = 0;

	(void)state;
	assert_int_equal(procnet_parse("", 0, PROTO_UDP, 0, STATES_ALL, &l,
	    &bad), 0);
	assert_int_equal(procnet_parse("header only", 11, PROTO_UDP, 0,
	    STATES_ALL, &l, &bad), 0);
	assert_int_equal(bad, 0);
	assert_string_equal(procnet_file(PROTO_SCTP, 0), "sctp/eps");
	assert_string_equal(procnet_file(PROTO_RAW, 1), "raw6");
}

static void
t_inodes(void **state)
{
	/* /proc/net/unix: the inode is the 7th column; a path with spaces
	 * after it, a short line, a non-number, no trailing newline */
	static const char unix_t[] =
	    "Num       RefCount Protocol Flags    Type St Inode Path\n"
	    "0000000000000000: 00000002 00000000 00010000 0001 01 17521 "
	    "/run/a b\n"
	    "0000000000000000: 00000002\n"
	    "0000000000000000: 00000002 00000000 00010000 0001 01 x9 @y\n"
	    "0000000000000000: 00000003 00000000 00000000 0001 03 28000";
	uint64_t *v;
	size_t n;

	(void)state;
	procnet_parse_inodes(unix_t, sizeof(unix_t) - 1, 7, &v, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0], 17521);
	assert_int_equal(v[1], 28000);
	free(v);
	/* a header alone, and nothing at all */
	procnet_parse_inodes("sk Eth Pid\n", 11, 10, &v, &n);
	assert_int_equal(n, 0);
	free(v);
	procnet_parse_inodes("", 0, 1, &v, &n);
	assert_int_equal(n, 0);
	free(v);
}

/* /proc/net/igmp: groups under their device, the address as the hex of
 * its bytes; igmp6: one line each */
static void
t_igmp(void **state)
{
	static const char v4[] =
	    "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
	    "1\tlo        :     1      V3\n"
	    "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
	    "2\teth0      :     2      V3\n"
	    "\t\t\t\t030201EF     2 0:00000000\t\t0\n"
	    "\t\t\t\tXYZ     1 0:00000000\t\t0\n";
	static const char v6[] =
	    "1    lo              ff020000000000000000000000000001     1 "
	    "0000000C 0\n"
	    "2    eth0            ff0200000000000000000001ffe27e0e     3 "
	    "00000004 0\n"
	    "3    bad             ff02zz\n";
	struct mc_groups g = { 0 };
	char a[64];

	(void)state;
	mc_parse_igmp(v4, sizeof(v4) - 1, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].ifname, "lo");
	inet_ntop(AF_INET, g.v[1].addr, a, sizeof(a));
	assert_string_equal(a, "239.1.2.3");
	assert_string_equal(g.v[1].ifname, "eth0");
	assert_int_equal(g.v[1].users, 2);
	mc_parse_igmp6(v6, sizeof(v6) - 1, &g);
	assert_int_equal(g.n, 4);
	inet_ntop(AF_INET6, g.v[3].addr, a, sizeof(a));
	assert_string_equal(a, "ff02::1:ffe2:7e0e");
	assert_int_equal(g.v[3].users, 3);
	mc_groups_release(&g);
}

/* classic BPF in words: tcpdump's 'ip and udp' shape */
static void
t_bpf_text(void **state)
{
	static const struct bpf_insn_rec prog[] = {
		{ 0x28, 0, 0, 12 }, { 0x15, 0, 3, 0x800 }, { 0x30, 0, 0, 23 },
		{ 0x15, 0, 1, 17 }, { 0x6, 0, 0, 0xffff }, { 0x6, 0, 0, 0 },
		{ 0xb1, 0, 0, 14 }, { 0x87, 0, 0, 0 }, { 0xff, 0, 0, 0 },
	};
	static const char *const want[] = {
		"ldh [12]", "jeq #0x800 jt 2 jf 5", "ldb [23]",
		"jeq #0x11 jt 4 jf 5", "ret #65535", "ret #0",
		"ldxb 4*([14]&0xf)", "txa", "code 0xff",
	};
	char b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(prog) / sizeof(prog[0]); i++)
		assert_string_equal(bpf_insn_text(&prog[i], i, b, sizeof(b)),
		    want[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_v4),
		cmocka_unit_test(t_v6),
		cmocka_unit_test(t_sctp),
		cmocka_unit_test(t_inodes),
		cmocka_unit_test(t_igmp),
		cmocka_unit_test(t_bpf_text),
		cmocka_unit_test(t_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
