/*
 * services.c - parsers for /etc/services, /etc/protocols and the IANA
 * table, and the lookup that chooses between them.
 *
 * /etc/services:  name port/proto [alias ...] [# comment]
 * /etc/protocols: name number [alias ...] [# comment]
 * iana-ports.tsv: low TAB high TAB proto TAB name TAB description
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "model/services.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define SERVICES_FILE_MAX	(4u << 20)	/* Debian's is 13 KB */
#define SERVICES_NAME_MAX	255

static enum svc_proto
proto_from(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "tcp", 3) == 0)
		return SP_TCP;
	if (n == 3 && memcmp(s, "udp", 3) == 0)
		return SP_UDP;
	if (n == 4 && memcmp(s, "sctp", 4) == 0)
		return SP_SCTP;
	if (n == 4 && memcmp(s, "dccp", 4) == 0)
		return SP_DCCP;
	return SP_OTHER;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next whitespace-separated word in [*p, end). */
static size_t
word(const char **p, const char *end, const char **start)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	*start = s;
	while (s < end && !is_blank(*s))
		s++;
	*p = s;
	return (size_t)(s - *start);
}

static struct service_ent *
add_entry(struct services *s)
{
	struct service_ent *e;

	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->order = (uint32_t)s->n++;
	return e;
}

/*
 * Fields are NUL-terminated in place, in the parser's own copy of the
 * text: one allocation per file instead of several per line (IANA's table
 * has some twelve thousand).  Terminators are written only once a line's
 * fields are all located, and never past the line.
 */
struct span {
	char	*p;
	size_t	 n;
};

static const char *
terminate(struct span sp)
{
	sp.p[sp.n] = '\0';
	return sp.p;
}

/* One line of /etc/services or /etc/protocols; 0 when used, -1 bad. */
static int
parse_etc_line(struct services *s, enum services_format fmt, char *line,
    const char *end, size_t lineno)
{
	const char *p = line;
	const char *hash = memchr(p, '#', (size_t)(end - p));
	const char *stop = hash ? hash : end, *w, *slash;
	struct span names[1 + SERVICES_MAX_ALIASES], desc = { NULL, 0 };
	struct service_ent *e;
	size_t n, nlen, nnames = 1, i;
	uint64_t port;
	const char *name;

	nlen = word(&p, stop, &name);
	if (nlen == 0)
		return 0;	/* blank or comment-only line */
	if (nlen > SERVICES_NAME_MAX)
		return -1;
	n = word(&p, stop, &w);
	if (n == 0)
		return -1;
	if (fmt == SF_SERVICES) {
		slash = memchr(w, '/', n);
		if (slash == NULL || slash == w || slash == w + n - 1)
			return -1;
		if (num_parse_u64(w, (size_t)(slash - w), 10, 0, 65535,
		    &port) != 0)
			return -1;
	} else {
		slash = NULL;
		if (num_parse_u64(w, n, 10, 0, 255, &port) != 0)
			return -1;
	}
	e = add_entry(s);
	e->lo = e->hi = (uint16_t)port;
	e->line = (uint32_t)lineno;
	e->proto = fmt == SF_SERVICES ?
	    proto_from(slash + 1, (size_t)(w + n - slash - 1)) : SP_IP;
	names[0].p = line + (name - line);
	names[0].n = nlen;
	while ((n = word(&p, stop, &w)) != 0) {
		if (nnames == 1 + SERVICES_MAX_ALIASES || n > SERVICES_NAME_MAX)
			continue;	/* extra aliases are dropped */
		names[nnames].p = line + (w - line);
		names[nnames++].n = n;
	}
	if (hash != NULL) {
		const char *c = hash + 1, *ce = end;

		while (c < ce && is_blank(*c))
			c++;
		while (ce > c && is_blank(ce[-1]))
			ce--;
		if (ce > c) {
			desc.p = line + (c - line);
			desc.n = (size_t)(ce - c);
		}
	}
	e->name = terminate(names[0]);
	e->alias0 = (uint32_t)s->naliases;
	for (i = 1; i < nnames; i++) {
		xgrow((void **)&s->aliases, &s->acap, s->naliases + 1,
		    sizeof(*s->aliases));
		s->aliases[s->naliases++] = terminate(names[i]);
		e->naliases++;
	}
	if (desc.p != NULL)
		e->desc = terminate(desc);
	return 0;
}

