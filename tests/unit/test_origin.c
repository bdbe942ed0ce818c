/* Unit tests for origin/origin.c: cgroup paths, and the origin of the
 * host-b fixture's processes; dossier.c's man page NAME parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>
#include "cm.h"
#include "kernel/netns.h"
#include "why/container.h"
#include "why/dossier.h"
#include "why/manpage.h"
#include "why/origin.h"
#include "model/services.h"
#include "proc/users.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"

#define HOSTB FIXTURE_DIR "/host-b/root"

static void
t_cgroup(void **state)
{
	static const struct {
		const char *path, *unit, *runtime, *id, *session;
		int user;
		long uid;
	} cases[] = {
		{ "/system.slice/ssh.service", "ssh.service", NULL, NULL, NULL,
		    0, -1 },
		{ "/user.slice/user-1000.slice/session-7.scope", NULL, NULL,
		    NULL, "7", 0, 1000 },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/"
		    "x.service", "x.service", NULL, NULL, NULL, 1, 1000 },
		{ "/system.slice/docker-0123456789abcdef0123.scope", NULL,
		    "docker", "0123456789abcdef0123", NULL, 0, -1 },
		{ "/docker/0123456789abcdef", NULL, "docker",
		    "0123456789abcdef", NULL, 0, -1 },
		{ "/machine.slice/libpod-abcdefabcdef12.scope/container", NULL,
		    "podman", "abcdefabcdef12", NULL, 0, -1 },
		/* podman --cgroup-manager=cgroupfs */
		{ "/libpod_parent/libpod-71e56734d92f0cc6218aa75adb14443d", NULL,
		    "podman", "71e56734d92f0cc6218aa75adb14443d", NULL, 0, -1 },
		{ "/libpod_parent/conmon", NULL, NULL, NULL, NULL, 0, -1 },
		{ "/kubepods.slice/kubepods-pod1.slice/cri-containerd-"
		    "aaaaaaaaaaaaaaaa.scope", NULL, "kubernetes",
		    "aaaaaaaaaaaaaaaa", NULL, 0, -1 },
		{ "/kubepods/besteffort/pod12-34/bbbbbbbbbbbbbbbb", NULL,
		    "kubernetes", "bbbbbbbbbbbbbbbb", NULL, 0, -1 },
		{ "/system.slice/crio-cccccccccccccccc.scope", NULL,
		    "kubernetes", "cccccccccccccccc", NULL, 0, -1 },
		{ "/lxc.payload.web1/init.scope", NULL, "lxc", "web1", NULL, 0,
		    -1 },
		{ "/system.slice/nerdctl-dddddddddddddddd.scope", NULL,
		    "containerd", "dddddddddddddddd", NULL, 0, -1 },
		{ "/system.slice/docker-nothex!.scope", NULL, NULL, NULL, NULL,
		    0, -1 },
		{ "/", NULL, NULL, NULL, NULL, 0, -1 },
		{ "", NULL, NULL, NULL, NULL, 0, -1 },
		{ "/user.slice/user-99999999999.slice/x.service", "x.service",
		    NULL, NULL, NULL, 0, -1 },
	};
	struct cgroup_info ci;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cgroup_classify(cases[i].path, &ci);
		if (cases[i].unit)
			assert_string_equal(ci.unit, cases[i].unit);
		else
			assert_null(ci.unit);
		if (cases[i].runtime) {
			assert_string_equal(ci.runtime, cases[i].runtime);
			assert_string_equal(ci.container_id, cases[i].id);
		} else {
			assert_null(ci.runtime);
		}
		if (cases[i].session)
			assert_string_equal(ci.session, cases[i].session);
		assert_int_equal(ci.user_unit, cases[i].user);
		assert_int_equal(ci.uid, cases[i].uid);
		cgroup_info_release(&ci);
	}
	cgroup_classify(NULL, &ci);
	assert_null(ci.unit);
	cgroup_info_release(&ci);
}

