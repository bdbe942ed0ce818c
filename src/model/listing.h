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
#include "kernel/netns.h"
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
	/*
	 * Network namespaces: own_netns_only (a recording, a fixture root,
	 * --record) lists portsleuth's own; else netns names one (--netns
	 * SPEC, "all" for every one), and by default every namespace is
	 * listed when portsleuth runs in the host's, only its own when it
	 * runs inside another.
	 */
	int		 own_netns_only;
	const char	*netns;
	/* names the namespaces found (containers' names: a layer above
	 * knows them) before --netns is resolved; may be NULL */
	void		(*name_netns)(struct netns_set *);
};

/* One network namespace of the listing (parallel to l->nets.v). */
struct ns_view {
	int			 wanted;	/* selected for the listing */
	int			 entered;	/* its tables were read */
	char			*error;		/* why not, when wanted */
	struct ifaces		 ifs;		/* index 0: see l->ifs */
	struct sockdiag_report	 rep;		/* index 0: see l->rep */
	unsigned int		 nsockets;
	int			 port_start;	/* ip_unprivileged_port_start, -1 */
};

/* One selected socket with its annotations and selected owners: 40
 * bytes, one for every socket listed. */
struct sock_view {
	const struct sock_rec	*s;
	const struct exposure_view *exp; /* in the listing's exp_texts */
	const struct service_ent *svc;	/* its port's registered name, or
					   NULL (the table: svc->source) */
	uint32_t		 owner0;	/* its owner list: from here in
						   l->owner_block */
	uint32_t		 nowners;	/* (view_owner) */
};

struct dossiers;
struct probe_view;
struct nat_links;
struct firewall;
struct forwards;

struct listing {
	struct socklist		 socks;
	struct sockdiag_report	 rep;		/* portsleuth's own namespace */
	struct ifaces		 ifs;		/* the same */
	struct netns_set	 nets;		/* every namespace found */
	struct ns_view		*nsv;		/* parallel to nets.v */
	size_t			 nentered;	/* namespaces whose tables were read */
	size_t			 nwanted;	/* ... that were asked for */
	char			*netns_error;	/* --netns SPEC not found */
	int			 all_netns;	/* every namespace is listed */
	/* namespaces found only as a process's open descriptor (the walk
	 * found them; their sockets were read and the walk made again) */
	unsigned int		 nheld;
	struct procscan		 ps;
	struct registry		 reg;
	struct users		*users;
	struct sock_view	*views;
	size_t			 nviews;
	uint32_t		*owner_block;	/* the views' owner lists:
						   indices into ps.owners */
	struct exposure_texts	 exp_texts;	/* the views' verdict texts */
	size_t			 nrows;		/* table rows */
	unsigned int		 unowned[OWNER_NOT_SCANNED + 1];
	/* unowned sockets found gone when asked again after the walk */
	unsigned int		 closed_after_walk;
	int			 privileged;
	const struct dossiers	*why;		/* NULL unless asked for */
	const struct probe_view	*probe;		/* per view; NULL unless asked */
	const struct nat_links	*nat;		/* DNAT joined; NULL unless read */
	const struct firewall	*fw;		/* verdicts; NULL unless asked */
	const struct forwards	*fwd;		/* per view: where it forwards;
						   NULL unless asked */
	/* Milliseconds spent per phase, for -v and the benchmark. */
	double			 ms_sockets, ms_processes, ms_annotate;
};

/* Build the listing; never fails as a whole (problems become notes). */
void listing_build(struct listing *l, struct nlio *io,
    const struct listing_opts *o);
/* The index in l->ps.owners of the k-th owner of v (k < v->nowners). */
static inline size_t
view_owner(const struct listing *l, const struct sock_view *v, size_t k)
{
	return l->owner_block[v->owner0 + k];
}

void listing_release(struct listing *l);

/* The interfaces of the namespace a socket lives in. */
const struct ifaces *listing_ifaces(const struct listing *l,
    const struct sock_rec *s);
/* The namespace a socket lives in (NULL: none known). */
const struct netns *listing_netns(const struct listing *l,
    const struct sock_rec *s);

/*
 * A port below 1024 (a "trusted" port: once only root could bind one)
 * held by a process that is not root.  1 with *how ("cap_net_bind_service",
 * "unprivileged_port_start", "unknown") and a sentence in text; 0 when
 * the socket is not such a case or the process's ids are unknown.
 */
int listing_trusted_port(const struct listing *l, const struct sock_rec *s,
    const struct proc_rec *p, const char **how, char *text, size_t n);

/* A monotonic clock in milliseconds. */
double now_ms(void);
/* Human text for an owner note ("not root: ..."). */
const char *owner_note_text(enum owner_note n);
/* Stable identifier for JSON ("not_root"). */
const char *owner_note_key(enum owner_note n);

#endif
