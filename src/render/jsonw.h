/*
 * jsonw.h - the one JSON writer.  Every document portsleuth prints (the
 * listing, explain, audit, probe) is written through it.
 *
 * The writer tracks nesting itself: it knows whether it is inside an
 * object or an array and whether a member came before, so callers never
 * write a comma, a quote or a brace by hand, and never "reopen" a
 * finished object.  Every string is escaped here (escape_json), so no
 * caller can forget it.  One null convention: a NULL string is written as
 * null, never left out.  Keys are ASCII literals from the program.
 *
 * Output goes to a capped strbuf; a document that does not fit is
 * reported by jw_finish(), never written half.  Misuse (a key inside an
 * array, an end without a begin, nesting past JW_DEPTH_MAX) sets
 * w->error, which jw_finish() also reports.
 */
#ifndef PS_RENDER_JSONW_H
#define PS_RENDER_JSONW_H

#include <stdint.h>
#include <stdio.h>

#include "util/strbuf.h"

#define JW_DEPTH_MAX	32

struct jw {
	struct strbuf	*sb;
	int		 pretty;	/* newlines and two-space indents */
	int		 depth;
	char		 kind[JW_DEPTH_MAX];	/* '{' or '[' per level */
	char		 empty[JW_DEPTH_MAX];	/* no member written yet */
	int		 error;
};

/* Start a document in sb (not reset: a stream can flush and go on). */
void jw_init(struct jw *w, struct strbuf *sb, int pretty);
/*
 * Members.  key is required inside an object and must be NULL inside an
 * array or for the top-level value.
 */
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
/* The first n bytes of val (n bytes, NUL or not). */
void jw_strn(struct jw *w, const char *key, const char *val, size_t n);
void jw_int(struct jw *w, const char *key, int64_t val);
void jw_bool(struct jw *w, const char *key, int val);
void jw_null(struct jw *w, const char *key);
/*
 * A value already written by another jw (a nested document kept in a
 * cache): json must be one complete JSON value from this writer.
 */
void jw_raw(struct jw *w, const char *key, const char *json);
/*
 * 0 when the document is complete and fit its buffer; -1 with *cause
 * ("output too large", "JSON writer misuse") otherwise.  The caller
 * frees *cause.
 */
int jw_finish(struct jw *w, char **cause);

/* jw_finish(), then the document to out when it is whole: 0, or -1
 * with *cause (nothing written). */
int jw_emit(struct jw *w, FILE *out, char **cause);

/* The run's notes: "notes": [...] and, past the cap, "notes_dropped". */
void jw_notes(struct jw *w);

#endif
