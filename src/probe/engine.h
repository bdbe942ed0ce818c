/*
 * engine.h - active service identification: one event loop probing
 * many ports at once.
 *
 * For a TCP port the engine opens, at the same time, a connection that
 * only listens (server-first protocols announce themselves) and a TLS
 * handshake.  The listening connection waits a short time adapted to
 * the measured connect time; if it stays silent, the client-first
 * probes go out, those meant for this port first, several connections
 * at a time.  Inside TLS the engine listens, then sends the probes
 * marked for TLS.  A UDP port gets the probes meant for it, at once.
 * Every connection has a deadline, every reply a size cap, and the
 * whole run a time budget.
 */
#ifndef PS_ENGINE_H
#define PS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "probe/rules.h"

enum probe_state {
	PS_UNPROBED,		/* not probed (not asked, or no budget) */
	PS_HARD,		/* a hard match */
	PS_SOFT,		/* a soft match */
	PS_UNRECOGNISED,	/* it answered, no rule knew the answer */
	PS_SILENT,		/* accepted, never answered */
	PS_CLOSED_AT_ONCE,	/* accepted, then closed without a byte */
	PS_RESET,		/* accepted, then reset */
	PS_REFUSED,		/* connection refused / port unreachable */
	PS_TIMEOUT,		/* no connection within the deadline */
	PS_ERROR
};

struct probe_target {
	uint8_t		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 udp;		/* 0 TCP, 1 UDP */
	uint16_t	 port;
	uint8_t		 addr[16];
	uint32_t	 scope;		/* IPv6 link-local scope id */
};

/* Fixed-size so the unprivileged prober can hand results back as is;
 * every string is NUL-terminated and printable ASCII. */
struct probe_result {
	int32_t		 state;		/* enum probe_state */
	char		 service[32];	/* ssh, http, ... ("" if unknown) */
	char		 product[96];
	char		 version[64];
	char		 info[160];
	char		 via_probe[24];	/* the probe that got the answer */
	int32_t		 tls;		/* a TLS handshake succeeded */
	char		 tls_version[16];
	char		 tls_cipher[64];
	char		 cert_subject[160];
	char		 cert_issuer[160];
	char		 cert_sans[256];
	char		 cert_not_after[32];	/* ISO 8601, UTC */
	int32_t		 cert_expired;
	char		 evidence[96];	/* the reply's first bytes, escaped */
	int32_t		 ms;		/* time to the answer */
	int32_t		 connections;	/* connections it took */
};

struct probe_opts {
	const struct rules	*rules;
	int			 budget_ms;	/* whole run */
	int			 connect_ms;	/* per connection */
	int			 max_fds;	/* connections at once */
	size_t			 reply_cap;	/* bytes kept per reply */
	/* probe from inside this network namespace (-1: the own one): the
	 * isolated prober enters it before it drops its privileges */
	int			 netns_fd;
	/* UDP: ask a silent port once more, paced to the kernel's default
	 * ICMP rate limit (one port-unreachable a second per peer after a
	 * burst), to tell closed from open or filtered; for ports nothing
	 * is known of (probe HOST), not for known listeners */
	int			 udp_reprobe;
};

void probe_opts_default(struct probe_opts *o, const struct rules *r);

/* Probe every target; out[i] answers targets[i].  Never fails as a
 * whole: a target that could not be probed says why. */
void probe_run(const struct probe_target *targets, size_t n,
    const struct probe_opts *o, struct probe_result *out);

/*
 * The same, in a child process that drops privileges (to "nobody",
 * with no_new_privs) before it touches the network, when run as root;
 * directly otherwise.  The child's results are validated as untrusted.
 * Returns 0, or -1 with *cause when the child failed.
 */
int probe_run_isolated(const struct probe_target *targets, size_t n,
    const struct probe_opts *o, struct probe_result *out, char **cause);

/* Validate results read from the prober child (pure; for fuzzing):
 * strings are cut at their size and non-printables replaced. */
void probe_result_sanitize(struct probe_result *r);

const char *probe_state_key(enum probe_state s);
/* "https" for http inside TLS, "imaps", ...; or the service itself. */
const char *probe_service_shown(const struct probe_result *r, char *buf,
    size_t sz);

#endif
