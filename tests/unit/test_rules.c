/* Unit tests for probe/rules.c and probe/verdict.c, and validation of
 * the shipped data/probes.rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "probe/engine.h"
#include "probe/rules.h"
#include "probe/verdict.h"

static struct rules shipped;

static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	if (rules_load(&shipped, PS_SRC_DATADIR "/probes.rules", &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rules_release(&shipped);
	return 0;
}

static void
t_unescape(void **state)
{
	unsigned char *b;
	size_t n;

	(void)state;
	assert_int_equal(rules_unescape("a\\r\\n\\x00\\xff\\\\\\t", 17, &b,
	    &n), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(b, "a\r\n\0\xff\\\t", 7);
	free(b);
	assert_int_equal(rules_unescape("\\x4", 3, &b, &n), -1);
	assert_int_equal(rules_unescape("\\xzz", 4, &b, &n), -1);
	assert_int_equal(rules_unescape("\\q", 2, &b, &n), -1);
	assert_int_equal(rules_unescape("end\\", 4, &b, &n), -1);
}

static void
t_parse(void **state)
{
	static const char text[] =
	    "[probe null]\nproto: tcp\n"
	    "[probe p1]\nproto: udp\nsend: hi\\r\\n\nports: 7 99999\n"
	    "[probe p1]\nproto: sctp\n"
	    "[match abc]\non: *\nregex: ^ABC ([0-9]+)\nversion: $1\n"
	    "[match any]\nregex: [xy]z\nconfidence: soft\n"
	    "[match bad]\nregex: ^(unclosed\n"
	    "[match none]\nproduct: x\n"
	    "[match maybe]\non: null\nregex: ^220 \nask: p1\n"
	    "[match maybe2]\non: null\nregex: ^221 \nask: tcpq\n"
	    "[probe tcpq]\nproto: tcp\nsend: Q\n"
	    "[family f]\nregistered: a b\nprograms: p\nwire: abc\n"
	    "[weird x]\nloose line\n";
	struct rules r;
	struct match_out m;
	pcre2_match_data *md = pcre2_match_data_create(10, NULL);

	(void)state;
	memset(&r, 0, sizeof(r));
	rules_parse(&r, text, sizeof(text) - 1);
	assert_non_null(r.problems);
	assert_non_null(strstr(r.problems, "bad port list"));
	assert_non_null(strstr(r.problems, "proto is tcp or udp"));
	assert_non_null(strstr(r.problems, "duplicate probe"));
	assert_non_null(strstr(r.problems, "regex"));
	assert_non_null(strstr(r.problems, "match without regex"));
	assert_non_null(strstr(r.problems, "unknown stanza"));
	/* a question must be a TCP probe that sends something: p1 is UDP,
	 * so its rule is gone rather than taken for an answer */
	assert_non_null(strstr(r.problems, "ask names no TCP probe"));
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)
	    "220 x\r\n", 7, md, &m), 0);
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)
	    "221 x\r\n", 7, md, &m), 1);
	assert_string_equal(m.rule->ask, "tcpq");
	assert_int_equal(r.probes[1].len, 4);
	/* "abc" is indexed under 'A' only; "any" has no fixed first byte
	 * but a bitmap of x and y */
	assert_int_equal(r.nbucket['A'], 1);
	assert_int_equal(r.nbucket['x'], 1);
	assert_int_equal(r.nbucket['y'], 1);
	assert_int_equal(r.nbucket['B'], 0);
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)
	    "ABC 42\r\n", 8, md, &m), 1);
	assert_string_equal(m.rule->service, "abc");
	assert_string_equal(m.version, "42");
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)
	    "xz", 2, md, &m), 1);
	assert_false(m.rule->hard);
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)
	    "nothing", 7, md, &m), 0);
	assert_int_equal(rules_match(&r, "null", (const unsigned char *)"",
	    0, md, &m), 0);
	assert_non_null(rules_family_registered(&r, "b"));
	assert_non_null(rules_family_wire(&r, "abc"));
	assert_int_equal(rules_program_speaks(&r, "p",
	    rules_family_wire(&r, "abc")), 1);
	assert_int_equal(rules_program_speaks(&r, "q", NULL), -1);
	pcre2_match_data_free(md);
	rules_release(&r);
}

