/*
 * dpkg.c - dpkg's database, read directly.
 *
 * /var/lib/dpkg/status gives packages, versions and descriptions;
 * /var/lib/dpkg/diversions the dpkg-divert records; info/PKG.list the
 * files of each package and info/PKG.md5sums their digests.  Running
 * `dpkg -S` per process would cost a fork and a full database load
 * each; one pass over the lists, looking each line up in a small hash
 * set of the paths we need, costs about as much as reading them once.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "why/dpkg.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define STATUS_CAP	(64u << 20)	/* a big host's is 10 MB */
#define LIST_CAP	(32u << 20)	/* the largest lists are ~20 MB */
#define MD5SUMS_CAP	(32u << 20)
#define DIVERT_CAP	(1u << 20)	/* a few KB on real hosts */
#define OWNERS_MAX	4		/* packages remembered per path */
#define PATH_LEN_MAX	4096

/* ---- small helpers ---------------------------------------------------- */

/* One line of buf starting at *pos, without its newline. */
static int
next_line(const char *buf, size_t len, size_t *pos, const char **line,
    size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return 0;
	*line = buf + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl != NULL);
	return 1;
}

static int
has_nul(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* ---- status ----------------------------------------------------------- */

struct stanza {
	const char	*name, *arch, *version, *desc, *status;
	size_t		 name_n, arch_n, version_n, desc_n, status_n;
};

static void
stanza_field(struct stanza *st, const char *line, size_t n)
{
	static const struct {
		const char *key;
		size_t off_p, off_n;
	} keys[] = {
		{ "Package:", offsetof(struct stanza, name),
		    offsetof(struct stanza, name_n) },
		{ "Architecture:", offsetof(struct stanza, arch),
		    offsetof(struct stanza, arch_n) },
		{ "Version:", offsetof(struct stanza, version),
		    offsetof(struct stanza, version_n) },
		{ "Description:", offsetof(struct stanza, desc),
		    offsetof(struct stanza, desc_n) },
		{ "Status:", offsetof(struct stanza, status),
		    offsetof(struct stanza, status_n) },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t kn = strlen(keys[i].key);

		if (n >= kn && strncmp(line, keys[i].key, kn) == 0) {
			const char *v = line + kn;
			size_t vn = n - kn;

			while (vn > 0 && (*v == ' ' || *v == '\t'))
				v++, vn--;
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\r'))
				vn--;
			*(const char **)((char *)st + keys[i].off_p) = v;
			*(size_t *)((char *)st + keys[i].off_n) = vn;
			return;
		}
	}
}

static int
field_ok(const char *v, size_t n, size_t max)
{
	return v != NULL && n > 0 && n <= max && !has_nul(v, n);
}

static void
stanza_commit(struct dpkg *db, struct stanza *st, size_t *cap)
{
	struct pkg_info *p;

	if (st->name == NULL && st->status == NULL && st->version == NULL)
		return;		/* blank lines only */
	if (!field_ok(st->name, st->name_n, 256) ||
	    memchr(st->name, ' ', st->name_n) != NULL ||
	    memchr(st->name, '/', st->name_n) != NULL) {
		db->malformed++;
		return;
	}
	xgrow((void **)&db->pkgs, cap, db->npkgs + 1, sizeof(*db->pkgs));
	p = &db->pkgs[db->npkgs++];
	memset(p, 0, sizeof(*p));
	p->name = xstrndup(st->name, st->name_n);
	p->arch = field_ok(st->arch, st->arch_n, 64) ?
	    xstrndup(st->arch, st->arch_n) : xstrdup("");
	p->version = field_ok(st->version, st->version_n, 256) ?
	    xstrndup(st->version, st->version_n) : xstrdup("");
	p->desc = field_ok(st->desc, st->desc_n, 1024) ?
	    xstrndup(st->desc, st->desc_n) : NULL;
	/* "install ok installed", "hold ok installed": the last word. */
	p->installed = st->status != NULL && st->status_n >= 10 &&
	    memcmp(st->status + st->status_n - 10, " installed", 10) == 0;
}

static int
pkg_cmp(const void *a, const void *b)
{
	const struct pkg_info *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->arch, y->arch);
}

