/*
 * escape.c - terminal and JSON escaping of untrusted strings.
 */
#include <string.h>

#include "util/escape.h"
#include "util/banned.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Length of the leading run of printable ASCII other than the bytes in
 * `special` (which the caller escapes). */
static size_t
plain_run(const unsigned char *s, size_t n, unsigned char special)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\' &&
	    s[i] != special)
		i++;
	return i;
}

/*
 * The one escaping loop.  Terminal form: backslash, C0, DEL and C1 become
 * escapes and invalid bytes \xNN.  JSON form: quote, backslash, C0 and DEL
 * become JSON escapes and invalid bytes U+FFFD.
 */
static void
escape_common(struct strbuf *out, const char *str, size_t n, int json)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t len = plain_run(s + i, n - i, json ? '"' : '\\');

		if (len > 0) {
			/* the common case: copy a run of plain text at once */
			strbuf_add(out, s + i, len);
			i += len;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		if (len == 0) {
			if (json)
				strbuf_addstr(out, "\\ufffd");
			else
				strbuf_addf(out, "\\x%02x", s[i]);
			i++;
			continue;
		}
		if (cp == '\\')
			strbuf_addstr(out, "\\\\");
		else if (cp == '"' && json)
			strbuf_addstr(out, "\\\"");
		else if (cp == '\n')
			strbuf_addstr(out, "\\n");
		else if (cp == '\t')
			strbuf_addstr(out, "\\t");
		else if (cp == '\r')
			strbuf_addstr(out, "\\r");
		else if (cp == 0x1b && !json)
			strbuf_addstr(out, "\\e");
		else if (cp < 0x20 || cp == 0x7f)
			strbuf_addf(out, json ? "\\u%04x" : "\\x%02x",
			    (unsigned)cp);
		else if (cp >= 0x80 && cp < 0xa0 && !json)
			strbuf_addf(out, "\\u%04x", (unsigned)cp);
		else
			strbuf_add(out, s + i, len);
		i += len;
	}
}

void
escape_terminal(struct strbuf *out, const char *str, size_t n)
{
	escape_common(out, str, n, 0);
}

void
escape_json(struct strbuf *out, const char *str, size_t n)
{
	escape_common(out, str, n, 1);
}

size_t
escape_plain_prefix(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
		i++;
	return i;
}

size_t
escape_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t w = 0;

	/* escaped text is valid UTF-8: count the bytes that start a character */
	for (; *s; s++)
		if ((*s & 0xc0) != 0x80)
			w++;
	return w;
}
