/*
 * netns.c - finding the network namespaces of the host.
 *
 * Order: portsleuth's own (and whether it is PID 1's: the host's), the
 * `ip netns` and docker bind mounts by name, every other nsfs mount from
 * mountinfo (the namespace's inode is in the mount's root field,
 * "net:[N]"), then the namespace of every process.  A namespace found
 * twice keeps its first, most telling, name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/stat.h>

#include "kernel/netns.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define MOUNTINFO_CAP	(16u << 20)
/* The initial network namespace's inode number, fixed by the kernel
 * (PROC_NET_INIT_INO in include/linux/proc_ns.h): the host's, even when
 * PID 1's namespace link cannot be read. */
#define NET_INIT_INO	0xEFFFFFF9ULL
#define NETNS_MAX	65536

static const char *const kind_keys[NETNS_KIND_COUNT] = {
	"host", "self", "netns", "docker", "mount", "process", "fd"
};

const char *
netns_kind_key(enum netns_kind k)
{
	return k < NETNS_KIND_COUNT ? kind_keys[k] : "unknown";
}

const char *
netns_label(const struct netns *ns, char *buf, size_t sz)
{
	const char *rt = ns->runtime;

	if (rt && !ns->self && ns->kind != NETNS_HOST) {
		const char *prefix = strcmp(rt, "kubernetes") == 0 ? "k8s" :
		    strcmp(rt, "systemd-machined") == 0 ? "machine" : rt;

		if (ns->container_name)
			snprintf(buf, sz, "%s:%.60s", prefix, ns->container_name);
		else	/* a short id, as the runtimes show it */
			snprintf(buf, sz, "%s:%.12s", prefix, ns->container_id ?
			    ns->container_id : "?");
		return buf;
	}
	if (ns->kind == NETNS_HOST)
		snprintf(buf, sz, "host");
	else if (ns->kind == NETNS_NAMED && ns->name)
		snprintf(buf, sz, "%s", ns->name);
	else if (ns->kind == NETNS_DOCKER && ns->name)
		snprintf(buf, sz, "docker:%.12s", ns->name);
	else
		snprintf(buf, sz, "net:[%llu]", (unsigned long long)ns->inode);
	return buf;
}

const struct netns *
netns_find(const struct netns_set *s, uint64_t inode)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].inode == inode)
			return &s->v[i];
	return NULL;
}

static struct netns *
add(struct netns_set *s, uint64_t inode, enum netns_kind kind,
    const char *name, const char *path, pid_t pid)
{
	struct netns *ns = (struct netns *)netns_find(s, inode);

	if (ns) {
		if (pid && ns->pid == 0)
			ns->pid = pid;
		if (pid && ns->npids < NETNS_PIDS)
			ns->pids[ns->npids++] = pid;
		return ns;
	}
	if (s->n >= NETNS_MAX)
		return NULL;
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	ns = &s->v[s->n++];
	memset(ns, 0, sizeof(*ns));
	ns->inode = inode;
	ns->kind = kind;
	ns->name = name ? xstrdup(name) : NULL;
	ns->path = xstrdup(path);
	ns->pid = pid;
	if (pid)
		ns->pids[ns->npids++] = pid;
	return ns;
}

int
netns_add_fd(struct netns_set *s, uint64_t inode, pid_t pid, int fd)
{
	char path[64];
	struct netns *ns;

	if (netns_find(s, inode))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if ((ns = add(s, inode, NETNS_FD, NULL, path, 0)) == NULL)
		return -1;
	ns->holder = pid;
	return 1;
}

static dev_t nsfs_dev;		/* every namespace file lives on it */

/* The nsfs inode of a namespace file, or 0 when path is none (a name
 * left behind on tmpfs by a deleted namespace is a plain file). */
static uint64_t
ns_inode(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || (nsfs_dev && st.st_dev != nsfs_dev))
		return 0;
	return (uint64_t)st.st_ino;
}

static void
scan_dir(struct netns_set *s, const char *dir, enum netns_kind kind)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		char *path;
		uint64_t ino;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if ((ino = ns_inode(path)) != 0)
			add(s, ino, kind, de->d_name, path, 0);
		free(path);
	}
	if (d)
		closedir(d);
}