static int
want_bit(const uint64_t *want, enum svc_proto proto, unsigned port)
{
	size_t bit = (size_t)proto * 65536 + port;

	return (want[bit / 64] >> (bit % 64)) & 1;
}

/* Is a port of [lo, hi] wanted?  Only TCP, UDP and SCTP are looked up. */
static int
any_wanted(const uint64_t *want, enum svc_proto proto, uint64_t lo,
    uint64_t hi)
{
	uint64_t port;

	if (proto != SP_TCP && proto != SP_UDP && proto != SP_SCTP)
		return 0;
	for (port = lo; port <= hi; port++)
		if (want_bit(want, proto, (unsigned)port))
			return 1;
	return 0;
}

/*
 * The kept rows' strings moved out of the read buffer into one block of
 * their own size, and the buffer given back: a filtered parse keeps a
 * few hundred rows of a half-megabyte file.
 */
static void
compact_text(struct services *s)
{
	size_t i, total = 0, off = 0;
	char *block, *old;

	if (s->ntexts == 0)
		return;
	for (i = 0; i < s->n; i++)
		total += strlen(s->v[i].name) + 1 +
		    (s->v[i].desc ? strlen(s->v[i].desc) + 1 : 0);
	block = xmalloc(total ? total : 1);
	for (i = 0; i < s->n; i++) {
		const char **f[2] = { &s->v[i].name, &s->v[i].desc };
		size_t k;

		for (k = 0; k < 2; k++) {
			size_t n;

			if (*f[k] == NULL)
				continue;
			n = strlen(*f[k]) + 1;
			memcpy(block + off, *f[k], n);
			*f[k] = block + off;
			off += n;
		}
	}
	old = s->texts[s->ntexts - 1];
	s->texts[s->ntexts - 1] = block;
	free(old);
}

/* One row of the IANA table; 0 when used, -1 bad. */
static int
parse_iana_line(struct services *s, char *p, const char *end, size_t lineno)
{
	char *f[5];
	size_t len[5], i;
	uint64_t lo, hi;
	struct service_ent *e;
	enum svc_proto proto;

	if (p < end && *p == '#')
		return 0;
	if (p == end)
		return 0;
	for (i = 0; i < 5; i++) {
		const char *tab = i < 4 ? memchr(p, '\t', (size_t)(end - p)) : end;

		if (tab == NULL)
			return -1;
		f[i] = p;
		len[i] = (size_t)(tab - p);
		p += len[i] + (tab < end);
	}
	if (num_parse_u64(f[0], len[0], 10, 0, 65535, &lo) != 0 ||
	    num_parse_u64(f[1], len[1], 10, lo, 65535, &hi) != 0 ||
	    len[3] > SERVICES_NAME_MAX)
		return -1;
	proto = proto_from(f[2], len[2]);
	if (s->want && !any_wanted(s->want, proto, lo, hi))
		return 0;
	e = add_entry(s);
	e->lo = (uint16_t)lo;
	e->hi = (uint16_t)hi;
	e->line = (uint32_t)lineno;
	e->proto = proto;
	e->name = terminate((struct span){ f[3], len[3] });
	if (len[4] > 0)
		e->desc = terminate((struct span){ f[4], len[4] });
	return 0;
}

