/*
 * libFuzzer harness: terminal and JSON escaping of arbitrary bytes.  Checks
 * the promises, not just the absence of crashes: the terminal form has no
 * control byte, the JSON form is valid UTF-8 with no raw control byte.
 */
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>

#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
valid_utf8_no_controls(const struct strbuf *sb)
{
	const unsigned char *s = (const unsigned char *)strbuf_str(sb);
	size_t i = 0;

	while (i < sb->len) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, sb->len - i, &cp);

		if (n == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			return 0;
		i += n;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, 1u << 20);
	escape_terminal(&sb, (const char *)data, size);
	if (!valid_utf8_no_controls(&sb))
		abort();
	(void)escape_width(strbuf_str(&sb));
	strbuf_reset(&sb);
	escape_json(&sb, (const char *)data, size);
	/* JSON may keep U+0080..U+009F raw; only check UTF-8 and C0/DEL */
	{
		const unsigned char *s = (const unsigned char *)strbuf_str(&sb);
		size_t i = 0;

		while (i < sb.len) {
			uint32_t cp;
			size_t n = utf8_decode(s + i, sb.len - i, &cp);

			if (n == 0 || cp < 0x20 || cp == 0x7f)
				abort();
			i += n;
		}
	}
	strbuf_release(&sb);
	return 0;
}