/* Unescape mountinfo's octal escapes (\040 for a space) in place. */
static void
unoctal(char *p)
{
	char *o = p;

	while (*p) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' &&
		    p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
			*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 +
			    (p[3] - '0'));
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

/* nsfs mounts of network namespaces: root "net:[N]", fstype "nsfs". */
static void
scan_mounts(struct netns_set *s)
{
	struct strbuf sb;
	const char *p, *end;

	strbuf_init(&sb, MOUNTINFO_CAP);
	if (read_at_capped(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_CAP,
	    &sb) < 0) {
		strbuf_release(&sb);
		return;
	}
	p = strbuf_str(&sb);
	end = p + sb.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		char *line = xstrndup(p, (size_t)(eol - p));
		char *f[6] = { 0 }, *save = NULL, *dash;
		int n = 0;
		uint64_t ino;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SRC */
		dash = strstr(line, " - nsfs ");
		for (char *t = strtok_r(line, " ", &save); t && n < 6;
		    t = strtok_r(NULL, " ", &save))
			f[n++] = t;
		if (dash && n >= 5 && strncmp(f[3], "net:[", 5) == 0 &&
		    num_parse_str(f[3] + 5, 1, UINT64_MAX - 1, &ino) != 0) {
			size_t k = strlen(f[3]);

			if (k > 6 && f[3][k - 1] == ']') {
				f[3][k - 1] = '\0';
				if (num_parse_str(f[3] + 5, 1, UINT64_MAX - 1,
				    &ino) == 0) {
					unoctal(f[4]);
					add(s, ino, NETNS_MOUNT, NULL, f[4], 0);
				}
			}
		}
		free(line);
		p = nl ? nl + 1 : end;
	}
	strbuf_release(&sb);
}

static void
scan_processes(struct netns_set *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		char path[300], link[64];
		uint64_t pid, ino;
		ssize_t n;
		struct netns *ns;

		if (num_parse_str(de->d_name, 1, INT32_MAX, &pid) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0) {
			if (errno == EACCES || errno == EPERM)
				s->unreadable++;
			continue;
		}
		link[n] = '\0';
		if (n < 7 || strncmp(link, "net:[", 5) != 0 || link[n - 1] != ']')
			continue;
		link[n - 1] = '\0';
		if (num_parse_str(link + 5, 1, UINT64_MAX - 1, &ino) != 0)
			continue;
		if ((ns = add(s, ino, NETNS_PROCESS, NULL, path, (pid_t)pid)))
			ns->nprocs++;
	}
	if (d)
		closedir(d);
}

void
netns_discover(struct netns_set *s, int others)
{
	uint64_t self, host;
	struct netns *ns;
	struct stat st;


	memset(s, 0, sizeof(*s));
	if (stat("/proc/self/ns/net", &st) != 0)
		return;
	nsfs_dev = st.st_dev;
	self = (uint64_t)st.st_ino;
	host = ns_inode("/proc/1/ns/net");
	if (host == 0)
		host = NET_INIT_INO;
	ns = add(s, self, host == self || self == NET_INIT_INO ? NETNS_HOST :
	    NETNS_SELF, host == self || self == NET_INIT_INO ? "host" : NULL,
	    "/proc/self/ns/net", getpid());
	ns->self = 1;
	if (sysroot_is_fixture() || !others)
		return;		/* a fixture describes one namespace */
	if (host && host != self)
		add(s, host, NETNS_HOST, "host", "/proc/1/ns/net", 1);
	scan_dir(s, "/run/netns", NETNS_NAMED);
	scan_dir(s, "/run/docker/netns", NETNS_DOCKER);
	scan_mounts(s);
	scan_processes(s);
}

int
netns_self_is_host(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 &&
	    (uint64_t)st.st_ino == NET_INIT_INO;
}

void
netns_set_truncate(struct netns_set *s, size_t n)
{
	for (size_t i = n; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].path);
		free(s->v[i].runtime);
		free(s->v[i].container_id);
		free(s->v[i].container_name);
		free(s->v[i].container_image);
		free(s->v[i].container_rootfs);
		free(s->v[i].container_pod);
		free(s->v[i].ports);
	}
	if (n < s->n)
		s->n = n;
}