/* Parse copy (len bytes and a NUL), which s keeps. */
static void
parse_owned(struct services *s, enum services_format fmt, char *copy,
    size_t len)
{
	char *p = copy;
	const char *end = copy + len;
	size_t lineno = 0, first = s->n;
	uint8_t source = fmt == SF_SERVICES ? SVC_ETC_SERVICES :
	    fmt == SF_PROTOCOLS ? SVC_ETC_PROTOCOLS : SVC_IANA;

	xgrow((void **)&s->texts, &s->tcap, s->ntexts + 1, sizeof(*s->texts));
	s->texts[s->ntexts++] = copy;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int rc;

		lineno++;
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL)
			rc = -1;	/* NUL bytes: not a text line */
		else if (fmt == SF_IANA_TSV)
			rc = parse_iana_line(s, p, eol, lineno);
		else
			rc = parse_etc_line(s, fmt, p, eol, lineno);
		if (rc != 0)
			s->malformed++;
		p = nl ? nl + 1 : copy + len;
	}
	for (size_t i = first; i < s->n; i++)
		s->v[i].source = source;
	if (s->want)
		compact_text(s);
}

void
services_parse(struct services *s, enum services_format fmt, const char *text,
    size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	copy[len] = '\0';
	parse_owned(s, fmt, copy, len);
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct service_ent *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void
services_finish(struct services *s)
{
	size_t i;

	if (s->n) {
		/* the table stays for the run: no room for growth kept */
		s->v = xreallocarray(s->v, s->n, sizeof(*s->v));
		s->cap = s->n;
		qsort(s->v, s->n, sizeof(*s->v), ent_cmp);
	}
	s->nranges = 0;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].hi > s->v[i].lo) {
			xgrow((void **)&s->ranges, &s->rcap, s->nranges + 1,
			    sizeof(*s->ranges));
			s->ranges[s->nranges++] = i;
		}
	}
}

const struct service_ent *
services_lookup(const struct services *s, enum svc_proto proto, uint16_t port)
{
	const struct service_ent *best = NULL;
	size_t lo = 0, hi = s->n, i;

	/* first entry with (proto, lo) >= (proto, port) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct service_ent *e = &s->v[mid];

		if (e->proto < proto || (e->proto == proto && e->lo < port))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->v[lo].proto == proto && s->v[lo].lo == port)
		best = &s->v[lo];
	for (i = 0; i < s->nranges; i++) {
		const struct service_ent *e = &s->v[s->ranges[i]];

		if (e->proto == proto && e->lo <= port && port <= e->hi &&
		    (best == NULL || e->order < best->order))
			best = e;
	}
	return best;
}

const char *
services_alias(const struct services *s, const struct service_ent *e,
    size_t k)
{
	return s->aliases[e->alias0 + k];
}

int
services_port_of(const struct services *s, enum svc_proto proto,
    const char *name)
{
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		const struct service_ent *e = &s->v[i];

		if (e->proto != proto || e->lo != e->hi)
			continue;
		if (strcmp(e->name, name) == 0)
			return e->lo;
		for (k = 0; k < e->naliases; k++)
			if (strcmp(services_alias(s, e, k), name) == 0)
				return e->lo;
	}
	return -1;
}

void
services_release(struct services *s)
{
	size_t i;

	for (i = 0; i < s->ntexts; i++)
		free(s->texts[i]);
	free(s->texts);
	free(s->aliases);
	free(s->v);
	free(s->ranges);
	memset(s, 0, sizeof(*s));
}

static char *
load(struct services *s, enum services_format fmt, const char *path,
    int under_root)
{
	struct strbuf sb;
	int rc;
	char *err = NULL;

	strbuf_init(&sb, SERVICES_FILE_MAX);
	rc = under_root ? sysroot_read(path, SERVICES_FILE_MAX, &sb) :
	    read_at_capped(AT_FDCWD, path, SERVICES_FILE_MAX, &sb);
	if (rc < 0)
		err = xasprintf("cannot read '%s': %s", path, strerror(errno));
	else {
		if (sb.truncated)
			err = xasprintf("'%s' is larger than %u bytes; the rest "
			    "was ignored", path, SERVICES_FILE_MAX);
		size_t len = sb.len;
		char *text = strbuf_detach(&sb);

		/* parsed in place: the read buffer, trimmed, is the text */
		parse_owned(s, fmt, xreallocarray(text, len + 1, 1), len);
	}
	services_finish(s);
	strbuf_release(&sb);
	return err;
}

