/* Unit tests for the pure parts of render/: the JSON writer, the text
 * writer, fitting a table to a width and cutting cells. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "cm.h"
#include "model/listing.h"
#include "render/fit.h"
#include "proc/users.h"
#include "render/render.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/notes.h"

static char *
finish(struct jw *w, int want_rc)
{
	char *cause = NULL;

	assert_int_equal(jw_finish(w, &cause), want_rc);
	if (want_rc == 0)
		assert_null(cause);
	else
		assert_non_null(cause);
	return cause;
}

static void
t_jw_nesting(void **state)
{
	struct strbuf sb;
	struct jw w;

	(void)state;
	strbuf_init(&sb, 4096);
	jw_init(&w, &sb, 0);
	jw_object(&w, NULL);
	jw_str(&w, "a", "x");
	jw_null(&w, "b");
	jw_str(&w, "c", NULL);		/* one null convention: written */
	jw_array(&w, "d");
	jw_int(&w, NULL, -3);
	jw_bool(&w, NULL, 1);
	jw_object(&w, NULL);
	jw_end(&w);
	jw_array(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_strn(&w, "e", "abcdef", 3);
	jw_end(&w);
	free(finish(&w, 0));
	assert_string_equal(strbuf_str(&sb), "{\"a\":\"x\",\"b\":null,"
	    "\"c\":null,\"d\":[-3,true,{},[]],\"e\":\"abc\"}");
	strbuf_release(&sb);
}

static void
t_jw_pretty(void **state)
{
	struct strbuf sb;
	struct jw w;

	(void)state;
	strbuf_init(&sb, 4096);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_array(&w, "v");
	jw_int(&w, NULL, 1);
	jw_end(&w);
	jw_object(&w, "empty");
	jw_end(&w);
	jw_end(&w);
	free(finish(&w, 0));
	assert_string_equal(strbuf_str(&sb), "{\n  \"v\": [\n    1\n  ],\n"
	    "  \"empty\": {}\n}\n");
	strbuf_release(&sb);
}

static void
t_jw_escaping(void **state)
{
	struct strbuf sb;
	struct jw w;

	(void)state;
	strbuf_init(&sb, 4096);
	jw_init(&w, &sb, 0);
	jw_array(&w, NULL);
	jw_str(&w, NULL, "q\"b\\\n\x1b");
	jw_strn(&w, NULL, "n\0l", 3);	/* a NUL inside the length */
	jw_str(&w, NULL, "\xff");	/* invalid UTF-8 */
	jw_end(&w);
	free(finish(&w, 0));
	assert_string_equal(strbuf_str(&sb), "[\"q\\\"b\\\\\\n\\u001b\","
	    "\"n\\u0000l\",\"\\ufffd\"]");
	strbuf_release(&sb);
}

static void
t_jw_misuse(void **state)
{
	struct strbuf sb;
	struct jw w;
	char *cause;

	(void)state;
	strbuf_init(&sb, 4096);
	/* a key inside an array */
	jw_init(&w, &sb, 0);
	jw_array(&w, NULL);
	jw_int(&w, "k", 1);
	jw_end(&w);
	cause = finish(&w, -1);
	assert_non_null(strstr(cause, "misuse"));
	free(cause);
	/* no key inside an object */
	strbuf_reset(&sb);
	jw_init(&w, &sb, 0);
	jw_object(&w, NULL);
	jw_int(&w, NULL, 1);
	jw_end(&w);
	free(finish(&w, -1));
	/* an end too many, and a document left open */
	strbuf_reset(&sb);
	jw_init(&w, &sb, 0);
	jw_end(&w);
	free(finish(&w, -1));
	strbuf_reset(&sb);
	jw_init(&w, &sb, 0);
	jw_object(&w, NULL);
	free(finish(&w, -1));
	/* nesting past the limit */
	strbuf_reset(&sb);
	jw_init(&w, &sb, 0);
	for (int i = 0; i <= JW_DEPTH_MAX; i++)
		jw_array(&w, NULL);
	free(finish(&w, -1));
	strbuf_release(&sb);
}

