/* Unit tests for util/strbuf.c, util/num.c and util/sysroot.c's
 * readers (regular files only; paths resolved inside a root). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cm.h"
#include "util/notes.h"
#include "util/sysroot.h"
#include "util/dl.h"
#include "util/num.h"
#include "util/strbuf.h"

static void
t_strbuf_cap(void **state)
{
	struct strbuf sb;
	char *s;

	(void)state;
	strbuf_init(&sb, 5);
	assert_string_equal(strbuf_str(&sb), "");
	assert_int_equal(strbuf_addstr(&sb, "abc"), 0);
	assert_int_equal(strbuf_addstr(&sb, "de"), 0);	/* exactly at cap */
	assert_false(sb.truncated);
	assert_int_equal(strbuf_addch(&sb, 'f'), -1);	/* past it */
	assert_true(sb.truncated);
	assert_string_equal(strbuf_str(&sb), "abcde");
	strbuf_setlen(&sb, 9);			/* longer: nothing changes */
	assert_string_equal(strbuf_str(&sb), "abcde");
	strbuf_setlen(&sb, 2);
	assert_int_equal(sb.len, 2);
	assert_string_equal(strbuf_str(&sb), "ab");
	assert_int_equal(strbuf_addstr(&sb, "xyz"), 0);
	assert_string_equal(strbuf_str(&sb), "abxyz");
	strbuf_reset(&sb);
	assert_int_equal(strbuf_addf(&sb, "%d-%s", 12, "xyzzy"), -1);
	assert_string_equal(strbuf_str(&sb), "12-xy");
	s = strbuf_detach(&sb);
	assert_string_equal(s, "12-xy");
	assert_int_equal(sb.len, 0);
	free(s);
	strbuf_release(&sb);
}

static void
t_strbuf_long_format(void **state)
{
	struct strbuf sb;
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_init(&sb, 1u << 20);
	assert_int_equal(strbuf_addf(&sb, "<%s>", big), 0);
	assert_int_equal(sb.len, 1001);
	strbuf_release(&sb);
}

