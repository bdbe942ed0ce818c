/*
 * forward.c - the targets of forwarding listeners: command lines,
 * haproxy's and nginx's configurations, and the join with the listener
 * behind each target.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/forward.h"
#include "model/listing.h"
#include "proc/procscan.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CONF_CAP	(1u << 20)	/* bytes per configuration file */
#define CONF_FILES	64		/* files per process (with includes) */
#define INCLUDE_DEPTH	8
#define ARGV_CAP	(64u << 10)
#define TOKENS_MAX	200000		/* nginx tokens per parse */

static void
copyn(char *dst, size_t sz, const char *src, size_t n)
{
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
copy(char *dst, size_t sz, const char *src)
{
	copyn(dst, sz, src ? src : "", src ? strlen(src) : 0);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* ---- addresses --------------------------------------------------------- */

int
forward_parse_addr(const char *s, unsigned int dflt, struct fwd_target *t)
{
	char host[64];
	const char *p = s, *colon, *end;
	size_t hn;
	uint64_t port = dflt;

	t->family = 0;
	t->port = 0;
	/* a URL's scheme and path go */
	if ((end = strstr(p, "://")) != NULL)
		p = end + 3;
	end = p + strcspn(p, "/ ");
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return -1;
		hn = (size_t)(rb - p - 1);
		if (hn >= sizeof(host))
			return -1;
		memcpy(host, p + 1, hn);
		host[hn] = '\0';
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = NULL;
		for (const char *q = p; q < end; q++)
			if (*q == ':')
				colon = q;
		hn = (size_t)((colon ? colon : end) - p);
		if (hn >= sizeof(host))
			return -1;
		memcpy(host, p, hn);
		host[hn] = '\0';
	}
	if (colon && colon + 1 < end &&
	    num_parse_u64(colon + 1, (size_t)(end - colon - 1), 10, 1, 65535,
	    &port) != 0)
		return -1;
	if (port == 0)
		return -1;
	if (strcmp(host, "localhost") == 0 || host[0] == '\0' ||
	    strcmp(host, "*") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, t->addr) == 1)
		t->family = AF_INET;
	else if (inet_pton(AF_INET6, host, t->addr) == 1)
		t->family = AF_INET6;
	t->port = (uint16_t)port;
	return t->family ? 0 : -1;
}

static struct fwd_target *
add_target(struct forward *f, const char *to, size_t ton, const char *where,
    const char *cond)
{
	struct fwd_target *t;

	if (f->n >= FWD_MAX) {
		f->more++;
		return NULL;
	}
	t = &f->t[f->n++];
	memset(t, 0, sizeof(*t));
	copyn(t->to, sizeof(t->to), to, ton);
	copy(t->where, sizeof(t->where), where);
	copy(t->cond, sizeof(t->cond), cond);
	return t;
}

/* ---- command lines ----------------------------------------------------- */

/* socat's address: its type (before ':' or ','), lower-cased. */
static void
socat_type(const char *a, char *out, size_t sz)
{
	size_t n = strcspn(a, ":,");

	copyn(out, sz, a, n);
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

static int
socat_listen_port(const char *a, unsigned int *port, int *udp)
{
	char type[32];
	const char *p = strchr(a, ':');
	uint64_t v;

	socat_type(a, type, sizeof(type));
	if (strstr(type, "-listen") == NULL && strcmp(type, "tcp-l") != 0 &&
	    strcmp(type, "tcp4-l") != 0 && strcmp(type, "tcp6-l") != 0 &&
	    (strncmp(type, "udp", 3) != 0 || strstr(type, "-recv") == NULL) &&
	    strcmp(type, "udp-l") != 0)
		return 0;
	if (p == NULL || num_parse_u64(p + 1, strcspn(p + 1, ","), 10, 1,
	    65535, &v) != 0)
		return 0;
	*port = (unsigned int)v;
	*udp = strncmp(type, "udp", 3) == 0;
	return 1;
}

static void
from_socat(const char *const *argv, size_t argc, unsigned int port,
    int udp, struct forward *f)
{
	const char *a[2] = { NULL, NULL };
	size_t na = 0;

	/* socat [options] address address: the last two words */
	if (argc >= 3) {
		a[0] = argv[argc - 2];
		a[1] = argv[argc - 1];
		na = 2;
	}
	for (size_t i = 0; i < na; i++) {
		unsigned int lp;
		int lu;
		const char *other = a[1 - i], *colon;
		char type[32];
		struct fwd_target *t;

		if (!socat_listen_port(a[i], &lp, &lu) || lp != port ||
		    lu != udp)
			continue;
		socat_type(other, type, sizeof(type));
		colon = strchr(other, ':');
		if (strcmp(type, "exec") == 0 || strcmp(type, "system") == 0) {
			t = add_target(f, other, strcspn(other, ","),
			    "command line", "");
			if (t)
				snprintf(f->note, sizeof(f->note), "each "
				    "connection is handed to a program");
			return;
		}
		if (colon == NULL) {
			add_target(f, other, strlen(other), "command line", "");
			return;
		}
		if (strncmp(type, "unix", 4) == 0 ||
		    strcmp(type, "open") == 0 || strcmp(type, "file") == 0) {
			char to[96];

			snprintf(to, sizeof(to), "unix:%.*s",
			    (int)strcspn(colon + 1, ","), colon + 1);
			add_target(f, to, strlen(to), "command line", "");
			return;
		}
		t = add_target(f, colon + 1, strcspn(colon + 1, ","),
		    "command line", "");
		if (t) {
			(void)forward_parse_addr(t->to, 0, t);
			t->udp = strncmp(type, "udp", 3) == 0;
		}
		return;
	}
	snprintf(f->note, sizeof(f->note), "no socat address listens on this "
	    "port");
}

/* ssh's options that take a value (OpenSSH's ssh(1)). */
static int
ssh_takes_value(char c)
{
	return c && strchr("BbcDEeFIiJLlmOopQRSWw", c) != NULL;
}

static void
from_ssh(const char *const *argv, size_t argc, unsigned int port,
    struct forward *f)
{
	const char *dest = NULL;
	int found = 0;

	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i], *spec = NULL;

		if (a[0] != '-' || a[1] == '\0') {
			if (dest == NULL)
				dest = a;
			continue;
		}
		/* clustered flags: -fNL 8080:h:80 */
		for (size_t k = 1; a[k]; k++) {
			if (!ssh_takes_value(a[k]))
				continue;
			if (a[k] == 'L')
				spec = a[k + 1] ? a + k + 1 : i + 1 < argc ?
				    argv[i + 1] : NULL;
			if (a[k + 1] == '\0')
				i++;
			break;
		}
		if (spec) {
			/* [bind:]port:host:hostport, host may be [v6] */
			char buf[160];
			char *fld[4];
			size_t nf = 0;
			char *p;
			uint64_t lp;

			copy(buf, sizeof(buf), spec);
			p = buf;
			while (nf < 4 && p && *p) {
				fld[nf++] = p;
				if (*p == '[') {
					char *rb = strchr(p, ']');

					p = rb ? strchr(rb, ':') : NULL;
				} else {
					p = strchr(p, ':');
				}
				if (p)
					*p++ = '\0';
			}
			if (nf < 3)
				continue;
			if (num_parse_str(fld[nf - 3], 1, 65535, &lp) != 0 ||
			    lp != port)
				continue;
			{
				char to[96];
				struct fwd_target *t;
				const char *h = fld[nf - 2];

				snprintf(to, sizeof(to), "%s:%s", h,
				    fld[nf - 1]);
				t = add_target(f, to, strlen(to),
				    "command line", "");
				if (t)
					(void)forward_parse_addr(to, 0, t);
				found = 1;
			}
		}
	}
	if (found)
		snprintf(f->note, sizeof(f->note), "through an SSH connection "
		    "to %s (the address as that host sees it)", dest ? dest :
		    "its destination");
	else
		snprintf(f->note, sizeof(f->note), "no -L on the command line "
		    "names this port");
}