static void
t_shipped(void **state)
{
	static const char *const needed[] = {
		"ssh", "http", "smtp", "imap", "pop3", "ftp", "dns", "ntp",
		"snmp", "mdns", "redis", "memcached", "postgresql", "mysql",
		"mongodb", "mqtt", "amqp", "ldap", "smb", "rpcbind", "nfs",
		"rsync", "telnet", "vnc", "rdp", "sip", "ipp", "http-proxy",
		"elasticsearch", "x11", "irc", "xmpp", "socks", "openvpn",
		"echo", "daytime", "chargen", "time", "identd", "nntp", "tftp",
	};
	size_t services = 0;

	(void)state;
	if (shipped.problems)
		fprintf(stderr, "%s", shipped.problems);
	assert_null(shipped.problems);
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		int found = 0;

		for (size_t k = 0; k < shipped.nmatches && !found; k++)
			found = strcmp(shipped.matches[k].service,
			    needed[i]) == 0;
		if (!found)
			fprintf(stderr, "no rule for %s\n", needed[i]);
		assert_true(found);
	}
	/* distinct services the match rules name: at least the 41 above */
	for (size_t k = 0; k < shipped.nmatches; k++) {
		size_t j;

		for (j = 0; j < k; j++)
			if (strcmp(shipped.matches[j].service,
			    shipped.matches[k].service) == 0)
				break;
		services += j == k;
	}
	assert_true(services >= sizeof(needed) / sizeof(needed[0]));
	/* every probe that sends something has a rule that listens */
	for (size_t i = 0; i < shipped.nprobes; i++) {
		const struct probe_def *p = &shipped.probes[i];
		int found = 0;

		for (size_t k = 0; k < shipped.nmatches && !found; k++)
			for (size_t j = 0; j < shipped.matches[k].non; j++)
				if (strcmp(shipped.matches[k].on[j],
				    p->name) == 0 ||
				    strcmp(shipped.matches[k].on[j], "*") == 0)
					found = 1;
		if (!found)
			fprintf(stderr, "no rule for probe %s\n", p->name);
		assert_true(found);
	}
}

static void
expect(const char *probe, const char *reply, size_t len, const char *svc,
    const char *product, const char *version)
{
	pcre2_match_data *md = pcre2_match_data_create(10, NULL);
	struct match_out m;

	if (rules_match(&shipped, probe, (const unsigned char *)reply, len,
	    md, &m) != 1) {
		fprintf(stderr, "no match for %s reply\n", svc);
		fail();
	}
	assert_string_equal(m.rule->service, svc);
	if (product)
		assert_string_equal(m.product, product);
	if (version)
		assert_string_equal(m.version, version);
	pcre2_match_data_free(md);
}