void
dpkg_parse_status(struct dpkg *db, const char *buf, size_t len)
{
	struct stanza st;
	const char *line;
	size_t pos = 0, n, cap = db->npkgs;

	memset(&st, 0, sizeof(st));
	while (next_line(buf, len, &pos, &line, &n)) {
		if (n == 0 || (n == 1 && line[0] == '\r')) {
			stanza_commit(db, &st, &cap);
			memset(&st, 0, sizeof(st));
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue;	/* continuation of a long field */
		stanza_field(&st, line, n);
	}
	stanza_commit(db, &st, &cap);
	if (db->npkgs > 1)
		qsort(db->pkgs, db->npkgs, sizeof(*db->pkgs), pkg_cmp);
}

/* First package named name (with arch when given); index or -1. */
static ssize_t
pkg_index(const struct dpkg *db, const char *name, size_t name_n,
    const char *arch)
{
	size_t lo = 0, hi = db->npkgs, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(db->pkgs[mid].name, name, name_n);

		if (c == 0 && db->pkgs[mid].name[name_n] != '\0')
			c = 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < db->npkgs; i++) {
		if (strncmp(db->pkgs[i].name, name, name_n) != 0 ||
		    db->pkgs[i].name[name_n] != '\0')
			break;
		if (arch == NULL || strcmp(db->pkgs[i].arch, arch) == 0)
			return (ssize_t)i;
	}
	return -1;
}

const struct pkg_info *
dpkg_find(const struct dpkg *db, const char *name)
{
	ssize_t i = pkg_index(db, name, strlen(name), NULL);

	return i < 0 ? NULL : &db->pkgs[i];
}

/* ---- diversions --------------------------------------------------------- */

void
dpkg_parse_diversions(struct dpkg *db, const char *buf, size_t len)
{
	const char *l[3];
	size_t n[3], pos = 0, cap = db->ndivs;
	int k;

	for (;;) {
		for (k = 0; k < 3; k++)
			if (!next_line(buf, len, &pos, &l[k], &n[k]))
				break;
		if (k == 0)
			return;
		if (k < 3 || n[0] == 0 || n[1] == 0 || n[2] == 0 ||
		    l[0][0] != '/' || l[1][0] != '/' || has_nul(l[0], n[0]) ||
		    has_nul(l[1], n[1]) || has_nul(l[2], n[2])) {
			db->malformed++;
			if (k < 3)
				return;
			continue;
		}
		xgrow((void **)&db->divs, &cap, db->ndivs + 1,
		    sizeof(*db->divs));
		db->divs[db->ndivs].from = xstrndup(l[0], n[0]);
		db->divs[db->ndivs].to = xstrndup(l[1], n[1]);
		db->divs[db->ndivs].by = xstrndup(l[2], n[2]);
		db->ndivs++;
	}
}

/* ---- md5sums ------------------------------------------------------------ */

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

int
dpkg_md5sums_find(const char *buf, size_t len, const char *path,
    char hex[33])
{
	const char *line;
	size_t pos = 0, n, pn;

	while (*path == '/')
		path++;		/* md5sums paths are relative to / */
	pn = strlen(path);
	while (next_line(buf, len, &pos, &line, &n)) {
		/* "<32 hex digits>  <path>" */
		if (n != 34 + pn || line[32] != ' ' || line[33] != ' ' ||
		    !is_hex(line, 32) || memcmp(line + 34, path, pn) != 0)
			continue;
		for (int i = 0; i < 32; i++)
			hex[i] = (char)(line[i] | 0x20);	/* lower case */
		hex[32] = '\0';
		return 0;
	}
	return -1;
}

