/*
 * baseline.h - a saved state: the listeners of a run with the options
 * it was taken with, written atomically, read back strictly.
 *
 * The file is JSON: {"portsleuth": VERSION, "schema": 1, "kind":
 * "baseline", "taken": ISO-8601, "host": NAME, "options": {...},
 * "listeners": [{netns, proto, family, address, port, program, ...}]}.
 * Read as untrusted input: bounded, every member type-checked, and an
 * error names the member ("listeners[3].port: not a port number").
 */
#ifndef PS_DRIFT_BASELINE_H
#define PS_DRIFT_BASELINE_H

#include <stddef.h>

#include "drift/record.h"

#define BASELINE_DEFAULT	"/var/lib/portsleuth/baseline.json"
#define BASELINE_CAP		(256u << 20)	/* bytes read at most */
#define BASELINE_MAX		1000000		/* listeners */

/* What the listing was asked for; diff asks again the same way. */
struct baseline_opts {
	unsigned int	 protos;	/* PROTO_BIT set; 0: the default */
	int		 want4, want6;
	char		*netns;		/* --netns SPEC, or NULL */
	int		 probe;
	int		 ephemeral;
	int		 firewall;	/* the firewall's verdicts recorded */
};

struct baseline {
	char			*version;	/* of the portsleuth that took it */
	char			*taken;		/* UTC, ISO 8601 */
	char			*host;
	struct baseline_opts	 opts;
	struct drift_set	 set;
};

/*
 * Write b to path atomically: a temporary file beside it (mode 0600),
 * written, flushed to disk, then renamed over path, and the directory
 * synced; the old file stays whole if the run dies half-way.  The
 * default directory is made (0700) when missing.  0, or -1 with *cause.
 */
int baseline_write(const char *path, const struct baseline *b, char **cause);
/* Read path (a regular file, at most BASELINE_CAP bytes). */
int baseline_read(const char *path, struct baseline *b, char **cause);
/* Pure: parse a baseline document.  0, or -1 with *cause. */
int baseline_parse(const char *buf, size_t len, struct baseline *b,
    char **cause);
void baseline_release(struct baseline *b);
/*
 * Only the options of the baseline at path (the listing to make again),
 * from its first part: 0, or -1 with *cause.  The whole file is still
 * read and checked by baseline_read(); this one is for starting early.
 */
int baseline_read_options(const char *path, struct baseline_opts *o,
    char **cause);
void baseline_opts_release(struct baseline_opts *o);

#endif