static void
t_jw_cap(void **state)
{
	struct strbuf sb;
	struct jw w;
	char *cause;

	(void)state;
	strbuf_init(&sb, 64);
	jw_init(&w, &sb, 0);
	jw_array(&w, NULL);
	for (int i = 0; i < 100; i++)
		jw_str(&w, NULL, "a long enough string");
	jw_end(&w);
	cause = finish(&w, -1);
	assert_non_null(strstr(cause, "output too large"));
	free(cause);
	strbuf_release(&sb);
}

static void
t_jw_notes(void **state)
{
	struct strbuf sb;
	struct jw w;

	(void)state;
	notes_reset();
	notes_add("'%s' is a FIFO", "/etc/x");
	notes_add("'%s' is a FIFO", "/etc/x");	/* kept once */
	for (int i = 0; i < NOTES_MAX + 5; i++)
		notes_add("note %d", i);
	assert_int_equal(notes_count(), NOTES_MAX);
	assert_int_equal(notes_dropped(), 6);
	strbuf_init(&sb, 1 << 16);
	jw_init(&w, &sb, 0);
	jw_object(&w, NULL);
	jw_notes(&w);
	jw_end(&w);
	free(finish(&w, 0));
	assert_true(strncmp(strbuf_str(&sb), "{\"notes\":[\"'/etc/x' is a "
	    "FIFO\",\"note 0\"", 36) == 0);
	assert_non_null(strstr(strbuf_str(&sb), "],\"notes_dropped\":6}"));
	strbuf_release(&sb);
	notes_reset();
	assert_int_equal(notes_count(), 0);
}

