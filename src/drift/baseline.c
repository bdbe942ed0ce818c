/*
 * baseline.c - writing and reading a baseline (see baseline.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <yajl/yajl_parse.h>

#include "drift/baseline.h"
#include "util/atomicfile.h"
#include "kernel/sock.h"
#include "render/jsonw.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const char *const proto_keys[PROTO_COUNT] = {
	"tcp", "udp", "udplite", "raw", "sctp"
};

static void
write_doc(struct jw *w, const struct baseline *b)
{
	jw_object(w, NULL);
	jw_str(w, "portsleuth", b->version);
	jw_int(w, "schema", 1);
	jw_str(w, "kind", "baseline");
	jw_str(w, "taken", b->taken);
	jw_str(w, "host", b->host);
	jw_object(w, "options");
	jw_array(w, "protocols");
	for (int p = 0; p < PROTO_COUNT; p++)
		if (b->opts.protos & PROTO_BIT(p))
			jw_str(w, NULL, proto_keys[p]);
	jw_end(w);
	jw_bool(w, "ipv4", b->opts.want4);
	jw_bool(w, "ipv6", b->opts.want6);
	jw_str(w, "netns", b->opts.netns);
	jw_bool(w, "probe", b->opts.probe);
	jw_bool(w, "ephemeral", b->opts.ephemeral);
	jw_bool(w, "firewall", b->opts.firewall);
	jw_end(w);
	/* a listener is an array of values in the order of "fields": a
	 * busy host's baseline reads back several times faster than as
	 * objects, each with its own table of keys */
	jw_array(w, "fields");
	for (int f = 0; f < DF_COUNT; f++)
		jw_str(w, NULL, drift_field_key(f));
	jw_end(w);
	jw_array(w, "listeners");
	for (size_t i = 0; i < b->set.n; i++) {
		const struct drift_rec *r = &b->set.v[i];

		jw_array(w, NULL);
		for (int f = 0; f < DF_COUNT; f++)
			if (f == DF_PORT)
				jw_int(w, NULL, r->port < 0 ? 0 : r->port);
			else
				jw_str(w, NULL, r->f[f]);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

int
baseline_write(const char *path, const struct baseline *b, char **cause)
{
	struct strbuf sb;
	struct jw w;
	int rc;

	*cause = NULL;
	strbuf_init(&sb, BASELINE_CAP);
	jw_init(&w, &sb, 0);	/* compact: it is read back, not read */
	write_doc(&w, b);
	if (jw_finish(&w, cause) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	strbuf_addch(&sb, '\n');
	/* the default place is portsleuth's own: made when missing */
	if (strcmp(path, BASELINE_DEFAULT) == 0) {
		char *dir = xstrdup(path);

		*strrchr(dir, '/') = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			*cause = xasprintf("cannot make '%s': %s", dir,
			    strerror(errno));
			free(dir);
			strbuf_release(&sb);
			return -1;
		}
		free(dir);
	}
	/* mode 0600: the baseline names every daemon and its digest */
	rc = atomic_write(path, sb.buf, sb.len, 0600, cause);
	strbuf_release(&sb);
	return rc;
}

/* ---- reading ----------------------------------------------------------
 *
 * With yajl's event parser: a busy host's baseline holds hundreds of
 * thousands of values, and a tree of them (one allocation each) cost as
 * much as listing the host; events go straight into the records.  The
 * document's shape is checked as it streams: every member's type, the
 * columns named in "fields" before "listeners", each listener's length,
 * duplicate members of the document and of "options".
 */

enum rd_where {
	RD_TOP,		/* before the document */
	RD_DOC,		/* a member of the document */
	RD_OPTIONS,	/* a member of options */
	RD_PROTOCOLS,	/* options.protocols[] */
	RD_FIELDS,	/* fields[] */
	RD_LISTENERS,	/* listeners[] */
	RD_ROW,		/* listeners[i][] */
	RD_SKIP,	/* inside a value nobody asked for */
	RD_DONE
};

struct reader {
	struct baseline	*b;
	enum rd_where	 where;
	int		 skip_depth;
	enum rd_where	 skip_back;
	char		 key[32];	/* the member being read */
	unsigned int	 seen_doc, seen_opts;	/* bits of members seen */
	int		 col[256];
	size_t		 ncol, ci;	/* columns; the column being read */
	int		 have_fields, have_schema, have_kind, have_portsleuth;
	struct drift_rec *row;
	size_t		 nrows;
	int		 options_only;	/* stop after the options */
	int		 options_seen;
	char		*error;		/* set by a callback that stops */
};

static const char *const doc_keys[] = { "portsleuth", "schema", "kind",
	"taken", "host", "options", "fields", "listeners", NULL };
static const char *const opt_keys[] = { "protocols", "ipv4", "ipv6",
	"netns", "probe", "ephemeral", "firewall", NULL };

static int
key_index(const char *const *keys, const char *k)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(keys[i], k) == 0)
			return i;
	return -1;
}

