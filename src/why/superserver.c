/*
 * superserver.c - inetd.conf and xinetd configuration parsers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "why/superserver.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/notes.h"
#include "util/words.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CONF_CAP	(4u << 20)
#define ENTRIES_MAX	4096
#define INCLUDE_FILES_MAX 1024
#define FIELD_MAX	1024

static const char ws[] = " \t\r";

/* Next whitespace-separated field of [*p, end); 0 at the end. */
static int
field(const char **p, const char *end, const char **f, size_t *n)
{
	while (*p < end && strchr(ws, **p) && **p)
		(*p)++;
	if (*p >= end)
		return 0;
	*f = *p;
	while (*p < end && !(strchr(ws, **p) && **p))
		(*p)++;
	*n = (size_t)(*p - *f);
	return 1;
}

static struct ss_entry *
entry_new(struct ss_conf *c, enum ss_kind kind, const char *file, int line)
{
	struct ss_entry *e;

	if (c->n >= ENTRIES_MAX) {
		c->malformed++;
		notes_add("'%s': more than %d super-server entries in all: "
		    "those from line %d on are not read", file, ENTRIES_MAX,
		    line);
		return NULL;
	}
	xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	e = &c->v[c->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->wait = -1;
	e->file = xstrdup(file);
	e->line = line;
	return e;
}

static void
entry_free(struct ss_entry *e)
{
	free(e->service);
	free(e->id);
	free(e->socktype);
	free(e->proto);
	free(e->bind);
	free(e->port_text);
	free(e->user);
	free(e->program);
	free(e->args);
	free(e->file);
}

static void
drop_last(struct ss_conf *c)
{
	entry_free(&c->v[--c->n]);
	c->malformed++;
}

static int
clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' && s[i] != '\t')
			return 0;
	return n <= FIELD_MAX;
}

/* ---- inetd.conf --------------------------------------------------------- */

static void
inetd_line(struct ss_conf *c, const char *l, size_t n, const char *file,
    int lineno, int disabled, char **host)
{
	const char *p = l, *end = l + n, *f[6];
	size_t fn[6];
	struct ss_entry *e;
	const char *colon;
	int k;

	for (k = 0; k < 6; k++)
		if (!field(&p, end, &f[k], &fn[k]))
			break;
	if (k == 1 && fn[0] > 1 && f[0][fn[0] - 1] == ':' && !disabled) {
		/* "addr:" alone: the default address from here on. */
		free(*host);
		*host = fn[0] == 2 && f[0][0] == '*' ? NULL :
		    xstrndup(f[0], fn[0] - 1);
		return;
	}
	if (k < 6) {
		if (!disabled)
			c->malformed++;
		return;
	}
	if ((e = entry_new(c, SS_INETD, file, lineno)) == NULL)
		return;
	e->disabled = disabled;
	colon = memchr(f[0], ':', fn[0]);
	if (colon && !memchr(f[0], '/', fn[0])) {
		e->bind = xstrndup(f[0], (size_t)(colon - f[0]));
		e->service = xstrndup(colon + 1,
		    fn[0] - (size_t)(colon - f[0]) - 1);
	} else {
		e->service = xstrndup(f[0], fn[0]);
		if (*host)
			e->bind = xstrdup(*host);
	}
	e->socktype = xstrndup(f[1], fn[1]);
	e->proto = xstrndup(f[2], fn[2]);
	if (fn[3] >= 4 && strncmp(f[3], "wait", 4) == 0)
		e->wait = 1;
	else if (fn[3] >= 6 && strncmp(f[3], "nowait", 6) == 0)
		e->wait = 0;
	e->user = xstrndup(f[4], fn[4]);
	e->program = xstrndup(f[5], fn[5]);
	e->internal = strcmp(e->program, "internal") == 0;
	while (p < end && strchr(ws, *p) && *p)
		p++;
	if (p < end)
		e->args = xstrndup(p, (size_t)(end - p));
	if (e->service[0] == '\0' || e->wait < 0 ||
	    !clean(e->service, strlen(e->service)) ||
	    (e->args && !clean(e->args, strlen(e->args))))
		drop_last(c);
}

