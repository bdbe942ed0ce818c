/* Unit tests for origin/superserver.c (inetd.conf, xinetd) and
 * origin/sysv.c (init scripts and rc links). */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "cm.h"
#include "why/superserver.h"
#include "why/sysv.h"
#include "util/sysroot.h"

#define HOSTB FIXTURE_DIR "/host-b/root"

static void
t_inetd(void **state)
{
	static const char conf[] =
	    "# comment\n"
	    "echo\tstream\ttcp\tnowait\troot\tinternal\n"
	    "#<off># daytime stream tcp nowait root internal\n"
	    "ftp stream tcp6 nowait.400 root /usr/sbin/tcpd /usr/sbin/in.ftpd -l\n"
	    "127.0.0.1:2000 stream tcp nowait nobody /bin/cat cat\n"
	    "10.0.0.1:\n"
	    "tftp dgram udp wait root /usr/sbin/in.tftpd in.tftpd -s /srv\n"
	    "*:\n"
	    "short line only\n"
	    "bad stream tcp sometimes root /bin/x\n"
	    "nul\0 stream tcp nowait root /bin/x\n"
	    "   \t\n";
	struct ss_conf c;

	(void)state;
	memset(&c, 0, sizeof(c));
	inetd_parse(&c, conf, sizeof(conf) - 1, "/etc/inetd.conf");
	assert_int_equal(c.n, 5);
	assert_string_equal(c.v[0].service, "echo");
	assert_true(c.v[0].internal);
	assert_int_equal(c.v[0].wait, 0);
	assert_int_equal(c.v[0].line, 2);
	assert_false(c.v[0].disabled);
	assert_string_equal(c.v[1].service, "daytime");
	assert_true(c.v[1].disabled);
	assert_string_equal(c.v[2].proto, "tcp6");
	assert_string_equal(c.v[2].program, "/usr/sbin/tcpd");
	assert_string_equal(c.v[2].args, "/usr/sbin/in.ftpd -l");
	assert_string_equal(ss_entry_l4(&c.v[2]), "tcp");
	assert_string_equal(c.v[3].bind, "127.0.0.1");
	assert_string_equal(c.v[3].service, "2000");
	assert_string_equal(c.v[4].bind, "10.0.0.1");	/* "addr:" line */
	assert_int_equal(c.v[4].wait, 1);
	assert_string_equal(ss_entry_l4(&c.v[4]), "udp");
	assert_int_equal(c.malformed, 3);	/* short, bad wait, NUL */
	ss_conf_release(&c);
}

static void
t_xinetd(void **state)
{
	static const char conf[] =
	    "defaults\n{\n\tdisabled = tftp\n}\n"
	    "includedir /etc/xinetd.d\n"
	    "service echo # the echo service\n{\n\ttype = INTERNAL\n"
	    "\tid = echo-stream\n\tsocket_type = stream\n\twait = no\n}\n"
	    "service tftp\n{\n\tsocket_type = dgram\n\tprotocol = udp\n"
	    "\twait = yes\n\tserver = /usr/sbin/in.tftpd\n}\n"
	    "service custom {\n\tport=7777\n\tserver_args = -a\n"
	    "\tserver_args += -b\n\tdisable = yes\n}\n"
	    "service bad\n{\n\tthis is no attribute\n}\n"
	    "service open\n{\n\tport = 1\n";
	struct ss_conf c;

	(void)state;
	memset(&c, 0, sizeof(c));
	xinetd_parse(&c, conf, sizeof(conf) - 1, "/etc/xinetd.conf");
	xinetd_finish(&c);
	assert_int_equal(c.nincludedirs, 1);
	assert_string_equal(c.includedirs[0], "/etc/xinetd.d");
	assert_int_equal(c.n, 4);	/* echo, tftp, custom, bad */
	assert_string_equal(c.v[0].service, "echo");
	assert_true(c.v[0].internal);
	assert_string_equal(c.v[0].program, "internal");
	assert_string_equal(c.v[0].proto, "tcp");
	assert_false(c.v[0].disabled);
	assert_true(c.v[1].disabled);		/* defaults: disabled = tftp */
	assert_int_equal(c.v[1].wait, 1);
	assert_string_equal(c.v[2].port_text, "7777");
	assert_string_equal(c.v[2].args, "-a -b");
	assert_true(c.v[2].disabled);
	assert_true(c.malformed >= 2);		/* attribute; unterminated */
	ss_conf_release(&c);
}