int
dpkg_digest(const struct dpkg *db, const struct pkg_owner *o,
    enum digest_algo *algo, char hex[DIGEST_HEX_MAX])
{
	struct strbuf sb;
	char *path;
	int rc = -1, pass;

	if (o->pkg == NULL || o->listed == NULL)
		return -1;
	*algo = DIGEST_MD5;
	strbuf_init(&sb, MD5SUMS_CAP);
	for (pass = 0; pass < 2 && rc < 0; pass++) {
		/* Multi-Arch: same packages use "name:arch". */
		if (pass == 0 && o->pkg->arch[0] != '\0')
			path = xasprintf("/var/lib/dpkg/info/%s:%s.md5sums",
			    o->pkg->name, o->pkg->arch);
		else if (pass == 0)
			continue;
		else
			path = xasprintf("/var/lib/dpkg/info/%s.md5sums",
			    o->pkg->name);
		if (read_in_root_capped(db->root, path, MD5SUMS_CAP, &sb) == 0)
			rc = dpkg_md5sums_find(sb.buf ? sb.buf : "", sb.len,
			    o->listed, hex);
		free(path);
	}
	strbuf_release(&sb);
	return rc;
}

/* ---- the path set and the pass over the lists ------------------------- */

struct want {
	const char	*path;
	size_t		 len;
	uint32_t	 hash;
	size_t		 pkgs[OWNERS_MAX];
	size_t		 npkgs;
};

struct wantset {
	struct want	*v;
	size_t		 n, cap;
	size_t		*slots;		/* index + 1; 0 = empty */
	size_t		 nslots;
	/* Lengths of the wanted paths: most lines of the lists have
	 * another length and are skipped without hashing them. */
	uint64_t	 lens[PATH_LEN_MAX / 64];
};

static uint32_t
fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct want *
wantset_find(const struct wantset *ws, const char *p, size_t n)
{
	uint32_t h;
	size_t i;

	if (ws->nslots == 0)
		return NULL;
	h = fnv1a(p, n);
	for (i = h & (ws->nslots - 1); ws->slots[i];
	    i = (i + 1) & (ws->nslots - 1)) {
		struct want *w = &ws->v[ws->slots[i] - 1];

		if (w->hash == h && w->len == n && memcmp(w->path, p, n) == 0)
			return w;
	}
	return NULL;
}

/* Paths are added before the table is built; duplicates are allowed. */
static void
wantset_add(struct wantset *ws, const char *p)
{
	xgrow((void **)&ws->v, &ws->cap, ws->n + 1, sizeof(*ws->v));
	memset(&ws->v[ws->n], 0, sizeof(ws->v[0]));
	ws->v[ws->n].path = p;
	ws->v[ws->n].len = strlen(p);
	ws->v[ws->n].hash = fnv1a(p, ws->v[ws->n].len);
	if (ws->v[ws->n].len < PATH_LEN_MAX)
		ws->lens[ws->v[ws->n].len / 64] |=
		    1ull << (ws->v[ws->n].len % 64);
	ws->n++;
}

static void
wantset_build(struct wantset *ws)
{
	size_t i, j;

	for (ws->nslots = 16; ws->nslots < ws->n * 2; ws->nslots *= 2)
		;
	ws->slots = xcalloc(ws->nslots, sizeof(*ws->slots));
	for (i = 0; i < ws->n; i++) {
		if (wantset_find(ws, ws->v[i].path, ws->v[i].len))
			continue;
		for (j = ws->v[i].hash & (ws->nslots - 1); ws->slots[j];
		    j = (j + 1) & (ws->nslots - 1))
			;
		ws->slots[j] = i + 1;
	}
}

static void
scan_list(struct wantset *ws, size_t pkg, const char *buf, size_t len)
{
	const char *line;
	size_t pos = 0, n;

	while (next_line(buf, len, &pos, &line, &n)) {
		struct want *w;

		if (n == 0 || n >= PATH_LEN_MAX ||
		    !(ws->lens[n / 64] & (1ull << (n % 64))))
			continue;
		w = wantset_find(ws, line, n);
		if (w && w->npkgs < OWNERS_MAX)
			w->pkgs[w->npkgs++] = pkg;
	}
}

