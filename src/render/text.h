/*
 * text.h - the writer for the text of explain, audit and probe: every
 * cell and value is escaped here (escape_terminal), so no command prints
 * a byte it did not pass through it.  The listing's own table, which
 * fits itself to the terminal, is render/table.c over the column
 * description; it escapes the same way.
 */
#ifndef PS_RENDER_TEXT_H
#define PS_RENDER_TEXT_H

#include <stddef.h>
#include <stdio.h>

/*
 * One row of cells, each escaped and padded to widths[i] terminal
 * columns (the last is not padded).  A NULL cell is shown as "-".
 * Cells longer than their width push the rest right; nothing is cut.
 */
void text_row(FILE *out, const size_t *widths, size_t n,
    const char *const *cells);
/* Width of s once escaped (for sizing columns). */
size_t text_width(const char *s);
/* "  label       value": one labelled line; nothing for NULL or "". */
void text_field(FILE *out, const char *label, const char *value);
/* The same with a printf format (the result is escaped as a whole). */
void text_fieldf(FILE *out, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A line of free text (a heading, a footnote), escaped. */
void text_line(FILE *out, const char *s);

#endif