void
registry_init(struct registry *r, const char *iana_path)
{
	memset(r, 0, sizeof(*r));
	r->iana_path = iana_path ? xstrdup(iana_path) : NULL;
	r->etc_error = load(&r->etc, SF_SERVICES, "/etc/services", 1);
	r->protocols_error = load(&r->protocols, SF_PROTOCOLS,
	    "/etc/protocols", 1);
}

/* UDP-Lite shares UDP's port registrations (RFC 3828). */
static enum svc_proto
svc_proto_of(enum ps_proto proto)
{
	return proto == PROTO_TCP ? SP_TCP : proto == PROTO_SCTP ? SP_SCTP :
	    SP_UDP;
}

void
registry_want(struct registry *r, enum ps_proto proto, uint16_t port)
{
	enum svc_proto sp;
	size_t bit;

	if (proto == PROTO_RAW || (r->iana_loaded && !r->iana_partial))
		return;
	sp = svc_proto_of(proto);
	if (r->want == NULL)
		r->want = xcalloc(3 * 65536 / 64, sizeof(*r->want));
	bit = (size_t)sp * 65536 + port;
	if (want_bit(r->want, sp, port))
		return;
	r->want[bit / 64] |= UINT64_C(1) << (bit % 64);
	if (r->iana_loaded)
		r->iana_stale = 1;
}

/* (Re)load IANA's table: only the wanted ports' rows, or all of it. */
static void
iana_load(struct registry *r, int partial)
{
	if (r->iana_loaded) {
		services_release(&r->iana);
		free(r->iana_error);
		r->iana_error = NULL;
	}
	r->iana_loaded = 1;
	r->iana_partial = partial;
	r->iana_stale = 0;
	if (r->iana_path == NULL) {
		r->iana_error = xstrdup("no IANA port table found");
		return;
	}
	r->iana.want = partial ? r->want : NULL;
	r->iana_error = load(&r->iana, SF_IANA_TSV, r->iana_path, 0);
	r->iana.want = NULL;
}

struct service_match
registry_lookup(struct registry *r, enum ps_proto proto, uint16_t port)
{
	struct service_match m = { NULL, SVC_NONE };
	enum svc_proto sp;

	if (proto == PROTO_RAW) {
		if ((m.ent = services_lookup(&r->protocols, SP_IP, port)))
			m.source = SVC_ETC_PROTOCOLS;
		return m;
	}
	sp = svc_proto_of(proto);
	if ((m.ent = services_lookup(&r->etc, sp, port))) {
		m.source = SVC_ETC_SERVICES;
		return m;
	}
	/* a port not named before the load: the whole table from now on */
	if (r->iana_loaded && r->iana_partial && !want_bit(r->want, sp, port))
		iana_load(r, 0);
	else if (!r->iana_loaded || r->iana_stale)
		iana_load(r, r->want != NULL);
	if ((m.ent = services_lookup(&r->iana, sp, port)))
		m.source = SVC_IANA;
	return m;
}

const char *
registry_alias(const struct registry *r, const struct service_ent *e,
    size_t k)
{
	const struct services *s = e->source == SVC_ETC_SERVICES ? &r->etc :
	    e->source == SVC_ETC_PROTOCOLS ? &r->protocols : &r->iana;

	return services_alias(s, e, k);
}

void
registry_release(struct registry *r)
{
	services_release(&r->etc);
	services_release(&r->protocols);
	services_release(&r->iana);
	free(r->want);
	free(r->iana_path);
	free(r->etc_error);
	free(r->protocols_error);
	free(r->iana_error);
	memset(r, 0, sizeof(*r));
}

const char *
svc_source_name(enum svc_source s)
{
	switch (s) {
	case SVC_ETC_SERVICES:
		return "/etc/services";
	case SVC_ETC_PROTOCOLS:
		return "/etc/protocols";
	case SVC_IANA:
		return "iana";
	default:
		return "none";
	}
}