void
netns_set_release(struct netns_set *s)
{
	netns_set_truncate(s, 0);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int
netns_open(const struct netns *ns, char **cause)
{
	struct stat st;
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	*cause = NULL;
	if (fd < 0) {
		*cause = xasprintf("cannot open '%s': %s", ns->path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != ns->inode) {
		/* the process left, or its PID was reused */
		*cause = xasprintf("'%s' is no longer that namespace",
		    ns->path);
		close(fd);
		return -1;
	}
	return fd;
}

int
netns_select(struct netns_set *s, const char *spec, size_t *index, int *all,
    char **cause)
{
	uint64_t v;
	char path[PATH_MAX];

	*cause = NULL;
	*all = 0;
	*index = 0;
	if (strcmp(spec, "all") == 0) {
		*all = 1;
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct netns *ns = &s->v[i];

		char label[96];

		if ((strcmp(spec, "self") == 0 && ns->self) ||
		    (strcmp(spec, "host") == 0 && ns->kind == NETNS_HOST) ||
		    (ns->name && (ns->kind == NETNS_NAMED ||
		    ns->kind == NETNS_DOCKER) && strcmp(spec, ns->name) == 0) ||
		    (ns->runtime && (strcmp(spec, netns_label(ns, label,
		    sizeof(label))) == 0 || (ns->container_name &&
		    strcmp(spec, ns->container_name) == 0) ||
		    (ns->container_id && strlen(spec) >= 12 &&
		    strncmp(spec, ns->container_id, strlen(spec)) == 0)))) {
			*index = i;
			return 0;
		}
	}
	if (strncmp(spec, "net:[", 5) == 0) {
		size_t k = strlen(spec);
		char *num = xstrndup(spec + 5, k > 6 ? k - 6 : 0);
		int rc = k > 6 && spec[k - 1] == ']' ?
		    num_parse_str(num, 1, UINT64_MAX - 1, &v) : -1;

		free(num);
		if (rc == 0 && netns_find(s, v)) {
			*index = (size_t)(netns_find(s, v) - s->v);
			return 0;
		}
		*cause = xasprintf("no network namespace '%s'", spec);
		return -1;
	}
	if (num_parse_str(spec, 1, INT32_MAX, &v) == 0)
		snprintf(path, sizeof(path), "/proc/%s/ns/net", spec);
	else if (spec[0] == '/')
		snprintf(path, sizeof(path), "%s", spec);
	else {
		*cause = xasprintf("no network namespace '%s' (not an ip netns "
		    "name, a path, a PID, host, self or all)", spec);
		return -1;
	}
	v = ns_inode(path);
	if (v == 0 || netns_find(s, v) == NULL) {
		struct netns *ns;
		struct stat st;

		if (stat(path, &st) != 0) {
			*cause = xasprintf("cannot use '%s' as a network "
			    "namespace: %s", spec, strerror(errno));
			return -1;
		}
		if (v == 0) {
			*cause = xasprintf("'%s' is not a network namespace",
			    spec);
			return -1;
		}
		ns = add(s, v, spec[0] == '/' ? NETNS_MOUNT : NETNS_PROCESS,
		    NULL, path, 0);
		if (ns == NULL) {
			*cause = xstrdup("too many network namespaces");
			return -1;
		}
	}
	*index = (size_t)(netns_find(s, v) - s->v);
	return 0;
}

static int
read_port_start(void)
{
	struct strbuf sb;
	uint64_t v;
	int rc = -1;

	strbuf_init(&sb, 64);
	if (read_at_capped(AT_FDCWD,
	    "/proc/sys/net/ipv4/ip_unprivileged_port_start", 64, &sb) == 0) {
		const char *t = strbuf_str(&sb);
		size_t n = strcspn(t, "\n");

		if (num_parse_u64(t, n, 10, 0, 65536, &v) == 0)
			rc = (int)v;
	}
	strbuf_release(&sb);
	return rc;
}

int
netns_unprivileged_port_start(int netns_fd)
{
	int self, rc;

	if (netns_fd < 0)
		return read_port_start();
	/* /proc/sys/net answers for the reading thread's namespace */
	if ((self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		close(self);
		return -1;
	}
	rc = read_port_start();
	if (setns(self, CLONE_NEWNET) < 0) {
		fprintf(stderr, "portsleuth: cannot return to its own network "
		    "namespace: %s\n", strerror(errno));
		_exit(2);
	}
	close(self);
	return rc;
}
