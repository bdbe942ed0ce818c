/* Unit tests for origin/units.c: unit files, drop-ins, Listen lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "why/units.h"
#include "util/sysroot.h"

#define HOSTB FIXTURE_DIR "/host-b/root"

static void
t_parse(void **state)
{
	static const char text[] =
	    "# comment\n; also a comment\n"
	    "[Unit]\nDescription = a \\\n  long one\n"
	    "[Socket]\nListenStream=22\nListenStream=[::1]:8080\n"
	    "ListenDatagram=0.0.0.0:53\nListenStream=/run/x.sock\n"
	    "junk without equals\n=novalue\n"
	    "[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n"
	    "[broken\nKey=after broken header\n"
	    "[Install]\nWantedBy=multi-user.target";
	struct unit u;
	const struct unit_kv *kv;

	(void)state;
	memset(&u, 0, sizeof(u));
	unit_parse(&u, text, sizeof(text) - 1, "/x.socket");
	kv = unit_get(&u, "Unit.Description");
	assert_non_null(kv);
	assert_string_equal(kv->value, "a    long one");
	assert_int_equal(kv->line, 4);
	kv = unit_get(&u, "Service.ExecStart");
	assert_string_equal(kv->value, "/bin/b");	/* reset, then b */
	kv = unit_get(&u, "Install.WantedBy");
	assert_string_equal(kv->value, "multi-user.target");
	assert_null(unit_get(&u, "broken.Key"));
	/* junk, "=novalue", "[broken", and the key after it */
	assert_int_equal(u.malformed, 4);

	assert_non_null(unit_listen_match(&u, "tcp", "0.0.0.0", 22));
	assert_non_null(unit_listen_match(&u, "tcp", "::", 22));
	assert_non_null(unit_listen_match(&u, "tcp", "::1", 8080));
	assert_null(unit_listen_match(&u, "tcp", "127.0.0.1", 8080));
	assert_non_null(unit_listen_match(&u, "udp", "0.0.0.0", 53));
	assert_non_null(unit_listen_match(&u, "udp", "::", 53));
	assert_null(unit_listen_match(&u, "tcp", "0.0.0.0", 53));
	assert_null(unit_listen_match(&u, "udp", "0.0.0.0", 22));
	kv = unit_listen_match(&u, "tcp", "10.0.0.1", 22);
	assert_int_equal(kv->line, 7);
	unit_release(&u);
}

static void
t_names(void **state)
{
	(void)state;
	assert_true(unit_name_valid("ssh.service"));
	assert_true(unit_name_valid("getty@tty1.service"));
	assert_false(unit_name_valid("../../etc/passwd"));
	assert_false(unit_name_valid("noext"));
	assert_false(unit_name_valid(".hidden"));
	assert_false(unit_name_valid("a b.service"));
	assert_false(unit_name_valid(""));
}

static void
t_load_fixture(void **state)
{
	struct unit u;
	const struct unit_kv *kv;

	(void)state;
	sysroot_set(HOSTB);
	/* fragment in /lib, drop-in in /etc */
	unit_load(&u, "ssh.service", UNIT_SYSTEM);
	assert_string_equal(u.path, "/lib/systemd/system/ssh.service");
	assert_int_equal(u.ndropins, 1);
	assert_string_equal(u.dropins[0],
	    "/etc/systemd/system/ssh.service.d/override.conf");
	kv = unit_get(&u, "Service.ExecStart");
	assert_string_equal(kv->value, "/usr/sbin/sshd -D -o    "
	    "LogLevel=VERBOSE");
	assert_string_equal(kv->file,
	    "/etc/systemd/system/ssh.service.d/override.conf");
	assert_false(u.masked);
	unit_release(&u);

	/* an instance falls back to its template */
	unit_load(&u, "getty@tty1.service", UNIT_SYSTEM);
	assert_string_equal(u.path, "/lib/systemd/system/getty@.service");
	unit_release(&u);

	/* masked */
	unit_load(&u, "avahi-daemon.service", UNIT_SYSTEM);
	assert_true(u.masked);
	unit_release(&u);

	/* generated from a SysV script */
	unit_load(&u, "legacyd.service", UNIT_SYSTEM);
	assert_true(u.generated);
	unit_release(&u);

	/* user units have their own search path */
	unit_load(&u, "myapp.service", UNIT_SYSTEM);
	assert_null(u.path);
	unit_release(&u);
	unit_load(&u, "myapp.service", UNIT_USER);
	assert_string_equal(u.path, "/etc/systemd/user/myapp.service");
	unit_release(&u);

	/* a name that would escape the directory is not looked up */
	unit_load(&u, "../../../etc/passwd", UNIT_SYSTEM);
	assert_null(u.path);
	unit_release(&u);
	sysroot_set(NULL);
}

static void
t_enabled(void **state)
{
	struct unit_link *v;
	size_t n, i;
	int ssh = 0, cups = 0, getty = 0;

	(void)state;
	sysroot_set(HOSTB);
	units_enabled(&v, &n);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, "ssh.service") == 0) {
			ssh++;
			assert_string_equal(v[i].target, "multi-user.target");
		}
		if (strcmp(v[i].name, "cups.socket") == 0) {
			cups++;
			assert_string_equal(v[i].target, "sockets.target");
		}
		getty += strcmp(v[i].name, "getty@tty1.service") == 0;
	}
	assert_int_equal(ssh, 1);
	assert_int_equal(cups, 1);
	assert_int_equal(getty, 1);
	unit_links_free(v, n);
	sysroot_set(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_names),
		cmocka_unit_test(t_load_fixture),
		cmocka_unit_test(t_enabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