static int
fail(struct reader *r, char *msg)
{
	if (r->error == NULL)
		r->error = msg;
	else
		free(msg);
	return 0;
}

/* A value began where nothing reads it: skip it (and what it holds). */
static int
skip_start(struct reader *r)
{
	r->skip_back = r->where;
	r->where = RD_SKIP;
	r->skip_depth = 1;
	return 1;
}

static char *
dup_value(const unsigned char *s, size_t n)
{
	return n <= DRIFT_VALUE_MAX && memchr(s, '\0', n) == NULL ?
	    xstrndup((const char *)s, n) : NULL;
}

/* A scalar: kind 's' string, 'i' integer, 'b' boolean, 'n' null. */
static int
scalar(struct reader *r, int kind, const unsigned char *str, size_t len,
    long long num)
{
	struct baseline *b = r->b;

	switch (r->where) {
	case RD_SKIP:
		return 1;
	case RD_DOC:
		if (strcmp(r->key, "schema") == 0) {
			if (kind != 'i' || num != 1)
				return fail(r, xstrdup("a baseline of another "
				    "schema than 1 (taken by another "
				    "version?)"));
			r->have_schema = 1;
		} else if (strcmp(r->key, "kind") == 0) {
			if (kind != 's' || len != 8 || memcmp(str, "baseline",
			    8) != 0)
				return fail(r, xstrdup("not a baseline: its "
				    "kind is not \"baseline\""));
			r->have_kind = 1;
		} else if (strcmp(r->key, "portsleuth") == 0 ||
		    strcmp(r->key, "taken") == 0 ||
		    strcmp(r->key, "host") == 0) {
			char **dst = r->key[0] == 'p' ? &b->version :
			    r->key[0] == 't' ? &b->taken : &b->host;

			if (kind == 'n' && r->key[0] != 'p')
				return 1;
			if (kind != 's' || (*dst = dup_value(str, len)) ==
			    NULL)
				return fail(r, xasprintf("%s: not a short "
				    "string", r->key));
			r->have_portsleuth |= r->key[0] == 'p';
		} else {
			return fail(r, xasprintf("%s: not a key of a "
			    "portsleuth baseline", r->key));
		}
		return 1;
	case RD_OPTIONS:
		if (strcmp(r->key, "netns") == 0) {
			if (kind == 'n')
				return 1;
			if (kind != 's' || (b->opts.netns = dup_value(str,
			    len)) == NULL)
				return fail(r, xstrdup("options.netns: not a "
				    "short string"));
			return 1;
		}
		if (kind != 'b' || strcmp(r->key, "protocols") == 0)
			return fail(r, xasprintf("options.%s: a member of the "
			    "wrong type", r->key));
		if (strcmp(r->key, "ipv4") == 0)
			b->opts.want4 = (int)num;
		else if (strcmp(r->key, "ipv6") == 0)
			b->opts.want6 = (int)num;
		else if (strcmp(r->key, "probe") == 0)
			b->opts.probe = (int)num;
		else if (strcmp(r->key, "ephemeral") == 0)
			b->opts.ephemeral = (int)num;
		else if (strcmp(r->key, "firewall") == 0)
			b->opts.firewall = (int)num;
		return 1;
	case RD_PROTOCOLS: {
		int k;

		for (k = 0; k < PROTO_COUNT; k++)
			if (kind == 's' && len == strlen(proto_keys[k]) &&
			    memcmp(str, proto_keys[k], len) == 0)
				break;
		if (k == PROTO_COUNT)
			return fail(r, xstrdup("options.protocols: not a "
			    "protocol"));
		b->opts.protos |= PROTO_BIT(k);
		return 1;
	}
	case RD_FIELDS: {
		char name[32];
		int f;

		if (kind != 's' || len >= sizeof(name) || r->ncol >= 256)
			return fail(r, xasprintf("fields[%zu]: not a name",
			    r->ncol));
		memcpy(name, str, len);
		name[len] = '\0';
		f = drift_field_of(name);
		for (size_t i = 0; f >= 0 && i < r->ncol; i++)
			if (r->col[i] == f)
				return fail(r, xasprintf("fields[%zu]: '%s' "
				    "twice", r->ncol, name));
		r->col[r->ncol++] = f;
		return 1;
	}
	case RD_ROW: {
		int f = r->ci < r->ncol ? r->col[r->ci] : -1;
		char num_s[16];

		if (r->ci++ >= r->ncol)
			return fail(r, xasprintf("listeners[%zu]: not an "
			    "array of %zu values", r->nrows - 1, r->ncol));
		if (f < 0)
			return 1;
		if (f == DF_PORT) {
			if (kind != 'i' || num < 0 || num > 65535)
				return fail(r, xasprintf("listeners[%zu].port: "
				    "not a port number", r->nrows - 1));
			snprintf(num_s, sizeof(num_s), "%d", (int)num);
			drift_set_raw(r->row, DF_PORT, num_s);
		} else if (kind == 's') {
			if (len > DRIFT_VALUE_MAX || memchr(str, '\0', len))
				return fail(r, xasprintf("listeners[%zu].%s: "
				    "longer than %d bytes, or with a NUL",
				    r->nrows - 1, drift_field_key(f),
				    DRIFT_VALUE_MAX));
			drift_set_rawn(r->row, (enum drift_field)f,
			    (const char *)str, len);
		} else if (kind != 'n') {
			return fail(r, xasprintf("listeners[%zu].%s: not a "
			    "string", r->nrows - 1, drift_field_key(f)));
		}
		return 1;
	}
	default:
		return fail(r, xasprintf("a value where none belongs (%s)",
		    r->where == RD_LISTENERS ? "listeners[] holds arrays" :
		    r->where == RD_TOP ? "not a document" : "?"));
	}
}

