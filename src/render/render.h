/*
 * render.h - writers for a built listing.
 */
#ifndef PS_RENDER_H
#define PS_RENDER_H

#include <stdio.h>

#include "model/listing.h"

struct render_opts {
	int	 wide;		/* full command lines */
	int	 all_states;	/* -a: show the peer column */
	int	 color;		/* emit ANSI colour */
	int	 verbose;
	int	 why;		/* origin, package, integrity columns */
	int	 probe;		/* WIRE and VERDICT columns */
	int	 netns;		/* NETNS column: several namespaces */
	int	 firewall;	/* FIREWALL column */
	int	 forwards;	/* FORWARDS column: a listener forwards */
	size_t	 max_width;	/* fit the table to this many columns; 0: no */
	/* keep the cells of a table of at most this many rows (0: 100,000);
	 * a longer one is made in two passes, its cells not kept */
	size_t	 rows_kept;
};

/* Aligned table on out, with the unattributed-owner summary line. */
void render_table(FILE *out, const struct listing *l,
    const struct render_opts *o);
/* One JSON document on out: 0, or -1 with *cause (caller frees) when
 * it could not be built (larger than 1 GiB). */
int render_json(FILE *out, const struct listing *l,
    const struct render_opts *o, char **cause);

#endif