static void
t_num(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(num_parse_u64("123", 3, 10, 0, 1000, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(num_parse_u64("", 0, 10, 0, 1000, &v), EINVAL);
	assert_int_equal(num_parse_u64("-1", 2, 10, 0, 1000, &v), EINVAL);
	assert_int_equal(num_parse_u64(" 1", 2, 10, 0, 1000, &v), EINVAL);
	assert_int_equal(num_parse_u64("1001", 4, 10, 0, 1000, &v), ERANGE);
	assert_int_equal(num_parse_u64("99999999999999999999", 20, 10, 0,
	    UINT64_MAX, &v), ERANGE);
	assert_int_equal(num_parse_u64("ffFF", 4, 16, 0, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(num_parse_u64("fg", 2, 16, 0, 65535, &v), EINVAL);
	assert_int_equal(num_parse_str("65536", 0, 65535, &v), ERANGE);
	assert_int_equal(num_parse_str("0", 1, 5, &v), ERANGE);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
t_regular_only(void **state)
{
	char root[] = "/tmp/ps-sysroot-XXXXXX", p[512];
	struct strbuf sb;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(root));
	strbuf_init(&sb, 1 << 16);
	notes_reset();
	put(root, "plain", "hello");
	snprintf(p, sizeof(p), "%s/fifo", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	/* a FIFO is refused at once (it would block), and said */
	assert_int_equal(read_at_capped(AT_FDCWD, p, 100, &sb), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(notes_count(), 1);
	assert_non_null(strstr(notes_get(0), "is a FIFO, not a regular file"));
	/* a device and a directory too */
	assert_int_equal(read_at_capped(AT_FDCWD, "/dev/zero", 100, &sb), -1);
	assert_int_equal(read_at_capped(AT_FDCWD, root, 100, &sb), -1);
	assert_int_equal(errno, EISDIR);
	/* under a directory descriptor a symbolic link is not followed */
	snprintf(p, sizeof(p), "%s/link", root);
	assert_int_equal(symlink("plain", p), 0);
	dfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(read_at_capped(dfd, "plain", 100, &sb), 0);
	assert_string_equal(strbuf_str(&sb), "hello");
	assert_int_equal(read_at_capped(dfd, "link", 100, &sb), -1);
	assert_int_equal(errno, ELOOP);
	close(dfd);
	unlink(p);
	snprintf(p, sizeof(p), "%s/fifo", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/plain", root);
	unlink(p);
	rmdir(root);
	strbuf_release(&sb);
	notes_reset();
}

static void
t_in_root(void **state)
{
	char root[] = "/tmp/ps-inroot-XXXXXX", p[512], dir[600];
	struct strbuf sb;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(root));
	strbuf_init(&sb, 1 << 16);
	snprintf(dir, sizeof(dir), "%s/etc", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	put(dir, "passwd", "inside\n");
	/* an absolute link, as a container's own tree would hold one: it
	 * means the container's /etc/passwd, never the host's */
	snprintf(p, sizeof(p), "%s/status", root);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(read_in_root_capped(root, "/status", 100, &sb), 0);
	assert_string_equal(strbuf_str(&sb), "inside\n");
	/* and ".." cannot climb out of the root */
	snprintf(p, sizeof(p), "%s/up", root);
	assert_int_equal(symlink("../../../../../../etc/passwd", p), 0);
	assert_int_equal(read_in_root_capped(root, "/up", 100, &sb), 0);
	assert_string_equal(strbuf_str(&sb), "inside\n");
	/* a directory the same way */
	fd = open_dir_in(root, "/etc");
	assert_true(fd >= 0);
	close(fd);
	/* no root: the path itself */
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	assert_int_equal(read_in_root_capped("", p, 100, &sb), 0);
	assert_string_equal(strbuf_str(&sb), "inside\n");
	unlink(p);
	rmdir(dir);
	snprintf(p, sizeof(p), "%s/status", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/up", root);
	unlink(p);
	rmdir(root);
	strbuf_release(&sb);
}

/* dl_load: a library found with every function, one missing, a function
 * missing; each answer the same the second time */
static double (*cos_fn)(double);
static int (*nothing_fn)(void);

static void
t_dl_load(void **state)
{
	const struct dl_sym ok_syms[] = { { "cos", &cos_fn } };
	const struct dl_sym bad_syms[] = { { "cos", &cos_fn },
	    { "portsleuth_no_such_function", &nothing_fn } };
	struct dl_lib ok = { "libm.so.6", ok_syms, 1, 0, NULL };
	struct dl_lib nolib = { "libportsleuth-none.so.0", ok_syms, 1, 0,
	    NULL };
	struct dl_lib nosym = { "libm.so.6", bad_syms, 2, 0, NULL };
	char *cause = NULL;

	(void)state;
	assert_int_equal(dl_load(&ok, &cause), 0);
	assert_null(cause);
	assert_non_null(cos_fn);
	assert_true(cos_fn(0.0) == 1.0);
	assert_int_equal(dl_load(&ok, NULL), 0);

	for (int i = 0; i < 2; i++) {
		assert_int_equal(dl_load(&nolib, &cause), -1);
		assert_non_null(strstr(cause, "cannot load "
		    "libportsleuth-none.so.0: "));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(dl_load(&nosym, &cause), -1);
	assert_non_null(strstr(cause, "libm.so.6 has no "
	    "portsleuth_no_such_function"));
	free(cause);
	assert_null(nothing_fn);
	assert_null(cos_fn);	/* the failed table is left empty */
	free(nolib.error);
	free(nosym.error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_strbuf_cap),
		cmocka_unit_test(t_strbuf_long_format),
		cmocka_unit_test(t_num),
		cmocka_unit_test(t_regular_only),
		cmocka_unit_test(t_in_root),
		cmocka_unit_test(t_dl_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
