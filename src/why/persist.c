/*
 * persist.c - boot-time persistence besides units, inetd and SysV (see
 * persist.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "why/persist.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define FILE_CAP	(1u << 20)
#define DIR_MAX		4096		/* entries read per directory */
#define ITEMS_MAX	65536
#define LINE_MAX_USED	1024		/* of a command kept */

static const char *const kind_keys[PK_COUNT] = {
	"rc.local", "cron", "at", "udev", "ld.so.preload", "user-unit"
};

const char *
persist_kind_key(enum persist_kind k)
{
	return k < PK_COUNT ? kind_keys[k] : "?";
}

static void
add(struct persist_set *s, enum persist_kind k, const char *file, int line,
    const char *cmd, size_t cmdlen, const char *user)
{
	struct persist_item *it;
	size_t w;

	if (s->n >= ITEMS_MAX)
		return;
	while (cmdlen && (cmd[cmdlen - 1] == ' ' || cmd[cmdlen - 1] == '\t' ||
	    cmd[cmdlen - 1] == '\r'))
		cmdlen--;
	if (cmdlen == 0)
		return;
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	it = &s->v[s->n++];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	it->file = xstrdup(file);
	it->line = line;
	it->command = xstrndup(cmd, cmdlen > LINE_MAX_USED ? LINE_MAX_USED :
	    cmdlen);
	w = strcspn(it->command, " \t");
	if (it->command[0] == '/')
		it->program = xstrndup(it->command, w);
	it->user = user ? xstrdup(user) : NULL;
	it->enabled = 1;
}

/* The value of RUN+="..." (or RUN{program}+=) in a udev rule line. */
static int
udev_run(const char *l, size_t n, const char **v, size_t *vn)
{
	const char *p = l, *end = l + n;

	while (p + 4 < end) {
		const char *q = memchr(p, 'R', (size_t)(end - p));

		if (q == NULL || q + 4 >= end)
			return 0;
		p = q + 1;
		if (memcmp(q, "RUN", 3) != 0 || (q > l && q[-1] != ' ' &&
		    q[-1] != ',' && q[-1] != '\t'))
			continue;
		q += 3;
		if (*q == '{') {
			q = memchr(q, '}', (size_t)(end - q));
			if (q == NULL)
				return 0;
			q++;
		}
		if (q < end && *q == '+')
			q++;
		if (q + 1 >= end || q[0] != '=' || q[1] != '"')
			continue;
		q += 2;
		*v = q;
		q = memchr(q, '"', (size_t)(end - q));
		*vn = q ? (size_t)(q - *v) : (size_t)(end - *v);
		return 1;
	}
	return 0;
}

void
persist_parse_lines(enum persist_kind k, const char *file, const char *text,
    size_t len, const char *user, struct persist_set *s)
{
	const char *p = text, *end = text + len, *last = NULL;
	size_t lastn = 0;
	int line = 0, lastline = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *l = p;
		size_t n;

		p = nl ? nl + 1 : end;
		line++;
		while (l < eol && (*l == ' ' || *l == '\t'))
			l++;
		n = (size_t)(eol - l);
		if (n == 0 || *l == '#')
			continue;
		switch (k) {
		case PK_RC_LOCAL:
			/* the shebang and the customary exit are not what it
			 * starts */
			if ((n >= 4 && memcmp(l, "exit", 4) == 0 &&
			    (n == 4 || l[4] == ' ')))
				continue;
			add(s, k, file, line, l, n, "root");
			break;
		case PK_CRON_REBOOT: {
			const char *c = l + 7, *u = NULL;
			size_t un = 0;

			if (n < 8 || memcmp(l, "@reboot", 7) != 0 ||
			    (l[7] != ' ' && l[7] != '\t'))
				continue;
			while (c < eol && (*c == ' ' || *c == '\t'))
				c++;
			if (user == NULL) {	/* a system crontab: a user */
				u = c;
				while (c < eol && *c != ' ' && *c != '\t')
					c++;
				un = (size_t)(c - u);
				while (c < eol && (*c == ' ' || *c == '\t'))
					c++;
			}
			if (c >= eol)
				continue;
			{
				char *uu = u ? xstrndup(u, un) : NULL;

				add(s, k, file, line, c, (size_t)(eol - c),
				    uu ? uu : user);
				free(uu);
			}
			break;
		}
		case PK_UDEV: {
			const char *v;
			size_t vn;

			if (udev_run(l, n, &v, &vn))
				add(s, k, file, line, v, vn, "root");
			break;
		}
		case PK_PRELOAD:
			/* one or more libraries, by spaces or colons */
			while (l < eol) {
				const char *e = l;

				/* bounded by the line: the text may hold a NUL */
				while (e < eol && *e != ' ' && *e != ':' &&
				    *e != '\t' && *e != '\0')
					e++;
				if (e > l)
					add(s, k, file, line, l, (size_t)(e - l),
					    NULL);
				l = e < eol ? e + 1 : eol;
			}
			break;
		case PK_AT:
			/* a job is a shell script: the environment, a cd,
			 * then the user's commands; the last one stands */
			last = l;
			lastn = n;
			lastline = line;
			break;
		default:
			break;
		}
	}
	if (k == PK_AT && last)
		add(s, k, file, lastline, last, lastn, user);
}

static int
read_file(const char *path, struct strbuf *sb, struct stat *st)
{
	int fd = sysroot_open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOFOLLOW), rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	rc = read_fd_capped(fd, FILE_CAP, sb);
	close(fd);
	return rc;
}