static void
scan_lists(struct dpkg *db, struct wantset *ws)
{
	struct strbuf sb;
	struct dirent *de;
	DIR *d;
	int dfd;

	dfd = open_dir_in(db->root, "/var/lib/dpkg/info");
	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	strbuf_init(&sb, LIST_CAP);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		const char *colon;
		char *arch = NULL;
		ssize_t pi;

		if (n <= 5 || strcmp(de->d_name + n - 5, ".list") != 0)
			continue;
		colon = memchr(de->d_name, ':', n - 5);
		if (colon)
			arch = xstrndup(colon + 1,
			    (size_t)(de->d_name + n - 5 - colon - 1));
		pi = pkg_index(db, de->d_name,
		    colon ? (size_t)(colon - de->d_name) : n - 5, arch);
		free(arch);
		if (pi < 0)
			continue;	/* a list left by a removed package */
		if (read_at_capped(dfd, de->d_name, LIST_CAP, &sb) < 0 ||
		    sb.truncated) {
			if (sb.truncated)
				notes_add("dpkg's file list '%s' is larger than "
				    "%u bytes: not read", de->d_name, LIST_CAP);
			db->malformed++;
			continue;
		}
		db->lists_read++;
		scan_list(ws, (size_t)pi, sb.buf ? sb.buf : "", sb.len);
	}
	strbuf_release(&sb);
	closedir(d);
}

static const struct diversion *
diversion_to(const struct dpkg *db, const char *p)
{
	for (size_t i = 0; i < db->ndivs; i++)
		if (strcmp(db->divs[i].to, p) == 0)
			return &db->divs[i];
	return NULL;
}

static const struct diversion *
diversion_from(const struct dpkg *db, const char *p)
{
	for (size_t i = 0; i < db->ndivs; i++)
		if (strcmp(db->divs[i].from, p) == 0)
			return &db->divs[i];
	return NULL;
}

/* A package listing p (or its alias), other than the one named skip. */
static const struct pkg_info *
owner_of(const struct dpkg *db, const struct wantset *ws, const char *p,
    const char *skip, const char **listed)
{
	char *alias = pkg_usr_alias(p);
	const char *cand[2] = { p, alias };
	const struct pkg_info *found = NULL;

	for (int c = 0; c < 2 && !found && cand[c]; c++) {
		struct want *w = wantset_find(ws, cand[c], strlen(cand[c]));

		for (size_t k = 0; w && k < w->npkgs && !found; k++) {
			const struct pkg_info *pi = &db->pkgs[w->pkgs[k]];

			if (skip && strcmp(pi->name, skip) == 0)
				continue;
			found = pi;
			*listed = w->path;
		}
	}
	free(alias);
	return found;
}

/* The diversion touching p or its alias, and whether p is its target. */
static const struct diversion *
diversion_of(const struct dpkg *db, const char *p, int *is_to)
{
	char *alias = pkg_usr_alias(p);
	const struct diversion *d = NULL;

	*is_to = 0;
	if ((d = diversion_to(db, p)) || (alias && (d = diversion_to(db, alias))))
		*is_to = 1;
	else if (!(d = diversion_from(db, p)) && alias)
		d = diversion_from(db, alias);
	free(alias);
	return d;
}

void
dpkg_owners(struct dpkg *db, const char *const *paths, size_t n,
    struct pkg_owner *out)
{
	struct wantset ws;
	char **extra;
	size_t i, nextra = 0;