static int
cb_null(void *ctx)
{
	return scalar(ctx, 'n', NULL, 0, 0);
}

static int
cb_bool(void *ctx, int v)
{
	return scalar(ctx, 'b', NULL, 0, v);
}

static int
cb_int(void *ctx, long long v)
{
	return scalar(ctx, 'i', NULL, 0, v);
}

static int
cb_double(void *ctx, double v)
{
	(void)v;
	return scalar(ctx, 'd', NULL, 0, 0);
}

static int
cb_string(void *ctx, const unsigned char *s, size_t n)
{
	return scalar(ctx, 's', s, n, 0);
}

static int
cb_start_map(void *ctx)
{
	struct reader *r = ctx;

	switch (r->where) {
	case RD_SKIP:
		r->skip_depth++;
		return 1;
	case RD_TOP:
		r->where = RD_DOC;
		return 1;
	case RD_DOC:
		if (strcmp(r->key, "options") == 0) {
			r->where = RD_OPTIONS;
			return 1;
		}
		if (key_index(doc_keys, r->key) >= 0)
			return fail(r, xasprintf("%s: of the wrong type",
			    r->key));
		return skip_start(r);
	case RD_OPTIONS:
		if (key_index(opt_keys, r->key) >= 0)
			return fail(r, xasprintf("options.%s: a member of the "
			    "wrong type", r->key));
		return skip_start(r);
	default:
		return fail(r, xstrdup("an object where none belongs"));
	}
}

static int
cb_key(void *ctx, const unsigned char *k, size_t n)
{
	struct reader *r = ctx;
	int i;

	if (r->where == RD_SKIP)
		return 1;
	if (n >= sizeof(r->key))
		n = sizeof(r->key) - 1;
	memcpy(r->key, k, n);
	r->key[n] = '\0';
	if (r->where == RD_DOC && (i = key_index(doc_keys, r->key)) >= 0) {
		if (r->seen_doc & (1u << i))
			return fail(r, xasprintf("'%s' twice", r->key));
		r->seen_doc |= 1u << i;
		if (r->options_only && (strcmp(r->key, "fields") == 0 ||
		    strcmp(r->key, "listeners") == 0))
			return 0;	/* what was asked for is read */
	} else if (r->where == RD_OPTIONS &&
	    (i = key_index(opt_keys, r->key)) >= 0) {
		if (r->seen_opts & (1u << i))
			return fail(r, xasprintf("options.%s twice", r->key));
		r->seen_opts |= 1u << i;
	}
	return 1;
}

