/*
 * superserver.h - inetd (openbsd-inetd's inetd.conf) and xinetd
 * (xinetd.conf, includedir) configuration: which entry serves a port,
 * the program it launches, its user and wait mode, and where it is
 * written.  Disabled entries are kept, marked, so that `audit` can say
 * they are off and nothing claims they serve.
 */
#ifndef PS_SUPERSERVER_H
#define PS_SUPERSERVER_H

#include <stddef.h>

enum ss_kind { SS_INETD, SS_XINETD };

struct ss_entry {
	enum ss_kind	 kind;
	char		*service;	/* the name as written */
	char		*id;		/* xinetd id, or NULL */
	char		*socktype;	/* stream, dgram, raw, ... or NULL */
	char		*proto;		/* tcp, udp, tcp6, rpc/tcp ... */
	char		*bind;		/* address it binds to, or NULL */
	char		*port_text;	/* xinetd "port", or NULL */
	unsigned int	 port;		/* resolved later; 0 = unknown */
	int		 wait;		/* 1 wait, 0 nowait, -1 unknown */
	char		*user;
	char		*program;	/* server path, or "internal" */
	char		*args;
	int		 internal;	/* served by the super-server itself */
	int		 disabled;
	char		*file;
	int		 line;
};

struct ss_conf {
	struct ss_entry	*v;
	size_t		 n, cap;
	char		**includedirs;	/* xinetd includedir lines */
	size_t		 nincludedirs, icap;
	char		**dis_list;	/* xinetd defaults: disabled = ... */
	size_t		 ndis, dcap;
	char		**en_list;	/* xinetd defaults: enabled = ... */
	size_t		 nen, ecap;
	int		 has_enabled;
	unsigned int	 malformed;
};

/* Parse inetd.conf text (pure). */
void inetd_parse(struct ss_conf *c, const char *buf, size_t len,
    const char *file);
/* Parse one xinetd file (pure; includedir lines are only recorded). */
void xinetd_parse(struct ss_conf *c, const char *buf, size_t len,
    const char *file);
/* Apply xinetd's defaults enabled/disabled lists to the entries. */
void xinetd_finish(struct ss_conf *c);

/* Read inetd.conf, or xinetd.conf with its include directories, from
 * path under the system root. */
/*
 * Load a super-server's configuration (xinetd: with its includedir): 0,
 * or -1 with *cause (caller frees) and errno set when the main file
 * cannot be read.
 * c is filled with what could be read, and must be released either way.
 */
int inetd_load(struct ss_conf *c, const char *path, char **cause);
int xinetd_load(struct ss_conf *c, const char *path, char **cause);
void ss_conf_release(struct ss_conf *c);

/* "tcp" or "udp" for an entry's protocol, or NULL (rpc, raw...). */
const char *ss_entry_l4(const struct ss_entry *e);

/* Config path given on a super-server's command line (NUL-separated
 * argv), or NULL for the default. */
char *ss_config_from_argv(enum ss_kind kind, const char *argv, size_t len);

#endif
