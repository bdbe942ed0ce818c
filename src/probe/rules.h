/*
 * rules.h - service probes and match rules (data/probes.rules).
 *
 * The file is portsleuth's own: stanzas like the knowledge base's.
 *
 *   [probe NAME]        what to send: proto (tcp|udp), send (escaped
 *                       bytes: \r \n \t \0 \\ \xHH), ports (where it is
 *                       tried first), wait (ms for a reply), tls (also
 *                       send it inside TLS), silent (the service a port
 *                       of this probe may be when it never answers, as
 *                       WireGuard: named in the silent port's info as a
 *                       hint, never as its protocol)
 *   [match SERVICE]     how to recognise a reply: on (probe names, or
 *                       *), regex (PCRE2, on raw bytes), product,
 *                       version, info (templates: $1..$9 are groups),
 *                       confidence (hard|soft), flags (i: caseless),
 *                       ask (a probe to send on the same connection
 *                       when the reply could be either of two
 *                       protocols; rules "on" that probe then see the
 *                       reply and the answer together)
 *   [family NAME]       what counts as the same protocol: registered
 *                       (names in /etc/services), programs (process
 *                       names), wire (service names of match rules)
 *
 * Rules are compiled once with PCRE2's JIT and indexed by the first
 * byte their regex demands, so a reply is tried only against the rules
 * that can match its first byte (and those that demand none).
 */
#ifndef PS_RULES_H
#define PS_RULES_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum rule_proto { RP_TCP, RP_UDP };

struct probe_def {
	char		*name;
	enum rule_proto	 proto;
	unsigned char	*payload;	/* NULL for the null probe */
	size_t		 len;
	uint16_t	*ports;
	size_t		 nports;
	int		 wait_ms;	/* 0: the engine's default */
	int		 tls;		/* also worth sending inside TLS */
	char		*silent;	/* the service a silent port on one
					   of these ports usually is */
	int		 line;
};

struct match_rule {
	char		*service;
	char		**on;		/* probe names; "*" any */
	size_t		 non;
	char		*regex;
	pcre2_code	*re;
	char		*product, *version, *info;
	char		*ask;		/* the reply is ambiguous: send this
					   probe on the same connection and
					   match what it then holds */
	int		 hard;
	int		 caseless;
	int		 line;
};

struct family {
	char	*name;
	char	*registered;	/* space separated */
	char	*programs;
	char	*wire;
};

struct rules {
	struct probe_def	*probes;
	size_t			 nprobes, pcap;
	struct match_rule	*matches;
	size_t			 nmatches, mcap;
	struct family		*families;
	size_t			 nfamilies, fcap;
	/* by first byte: indices into matches, in file order */
	size_t			*bucket[256];
	size_t			 nbucket[256];
	size_t			*anyfirst;	/* rules with no fixed byte */
	size_t			 nanyfirst;
	unsigned int		 malformed;
	char			*problems;	/* what was wrong, or NULL */
};

/* Parse (pure: for tests and fuzzing) and compile the rules. */
void rules_parse(struct rules *r, const char *buf, size_t len);
/* Load and compile the rules file: 0, or -1 with *cause (caller frees)
 * when it cannot be read.  Problems inside it are r->problems.  r must be
 * released in both cases. */
int rules_load(struct rules *r, const char *path, char **cause);
void rules_release(struct rules *r);

const struct probe_def *rules_probe(const struct rules *r, const char *name);

/* A match of a reply: the rule and its filled templates. */
struct match_out {
	const struct match_rule	*rule;
	char			 product[96];
	char			 version[64];
	char			 info[160];
};

/*
 * Try the reply to probe `probe` against the rules that can match it.
 * Returns 1 with *out filled (a hard match wins over soft ones), or 0.
 */
int rules_match(const struct rules *r, const char *probe,
    const unsigned char *resp, size_t len, pcre2_match_data *md,
    struct match_out *out);

/* The family a registered name, a program or a wire service belongs
 * to; NULL when none says. */
const struct family *rules_family_registered(const struct rules *r,
    const char *name);
const struct family *rules_family_program(const struct rules *r,
    const char *program);
const struct family *rules_family_wire(const struct rules *r,
    const char *service);

/* Does a family that lists program as a server include f?  1 yes, 0
 * no (the program serves other protocols), -1 no family lists it. */
int rules_program_speaks(const struct rules *r, const char *program,
    const struct family *f);

/* Decode a "send" value's escapes into bytes (pure); -1 if malformed. */
int rules_unescape(const char *s, size_t n, unsigned char **out,
    size_t *outlen);

#endif
