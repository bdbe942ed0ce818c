/* Unit tests for util/escape.c: terminal and JSON escaping. */
#include <stdio.h>
#include <string.h>

#include "cm.h"
#include "util/escape.h"

static char *
term(const char *s, size_t n)
{
	static char out[512];
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	escape_terminal(&sb, s, n);
	snprintf(out, sizeof(out), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

static char *
json(const char *s, size_t n)
{
	static char out[512];
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	escape_json(&sb, s, n);
	snprintf(out, sizeof(out), "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return out;
}

static void
t_terminal_controls(void **state)
{
	(void)state;
	assert_string_equal(term("\033[2J", 4), "\\e[2J");
	assert_string_equal(term("a\nb\tc\r", 6), "a\\nb\\tc\\r");
	assert_string_equal(term("\x01\x7f", 2), "\\x01\\x7f");
	assert_string_equal(term("back\\slash", 10), "back\\\\slash");
	/* NUL inside the given length is shown, not a terminator */
	assert_string_equal(term("a\0b", 3), "a\\x00b");
}

static void
t_terminal_utf8(void **state)
{
	(void)state;
	/* valid UTF-8 passes through */
	assert_string_equal(term("caf\xc3\xa9", 5), "caf\xc3\xa9");
	/* C1 control U+009B (a CSI on some terminals) is escaped */
	assert_string_equal(term("\xc2\x9b", 2), "\\u009b");
	/* invalid bytes, overlong '/' and a surrogate */
	assert_string_equal(term("\xff", 1), "\\xff");
	assert_string_equal(term("\xc0\xaf", 2), "\\xc0\\xaf");
	assert_string_equal(term("\xed\xa0\x80", 3), "\\xed\\xa0\\x80");
	/* truncated sequence at the end */
	assert_string_equal(term("ok\xe2\x82", 4), "ok\\xe2\\x82");
}

static void
t_terminal_format(void **state)
{
	(void)state;
	/* bidirectional overrides and isolates cannot reorder the line */
	assert_string_equal(term("ab\xe2\x80\xae" "cd", 7), "ab\\u202ecd");
	assert_string_equal(term("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac"
	    "\xe2\x80\xad", 12), "\\u202a\\u202b\\u202c\\u202d");
	assert_string_equal(term("\xe2\x81\xa6x\xe2\x81\xa9", 7),
	    "\\u2066x\\u2069");
	/* zero-width space, LRM, a byte-order mark, the line separator */
	assert_string_equal(term("\xe2\x80\x8b\xe2\x80\x8e\xef\xbb\xbf"
	    "\xe2\x80\xa8", 12), "\\u200b\\u200e\\ufeff\\u2028");
	/* a tag character, beyond the BMP */
	assert_string_equal(term("\xf3\xa0\x80\x81", 4), "\\U000e0001");
	/* letters beside them pass: e-acute, a CJK ideograph, an emoji */
	assert_string_equal(term("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80",
	    9), "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80");
	/* JSON keeps them: it is valid there, and decoders see them */
	assert_string_equal(json("\xe2\x80\xae", 3), "\xe2\x80\xae");
}

static void
t_json(void **state)
{
	(void)state;
	assert_string_equal(json("a\"b\\c", 5), "a\\\"b\\\\c");
	assert_string_equal(json("\033\n", 2), "\\u001b\\n");
	assert_string_equal(json("\x7f", 1), "\\u007f");
	assert_string_equal(json("\xff" "x", 2), "\\ufffdx");
	assert_string_equal(json("\xe2\x82\xac", 3), "\xe2\x82\xac");
	assert_string_equal(json("", 0), "");
}

static void
t_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf",
	    4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	/* past U+10FFFF */
	assert_int_equal(utf8_decode((const unsigned char *)"\xf4\x90\x80\x80",
	    4, &cp), 0);
	/* overlong 3-byte form of U+007F */
	assert_int_equal(utf8_decode((const unsigned char *)"\xe0\x81\xbf", 3,
	    &cp), 0);
	assert_int_equal(utf8_decode((const unsigned char *)"", 0, &cp), 0);
}

static void
t_width(void **state)
{
	(void)state;
	assert_int_equal(escape_width("abc"), 3);
	assert_int_equal(escape_width("caf\xc3\xa9"), 4);
	assert_int_equal(escape_width(""), 0);
}

static void
t_capped(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 8);
	escape_terminal(&sb, "\033\033\033\033\033\033", 6);
	assert_true(sb.len <= 8);
	assert_true(sb.truncated);
	strbuf_release(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_terminal_controls),
		cmocka_unit_test(t_terminal_utf8),
		cmocka_unit_test(t_terminal_format),
		cmocka_unit_test(t_json),
		cmocka_unit_test(t_decode),
		cmocka_unit_test(t_width),
		cmocka_unit_test(t_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