void
inetd_parse(struct ss_conf *c, const char *buf, size_t len, const char *file)
{
	size_t pos = 0;
	char *host = NULL;
	int lineno = 0;

	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl != NULL);
		lineno++;
		if (memchr(l, '\0', n)) {
			c->malformed++;
			continue;
		}
		while (n > 0 && strchr(ws, *l) && *l)
			l++, n--;
		if (n == 0)
			continue;
		/* update-inetd --disable writes "#<off># " before a line. */
		if (n > 7 && strncmp(l, "#<off>#", 7) == 0) {
			inetd_line(c, l + 7, n - 7, file, lineno, 1, &host);
			continue;
		}
		if (l[0] == '#')
			continue;
		inetd_line(c, l, n, file, lineno, 0, &host);
	}
	free(host);
}

/* ---- xinetd ------------------------------------------------------------- */

static void
list_add(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (*n >= ENTRIES_MAX) {
		notes_add("xinetd: a list of more than %d values: the rest are "
		    "not read", ENTRIES_MAX);
		return;
	}
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrndup(s, len);
}

static void
set_str(char **dst, const char *v, size_t n)
{
	free(*dst);
	*dst = xstrndup(v, n);
}

static void
xinetd_attr(struct ss_conf *c, struct ss_entry *e, const char *key,
    size_t kn, const char *op, const char *v, size_t vn)
{
#define IS(k) (kn == strlen(k) && strncmp(key, k, kn) == 0)
	if (e == NULL) {	/* the defaults section */
		const char *p = v, *end = v + vn, *f;
		size_t fn;

		if (IS("disabled")) {
			while (field(&p, end, &f, &fn))
				list_add(&c->dis_list, &c->ndis, &c->dcap, f,
				    fn);
		} else if (IS("enabled")) {
			c->has_enabled = 1;
			while (field(&p, end, &f, &fn))
				list_add(&c->en_list, &c->nen, &c->ecap, f, fn);
		}
		return;
	}
	if (IS("disable"))
		e->disabled = vn == 3 && strncmp(v, "yes", 3) == 0;
	else if (IS("socket_type"))
		set_str(&e->socktype, v, vn);
	else if (IS("protocol"))
		set_str(&e->proto, v, vn);
	else if (IS("wait"))
		e->wait = vn == 3 && strncmp(v, "yes", 3) == 0 ? 1 :
		    vn == 2 && strncmp(v, "no", 2) == 0 ? 0 : -1;
	else if (IS("user"))
		set_str(&e->user, v, vn);
	else if (IS("server"))
		set_str(&e->program, v, vn);
	else if (IS("server_args")) {
		if (*op == '+' && e->args) {
			char *joined = xasprintf("%s %.*s", e->args, (int)vn, v);

			free(e->args);
			e->args = joined;
		} else {
			set_str(&e->args, v, vn);
		}
	} else if (IS("port"))
		set_str(&e->port_text, v, vn);
	else if (IS("id"))
		set_str(&e->id, v, vn);
	else if (IS("bind") || IS("interface"))
		set_str(&e->bind, v, vn);
	else if (IS("type")) {
		if (memmem(v, vn, "INTERNAL", 8))
			e->internal = *op != '-';
	}
#undef IS
}

