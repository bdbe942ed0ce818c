/*
 * sysv.c - /etc/init.d scripts and their runlevel links.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "why/sysv.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define SCRIPT_CAP	(256u << 10)
#define SCRIPTS_MAX	1024
#define VALUE_MAX	512

static char *
value_dup(const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t' || *v == '"' || *v == '\''))
		v++, n--;
	for (size_t i = 0; i < n; i++)
		if (v[i] == '"' || v[i] == '\'' || v[i] == ' ' || v[i] == '\t' ||
		    v[i] == ';' || v[i] == '\r') {
			n = i;
			break;
		}
	if (n == 0 || n > VALUE_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < ' ')
			return NULL;
	return xstrndup(v, n);
}

static char *
header_dup(const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r'))
		n--;
	if (n == 0 || n > VALUE_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < ' ' && v[i] != '\t')
			return NULL;
	return xstrndup(v, n);
}

void
sysv_parse_script(struct sysv_script *sc, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos), *x;
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl != NULL);
		while (n > 0 && (*l == ' ' || *l == '\t'))
			l++, n--;
		if (n > 12 && strncmp(l, "# Provides:", 11) == 0 &&
		    sc->provides == NULL)
			sc->provides = header_dup(l + 11, n - 11);
		else if (n > 21 && strncmp(l, "# Short-Description:", 20) == 0 &&
		    sc->short_desc == NULL)
			sc->short_desc = header_dup(l + 20, n - 20);
		else if (n > 7 && strncmp(l, "DAEMON=", 7) == 0 &&
		    sc->daemon == NULL)
			sc->daemon = value_dup(l + 7, n - 7);
		else if (sc->daemon == NULL && n > 7 &&
		    (x = memmem(l, n, "--exec ", 7)) != NULL &&
		    x + 7 < l + n && x[7] == '/')
			sc->daemon = value_dup(x + 7, n - (size_t)(x + 7 - l));
		if (sc->daemon && (sc->daemon[0] != '/' ||
		    strchr(sc->daemon, '$'))) {
			free(sc->daemon);	/* a variable, not a path */
			sc->daemon = NULL;
		}
	}
}

int
sysv_parse_inittab(const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		const char *c1, *c2;

		pos += n + (nl != NULL);
		if (n == 0 || l[0] == '#')
			continue;
		/* id:2:initdefault: */
		if ((c1 = memchr(l, ':', n)) == NULL)
			continue;
		c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l));
		if (c2 == NULL || c2 != c1 + 2 || c1[1] < '0' || c1[1] > '6')
			continue;
		if ((size_t)(l + n - (c2 + 1)) >= 11 &&
		    strncmp(c2 + 1, "initdefault", 11) == 0)
			return c1[1] - '0';
	}
	return 2;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add "rcN.d/SNNname" for every start link of each script. */
static void
scan_links(struct sysv *s)
{
	static const char levels[] = "S0123456";

	for (const char *lv = levels; *lv; lv++) {
		char dir[16];
		char *full;
		DIR *dp;
		struct dirent *de;

		snprintf(dir, sizeof(dir), "/etc/rc%c.d", *lv);
		full = sysroot_path(dir);
		dp = opendir(full);
		free(full);
		while (dp && (de = readdir(dp)) != NULL) {
			const char *nm = de->d_name;

			if (nm[0] != 'S' || strlen(nm) < 4 || nm[1] < '0' ||
			    nm[1] > '9' || nm[2] < '0' || nm[2] > '9')
				continue;
			for (size_t i = 0; i < s->n; i++) {
				struct sysv_script *sc = &s->v[i];
				char *joined;

				if (strcmp(sc->name, nm + 3) != 0)
					continue;
				joined = xasprintf("%s%src%c.d/%s",
				    sc->start_links ? sc->start_links : "",
				    sc->start_links ? " " : "", *lv, nm);
				free(sc->start_links);
				sc->start_links = joined;
			}
		}
		if (dp)
			closedir(dp);
	}
}

void
sysv_load(struct sysv *s)
{
	struct strbuf sb;
	struct dirent *de;
	char *full;
	char **names = NULL;
	size_t nn = 0, cap = 0, extra = 0;
	DIR *dp;

	memset(s, 0, sizeof(*s));
	strbuf_init(&sb, SCRIPT_CAP);
	s->runlevel = 2;
	if (sysroot_read("/etc/inittab", 1u << 20, &sb) == 0)
		s->runlevel = sysv_parse_inittab(sb.buf ? sb.buf : "", sb.len);
	full = sysroot_path("/etc/init.d");
	dp = opendir(full);
	free(full);
	while (dp && (de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0 ||
		    strchr(de->d_name, '~'))
			continue;
		if (nn >= SCRIPTS_MAX) {
			extra++;
			continue;
		}
		xgrow((void **)&names, &cap, nn + 1, sizeof(*names));
		names[nn++] = xstrdup(de->d_name);
	}
	if (dp)
		closedir(dp);
	if (extra)
		notes_add("/etc/init.d holds more than %d scripts: %zu are not "
		    "read", SCRIPTS_MAX, extra);
	if (nn > 1)
		qsort(names, nn, sizeof(*names), str_cmp);
	for (size_t i = 0; i < nn; i++) {
		char *path = xasprintf("/etc/init.d/%s", names[i]);
		struct sysv_script *sc;

		xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
		sc = &s->v[s->n++];
		memset(sc, 0, sizeof(*sc));
		sc->name = names[i];
		if (sysroot_read(path, SCRIPT_CAP, &sb) == 0)
			sysv_parse_script(sc, sb.buf ? sb.buf : "", sb.len);
		else
			s->malformed++;
		free(path);
	}
	free(names);
	scan_links(s);
	strbuf_release(&sb);
}

void
sysv_release(struct sysv *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].daemon);
		free(s->v[i].provides);
		free(s->v[i].short_desc);
		free(s->v[i].start_links);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const struct sysv_script *
sysv_find(const struct sysv *s, const char *exe, const char *name)
{
	for (size_t i = 0; exe && i < s->n; i++)
		if (s->v[i].daemon && strcmp(s->v[i].daemon, exe) == 0)
			return &s->v[i];
	for (size_t i = 0; name && i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}
