/* Unit tests for util/strbuf.c and util/num.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_strbuf_cap),
		cmocka_unit_test(t_strbuf_long_format),
		cmocka_unit_test(t_num),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
