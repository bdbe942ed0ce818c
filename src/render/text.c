/*
 * text.c - escaped, aligned text for the commands' own outputs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "render/text.h"
#include "util/escape.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define CELL_CAP	(1u << 20)

static const char *
escaped(struct strbuf *sb, const char *s)
{
	strbuf_reset(sb);
	if (s == NULL)
		s = "-";
	escape_terminal(sb, s, strlen(s));
	return strbuf_str(sb);
}

size_t
text_width(const char *s)
{
	struct strbuf sb;
	size_t w;

	strbuf_init(&sb, CELL_CAP);
	w = escape_width(escaped(&sb, s));
	strbuf_release(&sb);
	return w;
}

void
text_row(FILE *out, const size_t *widths, size_t n, const char *const *cells)
{
	struct strbuf sb;

	strbuf_init(&sb, CELL_CAP);
	for (size_t i = 0; i < n; i++) {
		const char *e = escaped(&sb, cells[i]);

		fputs(e, out);
		if (i + 1 < n) {
			size_t w = escape_width(e);

			for (; w < widths[i]; w++)
				fputc(' ', out);
			fputs("  ", out);
		}
	}
	fputc('\n', out);
	strbuf_release(&sb);
}

void
text_field(FILE *out, const char *label, const char *value)
{
	struct strbuf sb;

	if (value == NULL || *value == '\0')
		return;
	strbuf_init(&sb, CELL_CAP);
	fprintf(out, "  %-11s %s\n", label, escaped(&sb, value));
	strbuf_release(&sb);
}

void
text_fieldf(FILE *out, const char *label, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_field(out, label, buf);
}

void
text_line(FILE *out, const char *s)
{
	struct strbuf sb;

	strbuf_init(&sb, CELL_CAP);
	fprintf(out, "%s\n", escaped(&sb, s));
	strbuf_release(&sb);
}
