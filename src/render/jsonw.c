/*
 * jsonw.c - small JSON writers over escape_json(): every string that
 * reaches a document goes through json_str().
 */
#include <string.h>

#include "render/jsonw.h"
#include "util/escape.h"
#include "util/notes.h"
#include "util/banned.h"

void
json_str(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		strbuf_addstr(sb, "null");
		return;
	}
	strbuf_addch(sb, '"');
	escape_json(sb, s, strlen(s));
	strbuf_addch(sb, '"');
}

void
json_notes(struct strbuf *sb)
{
	size_t i, n = notes_count();

	strbuf_addstr(sb, "\"notes\": [");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		json_str(sb, notes_get(i));
	}
	strbuf_addstr(sb, "]");
	if (notes_dropped())
		strbuf_addf(sb, ", \"notes_dropped\": %zu", notes_dropped());
}

void
json_key(struct strbuf *sb, int *first, const char *k)
{
	strbuf_addf(sb, "%s\"%s\": ", *first ? "" : ", ", k);
	*first = 0;
}

void
json_key_str(struct strbuf *sb, int *first, const char *k, const char *val)
{
	if (val == NULL)
		return;
	json_key(sb, first, k);
	json_str(sb, val);
}

void
json_key_int(struct strbuf *sb, int *first, const char *k, long long val)
{
	json_key(sb, first, k);
	strbuf_addf(sb, "%lld", val);
}

void
json_key_bool(struct strbuf *sb, int *first, const char *k, int val)
{
	json_key(sb, first, k);
	strbuf_addstr(sb, val ? "true" : "false");
}

