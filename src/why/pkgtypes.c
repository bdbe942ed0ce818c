/*
 * pkgtypes.c - what every package backend shares: digest algorithm
 * names, the merged-/usr alias of a path, releasing an owner.
 */
#include <stdlib.h>
#include <string.h>

#include "why/pkgtypes.h"
#include "util/xmalloc.h"
#include "util/banned.h"

const char *
digest_algo_name(enum digest_algo a)
{
	static const char *const names[] = { "none", "md5", "sha1", "sha224",
		"sha256", "sha384", "sha512" };

	return (size_t)a < sizeof(names) / sizeof(names[0]) ? names[a] : "none";
}

const char *
pkg_manager_name(enum pkg_manager pm)
{
	switch (pm) {
	case PM_DPKG:
		return "dpkg";
	case PM_RPM:
		return "rpm";
	default:
		return "none";
	}
}

static const char *const usr_dirs[] = {
	"bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/", "libo32/"
};

char *
pkg_usr_alias(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(usr_dirs) / sizeof(usr_dirs[0]); i++) {
		size_t n = strlen(usr_dirs[i]);

		if (strncmp(path, "/usr/", 5) == 0 &&
		    strncmp(path + 5, usr_dirs[i], n) == 0)
			return xstrdup(path + 4);
		if (path[0] == '/' && strncmp(path + 1, usr_dirs[i], n) == 0)
			return xasprintf("/usr%s", path);
	}
	return NULL;
}

void
pkg_owner_release(struct pkg_owner *o)
{
	free(o->listed);
	free(o->diverted_by);
	memset(o, 0, sizeof(*o));
}

