/* Unit tests for why/decide.c and why/describe.c: the origin decision
 * over facts built by hand (no fixture tree, nothing read), one test per
 * branch of the order of evidence, and the words for each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "why/origin.h"
#include "util/xmalloc.h"

/* Facts for process pid with cgroup path cg and parents (comm, pid)... */
static void
facts(struct origin_facts *f, const char *cg, const char *const *parents)
{
	memset(f, 0, sizeof(*f));
	f->process = 1;
	f->systemd = 1;
	cgroup_classify(cg, &f->cg);
	for (size_t i = 0; parents && parents[2 * i]; i++) {
		f->chain[i].comm = xstrdup(parents[2 * i]);
		f->chain[i].pid = atoi(parents[2 * i + 1]);
		f->nchain++;
	}
}

static void
decide(const struct origin_facts *f, struct origin *o, pid_t pid)
{
	origin_decide(f, o);
	origin_describe(o, pid);
}

static int
has_disable(const struct origin *o, const char *needle)
{
	for (size_t i = 0; i < o->ndisable; i++)
		if (strstr(o->disable[i], needle))
			return 1;
	return 0;
}

static void
t_no_process(void **state)
{
	struct origin_facts f;
	struct origin o;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.kernel = 1;
	decide(&f, &o, 0);
	assert_int_equal(o.kind, ORIGIN_KERNEL);
	assert_string_equal(o.summary, "kernel (no process)");
	origin_release(&o);
	f.kernel = 0;
	decide(&f, &o, 0);
	assert_int_equal(o.kind, ORIGIN_UNKNOWN);
	assert_int_equal(o.ndisable, 0);	/* no pid to kill */
	origin_release(&o);
}