static void
from_docker_proxy(const char *const *argv, size_t argc, unsigned int port,
    struct forward *f)
{
	const char *ip = NULL, *cport = NULL, *hport = NULL;

	for (size_t i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "-container-ip") == 0)
			ip = argv[i + 1];
		else if (strcmp(argv[i], "-container-port") == 0)
			cport = argv[i + 1];
		else if (strcmp(argv[i], "-host-port") == 0)
			hport = argv[i + 1];
	}
	if (ip && cport) {
		char to[96];
		struct fwd_target *t;
		uint64_t hp;

		if (hport && num_parse_str(hport, 1, 65535, &hp) == 0 &&
		    hp != port)
			return;
		snprintf(to, sizeof(to), strchr(ip, ':') ? "[%s]:%s" : "%s:%s",
		    ip, cport);
		t = add_target(f, to, strlen(to), "command line", "");
		if (t)
			(void)forward_parse_addr(to, 0, t);
	}
}

int
forward_from_argv(const char *const *argv, size_t argc, unsigned int port,
    int udp, struct forward *out)
{
	const char *b;

	memset(out, 0, sizeof(*out));
	if (argc == 0 || argv[0] == NULL)
		return 0;
	b = base_name(argv[0]);
	if (strcmp(b, "socat") == 0) {
		out->via = "socat";
		from_socat(argv, argc, port, udp, out);
	} else if (strcmp(b, "ssh") == 0) {
		out->via = "ssh -L";
		from_ssh(argv, argc, port, out);
	} else if (strcmp(b, "docker-proxy") == 0) {
		out->via = "docker-proxy";
		from_docker_proxy(argv, argc, port, out);
	} else {
		return 0;
	}
	return 1;
}

/* ---- haproxy ----------------------------------------------------------- */

enum hsec { HS_OTHER, HS_FRONTEND, HS_BACKEND, HS_LISTEN };

struct hline {
	const char	*file;
	int		 line;
	enum hsec	 sec;
	char		 secname[64];
	char		*tok[8];
	size_t		 ntok;
	char		*buf;
};

/* Does a bind address list ("*:80,:::8080", "ipv4@10.0.0.1:2222",
 * "1.2.3.4:8000-8010") take port? */
