/*
 * row.h - what a column getter reads (one socket, one of its owners)
 * and what it produces (a typed value).  Shared by the column
 * description and every module that supplies getters to it.
 */
#ifndef PS_RENDER_ROW_H
#define PS_RENDER_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "model/listing.h"

enum val_type { V_NULL, V_STR, V_INT, V_BOOL, V_INTLIST };

struct value {
	enum val_type	 type;
	const char	*str;		/* V_STR: borrowed, or points into buf */
	int64_t		 num;		/* V_INT, V_BOOL */
	const int	*list;		/* V_INTLIST */
	size_t		 nlist;
	char		 buf[256];
};

/* A value before its getter: null, buf empty.  Only the header is
 * cleared: clearing buf whole was most of the table's own time on a busy
 * host, and every getter that writes buf ends its text there. */
static inline void
value_clear(struct value *v)
{
	v->type = V_NULL;
	v->str = NULL;
	v->num = 0;
	v->list = NULL;
	v->nlist = 0;
	v->buf[0] = '\0';
}

struct row {
	const struct listing	*l;
	const struct sock_view	*v;
	const struct owner	*o;	/* NULL for a socket without owners */
	const struct proc_rec	*p;
};

enum col_level { COL_SOCKET, COL_OWNER };

#endif