static void
t_replies(void **state)
{
	static const char mysql[] = "\x5b\x00\x00\x00\x0a" "5.5.5-10.11.6-"
	    "MariaDB-0+deb12u1\x00\x01\x02";
	static const char dns[] = "PS\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00"
	    "\x07version\x04" "bind\x00\x00\x10\x00\x03\xc0\x0c\x00\x10\x00\x03"
	    "\x00\x00\x00\x00\x00\x0d\x0c" "dnsmasq-2.90";
	static const char mqtt[] = "\x20\x02\x00\x00\x90\x03\x00\x01\x00"
	    "\x30\x2a\x00\x13$SYS/broker/versionmosquitto version 2.0.11";
	static const char snmpv3[] = "\x30\x71\x02\x01\x03\x30\x11\x02\x04"
	    "PSLT\x02\x03\x00\xff\xe3\x04\x01\x00\x02\x01\x03\x04\x21\x30\x1f"
	    "\x04\x11\x80\x00\x1f\x88\x80\x80\x06\x84\x63\xc3\x54\x0f\x6b\x00"
	    "\x00\x00\x00\x02\x01\x01\x02\x01\x01\x04\x00\x04\x00\x04\x00\x30"
	    "\x36\x04\x11\x80\x00\x1f\x88\x80\x80\x06\x84\x63\xc3\x54\x0f\x6b"
	    "\x00\x00\x00\x00\x04\x00\xa8\x1f\x02\x04PSLU\x02\x01\x00\x02\x01"
	    "\x00\x30\x11\x30\x0f\x06\x0a\x2b\x06\x01\x06\x03\x0f\x01\x01\x04"
	    "\x00\x41\x01\x01";
	static const char mariadb_host[] = "\x47\x00\x00\x00\xff\x6a\x04"
	    "Host '10.200.0.2' is not allowed to connect to this MariaDB "
	    "server";
	static const char haproxy[] = "HTTP/1.1 200 OK\r\ncache-control: "
	    "no-cache\r\ncontent-type: text/html\r\n\r\n3357\r\n<html><head>"
	    "<title>Statistics Report for HAProxy</title>\n<style>\n.x{}\n"
	    "</style></head>\n<body><h1><a href=\"http://www.haproxy.org/\">"
	    "HAProxy version 2.6.12-1+deb12u4, released 2026/10/17</a></h1>";

	(void)state;
	expect("null", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 40, "ssh",
	    "OpenSSH", "9.2p1");
	expect("http", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n\r\n", 41,
	    "http", "nginx", "1.22.1");
	expect("http", "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 "
	    "Python/3.11.2\r\n\r\n", 52, "http", "Python http.server", "0.6");
	expect("http", "HTTP/1.1 400 Bad Request\r\nServer: CUPS/2.4 "
	    "IPP/2.1\r\n\r\n", 51, "ipp", "CUPS", "2.4");
	expect("null", "220 host ESMTP Exim 4.96 Mon, 23 Nov 2026\r\n", 43,
	    "smtp", "Exim", "4.96");
	expect("null", "* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) "
	    "ready.\r\n", 53, "imap", "Dovecot", NULL);
	expect("null", "+OK Dovecot (Debian) ready.\r\n", 29, "pop3",
	    "Dovecot", NULL);
	expect("null", "220 (vsFTPd 3.0.3)\r\n", 20, "ftp", "vsftpd", "3.0.3");
	expect("null", mysql, sizeof(mysql) - 1, "mysql", "MariaDB",
	    "10.11.6");
	expect("redis", "$3000\r\n# Server\r\nredis_version:7.0.15\r\n", 39,
	    "redis", "Redis", "7.0.15");
	expect("memcached", "VERSION 1.6.18\r\n", 16, "memcached",
	    "memcached", "1.6.18");
	expect("dns", dns, sizeof(dns) - 1, "dns", "dnsmasq", "2.90");
	expect("mqtt", mqtt, sizeof(mqtt) - 1, "mqtt", "Mosquitto", "2.0.11");
	expect("null", "Mon Nov 23 16:04:24 2026\r\n", 26, "daytime", NULL,
	    NULL);
	expect("null", "RFB 003.008\n", 12, "vnc", NULL, NULL);
	expect("null", "\xff\xfd\x18", 3, "telnet", NULL, NULL);
	expect("pgsql", "N", 1, "postgresql", "PostgreSQL", NULL);
	expect("socks", "\x05\x00", 2, "socks", NULL, NULL);
	/* net-snmp's answer to an SNMPv3 discovery (captured from snmpd
	 * 5.9.3): a Report whose engine ID starts 80 00 1f 88, enterprise
	 * 8072 */
	expect("snmpv3", snmpv3, sizeof(snmpv3) - 1, "snmp", "net-snmp", NULL);
	expect("null", "@RSYNCD: 31.0 sha512 sha256 sha1 md5 md4\n", 41,
	    "rsync", "rsync", NULL);
	/* a MariaDB that refuses the prober's address names itself */
	expect("null", mariadb_host, sizeof(mariadb_host) - 1, "mysql",
	    "MariaDB", NULL);
	expect("http", haproxy, sizeof(haproxy) - 1, "http", "HAProxy",
	    "2.6.12-1+deb12u4");
	/* a server-first banner wins whatever was sent */
	expect("http", "220 (vsFTPd 3.0.3)\r\n500 Unknown command.\r\n", 43,
	    "ftp", "vsftpd", "3.0.3");
}