static void
one_file(struct persist_set *s, enum persist_kind k, const char *path,
    const char *user)
{
	struct strbuf sb;
	struct stat st;
	size_t before = s->n;

	strbuf_init(&sb, FILE_CAP);
	if (read_file(path, &sb, &st) == 0) {
		char uid[16];

		/* an at job is its owner's (atd runs it as that user) */
		if (k == PK_AT && user == NULL) {
			snprintf(uid, sizeof(uid), "uid %u", (unsigned)st.st_uid);
			user = uid;
		}
		persist_parse_lines(k, path, sb.buf, sb.len, user, s);
		/* systemd runs rc.local only when it is executable */
		if (k == PK_RC_LOCAL && !(st.st_mode & S_IXUSR))
			for (size_t i = before; i < s->n; i++)
				s->v[i].enabled = 0;
	}
	strbuf_release(&sb);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted, at most DIR_MAX; caller frees. */
static char **
dir_names(const char *dir, size_t *n, const char *suffix)
{
	char *full = sysroot_path(dir), **v = NULL;
	size_t cap = 0;
	DIR *d = opendir(full);
	struct dirent *de;

	*n = 0;
	free(full);
	while (d && (de = readdir(d)) != NULL && *n < DIR_MAX) {
		size_t l = strlen(de->d_name), sl = suffix ? strlen(suffix) : 0;

		if (de->d_name[0] == '.' || (suffix && (l <= sl ||
		    strcmp(de->d_name + l - sl, suffix) != 0)))
			continue;
		xgrow((void **)&v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), name_cmp);
	return v;
}

static void
each_file(struct persist_set *s, enum persist_kind k, const char *dir,
    const char *suffix, int name_is_user)
{
	size_t n;
	char **names = dir_names(dir, &n, suffix);

	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		one_file(s, k, path, name_is_user ? names[i] : NULL);
		free(path);
		free(names[i]);
	}
	free(names);
}

/* A user's home directory from /etc/passwd, or NULL. */
static char *
home_of(const char *user)
{
	struct strbuf sb;
	struct stat st;
	char *home = NULL;
	size_t ul = strlen(user);

	strbuf_init(&sb, FILE_CAP);
	if (read_file("/etc/passwd", &sb, &st) == 0) {
		const char *p = strbuf_str(&sb);

		while (p && *p && home == NULL) {
			const char *nl = strchr(p, '\n'), *f = p;
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			if (n > ul && memcmp(p, user, ul) == 0 && p[ul] == ':') {
				/* name:pw:uid:gid:gecos:home:shell */
				for (int k = 0; k < 5 && f; k++) {
					f = memchr(f, ':', n - (size_t)(f - p));
					if (f)
						f++;
				}
				if (f && *f == '/') {
					size_t hl = strcspn(f, ":\n");

					home = xstrndup(f, hl);
				}
			}
			p = nl ? nl + 1 : NULL;
		}
	}
	strbuf_release(&sb);
	return home;
}

static void
user_units(struct persist_set *s)
{
	size_t nu;
	char **users = dir_names("/var/lib/systemd/linger", &nu, NULL);

	for (size_t i = 0; i < nu; i++) {
		char *home = home_of(users[i]), *dir;
		size_t nw;
		char **wants;

		if (home == NULL || strstr(users[i], "/")) {
			free(home);
			free(users[i]);
			continue;
		}
		dir = xasprintf("%s/.config/systemd/user", home);
		wants = dir_names(dir, &nw, ".wants");
		for (size_t w = 0; w < nw; w++) {
			char *wd = xasprintf("%s/%s", dir, wants[w]);
			size_t nl;
			char **links = dir_names(wd, &nl, NULL);

			for (size_t k = 0; k < nl; k++) {
				char *path = xasprintf("%s/%s", wd, links[k]);

				add(s, PK_USER_UNIT, path, 0, links[k],
				    strlen(links[k]), users[i]);
				free(path);
				free(links[k]);
			}
			free(links);
			free(wd);
			free(wants[w]);
		}
		free(wants);
		free(dir);
		free(home);
		free(users[i]);
	}
	free(users);
}

void
persist_collect(struct persist_set *s)
{
	memset(s, 0, sizeof(*s));
	one_file(s, PK_RC_LOCAL, "/etc/rc.local", NULL);
	one_file(s, PK_CRON_REBOOT, "/etc/crontab", NULL);
	each_file(s, PK_CRON_REBOOT, "/etc/cron.d", NULL, 0);
	each_file(s, PK_CRON_REBOOT, "/var/spool/cron/crontabs", NULL, 1);
	{
		size_t n;
		char **jobs = dir_names("/var/spool/cron/atjobs", &n, NULL);

		for (size_t i = 0; i < n; i++) {
			char *path = xasprintf("/var/spool/cron/atjobs/%s",
			    jobs[i]);

			one_file(s, PK_AT, path, NULL);
			free(path);
			free(jobs[i]);
		}
		free(jobs);
	}
	each_file(s, PK_UDEV, "/etc/udev/rules.d", ".rules", 0);
	one_file(s, PK_PRELOAD, "/etc/ld.so.preload", NULL);
	user_units(s);
}

void
persist_release(struct persist_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].file);
		free(s->v[i].command);
		free(s->v[i].program);
		free(s->v[i].user);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