static int
hap_binds(const char *spec, unsigned int port)
{
	const char *p = spec;

	while (*p) {
		size_t n = strcspn(p, ",");
		const char *c = NULL;

		for (const char *q = p; q < p + n; q++)
			if (*q == ':')
				c = q;
		if (c) {
			uint64_t lo, hi;
			const char *dash = memchr(c + 1, '-',
			    (size_t)(p + n - c - 1));

			if (dash) {
				if (num_parse_u64(c + 1, (size_t)(dash - c - 1),
				    10, 1, 65535, &lo) == 0 &&
				    num_parse_u64(dash + 1, (size_t)(p + n -
				    dash - 1), 10, 1, 65535, &hi) == 0 &&
				    port >= lo && port <= hi)
					return 1;
			} else if (num_parse_u64(c + 1, (size_t)(p + n - c -
			    1), 10, 1, 65535, &lo) == 0 && lo == port) {
				return 1;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static size_t
hap_lines(const struct fwd_file *files, size_t nfiles, struct hline **out)
{
	struct hline *v = NULL;
	size_t n = 0, cap = 0;
	enum hsec sec = HS_OTHER;
	char secname[64] = "";

	for (size_t f = 0; f < nfiles; f++) {
		const char *p = files[f].text, *end = p + files[f].len;
		int lineno = 0;

		while (p < end && n < 100000) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t ln = (size_t)((nl ? nl : end) - p);
			struct hline h;
			char *s;

			lineno++;
			memset(&h, 0, sizeof(h));
			h.buf = xstrndup(p, ln);
			p += ln + (nl != NULL);
			if ((s = strchr(h.buf, '#')) != NULL)
				*s = '\0';
			for (s = h.buf; *s && h.ntok < 8;) {
				while (*s == ' ' || *s == '\t' || *s == '\r')
					*s++ = '\0';
				if (*s == '\0')
					break;
				h.tok[h.ntok++] = s;
				while (*s && *s != ' ' && *s != '\t' &&
				    *s != '\r')
					s++;
			}
			if (h.ntok == 0) {
				free(h.buf);
				continue;
			}
			if (strcmp(h.tok[0], "frontend") == 0 ||
			    strcmp(h.tok[0], "backend") == 0 ||
			    strcmp(h.tok[0], "listen") == 0 ||
			    strcmp(h.tok[0], "global") == 0 ||
			    strcmp(h.tok[0], "defaults") == 0 ||
			    strcmp(h.tok[0], "peers") == 0 ||
			    strcmp(h.tok[0], "resolvers") == 0 ||
			    strcmp(h.tok[0], "userlist") == 0 ||
			    strcmp(h.tok[0], "program") == 0 ||
			    strcmp(h.tok[0], "cache") == 0 ||
			    strcmp(h.tok[0], "ring") == 0 ||
			    strcmp(h.tok[0], "mailers") == 0 ||
			    strcmp(h.tok[0], "http-errors") == 0) {
				sec = strcmp(h.tok[0], "frontend") == 0 ?
				    HS_FRONTEND : strcmp(h.tok[0], "backend") ==
				    0 ? HS_BACKEND : strcmp(h.tok[0],
				    "listen") == 0 ? HS_LISTEN : HS_OTHER;
				copy(secname, sizeof(secname), h.ntok > 1 ?
				    h.tok[1] : "");
			}
			h.file = files[f].path;
			h.line = lineno;
			h.sec = sec;
			memcpy(h.secname, secname, sizeof(secname));
			xgrow((void **)&v, &cap, n + 1, sizeof(*v));
			v[n++] = h;
		}
	}
	*out = v;
	return n;
}

static int
f_full(const struct forward *f)
{
	return f->n >= FWD_MAX;
}

static void
hap_servers(const struct hline *v, size_t n, enum hsec sec,
    const char *name, unsigned int port, const char *cond,
    struct forward *f)
{
	for (size_t i = 0; i < n; i++) {
		char where[160];
		struct fwd_target *t;

		if (v[i].sec != sec || strcmp(v[i].secname, name) != 0 ||
		    v[i].ntok < 3 || strcmp(v[i].tok[0], "server") != 0)
			continue;
		snprintf(where, sizeof(where), "%s:%d", v[i].file, v[i].line);
		{
			const char *a = v[i].tok[2];

			if (strncmp(a, "ipv4@", 5) == 0 ||
			    strncmp(a, "ipv6@", 5) == 0)
				a += 5;
			t = add_target(f, a, strlen(a), where, cond);
			if (t)
				(void)forward_parse_addr(a, port, t);
		}
	}
}

void
forward_haproxy(const struct fwd_file *files, size_t nfiles,
    unsigned int port, int udp, struct forward *out)
{
	struct hline *v;
	size_t n = hap_lines(files, nfiles, &v);
	int bound = 0;

	memset(out, 0, sizeof(*out));
	out->via = "haproxy";
	for (size_t i = 0; i < n && !udp; i++) {
		const struct hline *h = &v[i];

		if ((h->sec != HS_FRONTEND && h->sec != HS_LISTEN) ||
		    h->ntok < 2 || strcmp(h->tok[0], "bind") != 0 ||
		    !hap_binds(h->tok[1], port))
			continue;
		bound = 1;
		/* everything this section says */
		for (size_t k = 0; k < n; k++) {
			const struct hline *s = &v[k];
			char cond[80];

			if (s->sec != h->sec || strcmp(s->secname, h->secname))
				continue;
			if (strcmp(s->tok[0], "stats") == 0 && s->ntok > 1 &&
			    (strcmp(s->tok[1], "enable") == 0 ||
			    strcmp(s->tok[1], "uri") == 0))
				out->self = 1;
			if (f_full(out) && (strcmp(s->tok[0],
			    "default_backend") == 0 || strcmp(s->tok[0],
			    "use_backend") == 0)) {
				out->more++;	/* full: not looked up */
				continue;
			}
			if (strcmp(s->tok[0], "default_backend") == 0 &&
			    s->ntok > 1)
				hap_servers(v, n, HS_BACKEND, s->tok[1], port,
				    "", out);
			if (strcmp(s->tok[0], "use_backend") == 0 &&
			    s->ntok > 1) {
				snprintf(cond, sizeof(cond), "use_backend %s%s%s",
				    s->tok[1], s->ntok > 2 ? " " : "",
				    s->ntok > 2 ? s->tok[2] : "");
				hap_servers(v, n, HS_BACKEND, s->tok[1], port,
				    cond, out);
			}
		}
		if (h->sec == HS_LISTEN)
			hap_servers(v, n, HS_LISTEN, h->secname, port, "", out);
		break;
	}
	if (!bound)
		snprintf(out->note, sizeof(out->note), "no frontend or listen "
		    "section of its configuration binds this port");
	else if (out->self && out->n == 0)
		snprintf(out->note, sizeof(out->note), "it serves its "
		    "statistics page here");
	for (size_t i = 0; i < n; i++)
		free(v[i].buf);
	free(v);
}

/* ---- nginx ------------------------------------------------------------- */

struct ntok {
	char		*s;
	int		 kind;		/* 0 word, ';', '{', '}' */
	const char	*file;
	int		 line;
};

struct nparse {
	struct ntok	*t;
	size_t		 n, cap;
	fwd_include_fn	 inc;
	void		*ctx;
	int		 depth;
	unsigned int	 files;
};

static void
ntok_add(struct nparse *np, char *s, int kind, const char *file, int line)
{
	if (np->n >= TOKENS_MAX) {
		free(s);
		return;
	}
	xgrow((void **)&np->t, &np->cap, np->n + 1, sizeof(*np->t));
	np->t[np->n].s = s;
	np->t[np->n].kind = kind;
	np->t[np->n].file = file;
	np->t[np->n].line = line;
	np->n++;
}

static void nginx_lex(struct nparse *np, const struct fwd_file *f);

/* "include PATTERN;" just lexed: replace it by the files' tokens. */
static void
nginx_include(struct nparse *np)
{
	struct fwd_file inc[16];
	size_t k, m;
	char *pat;

	if (np->n < 3 || np->t[np->n - 1].kind != ';' ||
	    np->t[np->n - 2].kind != 0 || np->t[np->n - 3].kind != 0 ||
	    strcmp(np->t[np->n - 3].s, "include") != 0)
		return;
	/* only at the start of a directive */
	if (np->n > 3 && np->t[np->n - 4].kind == 0)
		return;
	pat = np->t[np->n - 2].s;
	np->t[np->n - 2].s = NULL;
	for (k = np->n - 3; k < np->n; k++)
		free(np->t[k].s);
	np->n -= 3;
	if (np->inc && np->depth < INCLUDE_DEPTH && np->files < CONF_FILES) {
		m = np->inc(np->ctx, pat, inc, sizeof(inc) / sizeof(inc[0]));
		np->depth++;
		for (k = 0; k < m && np->files < CONF_FILES; k++) {
			np->files++;
			nginx_lex(np, &inc[k]);
		}
		np->depth--;
	}
	free(pat);
}

static void
nginx_lex(struct nparse *np, const struct fwd_file *f)
{
	const char *p = f->text, *end = p + f->len;
	int line = 1;

	while (p < end) {
		char c = *p;

		if (c == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)c)) {
			p++;
		} else if (c == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == ';' || c == '{' || c == '}') {
			ntok_add(np, NULL, c, f->path, line);
			p++;
			if (c == ';')
				nginx_include(np);
		} else {
			struct strbuf w;
			char q = (c == '"' || c == '\'') ? c : 0;

			strbuf_init(&w, 4096);
			if (q)
				p++;
			while (p < end) {
				if (q && *p == q) {
					p++;
					break;
				}
				if (!q && (isspace((unsigned char)*p) ||
				    *p == ';' || *p == '{' || *p == '}'))
					break;
				if (*p == '\\' && p + 1 < end)
					p++;
				if (*p == '\n')
					line++;
				strbuf_addch(&w, *p++);
			}
			{
				char *word = strbuf_detach(&w);

				/* an empty quoted word is a word */
				ntok_add(np, word ? word : xstrdup(""), 0,
				    f->path, line);
			}
		}
	}
}

/* The listen directive's port ("80", "127.0.0.1:8080", "[::]:443"). */
static int
nginx_listen_port(const char *a, unsigned int *port)
{
	const char *c = NULL;
	uint64_t v;

	if (strncmp(a, "unix:", 5) == 0)
		return -1;
	if (a[0] == '[') {
		const char *rb = strchr(a, ']');

		c = rb && rb[1] == ':' ? rb + 1 : NULL;
		if (c == NULL)
			return -1;
	} else {
		c = strrchr(a, ':');
	}
	if (num_parse_str(c ? c + 1 : a, 1, 65535, &v) != 0) {
		if (c == NULL)	/* "listen 127.0.0.1;" means port 80 */
			v = 80;
		else
			return -1;
	}
	*port = (unsigned int)v;
	return 0;
}


/* The '}' closing the '{' at i (np->n when it never closes). */
static size_t
match_brace(const struct nparse *np, size_t i)
{
	size_t depth = 0;

	for (size_t k = i + 1; k < np->n; k++) {
		if (np->t[k].kind == '{')
			depth++;
		else if (np->t[k].kind == '}' && depth-- == 0)
			return k;
	}
	return np->n;
}

/* The directive that ends at token e (';' or '{'): its first token. */
static size_t
dir_start(const struct nparse *np, size_t e)
{
	size_t s = e;

	while (s > 0 && np->t[s - 1].kind == 0)
		s--;
	return s;
}

static void
nginx_upstream(const struct nparse *np, size_t from, size_t to,
    const char *name, const char *ctxname, unsigned int port,
    const char *cond, struct forward *f, int udp)
{
	/* the upstream blocks named so in the same context */
	for (size_t i = from; i < to; i++) {
		size_t s, depth = 0, k;

		if (np->t[i].kind != '{')
			continue;
		s = dir_start(np, i);
		if (i - s != 2 || strcmp(np->t[s].s, "upstream") != 0 ||
		    strcmp(np->t[s + 1].s, name) != 0)
			continue;
		for (k = i + 1; k < to; k++) {
			if (np->t[k].kind == '{')
				depth++;
			else if (np->t[k].kind == '}') {
				if (depth-- == 0)
					break;
			} else if (np->t[k].kind == ';' && depth == 0) {
				size_t d = dir_start(np, k);

				if (k - d >= 2 &&
				    strcmp(np->t[d].s, "server") == 0) {
					char where[160], c2[200];
					struct fwd_target *t;

					snprintf(where, sizeof(where), "%s:%d",
					    np->t[d].file, np->t[d].line);
					snprintf(c2, sizeof(c2), "%s%supstream "
					    "%s", cond, *cond ? ", " : "", name);
					t = add_target(f, np->t[d + 1].s,
					    strlen(np->t[d + 1].s), where, c2);
					if (t) {
						(void)forward_parse_addr(t->to,
						    strcmp(ctxname, "http") ? 0 :
						    80, t);
						t->udp = udp;
					}
				}
			}
		}
	}
	(void)port;
}

/* A server block [open, close) of context ctx: does it listen on the
 * port?  Then its passes. */
static int
nginx_server(const struct nparse *np, size_t open, size_t close,
    const char *ctx, size_t cfrom, size_t cto, unsigned int port, int udp,
    struct forward *f)
{
	int listens = 0, any_listen = 0, depth = 0;
	char loc[80] = "";

	for (size_t k = open + 1; k < close; k++) {
		size_t d;

		if (np->t[k].kind == '{') {
			depth++;
			continue;
		}
		if (np->t[k].kind == '}') {
			depth--;
			continue;
		}
		if (np->t[k].kind != ';')
			continue;
		d = dir_start(np, k);
		if (depth == 0 && k - d >= 2 &&
		    strcmp(np->t[d].s, "listen") == 0) {
			unsigned int lp;
			int lu = 0;

			any_listen = 1;
			for (size_t j = d + 2; j < k; j++)
				lu |= strcmp(np->t[j].s, "udp") == 0;
			if (nginx_listen_port(np->t[d + 1].s, &lp) == 0 &&
			    lp == port && lu == udp)
				listens = 1;
		}
	}
	if (!any_listen && strcmp(ctx, "http") == 0 && port == 80 && !udp)
		listens = 1;
	if (!listens)
		return 0;
	depth = 0;
	loc[0] = '\0';
	for (size_t k = open + 1; k < close; k++) {
		size_t d;
		const char *dn;

		if (np->t[k].kind == '{') {
			d = dir_start(np, k);
			if (d < k && strcmp(np->t[d].s, "location") == 0) {
				struct strbuf sb;

				/* "location ~ \.php$": its words, as the
				 * condition of what it passes on */
				strbuf_init(&sb, sizeof(loc) - 1);
				for (size_t j = d; j < k; j++)
					strbuf_addf(&sb, "%s%s", j > d ? " " :
					    "", np->t[j].s);
				copy(loc, sizeof(loc), strbuf_str(&sb));
				strbuf_release(&sb);
			}
			depth++;
			continue;
		}
		if (np->t[k].kind == '}') {
			if (--depth == 0)
				loc[0] = '\0';	/* back at the server's level */
			continue;
		}
		if (np->t[k].kind != ';')
			continue;
		d = dir_start(np, k);
		if (k - d < 2)
			continue;
		dn = np->t[d].s;
		if (strcmp(dn, "proxy_pass") == 0 ||
		    strcmp(dn, "fastcgi_pass") == 0 ||
		    strcmp(dn, "uwsgi_pass") == 0 ||
		    strcmp(dn, "grpc_pass") == 0 ||
		    strcmp(dn, "scgi_pass") == 0) {
			const char *v = np->t[d + 1].s, *h = v;
			char where[160], name[96];
			struct fwd_target t0;

			if (strstr(h, "://"))
				h = strstr(h, "://") + 3;
			copyn(name, sizeof(name), h, strcspn(h, "/:"));
			snprintf(where, sizeof(where), "%s:%d", np->t[d].file,
			    np->t[d].line);
			if (strncmp(h, "unix:", 5) == 0) {
				add_target(f, h, strcspn(h, " "), where, loc);
			} else if (forward_parse_addr(v, strcmp(ctx,
			    "http") ? 0 : 80, &t0) == 0 ||
			    strchr(h, ':') != NULL) {
				struct fwd_target *t = add_target(f, v,
				    strlen(v), where, loc);

				if (t) {
					(void)forward_parse_addr(v, strcmp(ctx,
					    "http") ? 0 : 80, t);
					t->udp = udp;
				}
			} else if (f->n >= FWD_MAX) {
				/* full: counted, not looked up (each lookup
				 * reads the whole context) */
				f->more++;
			} else {
				nginx_upstream(np, cfrom, cto, name, ctx, port,
				    loc, f, udp);
			}
		}
	}
	return 1;
}

void
forward_nginx(const struct fwd_file *main, fwd_include_fn inc, void *ctx,
    unsigned int port, int udp, struct forward *out)
{
	struct nparse np;
	int found = 0;

	memset(out, 0, sizeof(*out));
	memset(&np, 0, sizeof(np));
	out->via = "nginx";
	np.inc = inc;
	np.ctx = ctx;
	np.files = 1;
	nginx_lex(&np, main);
	/* the http and stream blocks at the top, and their servers */
	for (size_t i = 0; i < np.n; i++) {
		size_t s, k;
		const char *cn;

		if (np.t[i].kind != '{')
			continue;
		s = dir_start(&np, i);
		cn = i > s ? np.t[s].s : "";
		k = match_brace(&np, i);
		if (strcmp(cn, "http") == 0 || strcmp(cn, "stream") == 0) {
			for (size_t j = i + 1; j < k; j++) {
				size_t sd, e;

				if (np.t[j].kind != '{')
					continue;
				sd = dir_start(&np, j);
				e = match_brace(&np, j);
				if (j - sd == 1 &&
				    strcmp(np.t[sd].s, "server") == 0 &&
				    nginx_server(&np, j, e, cn, i + 1, k, port,
				    udp, out))
					found = 1;
				j = e;
			}
		}
		i = k;
	}
	if (!found)
		snprintf(out->note, sizeof(out->note), "no server block of its "
		    "configuration listens on this port");
	else if (out->n == 0 && out->more == 0)
		snprintf(out->note, sizeof(out->note), "it serves this port "
		    "itself (no proxy_pass)");
	for (size_t i = 0; i < np.n; i++)
		free(np.t[i].s);
	free(np.t);
}

/* ---- reading a live process's configuration ---------------------------- */

struct loaded {
	struct fwd_file	 f[CONF_FILES];
	char		*paths[CONF_FILES];
	char		*texts[CONF_FILES];
	size_t		 n;
	char		 root[64];	/* /proc/PID/root (under the sysroot) */
	char		 cwd[512];	/* its working directory, inside it */
	char		 confdir[512];	/* nginx: includes are relative here */
	char		 why[100];	/* the first read that failed */
};

static void
loaded_release(struct loaded *ld)
{
	for (size_t i = 0; i < ld->n; i++) {
		free(ld->paths[i]);
		free(ld->texts[i]);
	}
	ld->n = 0;
}

static void
absolute(const char *base, const char *p, char *out, size_t sz)
{
	if (p[0] == '/')
		snprintf(out, sz, "%s", p);
	else
		snprintf(out, sz, "%s/%s", base[0] ? base : "", p);
}

static int
load_one(struct loaded *ld, const char *path)
{
	struct strbuf sb;
	char *root = sysroot_path(ld->root);

	if (ld->n >= CONF_FILES) {
		free(root);
		return -1;
	}
	strbuf_init(&sb, CONF_CAP);
	if (read_in_root_capped(root, path, CONF_CAP, &sb) < 0) {
		if (ld->why[0] == '\0')
			snprintf(ld->why, sizeof(ld->why), "%s: %s", path,
			    strerror(errno));
		strbuf_release(&sb);
		free(root);
		return -1;
	}
	free(root);
	ld->paths[ld->n] = xstrdup(path);
	ld->texts[ld->n] = strbuf_detach(&sb);
	ld->f[ld->n].path = ld->paths[ld->n];
	ld->f[ld->n].text = ld->texts[ld->n] ? ld->texts[ld->n] : "";
	ld->f[ld->n].len = strlen(ld->f[ld->n].text);
	ld->n++;
	return 0;
}

/* The files of a directory inside the root whose names match glob pat,
 * in name order. */
static size_t
load_matching(struct loaded *ld, const char *dir, const char *pat,
    size_t max)
{
	char *root = sysroot_path(ld->root);
	int fd = open_dir_in(root, dir);
	char *names[CONF_FILES];
	size_t nn = 0, got = 0;
	DIR *d;
	struct dirent *de;

	free(root);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		if (ld->why[0] == '\0')
			snprintf(ld->why, sizeof(ld->why), "%s: %s", dir,
			    strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL && nn < CONF_FILES)
		if (de->d_name[0] != '.' && fnmatch(pat, de->d_name, 0) == 0)
			names[nn++] = xstrdup(de->d_name);
	closedir(d);
	qsort(names, nn, sizeof(*names), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		char p[1024];

		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (got < max && load_one(ld, p) == 0)
			got++;
		free(names[i]);
	}
	return got;
}

static size_t
nginx_inc(void *ctx, const char *pattern, struct fwd_file *out, size_t max)
{
	struct loaded *ld = ctx;
	char abs[1024], *slash;
	size_t first = ld->n, got;

	absolute(ld->confdir, pattern, abs, sizeof(abs));
	slash = strrchr(abs, '/');
	if (slash == NULL)
		return 0;
	*slash = '\0';
	if (strpbrk(abs, "*?[") != NULL)	/* a glob in a directory name */
		return 0;
	if (strpbrk(slash + 1, "*?[") != NULL) {
		got = load_matching(ld, abs[0] ? abs : "/", slash + 1, max);
	} else {
		char p[1100];

		snprintf(p, sizeof(p), "%s/%s", abs, slash + 1);
		got = load_one(ld, p) == 0;
	}
	for (size_t i = 0; i < got; i++)
		out[i] = ld->f[first + i];
	return got;
}

/* The owner's argv (NUL separated in /proc/PID/cmdline). */
static size_t
read_argv(pid_t pid, struct strbuf *sb, const char **argv, size_t max)
{
	char path[64];
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (sysroot_read(path, ARGV_CAP, sb) < 0 || sb->len == 0)
		return 0;
	for (size_t i = 0; i < sb->len && n < max;) {
		argv[n++] = sb->buf + i;
		i += strlen(sb->buf + i) + 1;
	}
	/* a program that rewrote its title ("nginx: master process
	 * /usr/sbin/nginx -c /etc/nginx/nginx.conf") left one string: its
	 * words, without the title */
	if (n == 1 && strchr(argv[0], ' ') != NULL) {
		char *p = sb->buf, *save = NULL, *w;

		n = 0;
		if (strncmp(p, "nginx: ", 7) == 0 && (w = strstr(p,
		    " process ")) != NULL)
			p = w + 9;
		for (w = strtok_r(p, " ", &save); w && n < max;
		    w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
	}
	return n;
}

static const char *
opt_value(const char *const *argv, size_t argc, const char *opt, size_t *at)
{
	size_t on = strlen(opt);

	for (size_t i = *at; i < argc; i++) {
		if (strcmp(argv[i], opt) == 0 && i + 1 < argc) {
			*at = i + 2;
			return argv[i + 1];
		}
		if (strncmp(argv[i], opt, on) == 0 && argv[i][on]) {
			*at = i + 1;
			return argv[i] + on;
		}
	}
	*at = argc;
	return NULL;
}

static void
process_dirs(struct loaded *ld, pid_t pid)
{
	char path[64], *p;
	ssize_t n;

	snprintf(ld->root, sizeof(ld->root), "/proc/%d/root", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	p = sysroot_path(path);
	n = readlink(p, ld->cwd, sizeof(ld->cwd) - 1);
	free(p);
	ld->cwd[n > 0 ? n : 0] = '\0';
	if (n <= 0 || ld->cwd[0] != '/')
		snprintf(ld->cwd, sizeof(ld->cwd), "/");
}

static void
from_haproxy(const char *const *argv, size_t argc, pid_t pid,
    unsigned int port, int udp, struct forward *f)
{
	struct loaded ld;
	size_t at = 1;
	const char *v;
	int any = 0;

	memset(&ld, 0, sizeof(ld));
	process_dirs(&ld, pid);
	while ((v = opt_value(argv, argc, "-f", &at)) != NULL) {
		char abs[1024];
		char *root = sysroot_path(ld.root);
		int dfd;

		any = 1;
		absolute(ld.cwd, v, abs, sizeof(abs));
		/* -f DIR: its *.cfg files in name order */
		if ((dfd = open_dir_in(root, abs)) >= 0) {
			close(dfd);
			(void)load_matching(&ld, abs, "*.cfg", CONF_FILES);
		} else {
			(void)load_one(&ld, abs);
		}
		free(root);
	}
	if (!any)
		(void)load_one(&ld, "/etc/haproxy/haproxy.cfg");
	forward_haproxy(ld.f, ld.n, port, udp, f);
	if (ld.n == 0)
		snprintf(f->note, sizeof(f->note), "its configuration could "
		    "not be read (%s)", ld.why);
	loaded_release(&ld);
}

static void
from_nginx(const char *const *argv, size_t argc, pid_t pid,
    unsigned int port, int udp, struct forward *f)
{
	struct loaded ld;
	size_t at = 1;
	const char *v = opt_value(argv, argc, "-c", &at);
	char abs[1024], *slash;

	memset(&ld, 0, sizeof(ld));
	process_dirs(&ld, pid);
	absolute(ld.cwd, v ? v : "/etc/nginx/nginx.conf", abs,
	    sizeof(abs));
	copy(ld.confdir, sizeof(ld.confdir), abs);
	if ((slash = strrchr(ld.confdir, '/')) != NULL)
		*slash = '\0';
	if (load_one(&ld, abs) < 0) {
		memset(f, 0, sizeof(*f));
		f->via = "nginx";
		snprintf(f->note, sizeof(f->note), "its configuration could "
		    "not be read (%s)", ld.why);
	} else {
		struct fwd_file main = ld.f[0];

		forward_nginx(&main, nginx_inc, &ld, port, udp, f);
	}
	loaded_release(&ld);
}

static int
addr_is_any(const struct sock_rec *s)
{
	static const uint8_t zero[16];

	return memcmp(s->laddr, zero, s->family == AF_INET ? 4 : 16) == 0;
}

/* Does the listener s take connections for t? */
static int
reaches(const struct sock_rec *s, const struct fwd_target *t)
{
	int udp = s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE;

	if (s->lport != t->port || udp != t->udp ||
	    !(udp ? s->state == ST_CLOSE : s->state == ST_LISTEN))
		return 0;
	if (s->family == t->family)
		return addr_is_any(s) || memcmp(s->laddr, t->addr,
		    t->family == AF_INET ? 4 : 16) == 0;
	/* an IPv4 target reaches a dual-stack IPv6 wildcard */
	return t->family == AF_INET && s->family == AF_INET6 &&
	    addr_is_any(s) && s->v6only != 1;
}

static int
ns_holds(const struct listing *l, uint32_t ns, const struct fwd_target *t)
{
	const struct ifaces *ifs = ns == 0 || ns >= l->nets.n || !l->nsv ?
	    &l->ifs : &l->nsv[ns].ifs;

	for (size_t i = 0; i < ifs->naddrs; i++)
		if (ifs->addrs[i].family == t->family &&
		    memcmp(ifs->addrs[i].addr, t->addr, t->family == AF_INET ?
		    4 : 16) == 0)
			return 1;
	return 0;
}

static int
is_loopback(const struct fwd_target *t)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	return t->family == AF_INET ? t->addr[0] == 127 :
	    memcmp(t->addr, lo6, 16) == 0;
}

static void
take_owner(struct fwd_target *t, const struct proc_rec *p)
{
	t->behind_pid = p->pid;
	copy(t->behind_comm, sizeof(t->behind_comm), p->comm);
	copy(t->behind_exe, sizeof(t->behind_exe), p->exe ?
	    base_name(p->exe) : "");
}

/*
 * The listener behind t: in the forwarder's own namespace first, then in
 * the one whose interfaces hold the address (a container's, for
 * docker-proxy).  A listener among the views has its owner at hand; one
 * the selection left out (explain PORT) is noted by inode, its owner
 * looked for afterwards.
 */
static void
join(const struct listing *l, size_t self, struct fwd_target *t)
{
	uint32_t here = l->views[self].s->netns;

	if (t->family == 0)
		return;
	t->local = is_loopback(t);
	for (uint32_t ns = 0; !t->local && ns < (l->nets.n ? l->nets.n : 1);
	    ns++)
		t->local = ns_holds(l, ns, t);
	for (int pass = 0; pass < 2 && t->behind_inode == 0; pass++) {
		for (size_t i = 0; i < l->nviews && !t->behind_inode; i++) {
			const struct sock_view *v = &l->views[i];

			if (i == self || !reaches(v->s, t) || (pass == 0 ?
			    v->s->netns != here : (v->s->netns == here ||
			    is_loopback(t) || !ns_holds(l, v->s->netns, t))))
				continue;
			t->behind_inode = v->s->inode ? v->s->inode : 1;
			t->behind_pid = -1;	/* found, owner unknown */
			if (v->nowners)
				take_owner(t, &l->ps.procs[l->ps.owners[
				    view_owner(l, v, 0)].proc]);
		}
		for (size_t i = 0; i < l->socks.n && !t->behind_inode; i++) {
			const struct sock_rec *s = &l->socks.v[i];

			if (s == l->views[self].s || !reaches(s, t) ||
			    (pass == 0 ? s->netns != here : (s->netns == here ||
			    is_loopback(t) || !ns_holds(l, s->netns, t))))
				continue;
			t->behind_inode = s->inode ? s->inode : 1;
			t->behind_pid = -1;
		}
	}
}

/* Owners of the listeners behind that the selection left out. */
static void
join_owners(struct forward *out, size_t n)
{
	uint64_t *inodes = xcalloc(n * FWD_MAX + 1, sizeof(*inodes));
	size_t ni = 0;
	struct procscan ps;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < out[i].n; k++)
			if (out[i].t[k].behind_pid == -1 &&
			    out[i].t[k].behind_inode > 1)
				inodes[ni++] = out[i].t[k].behind_inode;
	if (ni > 0) {
		memset(&ps, 0, sizeof(ps));
		procscan_run(inodes, ni, 1, 0, &ps);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < out[i].n; k++) {
				struct fwd_target *t = &out[i].t[k];

				if (t->behind_pid != -1)
					continue;
				for (size_t o = 0; o < ps.nowners; o++)
					if (ps.owners[o].inode ==
					    t->behind_inode) {
						take_owner(t, &ps.procs[
						    ps.owners[o].proc]);
						break;
					}
			}
		procscan_release(&ps);
	}
	free(inodes);
}