static void
proc(struct proc_rec *p, pid_t pid, pid_t ppid, const char *comm,
    const char *exe, const char *cg, uid_t uid)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->comm = (char *)comm;
	p->exe = (char *)exe;
	p->cgroup = (char *)cg;
	p->uid = uid;
	p->ids_known = 1;
}

static void
sock(struct sock_rec *s, unsigned int port, int state)
{
	memset(s, 0, sizeof(*s));
	s->proto = PROTO_TCP;
	s->family = 2;	/* AF_INET */
	s->state = (uint8_t)state;
	s->lport = (uint16_t)port;
}

static void
t_explain_fixture(void **state)
{
	struct registry reg;
	struct users *users;
	struct origin_ctx *ctx;
	struct proc_rec p;
	struct sock_rec s;
	struct origin o;

	(void)state;
	sysroot_set(HOSTB);
	registry_init(&reg, NULL);
	users = users_load();
	ctx = origin_ctx_new(&reg, users);

	/* a plain service; ssh.socket exists but PID 1 holds nothing */
	proc(&p, 400, 1, "sshd", "/usr/sbin/sshd", "/system.slice/ssh.service",
	    0);
	sock(&s, 22, ST_LISTEN);
	origin_explain(ctx, &s, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD);
	assert_string_equal(o.unit, "ssh.service");
	assert_string_equal(o.unit_file, "/lib/systemd/system/ssh.service");
	assert_non_null(strstr(o.dropins, "override.conf"));
	assert_string_equal(o.disable[0], "systemctl disable --now ssh.service");
	origin_release(&o);

	/* the same socket, with PID 1 holding it too: socket activation */
	origin_explain(ctx, &s, &p, NULL, 1, &o);
	assert_int_equal(o.kind, ORIGIN_SOCKET);
	assert_string_equal(o.socket_unit, "ssh.socket");
	assert_non_null(strstr(o.listen, "ListenStream=22"));
	origin_release(&o);

	/* PID 1 itself */
	proc(&p, 1, 0, "systemd", "/usr/lib/systemd/systemd", "/init.scope", 0);
	sock(&s, 631, ST_LISTEN);
	s.laddr[0] = 127;
	s.laddr[3] = 1;
	origin_explain(ctx, &s, &p, NULL, 1, &o);
	assert_int_equal(o.kind, ORIGIN_SOCKET);
	assert_string_equal(o.socket_unit, "cups.socket");
	assert_string_equal(o.unit, "cups.service");
	assert_string_equal(o.listen,
	    "/lib/systemd/system/cups.socket:7 ListenStream=127.0.0.1:631");
	origin_release(&o);

	/* inetd's own socket, mapped to its line; a disabled line is not */
	proc(&p, 500, 1, "inetd", "/usr/sbin/inetd",
	    "/system.slice/inetd.service", 0);
	sock(&s, 23, ST_LISTEN);
	origin_explain(ctx, &s, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_INETD);
	assert_string_equal(o.ss_file, "/etc/inetd.conf");
	assert_int_equal(o.ss_line, 8);
	assert_string_equal(o.ss_service, "telnet");
	assert_string_equal(o.ss_user, "telnetd");
	assert_string_equal(o.unit, "inetd.service");
	origin_release(&o);
	sock(&s, 13, ST_LISTEN);	/* daytime: "#<off>#" */
	origin_explain(ctx, &s, &p, NULL, 0, &o);
	assert_int_not_equal(o.kind, ORIGIN_INETD);
	origin_release(&o);

	/* xinetd's numeric port and its -f config */
	proc(&p, 600, 1, "xinetd", "/usr/sbin/xinetd",
	    "/system.slice/xinetd.service", 0);
	sock(&s, 9999, ST_LISTEN);
	origin_explain(ctx, &s, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_XINETD);
	assert_string_equal(o.ss_file, "/etc/xinetd.d/myservice");
	assert_string_equal(o.ss_program, "/usr/local/bin/mysvc");
	assert_non_null(strstr(o.disable[0], "disable = yes"));
	origin_release(&o);

	/* a child of inetd, started through tcpd */
	proc(&p, 501, 500, "in.telnetd", "/usr/sbin/in.telnetd",
	    "/system.slice/inetd.service", 0);
	sock(&s, 23, ST_ESTABLISHED);
	origin_explain(ctx, &s, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_INETD);
	assert_int_equal(o.ss_line, 8);
	origin_release(&o);

	/* containers, with names from the runtimes' metadata */
	proc(&p, 700, 1, "nginx", "/usr/sbin/nginx", "/system.slice/docker-"
	    "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
	    ".scope", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_CONTAINER);
	assert_string_equal(o.runtime, "docker");
	assert_string_equal(o.container_name, "web-frontend");
	assert_non_null(strstr(o.disable[0], "docker update --restart=no"));
	origin_release(&o);
	proc(&p, 720, 1, "nginx", "/usr/sbin/nginx", "/kubepods.slice/x/"
	    "cri-containerd-0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de"
	    "0badc0de0badc0.scope", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_string_equal(o.container_name, "shop/web-7d9f/nginx");
	origin_release(&o);

	/* cron, by its ancestor */
	proc(&p, 800, 790, "socat", "/usr/bin/socat",
	    "/system.slice/cron.service", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_CRON);
	assert_int_equal(o.via_pid, 790);
	origin_release(&o);

	/* by hand, over ssh, on pts/1 */
	proc(&p, 900, 899, "backdoor", "/tmp/backdoor",
	    "/user.slice/user-1000.slice/session-3.scope", 1000);
	origin_explain(ctx, NULL, &p, "203.0.113.9 50000 10.0.0.1 22", 0, &o);
	assert_int_equal(o.kind, ORIGIN_LOGIN);
	assert_string_equal(o.login_user, "alice");
	assert_string_equal(o.tty, "pts/1");
	assert_string_equal(o.remote, "203.0.113.9");
	assert_int_equal(o.nchain, 4);
	assert_string_equal(o.chain[0].comm, "bash");
	assert_int_equal(o.chain[3].pid, 1);
	origin_release(&o);

	/* a SysV script run through the generator */
	proc(&p, 950, 1, "legacyd", "/usr/sbin/legacyd",
	    "/system.slice/legacyd.service", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_SYSV);
	assert_string_equal(o.sysv_script, "legacyd");
	assert_non_null(strstr(o.disable[0], "update-rc.d legacyd disable"));
	origin_release(&o);

	/* user unit, supervisor */
	proc(&p, 960, 1, "myapp", "/usr/bin/myapp", "/user.slice/user-1000."
	    "slice/user@1000.service/app.slice/myapp.service", 1000);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD_USER);
	assert_string_equal(o.login_user, "alice");
	origin_release(&o);
	proc(&p, 970, 969, "socat", "/usr/bin/socat",
	    "/system.slice/supervisor.service", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_SUPERVISOR);
	assert_string_equal(o.via, "supervisord");
	origin_release(&o);

	/* a transient scope */
	proc(&p, 975, 1, "socat", "/usr/bin/socat",
	    "/system.slice/run-r0123abcd.scope", 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_SYSTEMD);
	assert_string_equal(o.unit, "run-r0123abcd.scope");
	assert_non_null(strstr(o.disable[0], "systemctl stop run-r0123abcd"));
	origin_release(&o);

	/* no process: a kernel socket */
	sock(&s, 2049, ST_LISTEN);
	s.owner_note = OWNER_KERNEL;
	origin_explain(ctx, &s, NULL, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_KERNEL);
	origin_release(&o);

	origin_ctx_free(ctx);
	users_free(users);
	registry_release(&reg);
	sysroot_set(NULL);
}

