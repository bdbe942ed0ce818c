/*
 * forward.h - where a listener that forwards sends its connections.
 *
 * A proxy's listener answers with its backend's protocol: haproxy on
 * 2222 in front of sshd speaks ssh.  For the forwarders a host runs, the
 * target is read from where the forwarder itself reads it:
 *
 *   socat          its two addresses on the command line
 *   ssh -L         [bind:]port:host:hostport on the command line
 *   docker-proxy   -container-ip / -container-port on the command line
 *   haproxy        the configuration files of -f (default
 *                  /etc/haproxy/haproxy.cfg): the frontend or listen
 *                  section binding the port, its servers, its
 *                  default_backend and use_backend backends
 *   nginx          the configuration of -c (default /etc/nginx/nginx.conf)
 *                  and its includes: the server block listening on the
 *                  port, in stream or http, its proxy_pass (and
 *                  fastcgi/uwsgi/grpc/scgi_pass), upstream blocks
 *
 * Files are read through the process's own root and working directory
 * (/proc/PID/root, /proc/PID/cwd), so a container's proxy is read from
 * its own tree; every file, include and count is bounded.  The target is
 * then joined with the listener behind it in the same network namespace
 * (or the one whose interfaces hold the target address): its process.
 *
 * The parsers are pure (text in, targets out) for the tests and fuzzers.
 */
#ifndef PS_FORWARD_H
#define PS_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FWD_MAX		8	/* targets kept per listener */

struct fwd_target {
	char		 to[96];	/* "127.0.0.1:22", "unix:/run/x.sock",
					   "EXEC:sleep 120" */
	char		 where[160];	/* "/etc/haproxy/haproxy.cfg:14",
					   "command line" */
	char		 cond[80];	/* "use_backend ssh if ...", "location
					   /api", "" */
	/* to, parsed: an address literal or localhost, and a port */
	int		 family;	/* AF_INET, AF_INET6, 0 not an address */
	uint8_t		 addr[16];
	uint16_t	 port;
	int		 udp;
	/* joined: the listener behind it */
	int		 local;		/* the address is one of this host's
					   (a namespace's) */
	pid_t		 behind_pid;	/* 0: none found */
	char		 behind_comm[32];
	char		 behind_exe[64];	/* its executable's base name */
	uint64_t	 behind_inode;	/* its socket, 0: none found */
};

struct forward {
	const char	*via;		/* "haproxy", "nginx", "socat", "ssh -L",
					   "docker-proxy"; NULL: not a forwarder */
	int		 self;		/* serves itself here (haproxy's
					   statistics page), no target */
	char		 note[160];	/* why nothing is known, or what is
					   worth knowing ("through SSH to h") */
	struct fwd_target t[FWD_MAX];
	size_t		 n;
	unsigned int	 more;		/* targets beyond FWD_MAX */
};

/* One configuration file's text, as loaded (for the pure parsers). */
struct fwd_file {
	const char	*path;
	const char	*text;
	size_t		 len;
};

/*
 * A configuration loader for nginx's include: the files a pattern names
 * (relative to the main file's directory), at most max; returns how many
 * it filled.  The texts stay valid until the parse returns.
 */
typedef size_t (*fwd_include_fn)(void *ctx, const char *pattern,
    struct fwd_file *out, size_t max);

/* Command-line forwarders: argv of the listener's owner; 1 if the
 * program is one (out filled, maybe with no target and a note), 0 if
 * not. */
int forward_from_argv(const char *const *argv, size_t argc,
    unsigned int port, int udp, struct forward *out);
/* haproxy: the files in -f order. */
void forward_haproxy(const struct fwd_file *files, size_t nfiles,
    unsigned int port, int udp, struct forward *out);
/* nginx: the main file; include through the loader (NULL: none). */
void forward_nginx(const struct fwd_file *main, fwd_include_fn inc,
    void *ctx, unsigned int port, int udp, struct forward *out);

/* Parse "host:port", "[v6]:port", "http://host:port/x" into t's address
 * fields; the port defaults to dflt.  0, or -1 when not an address. */
int forward_parse_addr(const char *s, unsigned int dflt,
    struct fwd_target *t);

struct listing;
/* What the views of a listing forward to: a slot per view, and the
 * forwarders among them (most views are none). */
struct forwards {
	uint32_t	*slot;		/* per view: 1 + its index in v; 0 none */
	size_t		 nviews;
	struct forward	*v;
	size_t		 n;
};

/* Per view of the listing: what its owner forwards to.  Free with
 * forwards_free(). */
struct forwards *forward_listing(const struct listing *l);
/* A view's: a forward with via NULL (and nothing else) for a view whose
 * owner is no forwarder, or when f is NULL. */
const struct forward *forwards_at(const struct forwards *f, size_t view);
void forwards_free(struct forwards *f);

#endif