void
xinetd_parse(struct ss_conf *c, const char *buf, size_t len, const char *file)
{
	struct ss_entry *e = NULL;
	size_t pos = 0;
	int lineno = 0, in_block = 0, is_defaults = 0, pending = 0;
	size_t entry_idx = 0;

	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		const char *p, *end, *f, *hash;
		size_t fn;

		pos += n + (nl != NULL);
		lineno++;
		if (memchr(l, '\0', n)) {
			c->malformed++;
			continue;
		}
		if ((hash = memchr(l, '#', n)) != NULL)
			n = (size_t)(hash - l);
		p = l;
		end = l + n;
		if (!field(&p, end, &f, &fn))
			continue;
		if (!in_block) {
			if (fn == 1 && f[0] == '{' && pending) {
				in_block = 1;
				pending = 0;
				continue;
			}
			if (pending && !is_defaults)
				drop_last(c);	/* a header with no block */
			pending = 0;
			e = NULL;
			if (fn == 7 && strncmp(f, "service", 7) == 0) {
				const char *name;
				size_t nn;

				if (!field(&p, end, &name, &nn) ||
				    !clean(name, nn)) {
					c->malformed++;
					continue;
				}
				if ((e = entry_new(c, SS_XINETD, file,
				    lineno)) == NULL)
					continue;
				e->service = xstrndup(name, nn);
				entry_idx = c->n - 1;
				is_defaults = 0;
				pending = 1;
			} else if (fn == 8 && strncmp(f, "defaults", 8) == 0) {
				is_defaults = 1;
				pending = 1;
			} else if (fn == 10 && strncmp(f, "includedir", 10) == 0 &&
			    field(&p, end, &f, &fn) && f[0] == '/' &&
			    clean(f, fn)) {
				list_add(&c->includedirs, &c->nincludedirs,
				    &c->icap, f, fn);
			} else {
				c->malformed++;
			}
			if (pending && field(&p, end, &f, &fn) && fn == 1 &&
			    f[0] == '{') {
				in_block = 1;
				pending = 0;
			}
			continue;
		}
		if (fn == 1 && f[0] == '}') {
			in_block = 0;
			if (!is_defaults && entry_idx < c->n) {
				e = &c->v[entry_idx];
				if (e->wait < 0 && e->socktype &&
				    strcmp(e->socktype, "stream") == 0)
					e->wait = 0;
			}
			is_defaults = 0;
			e = NULL;
			continue;
		}
		/* key [+-]= value */
		{
			const char *k = f, *op, *v;
			size_t kn = fn, vn;

			op = memchr(k, '=', kn);
			if (op) {	/* "key=value" without spaces */
				kn = (size_t)(op - k);
				if (kn > 0 && (k[kn - 1] == '+' || k[kn - 1] == '-'))
					op = k + --kn;
				p = (*op == '=' ? op + 1 : op + 2);
			} else if (field(&p, end, &op, &fn) && (op[0] == '=' ||
			    (fn >= 2 && op[1] == '=' &&
			    (op[0] == '+' || op[0] == '-')))) {
				p = op + (op[0] == '=' ? 1 : 2);
			} else {
				c->malformed++;
				continue;
			}
			while (p < end && strchr(ws, *p) && *p)
				p++;
			v = p;
			vn = (size_t)(end - p);
			while (vn > 0 && strchr(ws, v[vn - 1]) && v[vn - 1])
				vn--;
			if (!clean(v, vn)) {
				c->malformed++;
				continue;
			}
			xinetd_attr(c, is_defaults ? NULL : &c->v[entry_idx],
			    k, kn, op, v, vn);
		}
	}
	if ((in_block || pending) && !is_defaults && entry_idx + 1 == c->n)
		drop_last(c);	/* an unterminated block is not trusted */
}

void
xinetd_finish(struct ss_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct ss_entry *e = &c->v[i];
		const char *id = e->id ? e->id : e->service;

		if (e->kind != SS_XINETD)
			continue;
		if (strv_has(c->dis_list, c->ndis, id) ||
		    strv_has(c->dis_list, c->ndis, e->service))
			e->disabled = 1;
		if (c->has_enabled && !strv_has(c->en_list, c->nen, id) &&
		    !strv_has(c->en_list, c->nen, e->service))
			e->disabled = 1;
		if (e->internal && e->program == NULL)
			e->program = xstrdup("internal");
		if (e->proto == NULL && e->socktype)
			e->proto = xstrdup(strcmp(e->socktype, "dgram") == 0 ?
			    "udp" : "tcp");
	}
}

/* ---- loading ------------------------------------------------------------ */

static int
read_conf(const char *path, struct strbuf *sb)
{
	return sysroot_read(path, CONF_CAP, sb);
}

/* Why path could not be read, for the caller's cause (errno kept). */
static char *
read_cause(const char *path)
{
	int saved = errno;
	char *c = xasprintf("cannot read '%s': %s", path, saved == EINVAL ?
	    "not a regular file" : strerror(saved));

	errno = saved;
	return c;
}

