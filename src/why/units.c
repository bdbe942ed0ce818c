/*
 * units.c - systemd unit files: search path, drop-ins, Listen lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "why/units.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/notes.h"
#include "util/words.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define UNIT_FILE_CAP	(1u << 20)
#define UNIT_KV_MAX	4096		/* keys kept per unit */
#define DROPINS_MAX	64
#define DROPINS_SEEN_MAX 4096		/* names looked at per unit */

const char *const units_system_dirs[] = {
	"/etc/systemd/system.control",
	"/run/systemd/system.control",
	"/run/systemd/transient",
	"/run/systemd/generator.early",
	"/etc/systemd/system",
	"/run/systemd/system",
	"/run/systemd/generator",
	"/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
	"/run/systemd/generator.late",
	NULL
};

static const char *const units_user_dirs[] = {
	"/etc/systemd/user",
	"/run/systemd/user",
	"/usr/local/lib/systemd/user",
	"/usr/lib/systemd/user",
	"/lib/systemd/user",
	NULL
};

int
unit_name_valid(const char *name)
{
	size_t n = strlen(name);
	const char *dot = strrchr(name, '.');

	if (n == 0 || n > 255 || strchr(name, '/') || name[0] == '.' ||
	    dot == NULL || dot[1] == '\0')
		return 0;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

static void
kv_add(struct unit *u, const char *section, size_t sn, const char *key,
    size_t kn, const char *val, size_t vn, const char *file, int line)
{
	struct unit_kv *kv;
	char *full = xasprintf("%.*s.%.*s", (int)sn, section, (int)kn, key);

	if (vn == 0) {
		/* An empty assignment resets the list so far (systemd). */
		size_t i, j = 0;

		for (i = 0; i < u->nkv; i++) {
			if (strcmp(u->kv[i].key, full) == 0) {
				free(u->kv[i].key);
				free(u->kv[i].value);
				free(u->kv[i].file);
				continue;
			}
			u->kv[j++] = u->kv[i];
		}
		u->nkv = j;
		free(full);
		return;
	}
	if (u->nkv >= UNIT_KV_MAX) {
		u->malformed++;
		free(full);
		return;
	}
	xgrow((void **)&u->kv, &u->cap, u->nkv + 1, sizeof(*u->kv));
	kv = &u->kv[u->nkv++];
	kv->key = full;
	kv->value = xstrndup(val, vn);
	kv->file = xstrdup(file);
	kv->line = line;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

void
unit_parse(struct unit *u, const char *buf, size_t len, const char *file)
{
	struct strbuf logical;
	char section[64] = "";
	size_t pos = 0, sn = 0;
	int lineno = 0, start_line = 0;

	strbuf_init(&logical, UNIT_FILE_CAP);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		int cont;

		pos += n + (nl != NULL);
		lineno++;
		if (logical.len == 0) {
			while (n > 0 && is_space(*l))
				l++, n--;
			if (n == 0 || *l == '#' || *l == ';')
				continue;
			start_line = lineno;
		}
		while (n > 0 && is_space(l[n - 1]))
			n--;
		cont = n > 0 && l[n - 1] == '\\';
		strbuf_add(&logical, l, cont ? n - 1 : n);
		if (cont && pos < len) {
			strbuf_addch(&logical, ' ');
			continue;
		}

		l = strbuf_str(&logical);
		n = logical.len;
		if (memchr(l, '\0', n)) {
			u->malformed++;
		} else if (l[0] == '[') {
			const char *close = memchr(l, ']', n);

			sn = close ? (size_t)(close - l - 1) : 0;
			if (close == NULL || sn == 0 || sn >= sizeof(section)) {
				u->malformed++;
				sn = 0;
				section[0] = '\0';
			} else {
				memcpy(section, l + 1, sn);
				section[sn] = '\0';
			}
		} else {
			const char *eq = memchr(l, '=', n);
			size_t kn, vs;

			if (eq == NULL || eq == l || sn == 0) {
				u->malformed++;
			} else {
				kn = (size_t)(eq - l);
				while (kn > 0 && is_space(l[kn - 1]))
					kn--;
				vs = (size_t)(eq - l) + 1;
				while (vs < n && is_space(l[vs]))
					vs++;
				if (kn == 0)
					u->malformed++;
				else
					kv_add(u, section, sn, l, kn, l + vs,
					    n - vs, file, start_line);
			}
		}
		strbuf_reset(&logical);
	}
	strbuf_release(&logical);
}

const struct unit_kv *
unit_get(const struct unit *u, const char *key)
{
	for (size_t i = u->nkv; i-- > 0;)
		if (strcmp(u->kv[i].key, key) == 0)
			return &u->kv[i];
	return NULL;
}

static void
load_file(struct unit *u, const char *path)
{
	struct strbuf sb;

	strbuf_init(&sb, UNIT_FILE_CAP);
	if (sysroot_read(path, UNIT_FILE_CAP, &sb) == 0) {
		if (sb.truncated)
			u->malformed++;
		unit_parse(u, sb.buf ? sb.buf : "", sb.len, path);
	}
	strbuf_release(&sb);
}

static int
strp_cmp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	const char *bx = strrchr(*x, '/'), *by = strrchr(*y, '/');

	return strcmp(bx ? bx : *x, by ? by : *y);
}

