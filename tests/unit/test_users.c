/* Unit tests for users.c: the passwd reader. */
#include <stdio.h>
#include <string.h>

#include "cm.h"
#include "proc/users.h"
#include "util/sysroot.h"

static void
t_parse(void **state)
{
	static const char pw[] =
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "# a comment line is not an entry\n"
	    "daemon:x:1:1::/:/usr/sbin/nologin\n"
	    "bad-uid:x:abc:1::/:/bin/sh\n"
	    "short:x\n"
	    ":x:5:5::/:/bin/sh\n"
	    "huge:x:99999999999:1::/:/bin/sh\n"
	    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
	struct users *u = users_new();
	uid_t uid;

	(void)state;
	sysroot_set("/nonexistent-root");	/* no NSS fallback in tests */
	users_parse(u, pw, sizeof(pw) - 1);
	assert_string_equal(users_name(u, 0), "root");
	assert_string_equal(users_name(u, 1), "daemon");
	assert_string_equal(users_name(u, 65534), "nobody");
	assert_null(users_name(u, 5));
	assert_null(users_name(u, 1000));
	assert_int_equal(users_uid(u, "nobody", &uid), 0);
	assert_int_equal(uid, 65534);
	assert_int_equal(users_uid(u, "bad-uid", &uid), -1);
	assert_int_equal(users_uid(u, "huge", &uid), -1);
	users_free(u);
	sysroot_set(NULL);
}

static void
t_fixture(void **state)
{
	char root[1024];
	struct users *u;

	(void)state;
	snprintf(root, sizeof(root), "%s/host-a/root", FIXTURE_DIR);
	sysroot_set(root);
	u = users_load();
	assert_string_equal(users_name(u, 65534), "nobody");
	assert_null(users_name(u, 33));	/* not in the fixture: no NSS */
	users_free(u);
	sysroot_set(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse),
		cmocka_unit_test(t_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
