/*
 * jsonw.c - the JSON writer: a stack of (object | array, empty) levels
 * over a capped strbuf.
 */
#include <string.h>

#include "render/jsonw.h"
#include "util/escape.h"
#include "util/notes.h"
#include "util/xmalloc.h"
#include "util/banned.h"

void
jw_init(struct jw *w, struct strbuf *sb, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->pretty = pretty;
}

static void
newline(struct jw *w)
{
	if (!w->pretty)
		return;
	strbuf_addch(w->sb, '\n');
	for (int i = 0; i < w->depth; i++)
		strbuf_addstr(w->sb, "  ");
}

/* The separator and key before a value; 0, or -1 on misuse. */
static int
member(struct jw *w, const char *key)
{
	if (w->error)
		return -1;
	if (w->depth == 0) {
		if (key) {
			w->error = 1;
			return -1;
		}
		return 0;
	}
	if ((w->kind[w->depth - 1] == '{') != (key != NULL)) {
		w->error = 1;
		return -1;
	}
	if (!w->empty[w->depth - 1])
		strbuf_addch(w->sb, ',');
	w->empty[w->depth - 1] = 0;
	newline(w);
	if (key) {
		strbuf_addch(w->sb, '"');
		escape_json(w->sb, key, strlen(key));
		strbuf_addstr(w->sb, w->pretty ? "\": " : "\":");
	}
	return 0;
}

static void
open_level(struct jw *w, const char *key, char kind)
{
	if (member(w, key) < 0)
		return;
	if (w->depth >= JW_DEPTH_MAX) {
		w->error = 1;
		return;
	}
	strbuf_addch(w->sb, kind);
	w->kind[w->depth] = kind;
	w->empty[w->depth] = 1;
	w->depth++;
}

void
jw_object(struct jw *w, const char *key)
{
	open_level(w, key, '{');
}

void
jw_array(struct jw *w, const char *key)
{
	open_level(w, key, '[');
}

void
jw_end(struct jw *w)
{
	char kind;
	int was_empty;

	if (w->error)
		return;
	if (w->depth == 0) {
		w->error = 1;
		return;
	}
	kind = w->kind[w->depth - 1];
	was_empty = w->empty[w->depth - 1];
	w->depth--;
	if (!was_empty)
		newline(w);
	strbuf_addch(w->sb, kind == '{' ? '}' : ']');
	if (w->depth == 0 && w->pretty)
		strbuf_addch(w->sb, '\n');
}

void
jw_strn(struct jw *w, const char *key, const char *val, size_t n)
{
	if (member(w, key) < 0)
		return;
	strbuf_addch(w->sb, '"');
	escape_json(w->sb, val, n);
	strbuf_addch(w->sb, '"');
}

void
jw_str(struct jw *w, const char *key, const char *val)
{
	if (val == NULL)
		jw_null(w, key);
	else
		jw_strn(w, key, val, strlen(val));
}

void
jw_int(struct jw *w, const char *key, int64_t val)
{
	if (member(w, key) == 0)
		strbuf_addf(w->sb, "%lld", (long long)val);
}

void
jw_bool(struct jw *w, const char *key, int val)
{
	if (member(w, key) == 0)
		strbuf_addstr(w->sb, val ? "true" : "false");
}

void
jw_null(struct jw *w, const char *key)
{
	if (member(w, key) == 0)
		strbuf_addstr(w->sb, "null");
}

void
jw_raw(struct jw *w, const char *key, const char *json)
{
	if (member(w, key) == 0)
		strbuf_addstr(w->sb, json ? json : "null");
}

int
jw_finish(struct jw *w, char **cause)
{
	*cause = NULL;
	if (w->sb->truncated) {
		*cause = xasprintf("output too large (over %zu bytes)",
		    w->sb->cap);
		return -1;
	}
	if (w->error || w->depth != 0) {
		*cause = xstrdup("internal error: JSON writer misuse");
		return -1;
	}
	return 0;
}

int
jw_emit(struct jw *w, FILE *out, char **cause)
{
	if (jw_finish(w, cause) < 0)
		return -1;
	fwrite(w->sb->buf, 1, w->sb->len, out);
	return 0;
}

void
jw_notes(struct jw *w)
{
	size_t i, n = notes_count();

	jw_array(w, "notes");
	for (i = 0; i < n; i++)
		jw_str(w, NULL, notes_get(i));
	jw_end(w);
	if (notes_dropped())
		jw_int(w, "notes_dropped", (int64_t)notes_dropped());
}
