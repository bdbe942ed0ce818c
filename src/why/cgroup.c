/*
 * cgroup.c - what a cgroup path says: the systemd unit or scope, a
 * login session, a user's manager, a container runtime and its id.
 * A pure parse of the path (no file is read).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "why/cgroup.h"
#include "util/num.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static int
all_hex(const char *s, size_t n)
{
	if (n < 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int
starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

static void
set_container(struct cgroup_info *ci, const char *runtime, const char *id,
    size_t n)
{
	free(ci->runtime);
	free(ci->container_id);
	ci->runtime = xstrdup(runtime);
	ci->container_id = xstrndup(id, n);
}

/* A "PREFIX<hex>.scope" component: the id, or 0. */
static int
scope_id(const char *c, size_t n, const char *prefix, const char **id,
    size_t *idn)
{
	size_t k = strlen(prefix);

	if (!starts_with(c, n, prefix) || !ends_with(c, n, ".scope"))
		return 0;
	*id = c + k;
	*idn = n - k - 6;
	return all_hex(*id, *idn);
}

void
cgroup_classify(const char *path, struct cgroup_info *ci)
{
	const char *p = path, *prev = NULL, *id;
	size_t prevn = 0, idn;
	int kube = 0;

	memset(ci, 0, sizeof(*ci));
	ci->uid = -1;
	if (path == NULL)
		return;
	while (*p) {
		const char *c, *slash;
		size_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		c = p;
		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		p = c + n;
		if (n > 255)
			continue;
		if (starts_with(c, n, "kubepods"))
			kube = 1;
		if (starts_with(c, n, "user-") && ends_with(c, n, ".slice")) {
			uint64_t uid;

			if (num_parse_u64(c + 5, n - 11, 10, 0, 0xfffffffe,
			    &uid) == 0)
				ci->uid = (long)uid;
		} else if (starts_with(c, n, "user@") &&
		    ends_with(c, n, ".service")) {
			ci->user_unit = 1;
		} else if (scope_id(c, n, "docker-", &id, &idn)) {
			set_container(ci, "docker", id, idn);
		} else if (scope_id(c, n, "libpod-", &id, &idn)) {
			set_container(ci, "podman", id, idn);
		} else if (starts_with(c, n, "libpod-") && all_hex(c + 7, n - 7) &&
		    prev && prevn == 13 && memcmp(prev, "libpod_parent", 13) == 0) {
			/* podman with --cgroup-manager=cgroupfs */
			set_container(ci, "podman", c + 7, n - 7);
		} else if (scope_id(c, n, "cri-containerd-", &id, &idn)) {
			set_container(ci, "kubernetes", id, idn);
		} else if (scope_id(c, n, "crio-", &id, &idn)) {
			set_container(ci, "kubernetes", id, idn);
		} else if (scope_id(c, n, "nerdctl-", &id, &idn)) {
			set_container(ci, "containerd", id, idn);
		} else if (prev && all_hex(c, n) && prevn == 6 &&
		    memcmp(prev, "docker", 6) == 0) {
			set_container(ci, "docker", c, n);
		} else if (kube && all_hex(c, n) && prev &&
		    starts_with(prev, prevn, "pod")) {
			set_container(ci, "kubernetes", c, n);
		} else if (starts_with(c, n, "lxc.payload.") && n > 12) {
			set_container(ci, "lxc", c + 12, n - 12);
		} else if (prev && prevn == 3 && memcmp(prev, "lxc", 3) == 0) {
			set_container(ci, "lxc", c, n);
		} else if (starts_with(c, n, "machine-") &&
		    ends_with(c, n, ".scope") && n > 14) {
			set_container(ci, "systemd-machined", c + 8, n - 14);
		} else if (starts_with(c, n, "session-") &&
		    ends_with(c, n, ".scope") && n > 14) {
			free(ci->session);
			ci->session = xstrndup(c + 8, n - 14);
			free(ci->scope);
			ci->scope = xstrndup(c, n);
		} else if (ends_with(c, n, ".service") && n > 8) {
			free(ci->unit);
			ci->unit = xstrndup(c, n);
		} else if (ends_with(c, n, ".scope") && n > 6) {
			free(ci->scope);
			ci->scope = xstrndup(c, n);
		}
		prev = c;
		prevn = n;
	}
}

void
cgroup_info_release(struct cgroup_info *ci)
{
	free(ci->unit);
	free(ci->scope);
	free(ci->session);
	free(ci->runtime);
	free(ci->container_id);
	memset(ci, 0, sizeof(*ci));
}