static int
cb_end_map(void *ctx)
{
	struct reader *r = ctx;

	if (r->where == RD_SKIP) {
		if (--r->skip_depth == 0)
			r->where = r->skip_back;
		return 1;
	}
	if (r->where == RD_OPTIONS) {
		r->where = RD_DOC;
		r->options_seen = 1;
		return 1;
	}
	r->where = RD_DONE;	/* the document's end */
	return 1;
}

static int
cb_start_array(void *ctx)
{
	struct reader *r = ctx;

	switch (r->where) {
	case RD_SKIP:
		r->skip_depth++;
		return 1;
	case RD_DOC:
		if (strcmp(r->key, "fields") == 0) {
			r->where = RD_FIELDS;
			return 1;
		}
		if (strcmp(r->key, "listeners") == 0) {
			if (!r->have_fields)
				return fail(r, xstrdup("listeners before their "
				    "fields"));
			r->where = RD_LISTENERS;
			return 1;
		}
		if (key_index(doc_keys, r->key) >= 0)
			return fail(r, xasprintf("%s: of the wrong type",
			    r->key));
		return skip_start(r);
	case RD_OPTIONS:
		if (strcmp(r->key, "protocols") == 0) {
			r->where = RD_PROTOCOLS;
			return 1;
		}
		if (key_index(opt_keys, r->key) >= 0)
			return fail(r, xasprintf("options.%s: a member of the "
			    "wrong type", r->key));
		return skip_start(r);
	case RD_LISTENERS:
		if (r->nrows >= BASELINE_MAX)
			return fail(r, xasprintf("more than %d listeners",
			    BASELINE_MAX));
		r->row = drift_add(&r->b->set);
		r->nrows++;
		r->ci = 0;
		r->where = RD_ROW;
		return 1;
	case RD_TOP:
		return fail(r, xstrdup("not a baseline: not an object"));
	default:
		return fail(r, xstrdup("an array where none belongs"));
	}
}

static int
cb_end_array(void *ctx)
{
	struct reader *r = ctx;
	static const enum drift_field required[] = { DF_NETNS, DF_PROTO,
	    DF_FAMILY, DF_ADDRESS, DF_PORT };

	switch (r->where) {
	case RD_SKIP:
		if (--r->skip_depth == 0)
			r->where = r->skip_back;
		return 1;
	case RD_PROTOCOLS:
		r->where = RD_OPTIONS;
		return 1;
	case RD_FIELDS:
		for (size_t k = 0; k < 5; k++) {
			size_t i;

			for (i = 0; i < r->ncol && r->col[i] !=
			    (int)required[k]; i++)
				;
			if (i == r->ncol)
				return fail(r, xasprintf("fields: no %s",
				    drift_field_key(required[k])));
		}
		r->have_fields = 1;
		r->where = RD_DOC;
		return 1;
	case RD_ROW:
		if (r->ci != r->ncol)
			return fail(r, xasprintf("listeners[%zu]: not an array "
			    "of %zu values", r->nrows - 1, r->ncol));
		for (size_t k = 0; k < 5; k++)
			if (r->row->f[required[k]] == NULL)
				return fail(r, xasprintf("listeners[%zu]: no "
				    "%s", r->nrows - 1,
				    drift_field_key(required[k])));
		r->where = RD_LISTENERS;
		return 1;
	case RD_LISTENERS:
		r->where = RD_DOC;
		return 1;
	default:
		return fail(r, xstrdup("an array's end where none belongs"));
	}
}

static const yajl_callbacks callbacks = {
	cb_null, cb_bool, cb_int, cb_double, NULL, cb_string, cb_start_map,
	cb_key, cb_end_map, cb_start_array, cb_end_array
};

