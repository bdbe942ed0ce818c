/*
 * table.c - the aligned table.
 *
 * Every cell is produced by the column getters, escaped for the terminal
 * (so a process named "\e[2J" or holding newlines prints as text), then
 * measured; widths are known before the first row is written.  Cells live
 * in one arena (a capped strbuf, read back in the order written), not
 * one allocation each: a busy host has tens of thousands of rows.  Past
 * GRID_ROWS_MAX rows they are not kept at all: a first pass measures, a
 * second formats again and writes.  Colour only marks the exposure
 * verdict and notes, and only when asked.
 */
#include <stdlib.h>
#include <string.h>

#include "fw/firewall.h"
#include "render/columns.h"
#include "render/fit.h"
#include "why/dossier.h"
#include "probe/verdict.h"
#include "render/render.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define MAX_COLS	32
#define ARENA_MAX	(((size_t)1 << 32) - 1)	/* far past any real table */

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
	case CT_WHY:
		return o->why;
	case CT_PROBE:
		return o->probe;
	case CT_NETNS:
		return o->netns;
	case CT_FIREWALL:
		return o->firewall;
	case CT_FORWARDS:
		return o->forwards;
	}
	return 0;
}

static const char *
color_of(const struct column *c, const struct row *r)
{
	if (c->style == STYLE_EXPOSURE) {
		switch (r->v->exp->kind) {
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
	if (c->style == STYLE_FIREWALL && r->l->fw) {
		const struct fw_view *fv = &r->l->fw->views[r->v - r->l->views];
		int open = 0, undecided = 0;

		for (size_t k = 0; k < fv->n; k++) {
			open |= fv->e[k].v == FWV_OPEN;
			undecided |= fv->e[k].v == FWV_UNDECIDED;
		}
		return open ? "\033[1;31m" : undecided ? "\033[33m" :
		    fv->n ? "\033[32m" : NULL;
	}
	if (c->style == STYLE_VERDICT && r->l->probe) {
		const struct probe_view *pv = &r->l->probe[r->v - r->l->views];

		return pv->probed && pv->verdict == VERDICT_MISMATCH ?
		    "\033[1;31m" : pv->probed && pv->verdict ==
		    VERDICT_CONSISTENT ? "\033[32m" : NULL;
	}
	if (c->style == STYLE_INTEGRITY && r->l->why && r->o) {
		const char *w = integrity_word(
		    &r->l->why->v[r->o->proc].integ);

		return strcmp(w, "ok") == 0 ? "\033[32m" :
		    strcmp(w, "unverified") == 0 ? NULL : "\033[1;31m";
	}
	return NULL;
}

/*
 * Above this many rows the cells are not kept: the table is made in two
 * passes over the rows, widths first, then each row formatted again and
 * written (twice the formatting, none of the cells' memory: a row's
 * text and, with colour, a pointer a cell).
 */
#define GRID_ROWS_MAX	100000

struct grid {
	size_t		 ncols, nrows;
	size_t		 cols[MAX_COLS];
	size_t		 widths[MAX_COLS];
	int		 keep;		/* the cells are kept (one pass) */
	/* when kept: the cells follow each other in the arena, row by
	 * row, each ended by a NUL; the writing pass reads them in the
	 * same order, so no offset or width is kept per cell.  A cell the
	 * same as the one above it (its process's, its state's) is kept as
	 * the one byte SAME_ABOVE. */
	const char	**color;	/* nrows * ncols; NULL without colour */
	struct strbuf	 arena;
	size_t		 above[MAX_COLS];	/* arena offset, + 1; 0: none */
	struct strbuf	 cell;		/* two passes: the cell at hand */
	struct strbuf	 line;		/* the output buffer */
	FILE		*out;
};

/* text escaped for the terminal onto sb, NUL included; its width */
static size_t
escape_cell(struct strbuf *sb, const char *text)
{
	size_t start = sb->len, n = escape_plain_prefix(text);

	if (text[n] == '\0') {
		/* plain ASCII, the usual case: copied as is */
		strbuf_add(sb, text, n + 1);
		return n;
	}
	escape_terminal(sb, text, strlen(text));
	strbuf_addch(sb, '\0');
	return escape_width(sb->buf + start);
}

/* Escaped text holds no control character: this one marks a repeat. */
#define SAME_ABOVE	'\001'

static void
put_cell(struct grid *g, size_t row, size_t c, const char *text,
    const char *color)
{
	size_t at = row * g->ncols + c, w, start = g->arena.len, n;
	const char *above;

	w = escape_cell(&g->arena, text);
	if (g->color)
		g->color[at] = color;
	if (w > g->widths[c])
		g->widths[c] = w;
	n = g->arena.len - start;	/* the NUL included */
	if (g->above[c] && n >= 2 && !g->arena.truncated) {
		above = g->arena.buf + g->above[c] - 1;
		if (memcmp(above, g->arena.buf + start, n) == 0) {
			strbuf_setlen(&g->arena, start);
			strbuf_addch(&g->arena, SAME_ABOVE);
			return;
		}
	}
	g->above[c] = start + 1;
}

/* A kept cell as the writing pass reads it back. */
struct kept {
	const char	*text;
	size_t		 len, width;
};

/* The next kept cell, of column c; *p moves past it (an arena cut at its
 * cap reads as empty cells past its end). */
static void
next_cell(const char **p, const char *end, struct kept *above, size_t c)
{
	const char *t = *p < end ? *p : "";
	size_t len;

	if (*p < end && *t == SAME_ABOVE) {
		(*p)++;
		return;		/* above[c] is the cell */
	}
	len = *p < end ? strnlen(t, (size_t)(end - t)) : 0;
	above[c].text = t;
	above[c].len = len;
	/* escaped text: plain ASCII is as wide as it is long */
	above[c].width = escape_plain_prefix(t) == len ? len :
	    escape_width(t);
	if (*p < end)
		*p = t + len + 1;
}

/* One cell onto the output line: coloured, cut or padded to its column. */
static void
write_cell(struct grid *g, size_t c, const char *text, size_t len,
    size_t width, const char *color)
{
	size_t pad;

	if (color)
		strbuf_addstr(&g->line, color);
	if (width > g->widths[c])
		fit_cut(&g->line, text, width, g->widths[c],
		    columns[g->cols[c]].keep_tail);
	else
		strbuf_add(&g->line, text, len);
	if (color)
		strbuf_addstr(&g->line, "\033[0m");
	if (c + 1 == g->ncols) {
		strbuf_addch(&g->line, '\n');
		if (g->line.len >= 1u << 16) {
			fwrite(g->line.buf, 1, g->line.len, g->out);
			strbuf_reset(&g->line);
		}
		return;
	}
	pad = width > g->widths[c] ? 2 : g->widths[c] - width + 2;
	strbuf_pad(&g->line, ' ', pad);
}

enum pass { PASS_KEEP, PASS_MEASURE, PASS_WRITE };

/* One cell of a pass: kept, measured, or formatted and written. */
static void
take_cell(struct grid *g, enum pass pass, size_t row, size_t c,
    const char *text, const char *color)
{
	size_t w;

	switch (pass) {
	case PASS_KEEP:
		put_cell(g, row, c, text, color);
		break;
	case PASS_MEASURE:
		strbuf_reset(&g->cell);
		w = escape_cell(&g->cell, text);
		if (w > g->widths[c])
			g->widths[c] = w;
		break;
	case PASS_WRITE:
		strbuf_reset(&g->cell);
		w = escape_cell(&g->cell, text);
		write_cell(g, c, g->cell.buf, g->cell.len - 1, w, color);
		break;
	}
}

/*
 * Every cell of the table, the header row first, through take_cell.
 * Returns the sockets without an owner.
 */
static size_t
each_cell(struct grid *g, enum pass pass, const struct listing *l,
    const struct render_opts *o, struct strbuf *scratch)
{
	size_t i, k, c, row = 1, unowned = 0;

	for (c = 0; c < g->ncols; c++)
		take_cell(g, pass, 0, c, columns[g->cols[c]].header, NULL);
	for (i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		size_t n = v->nowners ? v->nowners : 1;

		if (!v->nowners)
			unowned++;
		for (k = 0; k < n; k++, row++) {
			struct row r = { l, v, NULL, NULL };

			if (v->nowners) {
				r.o = &l->ps.owners[view_owner(l, v, k)];
				r.p = &l->ps.procs[r.o->proc];
			}
			for (c = 0; c < g->ncols; c++) {
				const struct column *col = &columns[g->cols[c]];
				struct value val;

				value_clear(&val);
				col->get(&r, &val);
				take_cell(g, pass, row, c,
				    value_text(&val, scratch),
				    o->color && pass != PASS_MEASURE ?
				    color_of(col, &r) : NULL);
			}
		}
	}
	return unowned;
}

/* Narrow the shrinkable columns of the grid to fit max. */
static void
fit_width(struct grid *g, size_t max)
{
	int shrink[MAX_COLS];
	size_t minw[MAX_COLS];

	for (size_t c = 0; c < g->ncols; c++) {
		shrink[c] = columns[g->cols[c]].shrink;
		minw[c] = columns[g->cols[c]].min_width;
	}
	(void)fit_widths(g->widths, shrink, minw, g->ncols, max);
}

static void
summary_line(FILE *out, const struct listing *l, size_t unowned)
{
	static const enum owner_note order[] = {
		OWNER_NOT_ROOT, OWNER_EXITED, OWNER_KERNEL, OWNER_TIMEWAIT,
		OWNER_NOT_SCANNED
	};
	const char *sep = ": ";
	size_t i;

	fprintf(out, "%zu socket%s without a visible owner", unowned,
	    unowned == 1 ? "" : "s");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		unsigned int n = l->unowned[order[i]];

		if (n == 0)
			continue;
		fprintf(out, "%s%u %s", sep, n, owner_note_text(order[i]));
		sep = "; ";
	}
	if (l->unowned[OWNER_NOT_ROOT])
		fputs(" (run as root to see other users' processes)", out);
	fputc('\n', out);
}

void
render_table(FILE *out, const struct listing *l, const struct render_opts *o)
{
	struct grid g;
	struct strbuf scratch;
	size_t i, row, c, unowned;

	memset(&g, 0, sizeof(g));
	for (i = 0; i < ncolumns && g.ncols < MAX_COLS; i++)
		if (shown(&columns[i], o))
			g.cols[g.ncols++] = i;
	g.nrows = l->nrows + 1;
	g.keep = g.nrows <= (o->rows_kept ? o->rows_kept : GRID_ROWS_MAX);
	g.out = out;
	strbuf_init(&scratch, 1u << 16);
	/* all rows go into one output buffer, flushed in large writes */
	strbuf_init(&g.line, ARENA_MAX);
	if (g.keep) {
		if (o->color)
			g.color = xcalloc(g.nrows * g.ncols, sizeof(*g.color));
		strbuf_init(&g.arena, ARENA_MAX);
		unowned = each_cell(&g, PASS_KEEP, l, o, &scratch);
	} else {
		strbuf_init(&g.cell, ARENA_MAX);
		unowned = each_cell(&g, PASS_MEASURE, l, o, &scratch);
	}
	if (o->max_width)
		fit_width(&g, o->max_width);
	if (g.keep) {
		const char *p = strbuf_str(&g.arena), *end = p + g.arena.len;
		struct kept above[MAX_COLS];

		memset(above, 0, sizeof(above));
		for (row = 0; row < g.nrows; row++)
			for (c = 0; c < g.ncols; c++) {
				size_t at = row * g.ncols + c;

				next_cell(&p, end, above, c);
				write_cell(&g, c, above[c].text, above[c].len,
				    above[c].width,
				    g.color ? g.color[at] : NULL);
			}
	} else {
		(void)each_cell(&g, PASS_WRITE, l, o, &scratch);
	}
	fwrite(strbuf_str(&g.line), 1, g.line.len, out);
	if (unowned)
		summary_line(out, l, unowned);
	free(g.color);
	strbuf_release(&g.arena);
	strbuf_release(&g.cell);
	strbuf_release(&g.line);
	strbuf_release(&scratch);
}
