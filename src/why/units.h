/*
 * units.h - systemd unit files, read from disk (honouring --root).
 *
 * A unit is looked up as systemd does: the first fragment found in the
 * search path (a template instance falls back to its template), then
 * every drop-in NAME.d/NN-x.conf in the same directories.  Only what
 * portsleuth needs is kept: section-qualified keys with the file and
 * line each came from, so a finding can cite "ssh.socket:5
 * ListenStream=22".
 */
#ifndef PS_UNITS_H
#define PS_UNITS_H

#include <stddef.h>
#include <stdint.h>

struct unit_kv {
	char	*key;		/* "Socket.ListenStream" */
	char	*value;
	char	*file;		/* path inside the root */
	int	 line;
};

struct unit {
	char		*name;
	char		*path;		/* fragment, NULL when not found */
	int		 masked;	/* linked to /dev/null */
	int		 generated;	/* made by a generator (SysV script) */
	char		**dropins;
	size_t		 ndropins;
	struct unit_kv	*kv;
	size_t		 nkv, cap;
	unsigned int	 malformed;	/* lines that were not key=value */
};

enum unit_scope { UNIT_SYSTEM, UNIT_USER };

/* Load name ("ssh.service"); u->path is NULL when it does not exist. */
void unit_load(struct unit *u, const char *name, enum unit_scope scope);
void unit_release(struct unit *u);

/* Parse one file's text into u (pure; for tests and fuzzing). */
void unit_parse(struct unit *u, const char *buf, size_t len,
    const char *file);
/* Last value of a section-qualified key, or NULL. */
const struct unit_kv *unit_get(const struct unit *u, const char *key);

/*
 * Does a Listen line of this socket unit cover the socket (protocol
 * "tcp" or "udp", address text as shown, port)?  The matching line or
 * NULL.
 */
const struct unit_kv *unit_listen_match(const struct unit *u,
    const char *proto, const char *addr, unsigned int port);

/* A unit name is safe to look up (no '/', sane length and suffix). */
int unit_name_valid(const char *name);

/* One enabled unit: NAME linked in TARGET.wants (or .requires). */
struct unit_link {
	char	*name;
	char	*target;
	char	*dir;		/* where the link is */
};

/*
 * The names of every unit file with suffix (".socket") in the search
 * path, each once, at most max (past it, a note); the caller frees each
 * name and *names.
 */
void units_named(const char *suffix, size_t max, char ***names, size_t *n);
/* Units linked into *.wants and *.requires directories of the search
 * path: services, sockets, timers and path units, each once. */
void units_enabled(struct unit_link **out, size_t *n);
void unit_links_free(struct unit_link *v, size_t n);

/* The system unit search path, in priority order; NULL-terminated. */
extern const char *const units_system_dirs[];

#endif