/* Parse buf into b; options_only: stop once the options are read. */
static int
parse(const char *buf, size_t len, struct baseline *b, int options_only,
    char **cause)
{
	struct reader r;
	yajl_handle h;
	yajl_status st;

	memset(&r, 0, sizeof(r));
	r.b = b;
	r.options_only = options_only;
	*cause = NULL;
	if ((h = yajl_alloc(&callbacks, NULL, &r)) == NULL) {
		*cause = xstrdup("out of memory");
		return -1;
	}
	st = yajl_parse(h, (const unsigned char *)buf, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_client_canceled && r.error == NULL &&
	    options_only) {
		yajl_free(h);
		return 0;
	}
	if (st != yajl_status_ok) {
		if (r.error) {
			*cause = r.error;
			r.error = NULL;
		} else {
			unsigned char *e = yajl_get_error(h, 0, NULL, 0);
			size_t at = yajl_get_bytes_consumed(h);

			*cause = xasprintf("not a baseline: not JSON (%s, near "
			    "byte %zu)", e ? (char *)e : "?", at);
			/* yajl's message ends in a newline */
			if (strlen(*cause) && (*cause)[strlen(*cause) - 1] ==
			    '\n')
				(*cause)[strlen(*cause) - 1] = '\0';
			if (e)
				yajl_free_error(h, e);
		}
		yajl_free(h);
		return -1;
	}
	yajl_free(h);
	if (options_only)
		return 0;
	if (!r.have_portsleuth || !r.have_kind) {
		*cause = xstrdup("not a baseline: no \"portsleuth\" and "
		    "\"kind\": \"baseline\"");
		return -1;
	}
	if (!r.have_schema) {
		*cause = xstrdup("not a baseline: no schema");
		return -1;
	}
	if (!r.have_fields || !(r.seen_doc & (1u << 7))) {
		*cause = xstrdup("not a baseline: no fields and listeners");
		return -1;
	}
	return 0;
}

int
baseline_parse(const char *buf, size_t len, struct baseline *b, char **cause)
{
	memset(b, 0, sizeof(*b));
	if (parse(buf, len, b, 0, cause) < 0) {
		char *c = *cause;

		baseline_release(b);
		*cause = c;
		return -1;
	}
	drift_sort(&b->set);
	return 0;
}

/* A baseline file: a regular one only (a FIFO would block the read). */
static int
open_baseline(const char *path, char **cause)
{
	int fd = open_regular_at(AT_FDCWD, path, 0);

	if (fd < 0)
		*cause = xasprintf("cannot read the baseline '%s': %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
	return fd;
}

int
baseline_read(const char *path, struct baseline *b, char **cause)
{
	struct strbuf sb;
	int fd, rc;

	memset(b, 0, sizeof(*b));
	*cause = NULL;
	if ((fd = open_baseline(path, cause)) < 0)
		return -1;
	strbuf_init(&sb, BASELINE_CAP);
	rc = read_fd_capped(fd, BASELINE_CAP, &sb);
	close(fd);
	if (rc < 0 || sb.truncated) {
		*cause = xasprintf("cannot read the baseline '%s': %s", path,
		    rc < 0 ? strerror(errno) : "larger than 256 MiB");
		strbuf_release(&sb);
		return -1;
	}
	if (baseline_parse(sb.buf, sb.len, b, cause) < 0) {
		char *c = xasprintf("baseline '%s': %s", path, *cause);

		free(*cause);
		*cause = c;
		rc = -1;
	}
	strbuf_release(&sb);
	return rc;
}

void
baseline_opts_release(struct baseline_opts *o)
{
	free(o->netns);
	memset(o, 0, sizeof(*o));
}

void
baseline_release(struct baseline *b)
{
	free(b->version);
	free(b->taken);
	free(b->host);
	baseline_opts_release(&b->opts);
	drift_set_release(&b->set);
	memset(b, 0, sizeof(*b));
}

int
baseline_read_options(const char *path, struct baseline_opts *o, char **cause)
{
	struct baseline b;
	struct strbuf sb;
	int fd, rc;

	memset(o, 0, sizeof(*o));
	*cause = NULL;
	if ((fd = open_baseline(path, cause)) < 0)
		return -1;
	/* the writer puts the options before the listeners: the parse of
	 * the first part stops there; a document written otherwise is read
	 * whole (and the whole read later checks the two agree) */
	strbuf_init(&sb, 65536);
	rc = read_fd_capped(fd, 65536, &sb);
	close(fd);
	memset(&b, 0, sizeof(b));
	if (rc == 0 && parse(sb.buf, sb.len, &b, 1, cause) == 0) {
		*o = b.opts;
		b.opts.netns = NULL;
		baseline_release(&b);
		strbuf_release(&sb);
		return 0;
	}
	free(*cause);
	*cause = NULL;
	baseline_release(&b);
	strbuf_release(&sb);
	if ((rc = baseline_read(path, &b, cause)) == 0) {
		*o = b.opts;
		b.opts.netns = NULL;
		baseline_release(&b);
	}
	return rc;
}