	memset(out, 0, n * sizeof(*out));
	if (n == 0)
		return;
	memset(&ws, 0, sizeof(ws));
	extra = xcalloc(n * 4 + 1, sizeof(*extra));
	for (i = 0; i < n; i++) {
		const struct diversion *d;
		int is_to;

		if (paths[i] == NULL || paths[i][0] != '/')
			continue;
		wantset_add(&ws, paths[i]);
		if ((extra[nextra] = pkg_usr_alias(paths[i])))
			wantset_add(&ws, extra[nextra++]);
		if ((d = diversion_of(db, paths[i], &is_to))) {
			wantset_add(&ws, d->from);
			if ((extra[nextra] = pkg_usr_alias(d->from)))
				wantset_add(&ws, extra[nextra++]);
		}
	}
	wantset_build(&ws);
	scan_lists(db, &ws);

	for (i = 0; i < n; i++) {
		const struct diversion *d;
		const char *listed = NULL;
		int is_to;

		if (paths[i] == NULL || paths[i][0] != '/')
			continue;
		d = diversion_of(db, paths[i], &is_to);
		if (d && is_to) {
			/* The original file, moved aside by d->by. */
			out[i].pkg = owner_of(db, &ws, d->from,
			    strcmp(d->by, ":") ? d->by : NULL, &listed);
			out[i].diverted_by = xstrdup(strcmp(d->by, ":") ?
			    d->by : "local");
		} else if (d) {
			/* The replacement put in place of d->from. */
			out[i].diverted_by = xstrdup(strcmp(d->by, ":") ?
			    d->by : "local");
			if (strcmp(d->by, ":") == 0) {
				out[i].local_diversion = 1;
				continue;
			}
			out[i].pkg = owner_of(db, &ws, paths[i], NULL, &listed);
			if (out[i].pkg && strcmp(out[i].pkg->name, d->by) != 0)
				out[i].pkg = NULL;	/* not the diverter's */
		} else {
			out[i].pkg = owner_of(db, &ws, paths[i], NULL, &listed);
		}
		if (out[i].pkg && listed)
			out[i].listed = xstrdup(listed);
	}
	for (i = 0; i < nextra; i++)
		free(extra[i]);
	free(extra);
	free(ws.v);
	free(ws.slots);
}

/* ---- open and release --------------------------------------------------- */

int
dpkg_load(struct dpkg *db, const char *root, char **cause)
{
	struct strbuf sb;
	char *p;
	int rc = 1;

	memset(db, 0, sizeof(*db));
	*cause = NULL;
	db->root = xstrdup(root ? root : "");
	strbuf_init(&sb, STATUS_CAP);
	p = xstrdup("/var/lib/dpkg/status");
	if (read_in_root_capped(db->root, p, STATUS_CAP, &sb) == 0) {
		dpkg_parse_status(db, sb.buf ? sb.buf : "", sb.len);
		if (sb.truncated) {
			notes_add("'/var/lib/dpkg/status' is larger than %u "
			    "bytes: only the first %u were read", STATUS_CAP,
			    STATUS_CAP);
			db->malformed++;
		}
	} else if (errno == ENOENT) {
		rc = 0;
	} else {
		*cause = xasprintf("cannot read '/var/lib/dpkg/status': %s",
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		rc = -1;
	}
	free(p);
	if (rc == 1) {
		p = xstrdup("/var/lib/dpkg/diversions");
		if (read_in_root_capped(db->root, p, DIVERT_CAP, &sb) == 0)
			dpkg_parse_diversions(db, sb.buf ? sb.buf : "", sb.len);
		free(p);
	}
	strbuf_release(&sb);
	return rc;
}

void
dpkg_release(struct dpkg *db)
{
	size_t i;

	for (i = 0; i < db->npkgs; i++) {
		free(db->pkgs[i].name);
		free(db->pkgs[i].arch);
		free(db->pkgs[i].version);
		free(db->pkgs[i].desc);
	}
	for (i = 0; i < db->ndivs; i++) {
		free(db->divs[i].from);
		free(db->divs[i].to);
		free(db->divs[i].by);
	}
	free(db->pkgs);
	free(db->divs);
	free(db->root);
	memset(db, 0, sizeof(*db));
}
