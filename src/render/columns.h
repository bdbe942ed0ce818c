/*
 * columns.h - the one column description shared by the table and JSON
 * writers.
 *
 * A column belongs to the socket or to one owner (process) of it, has a
 * table header and/or a JSON key, and a getter that produces a typed
 * value.  The table shows one row per (socket, owner); JSON nests owners
 * inside their socket.  Adding a field means adding one entry here.
 */
#ifndef PS_COLUMNS_H
#define PS_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "render/jsonw.h"
#include "render/row.h"
#include "util/strbuf.h"

/* When a column appears in the table. */
#define CT_NEVER	0
#define CT_ALWAYS	1
#define CT_WIDE		2	/* --wide only */
#define CT_ALLSTATES	3	/* -a only */
#define CT_WHY		4	/* --why only */
#define CT_PROBE	5	/* --probe only */
#define CT_NETNS	6	/* when more than one namespace is listed */
#define CT_FIREWALL	7	/* --firewall only */
#define CT_FORWARDS	8	/* when a listener forwards (--why, --probe) */

enum col_style { STYLE_NONE, STYLE_EXPOSURE, STYLE_NOTE, STYLE_INTEGRITY,
	STYLE_VERDICT, STYLE_FIREWALL };

struct column {
	const char	*header;	/* table header, NULL if not in table */
	const char	*key;		/* JSON key, NULL if not in JSON */
	enum col_level	 level;
	int		 table;		/* CT_* */
	enum col_style	 style;
	void		(*get)(const struct row *, struct value *);
	/*
	 * Fitting a table to the terminal: columns with shrink > 0 may be
	 * cut down to min_width, the lowest shrink first.
	 */
	int		 shrink;
	size_t		 min_width;
	int		 keep_tail;	/* cut the start, not the end (paths) */
	int		 why;		/* only when dossiers were built */
	int		 probe;		/* only when sockets were probed */
	/* JSON-only structured fields write themselves (get is NULL) */
	void		(*put)(const struct row *, struct jw *, const char *key);
};

extern const struct column columns[];
extern const size_t ncolumns;

/* Text form of a value for the table (unescaped; "-" for null). */
const char *value_text(const struct value *v, struct strbuf *scratch);

struct netns;
/* The fields of a network namespace's JSON object (inode, kind, name,
 * label, runtime, container id, name, image, rootfs, pod). */
void columns_netns_fields(struct jw *w, const struct netns *ns);

#endif
