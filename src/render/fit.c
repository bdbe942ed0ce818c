/*
 * fit.c - column widths that fit, and cells cut with an ellipsis.
 */
#include <stddef.h>

#include "render/fit.h"
#include "util/banned.h"

size_t
fit_widths(size_t *widths, const int *shrink, const size_t *min_width,
    size_t n, size_t max)
{
	size_t total = 0, c;
	int rank;

	for (c = 0; c < n; c++)
		total += widths[c] + (c + 1 < n ? 2 : 0);
	for (rank = 1; rank <= 4 && total > max; rank++)
		for (c = 0; c < n && total > max; c++) {
			size_t give;

			if (shrink[c] != rank || widths[c] <= min_width[c])
				continue;
			give = widths[c] - min_width[c];
			if (give > total - max)
				give = total - max;
			widths[c] -= give;
			total -= give;
		}
	return total;
}

/* Byte offset of the character after the first n characters of s. */
static size_t
skip_chars(const char *cell, size_t n)
{
	const unsigned char *s = (const unsigned char *)cell;
	size_t i = 0;

	/* cell is valid UTF-8 (escaped): step over whole characters */
	while (s[i] != '\0' && n-- > 0) {
		i++;
		while ((s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

void
fit_cut(struct strbuf *line, const char *cell, size_t cell_width,
    size_t width, int keep_tail)
{
	static const char ellipsis[] = "\xe2\x80\xa6";	/* U+2026 */

	if (keep_tail) {
		strbuf_addstr(line, ellipsis);
		strbuf_addstr(line, cell + skip_chars(cell,
		    cell_width - (width - 1)));
	} else {
		strbuf_add(line, cell, skip_chars(cell, width - 1));
		strbuf_addstr(line, ellipsis);
	}
}
