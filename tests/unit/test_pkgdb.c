/* Unit tests for pkg/pkgdb.c and pkg/integrity.c: dpkg's database read
 * directly, diversions, merged /usr, digests and integrity flags. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "why/integrity.h"
#include "proc/procscan.h"
#include "why/pkgdb.h"
#include "util/sysroot.h"

#define HOSTB FIXTURE_DIR "/host-b/root"

static void
t_status(void **state)
{
	static const char st[] =
	    "Package: zlib1g\nStatus: install ok installed\n"
	    "Architecture: amd64\nMulti-Arch: same\nVersion: 1:1.2.13\n"
	    "Description: compression library - runtime\n more text\n\n"
	    "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
	    "Package: bad name\nVersion: 2\n\n"
	    "Version: 3\n\n\n\n"
	    "Package: apt\r\nStatus: hold ok installed\r\nVersion: 2.6\r\n";
	struct dpkg db;
	const struct pkg_info *p;

	(void)state;
	memset(&db, 0, sizeof(db));
	dpkg_parse_status(&db, st, sizeof(st) - 1);
	assert_int_equal(db.npkgs, 3);
	assert_int_equal(db.malformed, 2);	/* "bad name", no Package */
	p = dpkg_find(&db, "zlib1g");
	assert_non_null(p);
	assert_string_equal(p->version, "1:1.2.13");
	assert_string_equal(p->arch, "amd64");
	assert_string_equal(p->desc, "compression library - runtime");
	assert_true(p->installed);
	p = dpkg_find(&db, "gone");
	assert_non_null(p);
	assert_false(p->installed);
	p = dpkg_find(&db, "apt");
	assert_non_null(p);
	assert_true(p->installed);
	assert_string_equal(p->version, "2.6");
	assert_null(dpkg_find(&db, "zlib"));
	dpkg_release(&db);
}

static void
t_diversions(void **state)
{
	static const char dv[] =
	    "/usr/bin/a\n/usr/bin/a.real\npkg-a\n"
	    "relative\n/x\npkg\n"
	    "/usr/bin/b\n/usr/bin/b.local\n:\n"
	    "/usr/bin/c\n/usr/bin/c.x\n";	/* cut short */
	struct dpkg db;

	(void)state;
	memset(&db, 0, sizeof(db));
	dpkg_parse_diversions(&db, dv, sizeof(dv) - 1);
	assert_int_equal(db.ndivs, 2);
	assert_string_equal(db.divs[0].to, "/usr/bin/a.real");
	assert_string_equal(db.divs[1].by, ":");
	assert_int_equal(db.malformed, 2);
	dpkg_release(&db);
}

static void
t_md5sums(void **state)
{
	static const char ms[] =
	    "0123456789abcdef0123456789abcdef  usr/bin/x\n"
	    "0123456789ABCDEF0123456789ABCDEF  usr/bin/xy\n"
	    "nothex6789abcdef0123456789abcdef  usr/bin/z\n"
	    "0123456789abcdef0123456789abcde  usr/bin/short\n";
	char hex[33];

	(void)state;
	assert_int_equal(dpkg_md5sums_find(ms, sizeof(ms) - 1, "/usr/bin/x",
	    hex), 0);
	assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
	/* upper case is accepted and reported in lower case */
	assert_int_equal(dpkg_md5sums_find(ms, sizeof(ms) - 1, "/usr/bin/xy",
	    hex), 0);
	assert_string_equal(hex, "0123456789abcdef0123456789abcdef");
	assert_int_equal(dpkg_md5sums_find(ms, sizeof(ms) - 1, "/usr/bin/z",
	    hex), -1);
	assert_int_equal(dpkg_md5sums_find(ms, sizeof(ms) - 1,
	    "/usr/bin/short", hex), -1);
	assert_int_equal(dpkg_md5sums_find(ms, sizeof(ms) - 1, "/usr/bin",
	    hex), -1);
}