static char *
text_of(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void
row3(FILE *f, const void *arg)
{
	const char *const *cells = arg;
	static const size_t w[] = { 5, 3, 0 };

	text_row(f, w, 3, cells);
}

static void
t_text_row(void **state)
{
	const char *plain[] = { "ab", "c", "last" };
	/* an e-acute is one column; an escape sequence is escaped first */
	const char *wide[] = { "\xc3\xa9", "\x1b[2J", NULL };
	char *s;

	(void)state;
	s = text_of(row3, plain);
	assert_string_equal(s, "ab     c    last\n");
	free(s);
	s = text_of(row3, wide);
	assert_string_equal(s, "\xc3\xa9      \\e[2J  -\n");
	free(s);
	assert_int_equal(text_width("\xc3\xa9\xe2\x80\xae"), 7);
}

static void
field(FILE *f, const void *arg)
{
	text_field(f, "label", arg);
}

static void
t_text_field(void **state)
{
	char *s;

	(void)state;
	s = text_of(field, "v\xc2\x9bx");
	assert_string_equal(s, "  label       v\\u009bx\n");
	free(s);
	s = text_of(field, "");
	assert_string_equal(s, "");	/* nothing for an empty value */
	free(s);
}

static void
t_fit_widths(void **state)
{
	size_t w[4] = { 10, 30, 20, 8 };
	const int shrink[4] = { 0, 2, 1, 0 };
	const size_t minw[4] = { 0, 12, 10, 0 };

	(void)state;
	/* 10+30+20+8 and three separators: 74 */
	assert_int_equal(fit_widths(w, shrink, minw, 4, 100), 74);
	assert_int_equal(w[1], 30);
	/* rank 1 gives first, and only what is needed */
	assert_int_equal(fit_widths(w, shrink, minw, 4, 70), 70);
	assert_int_equal(w[2], 16);
	assert_int_equal(w[1], 30);
	/* then rank 2, each down to its minimum at most */
	assert_int_equal(fit_widths(w, shrink, minw, 4, 50), 50);
	assert_int_equal(w[2], 10);
	assert_int_equal(w[1], 16);
	/* it cannot fit: everything at its minimum, the total said */
	assert_int_equal(fit_widths(w, shrink, minw, 4, 10), 46);
	assert_int_equal(w[0], 10);
	assert_int_equal(w[1], 12);
	assert_int_equal(w[2], 10);
	assert_int_equal(w[3], 8);
}

static void
t_fit_cut(void **state)
{
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 4096);
	fit_cut(&sb, "abcdefgh", 8, 4, 0);
	assert_string_equal(strbuf_str(&sb), "abc\xe2\x80\xa6");
	strbuf_reset(&sb);
	fit_cut(&sb, "/usr/sbin/sshd", 14, 6, 1);
	assert_string_equal(strbuf_str(&sb), "\xe2\x80\xa6/sshd");
	/* never inside a multibyte character */
	strbuf_reset(&sb);
	fit_cut(&sb, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4, 3, 0);
	assert_string_equal(strbuf_str(&sb), "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
	strbuf_reset(&sb);
	fit_cut(&sb, "\xc3\xa9x\xc3\xa9y", 4, 3, 1);
	assert_string_equal(strbuf_str(&sb), "\xe2\x80\xa6\xc3\xa9y");
	strbuf_release(&sb);
}

static char *
table_of(const struct listing *l, const struct render_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	render_table(f, l, o);
	fclose(f);
	return buf;
}

/*
 * The table made in two passes (cells not kept) is the same table.  The
 * rows come in runs (two, three), so kept cells are also repeats of the
 * cell above, among them an escaped one and one that is the start of the
 * one above.
 */
static void
t_table_two_pass(void **state)
{
	static const char *texts[] = {
		"loopback only", "all interfaces (IPv4+IPv6)",
		"evil \033[2J\nname \xc3\xa9 \xff",
		"one address on a-very-long-interface-name-that-is-cut-to-fit",
		"loopback", "l", ""
	};
	struct sock_rec socks[40];
	struct sock_view views[40];
	struct exposure_view exps[40];
	struct listing l;
	struct render_opts o;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(socks, 0, sizeof(socks));
	memset(views, 0, sizeof(views));
	for (size_t i = 0; i < 40; i++) {
		socks[i].proto = (uint8_t)(i / 2 % 2 ? PROTO_UDP : PROTO_TCP);
		socks[i].family = AF_INET;
		socks[i].state = (uint8_t)(i / 2 % 2 ? ST_CLOSE : ST_LISTEN);
		socks[i].lport = (uint16_t)(1000 + i / 3 * 37);
		socks[i].laddr[0] = 127;
		socks[i].laddr[3] = (uint8_t)i;
		socks[i].inode = 5000 + i;
		views[i].s = &socks[i];
		exps[i].kind = (enum exposure_kind)(i % 3 ? EXP_ALL :
		    EXP_LOOPBACK);
		exps[i].ifname = NULL;
		exps[i].text = texts[i / 3 % 7];
		views[i].exp = &exps[i];
	}
	l.views = views;
	l.nviews = 40;
	l.nrows = 40;
	l.users = users_new();
	users_parse(l.users, "root:x:0:0::/root:/bin/sh\n", 25);
	for (int color = 0; color < 2; color++)
		for (size_t width = 0; width <= 60; width += 60) {
			char *kept, *two;

			memset(&o, 0, sizeof(o));
			o.color = color;
			o.max_width = width;
			kept = table_of(&l, &o);
			o.rows_kept = 1;
			two = table_of(&l, &o);
			assert_string_equal(kept, two);
			assert_non_null(strstr(kept, "without a visible owner"));
			/* the process name's escape is written as text */
			assert_null(strstr(kept, "\033[2J"));
			assert_non_null(strstr(kept, "evil "));
			free(kept);
			free(two);
		}
	users_free(l.users);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_jw_nesting),
		cmocka_unit_test(t_jw_pretty),
		cmocka_unit_test(t_jw_escaping),
		cmocka_unit_test(t_jw_misuse),
		cmocka_unit_test(t_jw_cap),
		cmocka_unit_test(t_jw_notes),
		cmocka_unit_test(t_text_row),
		cmocka_unit_test(t_text_field),
		cmocka_unit_test(t_fit_widths),
		cmocka_unit_test(t_fit_cut),
		cmocka_unit_test(t_table_two_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
