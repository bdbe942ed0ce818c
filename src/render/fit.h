/*
 * fit.h - fitting a table to the terminal: which columns give up width,
 * and how a cell is cut.  Pure functions over widths and escaped text,
 * unit-tested on their own (render/table.c uses them).
 */
#ifndef PS_RENDER_FIT_H
#define PS_RENDER_FIT_H

#include <stddef.h>

#include "util/strbuf.h"

/*
 * Narrow the columns of n (widths[i], separated by two spaces) until the
 * table is at most max wide or nothing more can give: columns with
 * shrink[i] > 0 give width down to min_width[i], the lowest shrink rank
 * first (1 to 4), in column order within a rank.  Returns the total
 * width after fitting (more than max when it cannot fit).
 */
size_t fit_widths(size_t *widths, const int *shrink, const size_t *min_width,
    size_t n, size_t max);
/*
 * Append cell (valid UTF-8, cell_width characters) cut to width
 * characters with an ellipsis (U+2026) where it was cut: at the end, or
 * with keep_tail at the start (paths: the file name matters most).
 * width must be at least 1 and less than cell_width.
 */
void fit_cut(struct strbuf *line, const char *cell, size_t cell_width,
    size_t width, int keep_tail);

#endif
