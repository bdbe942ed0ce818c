/*
 * exposure.h - who can reach a socket, from its bind address and this
 * host's interfaces.
 */
#ifndef PS_EXPOSURE_H
#define PS_EXPOSURE_H

#include "kernel/ifaces.h"
#include "kernel/sock.h"
#include "proc/proc.h"

enum exposure_kind {
	EXP_LOOPBACK,		/* 127.0.0.0/8, ::1, ::ffff:127.x */
	EXP_ADDRESS,		/* one address, held by `ifname` */
	EXP_LINKLOCAL,		/* fe80::/10 on one link */
	EXP_DEVICE,		/* wildcard, but SO_BINDTODEVICE to one device */
	EXP_ALL,		/* wildcard address on every interface */
	EXP_MULTICAST,		/* bound to a multicast group address */
	EXP_NONLOCAL		/* address held by no interface (freebind) */
};

struct exposure {
	enum exposure_kind	 kind;
	const char		*ifname;	/* NULL when unknown or n/a */
	int			 v4, v6;	/* families reached */
	char			 text[96];	/* e.g. "all interfaces (IPv4+IPv6)" */
};

/* Compute the verdict for s; ifs may be empty (names then unknown). */
void exposure_compute(const struct sock_rec *s, const struct ifaces *ifs,
    struct exposure *out);
const char *exposure_kind_name(enum exposure_kind k);

/*
 * The verdict as a listing keeps it for every socket: interned in an
 * exposure_texts (a host has a handful of distinct ones), so a socket
 * carries a pointer, not 96 bytes or even 24.
 */
struct exposure_view {
	enum exposure_kind	 kind;
	const char		*ifname;	/* the interfaces' own string */
	const char		*text;
};

/* A set of distinct verdicts (open addressing). */
struct exposure_texts {
	struct exposure_view	**slots;
	size_t			  mask, n;
};

/* e interned in t: the same record for the same kind, interface and
 * text, valid until exposure_texts_release. */
const struct exposure_view *exposure_keep(struct exposure_texts *t,
    const struct exposure *e);
void exposure_texts_release(struct exposure_texts *t);

#endif