int
inetd_load(struct ss_conf *c, const char *path, char **cause)
{
	struct strbuf sb;
	int rc;

	memset(c, 0, sizeof(*c));
	*cause = NULL;
	strbuf_init(&sb, CONF_CAP);
	if ((rc = read_conf(path, &sb)) == 0)
		inetd_parse(c, sb.buf ? sb.buf : "", sb.len, path);
	else
		*cause = read_cause(path);
	strbuf_release(&sb);
	return rc;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
xinetd_load(struct ss_conf *c, const char *path, char **cause)
{
	struct strbuf sb;
	size_t done = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	*cause = NULL;
	strbuf_init(&sb, CONF_CAP);
	if ((rc = read_conf(path, &sb)) == 0)
		xinetd_parse(c, sb.buf ? sb.buf : "", sb.len, path);
	else
		*cause = read_cause(path);
	/* includedir: every file whose name has no '.' and no final '~'. */
	for (size_t d = 0; d < c->nincludedirs && d < 16; d++) {
		char *full = sysroot_path(c->includedirs[d]);
		DIR *dp = opendir(full);
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0, cap = 0;

		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t len = strlen(de->d_name);

			if (strchr(de->d_name, '.') || len == 0 ||
			    de->d_name[len - 1] == '~')
				continue;
			if (nn >= INCLUDE_FILES_MAX) {
				notes_add("'%s' holds more than %d files: those "
				    "past the first %d found are not read",
				    c->includedirs[d], INCLUDE_FILES_MAX,
				    INCLUDE_FILES_MAX);
				break;
			}
			xgrow((void **)&names, &cap, nn + 1, sizeof(*names));
			names[nn++] = xstrdup(de->d_name);
		}
		if (dp)
			closedir(dp);
		qsort(names, nn, sizeof(*names), str_cmp);
		for (size_t i = 0; i < nn; i++) {
			char *p = xasprintf("%s/%s", c->includedirs[d],
			    names[i]);

			if (done++ < INCLUDE_FILES_MAX && read_conf(p, &sb) == 0)
				xinetd_parse(c, sb.buf ? sb.buf : "", sb.len, p);
			free(p);
			free(names[i]);
		}
		free(names);
	}
	xinetd_finish(c);
	strbuf_release(&sb);
	return rc;
}

void
ss_conf_release(struct ss_conf *c)
{
	for (size_t i = 0; i < c->n; i++)
		entry_free(&c->v[i]);
	for (size_t i = 0; i < c->nincludedirs; i++)
		free(c->includedirs[i]);
	for (size_t i = 0; i < c->ndis; i++)
		free(c->dis_list[i]);
	for (size_t i = 0; i < c->nen; i++)
		free(c->en_list[i]);
	free(c->v);
	free(c->includedirs);
	free(c->dis_list);
	free(c->en_list);
	memset(c, 0, sizeof(*c));
}

const char *
ss_entry_l4(const struct ss_entry *e)
{
	const char *p = e->proto;

	if (p == NULL)
		return NULL;
	if (strncmp(p, "tcp", 3) == 0)
		return "tcp";
	if (strncmp(p, "udp", 3) == 0)
		return "udp";
	return NULL;
}

char *
ss_config_from_argv(enum ss_kind kind, const char *argv, size_t len)
{
	const char *p = argv, *end = argv + len, *last = NULL;
	int first = 1, want_f = 0;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);

		if (first) {
			first = 0;
		} else if (kind == SS_XINETD) {
			if (want_f && n > 0 && p[0] == '/')
				return xstrndup(p, n);
			want_f = n == 2 && strncmp(p, "-f", 2) == 0;
		} else if (n > 0 && p[0] == '/') {
			last = p;	/* openbsd-inetd: the last operand */
		} else if (n == 2 && (strncmp(p, "-q", 2) == 0 ||
		    strncmp(p, "-R", 2) == 0)) {
			p += n + 1;	/* skip the option's value */
			if (p >= end)
				break;
			nul = memchr(p, '\0', (size_t)(end - p));
			n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		}
		p += n + 1;
	}
	if (last)
		return xstrndup(last, strnlen(last, (size_t)(end - last)));
	return NULL;
}