/* The view's forwarder, if its first owner is one: 1 with *out filled
 * (maybe with no target and a note), 0 if not. */
static int
view_forward(const struct listing *l, size_t i, struct strbuf *sb,
    struct forward *out)
{
	const struct sock_view *v = &l->views[i];
	const struct sock_rec *s = v->s;
	const struct proc_rec *p;
	const char *argv[256], *b;
	size_t argc;
	int udp = s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE;

	if (v->nowners == 0 || !(s->state == ST_LISTEN ||
	    (udp && s->state == ST_CLOSE)))
		return 0;
	p = &l->ps.procs[l->ps.owners[view_owner(l, v, 0)].proc];
	b = p->exe ? base_name(p->exe) : p->comm ? p->comm : "";
	if (strcmp(b, "socat") && strcmp(b, "ssh") &&
	    strcmp(b, "docker-proxy") && strcmp(b, "haproxy") &&
	    strcmp(b, "nginx"))
		return 0;
	memset(out, 0, sizeof(*out));
	argc = read_argv(p->pid, sb, argv, sizeof(argv) / sizeof(argv[0]));
	/* an nginx worker's configuration is its master's */
	if (argc > 0 && strcmp(b, "nginx") == 0 &&
	    strncmp(argv[0], "nginx: ", 7) == 0 && p->ppid > 1)
		argc = read_argv(p->ppid, sb, argv, sizeof(argv) /
		    sizeof(argv[0]));
	if (argc == 0) {
		out->via = strcmp(b, "ssh") == 0 ? "ssh -L" :
		    strcmp(b, "socat") == 0 ? "socat" :
		    strcmp(b, "haproxy") == 0 ? "haproxy" :
		    strcmp(b, "nginx") == 0 ? "nginx" : "docker-proxy";
		snprintf(out->note, sizeof(out->note), "its command line "
		    "could not be read");
		return 1;
	}
	if (strcmp(b, "haproxy") == 0)
		from_haproxy(argv, argc, p->pid, s->lport, udp, out);
	else if (strcmp(b, "nginx") == 0)
		from_nginx(argv, argc, p->pid, s->lport, udp, out);
	else
		(void)forward_from_argv(argv, argc, s->lport, udp, out);
	for (size_t k = 0; k < out->n; k++)
		join(l, i, &out->t[k]);
	return out->via || out->self || out->n || out->more || out->note[0];
}

