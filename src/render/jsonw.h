/*
 * jsonw.h - the small JSON writers every document uses: strings are
 * always escaped here, so no caller can forget it.  A key whose string
 * value is NULL is left out (json_key_str); json_str writes null.
 */
#ifndef PS_RENDER_JSONW_H
#define PS_RENDER_JSONW_H

#include "util/strbuf.h"

void json_key_str(struct strbuf *sb, int *first, const char *key,
    const char *val);
void json_key_int(struct strbuf *sb, int *first, const char *key,
    long long val);
void json_key_bool(struct strbuf *sb, int *first, const char *key, int val);
/* Write the separator and "key": for the next value of an object. */
void json_key(struct strbuf *sb, int *first, const char *key);
void json_str(struct strbuf *sb, const char *s);
/* The run's notes: "notes": [...] (and "notes_dropped": N past the cap),
 * for a document's "sources" object. */
void json_notes(struct strbuf *sb);

#endif