/* Drop-in files for name in every directory, sorted by file name; a
 * file name seen in an earlier (higher priority) directory wins. */
static void
find_dropins(struct unit *u, const char *const *dirs, const char *name)
{
	size_t cap = 0;

	for (const char *const *d = dirs; *d; d++) {
		char *dir = xasprintf("%s/%s.d", *d, name);
		char *full = sysroot_path(dir);
		struct dirent *de;
		DIR *dp = opendir(full);

		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t n = strlen(de->d_name), i;
			int dup = 0;

			if (n < 6 || strcmp(de->d_name + n - 5, ".conf") != 0)
				continue;
			for (i = 0; i < u->ndropins; i++) {
				const char *b = strrchr(u->dropins[i], '/');

				if (strcmp(b + 1, de->d_name) == 0)
					dup = 1;
			}
			if (dup || u->ndropins >= DROPINS_SEEN_MAX)
				continue;
			xgrow((void **)&u->dropins, &cap, u->ndropins + 1,
			    sizeof(*u->dropins));
			u->dropins[u->ndropins++] = xasprintf("%s/%s", dir,
			    de->d_name);
		}
		if (dp)
			closedir(dp);
		free(dir);
	}
	if (u->ndropins > 1)
		qsort(u->dropins, u->ndropins, sizeof(*u->dropins), strp_cmp);
	/* keep the first in the order they are applied, and say so */
	if (u->ndropins > DROPINS_MAX) {
		notes_add("%s has %zu%s drop-in files: only the first %d in "
		    "order are read", name, u->ndropins, u->ndropins >=
		    DROPINS_SEEN_MAX ? " or more" : "", DROPINS_MAX);
		for (size_t i = DROPINS_MAX; i < u->ndropins; i++)
			free(u->dropins[i]);
		u->ndropins = DROPINS_MAX;
	}
}

/* "foo@bar.service" -> "foo@.service"; NULL when not an instance. */
static char *
template_of(const char *name)
{
	const char *at = strchr(name, '@'), *dot = strrchr(name, '.');

	if (at == NULL || dot == NULL || dot < at || dot == at + 1)
		return NULL;
	return xasprintf("%.*s%s", (int)(at - name + 1), name, dot);
}

static int
find_fragment(struct unit *u, const char *const *dirs, const char *name)
{
	for (const char *const *d = dirs; *d; d++) {
		char *path = xasprintf("%s/%s", *d, name);
		char *full = sysroot_path(path);
		char target[PATH_MAX];
		struct stat st;
		ssize_t n;

		n = readlink(full, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, "/dev/null") == 0) {
				u->masked = 1;
				u->path = path;
				free(full);
				return 1;
			}
		}
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			u->path = path;
			u->generated = strncmp(*d, "/run/systemd/generator",
			    22) == 0;
			free(full);
			return 1;
		}
		free(full);
		free(path);
	}
	return 0;
}

void
unit_load(struct unit *u, const char *name, enum unit_scope scope)
{
	const char *const *dirs = scope == UNIT_USER ? units_user_dirs :
	    units_system_dirs;
	char *tmpl;

	memset(u, 0, sizeof(*u));
	u->name = xstrdup(name);
	if (!unit_name_valid(name))
		return;
	tmpl = template_of(name);
	if (!find_fragment(u, dirs, name) && tmpl)
		find_fragment(u, dirs, tmpl);
	if (u->path && !u->masked)
		load_file(u, u->path);
	if (tmpl)
		find_dropins(u, dirs, tmpl);
	find_dropins(u, dirs, name);
	for (size_t i = 0; i < u->ndropins; i++)
		load_file(u, u->dropins[i]);
	free(tmpl);
}

