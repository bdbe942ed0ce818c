/*
 * listing.h - collect, join, annotate and select: the listing every
 * command renders.
 *
 * Data flow: sockdiag (sockets) -> socket-level selection -> procscan
 * (owners of the selected inodes only) -> exposure and service
 * annotations -> process-level selection -> sorted views.  The records
 * are built once; renderers only read them.
 */
#ifndef PS_LISTING_H
#define PS_LISTING_H

#include "model/exposure.h"
#include "model/filter.h"
#include "kernel/ifaces.h"
#include "kernel/sock.h"
#include "proc/proc.h"
#include "kernel/nlio.h"
#include "proc/procscan.h"
#include "model/services.h"
#include "kernel/sockdiag.h"
#include "proc/users.h"

struct listing_opts {
	struct filter	 filter;
	int		 threads;	/* 0 = automatic */
	const char	*iana_path;	/* NULL: no IANA fallback */
	unsigned int	 need;		/* PS_NEED_* details to read */
};

/* One selected socket with its annotations and selected owners. */
struct sock_view {
	const struct sock_rec	*s;
	struct exposure		 exp;
	struct service_match	 svc;
	size_t			*owners;	/* indices into ps.owners */
	size_t			 nowners;
};

struct dossiers;
struct probe_view;

struct listing {
	struct socklist		 socks;
	struct sockdiag_report	 rep;
	struct ifaces		 ifs;
	struct procscan		 ps;
	struct registry		 reg;
	struct users		*users;
	struct sock_view	*views;
	size_t			 nviews;
	size_t			 nrows;		/* table rows */
	unsigned int		 unowned[OWNER_NOT_SCANNED + 1];
	/* unowned sockets found gone when asked again after the walk */
	unsigned int		 closed_after_walk;
	int			 privileged;
	const struct dossiers	*why;		/* NULL unless asked for */
	const struct probe_view	*probe;		/* per view; NULL unless asked */
	/* Milliseconds spent per phase, for -v and the benchmark. */
	double			 ms_sockets, ms_processes, ms_annotate;
};

/* Build the listing; never fails as a whole (problems become notes). */
void listing_build(struct listing *l, struct nlio *io,
    const struct listing_opts *o);
void listing_release(struct listing *l);

/* A monotonic clock in milliseconds. */
double now_ms(void);
/* Human text for an owner note ("not root: ..."). */
const char *owner_note_text(enum owner_note n);
/* Stable identifier for JSON ("not_root"). */
const char *owner_note_key(enum owner_note n);

#endif