static void
t_container_first(void **state)
{
	static const char *const parents[] = { "cron", "50", NULL };
	struct origin_facts f;
	struct origin o;

	(void)state;
	/* a container wins over a cron among the parents */
	facts(&f, "/system.slice/docker-3f4e5d6c7b8a9f00112233445566778899aabb"
	    "ccddeeff00112233445566.scope", parents);
	f.container_name = xstrdup("web");
	decide(&f, &o, 700);
	assert_int_equal(o.kind, ORIGIN_CONTAINER);
	assert_string_equal(o.runtime, "docker");
	assert_string_equal(o.container_name, "web");
	assert_string_equal(o.summary, "docker container 3f4e5d6c7b8a (web)");
	assert_true(has_disable(&o, "docker update --restart=no 3f4e5d6c7b8a"));
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_superserver(void **state)
{
	struct ss_entry e;
	struct origin_facts f;
	struct origin o;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.kind = SS_INETD;
	e.service = (char *)"telnet";
	e.program = (char *)"/usr/sbin/tcpd";
	e.args = (char *)"/usr/sbin/in.telnetd";
	e.file = (char *)"/etc/inetd.conf";
	e.line = 8;
	e.wait = 0;
	facts(&f, "/system.slice/inetd.service", NULL);
	f.ss_entry = &e;
	f.ss_pid = 500;
	decide(&f, &o, 500);
	assert_int_equal(o.kind, ORIGIN_INETD);
	assert_string_equal(o.summary, "inetd /etc/inetd.conf:8 (telnet)");
	/* the super-server's own unit is kept, to turn it all off */
	assert_string_equal(o.unit, "inetd.service");
	assert_true(has_disable(&o, "comment out line 8 of /etc/inetd.conf"));
	assert_true(has_disable(&o, "systemctl disable --now inetd.service"));
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_cron_at_supervisor(void **state)
{
	static const char *const cron[] = { "sh", "801", "cron", "790", NULL };
	static const char *const sup[] = { "supervisord", "969", NULL };
	struct origin_facts f;
	struct origin o;

	(void)state;
	facts(&f, "/system.slice/cron.service", cron);
	decide(&f, &o, 800);
	assert_int_equal(o.kind, ORIGIN_CRON);
	assert_string_equal(o.via, "cron");
	assert_int_equal(o.via_pid, 790);
	assert_string_equal(o.summary, "cron job (under cron 790)");
	origin_release(&o);
	origin_facts_release(&f);
	/* atd known by its unit alone, no parent left */
	facts(&f, "/system.slice/atd.service", NULL);
	decide(&f, &o, 801);
	assert_int_equal(o.kind, ORIGIN_AT);
	assert_string_equal(o.via, "atd.service");
	origin_release(&o);
	origin_facts_release(&f);
	facts(&f, "/system.slice/supervisor.service", sup);
	decide(&f, &o, 970);
	assert_int_equal(o.kind, ORIGIN_SUPERVISOR);
	assert_true(has_disable(&o, "supervisorctl stop NAME"));
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_socket_activation(void **state)
{
	struct unit_kv kv[2] = {
		{ (char *)"Socket.ListenStream", (char *)"631",
		    (char *)"/lib/systemd/system/cups.socket", 5 },
		{ (char *)"Socket.Accept", (char *)"yes",
		    (char *)"/lib/systemd/system/cups.socket", 6 },
	};
	struct unit u;
	struct origin_facts f;
	struct origin o;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.name = (char *)"cups.socket";
	u.path = (char *)"/lib/systemd/system/cups.socket";
	u.kv = kv;
	u.nkv = 1;
	facts(&f, "/init.scope", NULL);
	f.init_socket = &u;
	f.init_listen = &kv[0];
	decide(&f, &o, 1);
	assert_int_equal(o.kind, ORIGIN_SOCKET);
	assert_string_equal(o.unit, "cups.service");
	assert_string_equal(o.listen, "/lib/systemd/system/cups.socket:5 "
	    "ListenStream=631");
	assert_string_equal(o.summary, "systemd cups.socket -> cups.service");
	origin_release(&o);
	/* Accept=yes: an instance per connection */
	u.nkv = 2;
	decide(&f, &o, 1);
	assert_string_equal(o.unit, "cups@.service");
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_systemd_service(void **state)
{
	struct unit svc;
	struct unit_kv kv = { (char *)"Socket.ListenStream", (char *)"22",
	    (char *)"/lib/systemd/system/ssh.socket", 4 };
	struct sysv_script sc = { (char *)"legacyd", NULL, NULL, NULL,
	    (char *)"rc2.d/S01legacyd" };
	struct origin_facts f;
	struct origin o;

	(void)state;
	memset(&svc, 0, sizeof(svc));
	svc.name = (char *)"ssh.service";
	svc.path = (char *)"/lib/systemd/system/ssh.service";
	facts(&f, "/system.slice/ssh.service", NULL);
	f.service = &svc;
	decide(&f, &o, 400);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD);
	assert_string_equal(o.unit_file, "/lib/systemd/system/ssh.service");
	assert_string_equal(o.summary, "systemd ssh.service");
	assert_true(has_disable(&o, "systemctl disable --now ssh.service"));
	origin_release(&o);
	/* the same, activated by its socket */
	f.activating = xstrdup("ssh.socket");
	f.activating_listen = &kv;
	decide(&f, &o, 400);
	assert_int_equal(o.kind, ORIGIN_SOCKET);
	assert_string_equal(o.socket_unit, "ssh.socket");
	assert_string_equal(o.summary, "systemd ssh.socket -> ssh.service");
	origin_release(&o);
	origin_facts_release(&f);
	/* a unit generated from a SysV script */
	facts(&f, "/system.slice/legacyd.service", NULL);
	svc.generated = 1;
	f.service = &svc;
	f.sysv_generated = &sc;
	decide(&f, &o, 950);
	assert_int_equal(o.kind, ORIGIN_SYSV);
	assert_string_equal(o.sysv_links, "rc2.d/S01legacyd");
	assert_string_equal(o.summary, "init script /etc/init.d/legacyd");
	origin_release(&o);
	/* no systemd: a unit in the cgroup means nothing, the script
	 * whose DAEMON is the executable does */
	f.systemd = 0;
	f.sysv_generated = NULL;
	f.sysv_exe = &sc;
	decide(&f, &o, 950);
	assert_int_equal(o.kind, ORIGIN_SYSV);
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_scopes_and_users(void **state)
{
	struct origin_facts f;
	struct origin o;

	(void)state;
	facts(&f, "/system.slice/run-r1234.scope", NULL);
	decide(&f, &o, 42);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD);
	assert_string_equal(o.unit, "run-r1234.scope");
	assert_true(has_disable(&o, "transient"));
	origin_release(&o);
	origin_facts_release(&f);
	facts(&f, "/user.slice/user-1000.slice/user@1000.service/app.slice/"
	    "myapp.service", NULL);
	f.unit_user = xstrdup("1000");	/* a uid without a name */
	decide(&f, &o, 960);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD_USER);
	assert_string_equal(o.summary, "systemd --user myapp.service (1000)");
	assert_true(has_disable(&o, "systemctl --user -M 1000@ disable"));
	origin_release(&o);
	origin_facts_release(&f);
}

static void
t_login_and_unknown(void **state)
{
	static const char *const ssh[] = { "bash", "899", "sshd", "898",
	    "sshd", "400", "systemd", "1", NULL };
	static const char *const none[] = { "weird", "77", NULL };
	struct origin_facts f;
	struct origin o;

	(void)state;
	facts(&f, "/user.slice/user-1000.slice/session-3.scope", ssh);
	f.user = xstrdup("alice");
	f.tty_nr = (136 << 8) | 1;	/* pts/1 */
	f.ssh_connection = "203.0.113.9 51234 192.0.2.1 22";
	decide(&f, &o, 900);
	assert_int_equal(o.kind, ORIGIN_LOGIN);
	assert_string_equal(o.summary, "started by hand by alice on pts/1 "
	    "from 203.0.113.9");
	assert_string_equal(o.via, "bash");
	assert_true(has_disable(&o, "kill 900 (nothing restarts it)"));
	assert_int_equal(o.nchain, 4);
	assert_string_equal(o.chain[3].comm, "systemd");
	origin_release(&o);
	origin_facts_release(&f);
	/* nothing that names an origin: unknown, with the parent */
	facts(&f, "/", none);
	decide(&f, &o, 78);
	assert_int_equal(o.kind, ORIGIN_UNKNOWN);
	assert_string_equal(o.summary, "unknown (parent weird 77)");
	origin_release(&o);
	origin_facts_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_no_process),
		cmocka_unit_test(t_container_first),
		cmocka_unit_test(t_superserver),
		cmocka_unit_test(t_cron_at_supervisor),
		cmocka_unit_test(t_socket_activation),
		cmocka_unit_test(t_systemd_service),
		cmocka_unit_test(t_scopes_and_users),
		cmocka_unit_test(t_login_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