struct forwards *
forward_listing(const struct listing *l)
{
	struct forwards *f = xcalloc(1, sizeof(*f));
	struct forward cur;
	struct strbuf sb;
	size_t cap = 0;

	/* a slot per view, the forwarders only in full (a forward is 4
	 * KiB: one per view of a busy host was tens of MiB to fault in) */
	f->slot = xcalloc(l->nviews ? l->nviews : 1, sizeof(*f->slot));
	f->nviews = l->nviews;
	strbuf_init(&sb, ARGV_CAP);
	for (size_t i = 0; i < l->nviews && f->n < UINT32_MAX - 1; i++) {
		if (!view_forward(l, i, &sb, &cur))
			continue;
		xgrow((void **)&f->v, &cap, f->n + 1, sizeof(*f->v));
		f->v[f->n++] = cur;
		f->slot[i] = (uint32_t)f->n;
	}
	strbuf_release(&sb);
	join_owners(f->v, f->n);
	return f;
}

const struct forward *
forwards_at(const struct forwards *f, size_t view)
{
	static const struct forward none;

	if (f == NULL || view >= f->nviews || f->slot[view] == 0)
		return &none;
	return &f->v[f->slot[view] - 1];
}

void
forwards_free(struct forwards *f)
{
	if (f == NULL)
		return;
	free(f->slot);
	free(f->v);
	free(f);
}
