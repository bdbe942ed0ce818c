/*
 * escape.h - make untrusted bytes safe for a terminal or a JSON document.
 *
 * Process names, command lines, paths and (later) banners come from other
 * users' processes.  Both escapers are total: any byte sequence gives a
 * printable result, and the output is appended to a capped strbuf.
 */
#ifndef PS_ESCAPE_H
#define PS_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * (1-4) and stores the code point, or 0 for an invalid, overlong,
 * surrogate or truncated sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Terminal form: C0 and C1 controls and DEL become \n, \t, \e or \xNN,
 * format characters (bidirectional controls U+202A-U+202E and
 * U+2066-U+2069, zero-width characters, U+2028/U+2029 and the rest of
 * Unicode's Cf) become \uXXXX, a backslash becomes "\\", invalid UTF-8
 * bytes become \xNN; other valid UTF-8 passes through.
 */
void escape_terminal(struct strbuf *out, const char *s, size_t n);

/*
 * JSON string body (without quotes): ", \ and controls escaped as JSON
 * requires; an invalid UTF-8 byte becomes U+FFFD so the document is
 * always valid UTF-8.
 */
void escape_json(struct strbuf *out, const char *s, size_t n);

/*
 * Length of the leading part of the NUL-terminated string s that needs no
 * terminal escaping (printable ASCII other than backslash).  When it is
 * the whole string, the escaped form is the string itself.
 */
size_t escape_plain_prefix(const char *s);

/*
 * Number of terminal columns a terminal-escaped string takes (its code
 * points; the argument must be valid UTF-8, as escape_terminal() output is).
 */
size_t escape_width(const char *s);

#endif
