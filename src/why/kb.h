/*
 * kb.h - the knowledge base of daemons (data/daemons.kb): what each is
 * for, its usual ports, the risk it carries and whether a server should
 * keep it.  A data file, so that adding a daemon needs no code.
 *
 * Format: stanzas opened by "[name]", then "key: value" lines; "#"
 * starts a comment line.  Keys: match (process names and executable
 * base names, space separated), package, unit, ports, purpose, risk,
 * advice (keep | disable | review | restrict, then a colon and why).
 */
#ifndef PS_KB_H
#define PS_KB_H

#include <stddef.h>

struct kb_entry {
	char	*name;
	char	*match;		/* space separated names */
	char	*package;
	char	*unit;
	char	*ports;
	char	*purpose;
	char	*risk;
	char	*advice;
	int	 line;
};

struct kb {
	struct kb_entry	*v;
	size_t		 n, cap;
	unsigned int	 malformed;
	char		*problems;	/* validation messages, or NULL */
};

/* Parse kb text (pure); problems collects what is wrong with it. */
void kb_parse(struct kb *kb, const char *buf, size_t len);
/* Read path (a file of the installation, not under --root). */
/* Load the knowledge base: 0, or -1 with *cause (caller frees) when the
 * file cannot be read or holds no entry.  kb must be released in both
 * cases; problems with single entries are kb->problems. */
int kb_load(struct kb *kb, const char *path, char **cause);
void kb_release(struct kb *kb);

/* The entry for a process (comm, executable path), package or unit;
 * any argument may be NULL. */
const struct kb_entry *kb_lookup(const struct kb *kb, const char *comm,
    const char *exe, const char *package, const char *unit);

/* The first word of advice: keep, disable, review or restrict. */
const char *kb_verdict(const struct kb_entry *e, char *buf, size_t sz);

#endif
