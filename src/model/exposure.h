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
 * The verdict as a listing keeps it for every socket: its text interned
 * in an exposure_texts (a host has a handful of distinct ones), so a
 * socket carries a pointer, not 96 bytes.
 */
struct exposure_view {
	enum exposure_kind	 kind;
	const char		*ifname;
	const char		*text;		/* owned by the exposure_texts */
};

/* A set of distinct verdict texts (open addressing). */
struct exposure_texts {
	char		**slots;
	size_t		 mask, n;
};

/* out from e, its text interned in t. */
void exposure_keep(struct exposure_texts *t, const struct exposure *e,
    struct exposure_view *out);
void exposure_texts_release(struct exposure_texts *t);

#endif