static void
write_stat(const char *root, int pid, int ppid)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/%d/stat", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d (loop%d) S %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
	    "1900 1000 100 0\n", pid, pid, ppid, pid, pid);
	fclose(f);
}

static void
t_chain_loop(void **state)
{
	char root[] = "/tmp/ps-chain-XXXXXX", path[512];
	struct origin_ctx *ctx;
	struct proc_rec p;
	struct origin o;

	(void)state;
	/* host-a's processes: parents that are not in the tree */
	sysroot_set(FIXTURE_DIR "/host-a/root");
	ctx = origin_ctx_new(NULL, NULL);
	proc(&p, 3494, 1, "listener.py", "/usr/bin/python3", NULL, 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	assert_int_equal(o.kind, ORIGIN_UNKNOWN);
	assert_non_null(o.summary);
	origin_release(&o);
	origin_ctx_free(ctx);

	/* a forged /proc whose parents go round: 700 <- 701 <- 702 <- 700 */
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/proc", root);
	assert_int_equal(mkdir(path, 0755), 0);
	write_stat(root, 700, 701);
	write_stat(root, 701, 702);
	write_stat(root, 702, 700);
	sysroot_set(root);
	ctx = origin_ctx_new(NULL, NULL);
	proc(&p, 700, 701, "loop700", "/usr/bin/loop", NULL, 0);
	origin_explain(ctx, NULL, &p, NULL, 0, &o);
	/* each parent once, then the walk stops: not CHAIN_MAX links */
	assert_int_equal(o.nchain, 3);
	assert_int_equal(o.chain[0].pid, 701);
	assert_int_equal(o.chain[1].pid, 702);
	assert_int_equal(o.chain[2].pid, 700);
	origin_release(&o);
	origin_ctx_free(ctx);
	sysroot_set(NULL);
	for (int pid = 700; pid <= 702; pid++) {
		snprintf(path, sizeof(path), "%s/proc/%d/stat", root, pid);
		unlink(path);
		snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/proc", root);
	rmdir(path);
	rmdir(root);
}

static void
t_whatis(void **state)
{
	static const char roff[] = ".TH SSHD 8\n.SH NAME\nsshd \\- OpenSSH "
	    "\\fBdaemon\\fR\n.SH SYNOPSIS\n.B sshd\n";
	static const char mdoc[] = ".Dd x\n.Sh NAME\n.Nm inetd\n"
	    ".Nd internet super\\-server\n.Sh SYNOPSIS\n";
	static const char none[] = ".SH DESCRIPTION\ntext\n";
	static const char nodash[] = ".SH NAME\njust words\n";
	char *s;

	(void)state;
	s = manpage_parse_whatis(roff, sizeof(roff) - 1);
	assert_string_equal(s, "OpenSSH daemon");
	free(s);
	s = manpage_parse_whatis(mdoc, sizeof(mdoc) - 1);
	assert_string_equal(s, "internet super-server");
	free(s);
	assert_null(manpage_parse_whatis(none, sizeof(none) - 1));
	assert_null(manpage_parse_whatis(nodash, sizeof(nodash) - 1));
	sysroot_set(HOSTB);
	s = manpage_whatis("myapp");
	assert_string_equal(s, "serve the user application");
	free(s);
	assert_null(manpage_whatis("../etc/passwd"));
	assert_null(manpage_whatis("nosuchprogram"));
	sysroot_set(NULL);
}

static void
t_tty(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(origin_tty_name(34817, buf, sizeof(buf)), "pts/1");
	assert_string_equal(origin_tty_name(1025, buf, sizeof(buf)), "tty1");
	assert_string_equal(origin_tty_name(1088, buf, sizeof(buf)), "ttyS0");
}

static void
t_container_netns(void **state)
{
	struct netns_set s;
	char label[96];
	static const pid_t pids[] = { 700, 710, 720, 900, 730, 740 };
	const size_t n = sizeof(pids) / sizeof(pids[0]);

	(void)state;
	sysroot_set(HOSTB);
	memset(&s, 0, sizeof(s));
	s.v = xcalloc(n, sizeof(*s.v));
	for (size_t i = 0; i < n; i++) {
		s.v[i].inode = 4026532000 + i;
		s.v[i].kind = NETNS_PROCESS;
		s.v[i].path = xstrdup("/nonexistent");
		s.v[i].pid = pids[i];
	}
	s.n = s.cap = n;
	container_label_netns(&s);
	assert_string_equal(netns_label(&s.v[0], label, sizeof(label)),
	    "docker:web-frontend");
	assert_string_equal(s.v[0].container_id, "3f4e5d6c7b8a99887766554433"
	    "221100ffeeddccbbaa00112233445566778899");
	assert_string_equal(s.v[0].container_image, "nginx:1.25");
	/* hostconfig.json: 8080/tcp on 80 twice (any, ::), 53/udp on
	 * 127.0.0.1:5353; a bad key and a port past 65535 are dropped */
	assert_int_equal(s.v[0].nports, 3);
	assert_int_equal(s.v[0].ports[0].container_port, 8080);
	assert_int_equal(s.v[0].ports[0].host_port, 80);
	assert_string_equal(s.v[0].ports[1].host_ip, "::");
	assert_int_equal(s.v[0].ports[2].container_port, 53);
	assert_int_equal(s.v[0].ports[2].host_port, 5353);
	assert_int_equal(s.v[0].ports[2].proto, PROTO_UDP);
	assert_string_equal(s.v[0].ports[2].host_ip, "127.0.0.1");
	/* podman's state database (a bbolt file, its container bucket
	 * spread over a branch page): name, image, pod, ports */
	assert_string_equal(netns_label(&s.v[1], label, sizeof(label)),
	    "podman:podman-web");
	assert_string_equal(s.v[1].container_image,
	    "docker.io/library/nginx:1.25");
	assert_string_equal(s.v[1].container_pod, "shop-pod");
	assert_null(s.v[1].container_rootfs);
	/* 8082->80/tcp, 1053-1054->53-54 as tcp and udp; the two bad
	 * mappings dropped */
	assert_int_equal(s.v[1].nports, 3);
	assert_int_equal(s.v[1].ports[0].host_port, 8082);
	assert_int_equal(s.v[1].ports[0].container_port, 80);
	assert_int_equal(s.v[1].ports[1].range, 2);
	assert_int_equal(s.v[1].ports[1].proto, PROTO_TCP);
	assert_int_equal(s.v[1].ports[2].proto, PROTO_UDP);
	assert_string_equal(netns_label(&s.v[2], label, sizeof(label)),
	    "k8s:shop/web-7d9f/nginx");
	assert_string_equal(s.v[2].container_pod, "shop/web-7d9f");
	assert_string_equal(s.v[2].container_image,
	    "docker.io/library/nginx:1.25");
	/* LXC's config; machined's file of an nspawn machine */
	assert_string_equal(netns_label(&s.v[4], label, sizeof(label)),
	    "lxc:web1.example");
	assert_string_equal(s.v[4].container_rootfs, "/var/lib/lxc/web1/rootfs");
	assert_string_equal(netns_label(&s.v[5], label, sizeof(label)),
	    "nspawn:deb-box");
	assert_string_equal(s.v[5].container_rootfs,
	    "/var/lib/machines/deb-box");
	/* a login session's process: no container, its inode */
	assert_null(s.v[3].runtime);
	assert_string_equal(netns_label(&s.v[3], label, sizeof(label)),
	    "net:[4026532003]");
	netns_set_release(&s);
	sysroot_set(NULL);
}

/* A unit handed out stays good while the cache loads others (audit
 * holds a timer's unit while it loads the service it starts). */
static void
t_unit_cache(void **state)
{
	struct origin_ctx *ctx;
	const struct unit *first;
	char name[64];

	(void)state;
	sysroot_set(FIXTURE_DIR "/host-a/root");
	ctx = origin_ctx_new(NULL, NULL);
	first = origin_ctx_unit(ctx, "first.service");
	assert_non_null(first);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "other%d.service", i);
		assert_non_null(origin_ctx_unit(ctx, name));
	}
	assert_string_equal(first->name, "first.service");
	assert_ptr_equal(origin_ctx_unit(ctx, "first.service"), first);
	origin_ctx_free(ctx);
	sysroot_set(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_cgroup),
		cmocka_unit_test(t_explain_fixture),
		cmocka_unit_test(t_chain_loop),
		cmocka_unit_test(t_container_netns),
		cmocka_unit_test(t_whatis),
		cmocka_unit_test(t_tty),
		cmocka_unit_test(t_unit_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
