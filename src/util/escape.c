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
 * Format characters (Unicode category Cf) and the line and paragraph
 * separators: invisible, and the bidirectional ones (U+202A-U+202E,
 * U+2066-U+2069) reorder the text around them, so a process name could
 * make the administrator read another line than the one printed.
 */
static int
is_format_char(uint32_t cp)
{
	static const struct { uint32_t lo, hi; } ranges[] = {
		{ 0x00ad, 0x00ad }, { 0x0600, 0x0605 }, { 0x061c, 0x061c },
		{ 0x06dd, 0x06dd }, { 0x070f, 0x070f }, { 0x0890, 0x0891 },
		{ 0x08e2, 0x08e2 }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
		{ 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x2066, 0x206f },
		{ 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0x110bd, 0x110bd },
		{ 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
		{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
		{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
	};

	if (cp < 0xad)
		return 0;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cp >= ranges[i].lo && cp <= ranges[i].hi)
			return 1;
	return 0;
}

/*
 * The one escaping loop.  Terminal form: backslash, C0, DEL, C1 and the
 * format characters become escapes and invalid bytes \xNN.  JSON form: quote, backslash, C0 and DEL
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
		else if (!json && is_format_char(cp))
			strbuf_addf(out, cp > 0xffff ? "\\U%08x" : "\\u%04x",
			    (unsigned)cp);
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