static void
t_verdict(void **state)
{
	struct probe_result w;
	char reasons[320], shown[48];

	(void)state;
	memset(&w, 0, sizeof(w));
	w.state = PS_HARD;
	snprintf(w.service, sizeof(w.service), "ssh");
	/* sshd on 24, registered as a private mail system */
	assert_int_equal(verdict_compute(&shipped, "any private mail system",
	    "sshd", "sshd", &w, 24, "tcp", reasons, sizeof(reasons)),
	    VERDICT_MISMATCH);
	assert_non_null(strstr(reasons, "registered as any private mail"));
	/* sshd on 22 */
	assert_int_equal(verdict_compute(&shipped, "ssh", "sshd", "sshd", &w,
	    22, "tcp", reasons, sizeof(reasons)), VERDICT_CONSISTENT);
	/* nginx on 22: the name and the process disagree with... */
	snprintf(w.service, sizeof(w.service), "http");
	assert_int_equal(verdict_compute(&shipped, "ssh", "nginx", "nginx", &w,
	    22, "tcp", reasons, sizeof(reasons)), VERDICT_MISMATCH);
	/* ...but not nginx on 8443 (pcsync-https), over TLS */
	w.tls = 1;
	assert_string_equal(probe_service_shown(&w, shown, sizeof(shown)),
	    "https");
	assert_int_equal(verdict_compute(&shipped, "pcsync-https", "nginx",
	    "nginx", &w, 8443, "tcp", reasons, sizeof(reasons)),
	    VERDICT_CONSISTENT);
	/* sshd speaking http: the process contradicts the wire */
	w.tls = 0;
	assert_int_equal(verdict_compute(&shipped, NULL, "sshd", "sshd", &w,
	    2222, "tcp", reasons, sizeof(reasons)), VERDICT_MISMATCH);
	assert_non_null(strstr(reasons, "sshd serves ssh"));
	/* dovecot serves both imap and pop3 */
	snprintf(w.service, sizeof(w.service), "pop3");
	assert_int_equal(verdict_compute(&shipped, "pop3", "dovecot", "dovecot",
	    &w, 110, "tcp", reasons, sizeof(reasons)), VERDICT_CONSISTENT);
	/* an interpreter says nothing about the protocol it serves: a
	 * Python DNS server on 53/udp and snmp on 161 are consistent */
	snprintf(w.service, sizeof(w.service), "dns");
	assert_int_equal(verdict_compute(&shipped, "domain", "python3",
	    "python3.11", &w, 53, "udp", reasons, sizeof(reasons)),
	    VERDICT_CONSISTENT);
	snprintf(w.service, sizeof(w.service), "snmp");
	assert_int_equal(verdict_compute(&shipped, "snmp", "node", "node", &w,
	    161, "udp", reasons, sizeof(reasons)), VERDICT_CONSISTENT);
	/* a unicast DNS server on the multicast DNS port: the process
	 * serves dns, the port is registered for mdns */
	snprintf(w.service, sizeof(w.service), "dns");
	assert_int_equal(verdict_compute(&shipped, "mdns", "dnsmasq",
	    "dnsmasq", &w, 5353, "udp", reasons, sizeof(reasons)),
	    VERDICT_MISMATCH);
	assert_non_null(strstr(reasons, "registered as mdns, but it speaks "
	    "dns"));
	snprintf(w.service, sizeof(w.service), "mdns");
	assert_int_equal(verdict_compute(&shipped, "mdns", "avahi-daemon",
	    "avahi-daemon", &w, 5353, "udp", reasons, sizeof(reasons)),
	    VERDICT_CONSISTENT);
	snprintf(w.service, sizeof(w.service), "dns");
	assert_int_equal(verdict_compute(&shipped, "domain", "dnsmasq",
	    "dnsmasq", &w, 53, "udp", reasons, sizeof(reasons)),
	    VERDICT_CONSISTENT);
	/* no hard answer, no verdict */
	w.state = PS_SILENT;
	assert_int_equal(verdict_compute(&shipped, "ssh", "sshd", "sshd", &w,
	    22, "tcp", reasons, sizeof(reasons)), VERDICT_UNKNOWN);
}

static void
t_sanitize(void **state)
{
	struct probe_result r;

	(void)state;
	memset(&r, 'A', sizeof(r));
	r.state = 99;
	r.service[3] = '\x1b';
	probe_result_sanitize(&r);
	assert_int_equal(r.state, PS_ERROR);
	assert_int_equal(strlen(r.service), sizeof(r.service) - 1);
	assert_int_equal(r.service[3], '?');
	assert_int_equal(r.tls, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_unescape),
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_shipped),
		cmocka_unit_test(t_replies),
		cmocka_unit_test(t_verdict),
		cmocka_unit_test(t_sanitize),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
