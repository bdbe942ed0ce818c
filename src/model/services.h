/*
 * services.h - the registered name of a port.
 *
 * Reads the system's /etc/services (and /etc/protocols for raw sockets,
 * whose "port" is an IP protocol number) with the project's own parser,
 * and falls back to IANA's port registry shipped as data/iana-ports.tsv.
 * Lookups say which source answered.
 */
#ifndef PS_SERVICES_H
#define PS_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/sock.h"
#include "proc/proc.h"

#define SERVICES_MAX_ALIASES	16

enum svc_proto { SP_TCP, SP_UDP, SP_SCTP, SP_DCCP, SP_IP, SP_OTHER };

enum svc_source { SVC_NONE, SVC_ETC_SERVICES, SVC_ETC_PROTOCOLS, SVC_IANA };

/* 40 bytes: IANA's table has some twelve thousand rows */
struct service_ent {
	uint16_t	 lo, hi;	/* port range; lo == hi for one port */
	uint8_t		 proto;		/* enum svc_proto */
	uint8_t		 naliases;
	uint8_t		 source;	/* enum svc_source: its table */
	uint32_t	 order;		/* position in the file */
	uint32_t	 line;		/* line number in the file */
	uint32_t	 alias0;	/* its first alias in services.aliases */
	/* Strings point into the parsed text, owned by struct services. */
	const char	*name;		/* may be "" (IANA rows with no name) */
	const char	*desc;		/* comment or IANA description; may be NULL */
};

struct services {
	struct service_ent	*v;
	size_t			 n, cap;
	const char		**aliases;	/* every entry's, in order */
	size_t			 naliases, acap;
	size_t			*ranges;	/* indices of entries with hi > lo */
	size_t			 nranges, rcap;
	char			**texts;	/* copies of the parsed texts */
	size_t			 ntexts, tcap;
	unsigned int		 malformed;	/* skipped lines */
	/* When set, an IANA parse keeps only the rows of wanted ports (a
	 * bit per port for TCP, UDP and SCTP, in that order), their
	 * strings copied out of the text, which is then given back. */
	const uint64_t		*want;
};

enum services_format { SF_SERVICES, SF_PROTOCOLS, SF_IANA_TSV };

/*
 * Parse text (len bytes) in the given format, appending to s.  Bad lines
 * (no port, port out of range, unknown shape) are skipped and counted in
 * s->malformed.  Call services_finish() before looking anything up.
 */
void services_parse(struct services *s, enum services_format fmt,
    const char *text, size_t len);
void services_finish(struct services *s);
/*
 * The first entry (in file order, as getservbyport(3) answers) for port
 * and proto, or NULL.
 */
const struct service_ent *services_lookup(const struct services *s,
    enum svc_proto proto, uint16_t port);
/* The k-th alias of e (k < e->naliases), an entry of s. */
const char *services_alias(const struct services *s,
    const struct service_ent *e, size_t k);
/* The port registered under name (or an alias) for proto, or -1. */
int services_port_of(const struct services *s, enum svc_proto proto,
    const char *name);
void services_release(struct services *s);

/*
 * The three sources together; IANA's table is loaded on first need.  Its
 * fifteen thousand rows cost a megabyte kept whole: a caller that names
 * the ports it will look up first (registry_want) has only their rows
 * kept.  A lookup of a port not named loads the whole table.
 */
struct registry {
	struct services	 etc, protocols, iana;
	int		 iana_loaded;
	int		 iana_partial;	/* only the wanted rows are kept */
	int		 iana_stale;	/* ports wanted since that load */
	uint64_t	*want;		/* 3 x 65536 bits, or NULL */
	char		*iana_path;
	char		*etc_error, *protocols_error, *iana_error;
};

struct service_match {
	const struct service_ent	*ent;
	enum svc_source			 source;
};

/* Read /etc/services and /etc/protocols under the system root. */
void registry_init(struct registry *r, const char *iana_path);
/* Name a port that registry_lookup will be asked about. */
void registry_want(struct registry *r, enum ps_proto proto, uint16_t port);
/* Look up the registered name for a socket's local port. */
struct service_match registry_lookup(struct registry *r, enum ps_proto proto,
    uint16_t port);
/* The k-th alias of an entry found (k < e->naliases). */
const char *registry_alias(const struct registry *r,
    const struct service_ent *e, size_t k);
void registry_release(struct registry *r);
const char *svc_source_name(enum svc_source s);

#endif