static void
t_load_fixture(void **state)
{
	struct ss_conf c;
	int time_ok = 0, my = 0;
	char *cause = NULL;

	(void)state;
	sysroot_set(HOSTB);
	assert_int_equal(xinetd_load(&c, "/etc/xinetd.conf", &cause), 0);
	assert_null(cause);
	for (size_t i = 0; i < c.n; i++) {
		/* "ignored.rpmsave" has a '.', it is not read */
		assert_string_not_equal(c.v[i].service, "x");
		if (strcmp(c.v[i].service, "time") == 0) {
			time_ok = 1;
			assert_false(c.v[i].disabled);
			assert_string_equal(c.v[i].file, "/etc/xinetd.d/time");
			assert_int_equal(c.v[i].line, 2);
		}
		if (strcmp(c.v[i].service, "discard") == 0)
			assert_true(c.v[i].disabled);
		if (strcmp(c.v[i].service, "daytime") == 0)
			assert_true(c.v[i].disabled);
		if (strcmp(c.v[i].service, "myservice") == 0) {
			my = 1;
			assert_string_equal(c.v[i].args, "--verbose --inetd");
		}
		assert_string_not_equal(c.v[i].service, "broken");
	}
	assert_true(time_ok && my);
	ss_conf_release(&c);
	assert_int_equal(inetd_load(&c, "/etc/no-such-inetd.conf", &cause), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(cause, "cannot read '/etc/no-such-inetd.conf'"));
	free(cause);
	ss_conf_release(&c);
	sysroot_set(NULL);
}

static void
t_argv(void **state)
{
	static const char a1[] = "/usr/sbin/inetd\0-i\0/tmp/x.conf";
	static const char a2[] = "/usr/sbin/inetd\0-q\0/not/this\0";
	static const char a3[] = "xinetd\0-dontfork\0-f\0/etc/x.conf\0";
	static const char a4[] = "xinetd\0-f";
	char *p;

	(void)state;
	p = ss_config_from_argv(SS_INETD, a1, sizeof(a1) - 1);
	assert_string_equal(p, "/tmp/x.conf");
	free(p);
	assert_null(ss_config_from_argv(SS_INETD, a2, sizeof(a2) - 1));
	p = ss_config_from_argv(SS_XINETD, a3, sizeof(a3) - 1);
	assert_string_equal(p, "/etc/x.conf");
	free(p);
	assert_null(ss_config_from_argv(SS_XINETD, a4, sizeof(a4) - 1));
}

static void
t_sysv(void **state)
{
	static const char script[] =
	    "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: foo\n"
	    "# Short-Description: the foo daemon\n### END INIT INFO\n"
	    "NAME=foo\nDAEMON=\"/usr/sbin/food\"\n";
	static const char script2[] =
	    "DAEMON=$PREFIX/sbin/x\nstart-stop-daemon --start --exec "
	    "/usr/bin/bar -- -d\n";
	struct sysv_script sc;
	struct sysv s;
	const struct sysv_script *f;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	sysv_parse_script(&sc, script, sizeof(script) - 1);
	assert_string_equal(sc.daemon, "/usr/sbin/food");
	assert_string_equal(sc.provides, "foo");
	assert_string_equal(sc.short_desc, "the foo daemon");
	free(sc.daemon);
	free(sc.provides);
	free(sc.short_desc);
	memset(&sc, 0, sizeof(sc));
	sysv_parse_script(&sc, script2, sizeof(script2) - 1);
	assert_string_equal(sc.daemon, "/usr/bin/bar");
	free(sc.daemon);

	assert_int_equal(sysv_parse_inittab("id:3:initdefault:\n", 19), 3);
	assert_int_equal(sysv_parse_inittab("# nothing\n", 10), 2);
	assert_int_equal(sysv_parse_inittab("id:9:initdefault:\n", 18), 2);

	sysroot_set(HOSTB);
	sysv_load(&s);
	assert_int_equal(s.runlevel, 2);
	f = sysv_find(&s, "/usr/sbin/legacyd", NULL);
	assert_non_null(f);
	assert_string_equal(f->name, "legacyd");
	assert_non_null(strstr(f->start_links, "rc2.d/S01legacyd"));
	assert_null(strstr(f->start_links, "K01"));
	assert_non_null(sysv_find(&s, NULL, "oldftp"));
	assert_null(sysv_find(&s, "/usr/sbin/none", "none"));
	sysv_release(&s);
	sysroot_set(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_inetd),
		cmocka_unit_test(t_xinetd),
		cmocka_unit_test(t_load_fixture),
		cmocka_unit_test(t_argv),
		cmocka_unit_test(t_sysv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
