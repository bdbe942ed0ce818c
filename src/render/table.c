/*
 * table.c - the aligned table.
 *
 * Every cell is produced by the column getters, escaped for the terminal
 * (so a process named "\e[2J" or holding newlines prints as text), then
 * measured; widths are known before the first row is written.  Colour
 * only marks the exposure verdict and notes, and only when asked.
 */
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "render.h"
#include "../util/escape.h"
#include "../util/xmalloc.h"
#include "../util/banned.h"

#define CELL_MAX	(64u << 10)

static int
shown(const struct column *c, const struct render_opts *o)
{
	if (c->header == NULL)
		return 0;
	switch (c->table) {
	case CT_ALWAYS:
		return 1;
	case CT_WIDE:
		return o->wide;
	case CT_ALLSTATES:
		return o->all_states;
	}
	return 0;
}

static const char *
color_of(const struct column *c, const struct row *r)
{
	if (c->style == STYLE_EXPOSURE) {
		switch (r->v->exp.kind) {
		case EXP_LOOPBACK:
			return "\033[32m";
		case EXP_ALL:
		case EXP_NONLOCAL:
			return "\033[1;31m";
		default:
			return "\033[33m";
		}
	}
	if (c->style == STYLE_NOTE && r->p == NULL)
		return "\033[2m";
	return NULL;
}

void
render_table(FILE *out, const struct listing *l, const struct render_opts *o)
{
	size_t cols[64], ncols = 0, i, k, row = 0, c, unowned = 0;
	size_t widths[64];
	char **cells;
	const char **colors;
	struct strbuf scratch, esc;

	for (i = 0; i < ncolumns && ncols < 64; i++)
		if (shown(&columns[i], o))
			cols[ncols++] = i;
	cells = xcalloc((l->nrows + 1) * ncols, sizeof(*cells));
	colors = xcalloc((l->nrows + 1) * ncols, sizeof(*colors));
	strbuf_init(&scratch, CELL_MAX);
	strbuf_init(&esc, CELL_MAX * 4);
	for (c = 0; c < ncols; c++) {
		cells[c] = xstrdup(columns[cols[c]].header);
		widths[c] = strlen(cells[c]);
	}
	row = 1;
	for (i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		size_t n = v->nowners ? v->nowners : 1;

		if (!v->nowners)
			unowned++;
		for (k = 0; k < n; k++, row++) {
			struct row r = { l, v, NULL, NULL };

			if (v->nowners) {
				r.o = &l->ps.owners[v->owners[k]];
				r.p = &l->ps.procs[r.o->proc];
			}
			for (c = 0; c < ncols; c++) {
				const struct column *col = &columns[cols[c]];
				struct value val;
				const char *t;
				size_t w;

				memset(&val, 0, sizeof(val));
				col->get(&r, &val);
				t = value_text(&val, &scratch);
				strbuf_reset(&esc);
				escape_terminal(&esc, t, strlen(t));
				cells[row * ncols + c] = strbuf_detach(&esc);
				if (o->color)
					colors[row * ncols + c] = color_of(col, &r);
				w = escape_width(cells[row * ncols + c]);
				if (w > widths[c])
					widths[c] = w;
			}
		}
	}
	for (i = 0; i < row; i++) {
		for (c = 0; c < ncols; c++) {
			const char *cell = cells[i * ncols + c];
			const char *color = colors[i * ncols + c];
			size_t pad = widths[c] - escape_width(cell);

			if (color)
				fprintf(out, "%s%s\033[0m", color, cell);
			else
				fputs(cell, out);
			if (c + 1 < ncols)
				fprintf(out, "%*s", (int)(pad + 2), "");
		}
		fputc('\n', out);
	}
	if (unowned) {
		static const enum owner_note order[] = {
			OWNER_NOT_ROOT, OWNER_EXITED, OWNER_KERNEL,
			OWNER_TIMEWAIT, OWNER_NOT_SCANNED
		};
		const char *sep = ": ";

		fprintf(out, "%zu socket%s without a visible owner", unowned,
		    unowned == 1 ? "" : "s");
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			unsigned int n = l->unowned[order[i]];

			if (n == 0)
				continue;
			fprintf(out, "%s%u %s", sep, n,
			    owner_note_text(order[i]));
			sep = "; ";
		}
		if (l->unowned[OWNER_NOT_ROOT])
			fputs(" (run as root to see other users' processes)",
			    out);
		fputc('\n', out);
	}
	for (i = 0; i < row * ncols; i++)
		free(cells[i]);
	free(cells);
	free(colors);
	strbuf_release(&scratch);
	strbuf_release(&esc);
}