static void
t_alias(void **state)
{
	char *a;

	(void)state;
	a = pkg_usr_alias("/usr/bin/ls");
	assert_string_equal(a, "/bin/ls");
	free(a);
	a = pkg_usr_alias("/sbin/init");
	assert_string_equal(a, "/usr/sbin/init");
	free(a);
	a = pkg_usr_alias("/usr/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(a, "/lib64/ld-linux-x86-64.so.2");
	free(a);
	assert_null(pkg_usr_alias("/usr/local/bin/x"));
	assert_null(pkg_usr_alias("/usr/binary"));
	assert_null(pkg_usr_alias("/opt/x"));
}

static void
t_owners_fixture(void **state)
{
	const char *paths[] = {
		"/usr/sbin/sshd",		/* plain */
		"/usr/bin/mergedd",		/* listed as /bin/mergedd */
		"/usr/bin/diverted.distrib",	/* moved aside by divpkg */
		"/usr/bin/diverted",		/* divpkg's replacement */
		"/tmp/backdoor",		/* nobody's */
		NULL,
		"relative/path",
	};
	struct pkg_owner o[7];
	struct pkgdb db;
	char hex[DIGEST_HEX_MAX];
	enum digest_algo algo;

	(void)state;
	pkgdb_open(&db, HOSTB);
	assert_int_equal(db.pm, PM_DPKG);
	assert_null(db.error);
	pkgdb_owners(&db, paths, 7, o);
	assert_non_null(o[0].pkg);
	assert_string_equal(o[0].pkg->name, "openssh-server");
	assert_string_equal(o[0].pkg->version, "1:9.2p1-2+deb12u3");
	assert_string_equal(o[0].listed, "/usr/sbin/sshd");
	assert_int_equal(pkgdb_digest(&db, &o[0], &algo, hex), 0);
	assert_int_equal(algo, DIGEST_MD5);
	assert_int_equal(strlen(hex), 32);

	assert_non_null(o[1].pkg);
	assert_string_equal(o[1].pkg->name, "mergedpkg");
	assert_string_equal(o[1].listed, "/bin/mergedd");

	assert_non_null(o[2].pkg);
	assert_string_equal(o[2].pkg->name, "origpkg");
	assert_string_equal(o[2].listed, "/usr/bin/diverted");
	assert_string_equal(o[2].diverted_by, "divpkg");

	assert_non_null(o[3].pkg);
	assert_string_equal(o[3].pkg->name, "divpkg");
	assert_string_equal(o[3].diverted_by, "divpkg");

	assert_null(o[4].pkg);
	assert_null(o[5].pkg);
	assert_null(o[6].pkg);
	/* every package has its list, but oldpkg (config files only) */
	assert_int_equal(db.dpkg.lists_read, db.dpkg.npkgs - 1);
	for (int i = 0; i < 7; i++)
		pkg_owner_release(&o[i]);
	pkgdb_release(&db);
}

static void
t_no_manager(void **state)
{
	struct pkgdb db;
	struct pkg_owner o;
	const char *p = "/usr/bin/x";

	(void)state;
	pkgdb_open(&db, FIXTURE_DIR "/host-a/root");
	assert_int_equal(db.pm, PM_NONE);
	assert_non_null(strstr(db.error, "unknown package manager"));
	pkgdb_owners(&db, &p, 1, &o);
	assert_null(o.pkg);
	pkgdb_release(&db);
}

/* The running image's digest against the package's. */
static void
t_integrity_fixture(void **state)
{
	const char *paths[] = { "/usr/sbin/sshd", "/usr/sbin/modded",
		"/tmp/backdoor", "/usr/bin/diverted.distrib" };
	struct pkg_owner o[4];
	struct integrity in;
	struct digest_cache dc;
	struct proc_env env;
	struct pkgdb db;
	static const char environ[] = "PATH=/bin\0LD_PRELOAD=/tmp/x.so\0"
	    "SSH_CONNECTION=192.0.2.1 5 192.0.2.2 22\0LD_AUDIT=a.so";

	(void)state;
	digest_cache_init(&dc);
	sysroot_set(HOSTB);
	pkgdb_open(&db, HOSTB);
	pkgdb_owners(&db, paths, 4, o);

	integrity_check(400, "", paths[0], 0, &db, &o[0], NULL, NULL, &dc,
	    &in);
	assert_true(in.verified);
	assert_int_equal(in.flags, 0);
	assert_string_equal(integrity_word(&in), "ok");
	integrity_release(&in);

	integrity_check(991, "", paths[1], 0, &db, &o[1], NULL, NULL, &dc,
	    &in);
	assert_false(in.verified);
	assert_true(in.flags & INTEG_MODIFIED);
	assert_string_equal(integrity_word(&in), "MODIFIED");
	assert_string_not_equal(in.digest, in.want);
	assert_int_equal(in.algo, DIGEST_MD5);
	integrity_release(&in);

	procscan_parse_environ(environ, sizeof(environ) - 1, &env);
	assert_string_equal(env.ld_vars, "LD_PRELOAD=/tmp/x.so LD_AUDIT=a.so");
	assert_string_equal(env.ssh_connection, "192.0.2.1 5 192.0.2.2 22");
	integrity_check(900, "", paths[2], 0, &db, &o[2], &env, "x.so\n", &dc,
	    &in);
	assert_true(in.flags & INTEG_NO_PACKAGE);
	assert_true(in.flags & INTEG_TEMP_DIR);
	assert_true(in.flags & INTEG_PRELOAD);
	assert_true(in.flags & INTEG_PRELOAD_FILE);
	assert_string_equal(integrity_word(&in), "suspect");
	assert_non_null(in.unverified);
	integrity_release(&in);
	proc_env_release(&env);

	/* diverted: checked against the original package's digest */
	integrity_check(980, "", paths[3], 0, &db, &o[3], NULL, NULL, &dc,
	    &in);
	assert_true(in.verified);
	integrity_release(&in);

	/* deleted, and the loader run by hand */
	integrity_check(1, "", "/usr/lib64/ld-linux-x86-64.so.2", 1, &db, &o[0],
	    NULL, NULL, &dc, &in);
	assert_true(in.flags & INTEG_DELETED);
	assert_true(in.flags & INTEG_LOADER);
	integrity_release(&in);

	for (int i = 0; i < 4; i++)
		pkg_owner_release(&o[i]);
	digest_cache_release(&dc);
	pkgdb_release(&db);
	sysroot_set(NULL);
}

static void
t_md5_fd(void **state)
{
	char path[] = "/tmp/ps-md5-XXXXXX", hex[DIGEST_HEX_MAX];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(integrity_digest_fd(fd, DIGEST_MD5, hex), 0);
	/* RFC 1321 and FIPS 180-2 test vectors */
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(integrity_digest_fd(fd, DIGEST_SHA256, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(integrity_digest_fd(fd, DIGEST_NONE, hex), -1);
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_status),
		cmocka_unit_test(t_diversions),
		cmocka_unit_test(t_md5sums),
		cmocka_unit_test(t_alias),
		cmocka_unit_test(t_owners_fixture),
		cmocka_unit_test(t_no_manager),
		cmocka_unit_test(t_integrity_fixture),
		cmocka_unit_test(t_md5_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
