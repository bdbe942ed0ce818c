/*
 * record.h - a listener as a baseline keeps it: what identifies it
 * across restarts, and what a change of it is made of.
 *
 * Every field is a short string (the port in decimal), already made
 * printable (control characters and invalid UTF-8 escaped, as the
 * terminal escaping does), so that a record read back from a file and
 * one built from this run compare byte for byte.
 */
#ifndef PS_DRIFT_RECORD_H
#define PS_DRIFT_RECORD_H

#include <stddef.h>

enum drift_field {
	/* identity: where, what endpoint, which program and unit */
	DF_NETNS, DF_PROTO, DF_FAMILY, DF_ADDRESS, DF_PORT, DF_PROGRAM,
	DF_UNIT,
	/* attributes: a change of one of these is a change of the listener */
	DF_DEVICE, DF_EXE, DF_PACKAGE, DF_VERSION, DF_DIGEST, DF_INTEGRITY,
	DF_ORIGIN, DF_ENTRY, DF_USER, DF_EXPOSURE, DF_PROTOCOL, DF_PRODUCT,
	DF_FIREWALL,	/* "ipv4 eth0 open; ipv6 eth0 filtered" (--firewall) */
	DF_COUNT
};
#define DF_IDENTITY_END	DF_DEVICE

#define DRIFT_VALUE_MAX	512	/* bytes of one field */

struct drift_pool;

struct drift_rec {
	const char	*f[DF_COUNT];	/* NULL: unknown or not applicable */
	int		 port;		/* f[DF_PORT] as a number, -1 without */
	/* this run's probe verdict ("consistent", "mismatch", "unknown"),
	 * NULL when not probed; never written to a baseline */
	const char	*verdict;
	struct drift_pool *pool;	/* where its strings live */
};

/* The records and, in one pool, their strings (a baseline of a busy
 * host holds hundreds of thousands: one allocation each would cost more
 * than reading them). */
struct drift_set {
	struct drift_rec  *v;
	size_t		   n, cap;
	struct drift_pool *pool;
};

/* "netns", "proto", ... (the baseline's JSON keys). */
const char *drift_field_key(enum drift_field f);
/* The field of a key, or -1. */
int drift_field_of(const char *key);

/* Add a record (fields copied, escaped, cut at DRIFT_VALUE_MAX). */
struct drift_rec *drift_add(struct drift_set *s);
void drift_set_field(struct drift_rec *r, enum drift_field f,
    const char *value);
/* The same without escaping: a value read back from a baseline, which
 * was escaped when it was written (escaping twice would differ). */
void drift_set_raw(struct drift_rec *r, enum drift_field f,
    const char *value);
void drift_set_rawn(struct drift_rec *r, enum drift_field f,
    const char *value, size_t n);
void drift_set_release(struct drift_set *s);
/* Sort by identity, then by the attributes. */
void drift_sort(struct drift_set *s);
/* Order of two records' identities (fields NETNS..UNIT). */
int drift_identity_cmp(const struct drift_rec *a, const struct drift_rec *b);
/* How wide an exposure is: loopback 0 < link-local < address < device <
 * all; -1 for another value. */
int drift_exposure_rank(const char *scope);

struct listing;
struct dossiers;
struct probe_view;

struct drift_opts {
	int	 ephemeral;	/* keep UDP sockets on ephemeral ports */
	int	 eph_lo, eph_hi;	/* the ephemeral port range */
};

/*
 * The listeners of a listing as records: TCP in LISTEN, unconnected
 * UDP and the rest as listed, one per socket; the program is the
 * package of the owning executable, else its path (an owner other than
 * PID 1 is preferred: with socket activation both hold the socket).  d
 * (origins, packages, digests) and pv (wire protocols) may be NULL.
 */
void drift_collect(struct drift_set *out, const struct listing *l,
    const struct dossiers *d, const struct probe_view *pv,
    const struct drift_opts *o);

#endif