void
unit_release(struct unit *u)
{
	for (size_t i = 0; i < u->nkv; i++) {
		free(u->kv[i].key);
		free(u->kv[i].value);
		free(u->kv[i].file);
	}
	for (size_t i = 0; i < u->ndropins; i++)
		free(u->dropins[i]);
	free(u->kv);
	free(u->dropins);
	free(u->name);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* Split a Listen value into address (may be empty) and port. */
static int
listen_split(const char *v, char *addr, size_t asz, unsigned int *port)
{
	const char *colon, *ps;
	uint64_t p;
	size_t an;

	if (v[0] == '/' || v[0] == '@' || strncmp(v, "vsock:", 6) == 0)
		return -1;
	if (v[0] == '[') {
		const char *close = strchr(v, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		an = (size_t)(close - v - 1);
		ps = close + 2;
		v++;
	} else if ((colon = strrchr(v, ':')) != NULL) {
		an = (size_t)(colon - v);
		ps = colon + 1;
	} else {
		an = 0;
		ps = v;
	}
	if (an >= asz || num_parse_str(ps, 1, 65535, &p) != 0)
		return -1;
	memcpy(addr, v, an);
	addr[an] = '\0';
	*port = (unsigned int)p;
	return 0;
}

const struct unit_kv *
unit_listen_match(const struct unit *u, const char *proto, const char *addr,
    unsigned int port)
{
	const char *key = strcmp(proto, "udp") == 0 ? "Socket.ListenDatagram" :
	    "Socket.ListenStream";

	for (size_t i = 0; i < u->nkv; i++) {
		char a[64];
		unsigned int p;

		if (strcmp(u->kv[i].key, key) != 0 ||
		    listen_split(u->kv[i].value, a, sizeof(a), &p) < 0 ||
		    p != port)
			continue;
		if (a[0] == '\0' || strcmp(a, addr) == 0 ||
		    (strcmp(addr, "::") == 0 && strcmp(a, "0.0.0.0") == 0) ||
		    (strcmp(addr, "0.0.0.0") == 0 && strcmp(a, "::") == 0))
			return &u->kv[i];
	}
	return NULL;
}

void
units_named(const char *suffix, size_t max, char ***names, size_t *n)
{
	size_t cap = 0, k = strlen(suffix), extra = 0;

	*names = NULL;
	*n = 0;
	for (const char *const *d = units_system_dirs; *d; d++) {
		char *full = sysroot_path(*d);
		DIR *dp = opendir(full);
		struct dirent *de;

		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t len = strlen(de->d_name);

			if (len <= k || strcmp(de->d_name + len - k, suffix) != 0 ||
			    !unit_name_valid(de->d_name) ||
			    strv_has(*names, *n, de->d_name))
				continue;
			if (*n >= max) {
				extra++;
				continue;
			}
			xgrow((void **)names, &cap, *n + 1, sizeof(**names));
			(*names)[(*n)++] = xstrdup(de->d_name);
		}
		if (dp)
			closedir(dp);
	}
	if (extra)
		notes_add("more than %zu %s units: %zu are not looked at", max,
		    suffix, extra);
}

static int
enabled_kind(const char *name)
{
	size_t n = strlen(name);

	return (n > 8 && strcmp(name + n - 8, ".service") == 0) ||
	    (n > 7 && strcmp(name + n - 7, ".socket") == 0) ||
	    (n > 6 && strcmp(name + n - 6, ".timer") == 0) ||
	    (n > 5 && strcmp(name + n - 5, ".path") == 0);
}

void
units_enabled(struct unit_link **out, size_t *nout)
{
	size_t cap = 0;

	*out = NULL;
	*nout = 0;
	for (const char *const *d = units_system_dirs; *d; d++) {
		char *full = sysroot_path(*d);
		DIR *dp = opendir(full);
		struct dirent *de;

		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			size_t n = strlen(de->d_name);
			const char *suffix = NULL;
			char *wdir, *wfull;
			struct dirent *we;
			DIR *wp;

			if (n > 6 && strcmp(de->d_name + n - 6, ".wants") == 0)
				suffix = ".wants";
			else if (n > 9 &&
			    strcmp(de->d_name + n - 9, ".requires") == 0)
				suffix = ".requires";
			if (suffix == NULL)
				continue;
			wdir = xasprintf("%s/%s", *d, de->d_name);
			wfull = sysroot_path(wdir);
			wp = opendir(wfull);
			free(wfull);
			while (wp && (we = readdir(wp)) != NULL) {
				size_t i;
				int dup = 0;

				if (!enabled_kind(we->d_name) ||
				    !unit_name_valid(we->d_name))
					continue;
				for (i = 0; i < *nout && !dup; i++)
					dup = strcmp((*out)[i].name,
					    we->d_name) == 0;
				if (dup)
					continue;
				xgrow((void **)out, &cap, *nout + 1,
				    sizeof(**out));
				(*out)[*nout].name = xstrdup(we->d_name);
				(*out)[*nout].target = xstrndup(de->d_name,
				    n - strlen(suffix));
				(*out)[*nout].dir = xstrdup(wdir);
				(*nout)++;
			}
			if (wp)
				closedir(wp);
			free(wdir);
		}
		if (dp)
			closedir(dp);
	}
}

void
unit_links_free(struct unit_link *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].target);
		free(v[i].dir);
	}
	free(v);
}
