/*
 * users.c - a small passwd reader.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/users.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

struct user_ent {
	uid_t	 uid;
	char	*name;
};

struct users {
	struct user_ent	*v;
	size_t		 n, cap;
};

struct users *
users_new(void)
{
	return xcalloc(1, sizeof(struct users));
}

static void
add(struct users *u, uid_t uid, const char *name, size_t n)
{
	xgrow((void **)&u->v, &u->cap, u->n + 1, sizeof(*u->v));
	u->v[u->n].uid = uid;
	u->v[u->n].name = name ? xstrndup(name, n) : NULL;
	u->n++;
}

void
users_parse(struct users *u, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	/* name:passwd:uid:gid:gecos:home:shell */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(eol - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(eol - c2 - 1)) : NULL;
		uint64_t uid;

		if (c3 && c1 > p && c1 - p <= 256 &&
		    num_parse_u64(c2 + 1, (size_t)(c3 - c2 - 1), 10, 0,
		    UINT32_MAX - 1, &uid) == 0)
			add(u, (uid_t)uid, p, (size_t)(c1 - p));
		p = nl ? nl + 1 : end;
	}
}

struct users *
users_load(void)
{
	struct users *u = users_new();
	struct strbuf sb;

	strbuf_init(&sb, 16u << 20);
	if (sysroot_read("/etc/passwd", 16u << 20, &sb) == 0)
		users_parse(u, strbuf_str(&sb), sb.len);
	strbuf_release(&sb);
	return u;
}

const char *
users_name(struct users *u, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i].uid == uid)
			return u->v[i].name;
	if (sysroot_is_fixture())
		return NULL;
	/* A miss is remembered too: NSS is asked once per uid. */
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		add(u, uid, NULL, 0);
	else
		add(u, uid, pw.pw_name, strlen(pw.pw_name));
	return u->v[u->n - 1].name;
}

char *
users_label(struct users *u, uid_t uid)
{
	const char *name = u ? users_name(u, uid) : NULL;

	return name ? xstrdup(name) : xasprintf("%u", (unsigned)uid);
}

int
users_uid(struct users *u, const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i].name && strcmp(u->v[i].name, name) == 0) {
			*uid = u->v[i].uid;
			return 0;
		}
	if (sysroot_is_fixture() ||
	    getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*uid = pw.pw_uid;
	return 0;
}

void
users_free(struct users *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		free(u->v[i].name);
	free(u->v);
	free(u);
}
