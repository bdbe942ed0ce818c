/*
 * container.c - what a container runtime's own files on disk say about
 * one of its containers: its name, image (or root directory), pod, and
 * the ports the runtime publishes for it.  Never from the runtimes'
 * command-line tools.
 *
 *   podman      its state database (libpod/bolt_state.db, bbolt) and,
 *               when that has nothing, storage's containers.json; the
 *               storage is the default one, or the one the container's
 *               conmon names (--root storage, rootless storage)
 *   docker      /var/lib/docker/containers/ID/config.v2.json and
 *               hostconfig.json
 *   kubernetes  containerd's OCI config.json annotations
 *   lxc         /var/lib/lxc/NAME/config
 *   machined    /run/systemd/machines/NAME (systemd-nspawn and others)
 *
 * Every file is untrusted: read bounded, parsed with Jansson (duplicate
 * keys rejected) or line by line, values length-checked.  A storage
 * path that comes from a process's command line is used only when its
 * files belong to root or to that process's user.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "kernel/netns.h"
#include "kernel/sock.h"
#include "proc/procscan.h"
#include "why/cgroup.h"
#include "why/container.h"
#include "util/bolt.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define META_CAP	(4u << 20)	/* container metadata files */
#define BOLT_CAP	(64u << 20)	/* podman's state database */
#define VALUE_MAX	256		/* a name, an image */
#define PORTS_MAX	256		/* per container */
#define CONMON_UP	8		/* parents looked at for conmon */
#define PODMAN_STORAGE	"/var/lib/containers/storage"

static json_t *
parse_json(const char *buf, size_t len)
{
	return len ? json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
}

static json_t *
load_json(const char *path)
{
	struct strbuf sb;
	json_t *j = NULL;

	strbuf_init(&sb, META_CAP);
	if (sysroot_read(path, META_CAP, &sb) == 0 && !sb.truncated)
		j = parse_json(sb.buf, sb.len);
	strbuf_release(&sb);
	return j;
}

/* A short printable value of obj[key] (a leading '/' dropped). */
static char *
json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (s == NULL || *s == '\0' || strlen(s) > VALUE_MAX)
		return NULL;
	return xstrdup(s[0] == '/' && strcmp(key, "rootfs") != 0 ? s + 1 : s);
}

static void
set(char **dst, char *v)
{
	if (v && *dst == NULL)
		*dst = v;
	else
		free(v);
}

static int
proto_of(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "tcp", 3) == 0)
		return PROTO_TCP;
	if (n == 3 && memcmp(s, "udp", 3) == 0)
		return PROTO_UDP;
	return -1;
}

static void
add_port(struct container_info *ci, int proto, uint64_t host, uint64_t ctr,
    uint64_t range, const char *host_ip)
{
	struct netns_port *p;

	if (proto < 0 || host == 0 || host > 65535 || ctr == 0 || ctr > 65535 ||
	    range == 0 || range > 65536 - host || range > 65536 - ctr ||
	    ci->nports >= PORTS_MAX)
		return;
	ci->ports = xreallocarray(ci->ports, ci->nports + 1, sizeof(*ci->ports));
	p = &ci->ports[ci->nports++];
	memset(p, 0, sizeof(*p));
	p->proto = (uint8_t)proto;
	p->host_port = (uint16_t)host;
	p->container_port = (uint16_t)ctr;
	p->range = (uint16_t)range;
	if (host_ip && strlen(host_ip) < sizeof(p->host_ip))
		snprintf(p->host_ip, sizeof(p->host_ip), "%s", host_ip);
}

/* podman's newPortMappings: [{host_ip, container_port, host_port, range,
 * protocol ("tcp", "udp", or "tcp,udp")}] */
static void
podman_ports(struct container_info *ci, json_t *arr)
{
	size_t i;
	json_t *m;

	json_array_foreach(arr, i, m) {
		json_t *hp = json_object_get(m, "host_port");
		json_t *cp = json_object_get(m, "container_port");
		json_t *rg = json_object_get(m, "range");
		json_t *pr = json_object_get(m, "protocol");
		json_t *ip = json_object_get(m, "host_ip");
		const char *protos = json_is_string(pr) ?
		    json_string_value(pr) : "tcp";
		json_int_t range = json_is_integer(rg) ?
		    json_integer_value(rg) : 1;

		if (!json_is_integer(hp) || !json_is_integer(cp) ||
		    json_integer_value(hp) < 0 || json_integer_value(cp) < 0 ||
		    range < 0)
			continue;
		if (range == 0)
			range = 1;
		for (const char *p = protos; *p;) {
			size_t n = strcspn(p, ",");

			add_port(ci, proto_of(p, n),
			    (uint64_t)json_integer_value(hp),
			    (uint64_t)json_integer_value(cp), (uint64_t)range,
			    json_is_string(ip) ? json_string_value(ip) : NULL);
			p += n;
			if (*p == ',')
				p++;
		}
	}
}

/*
 * Read a file of a storage tree named by a process: regular, under
 * cap, and owned by root or by uid (when uid is not -1).
 */
static int
read_owned(const char *path, long uid, size_t cap, struct strbuf *sb)
{
	struct stat st;
	int fd = sysroot_open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    O_NOFOLLOW), rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > cap ||
	    (uid >= 0 && st.st_uid != 0 && (long)st.st_uid != uid)) {
		close(fd);
		return -1;
	}
	rc = read_fd_capped(fd, cap, sb);
	close(fd);
	return rc == 0 && !sb->truncated ? 0 : -1;
}

/* podman's state database under storage: the container's config. */
static int
podman_bolt(const char *storage, long uid, const char *id,
    struct container_info *ci)
{
	const char *ctr[] = { "ctr", id, "config" };
	const char *pod[] = { "pod", NULL, "config" };
	struct strbuf sb;
	struct bolt b;
	const unsigned char *v;
	size_t vl;
	char *path = xasprintf("%s/libpod/bolt_state.db", storage), *cause;
	json_t *j = NULL, *pj = NULL;
	int found = 0;

	strbuf_init(&sb, BOLT_CAP);
	if (read_owned(path, uid, BOLT_CAP, &sb) == 0) {
		if (bolt_open(&b, sb.buf, sb.len, &cause) < 0)
			free(cause);
		else if (bolt_path(&b, ctr, 3, &v, &vl))
			j = parse_json((const char *)v, vl);
	}
	if (json_is_object(j)) {
		char *podid = json_str(j, "pod");

		found = 1;
		set(&ci->name, json_str(j, "name"));
		set(&ci->image, json_str(j, "rootfsImageName"));
		set(&ci->rootfs, json_str(j, "rootfs"));
		podman_ports(ci, json_object_get(j, "newPortMappings"));
		pod[1] = podid;
		if (podid && bolt_path(&b, pod, 3, &v, &vl) &&
		    (pj = parse_json((const char *)v, vl)) != NULL)
			set(&ci->pod, json_str(pj, "name"));
		json_decref(pj);
		free(podid);
	}
	json_decref(j);
	strbuf_release(&sb);
	free(path);
	return found;
}

/* storage's containers.json: names and the image, no ports */
static int
podman_storage_json(const char *storage, long uid, const char *id,
    struct container_info *ci)
{
	static const char *const drivers[] = { "overlay", "vfs", "btrfs",
	    "zfs" };
	int found = 0;

	for (size_t d = 0; d < 4 && !found; d++) {
		char *path = xasprintf("%s/%s-containers/containers.json",
		    storage, drivers[d]);
		struct strbuf sb;
		json_t *j = NULL, *c;
		size_t i;

		strbuf_init(&sb, META_CAP);
		if (read_owned(path, uid, META_CAP, &sb) == 0)
			j = parse_json(sb.buf, sb.len);
		json_array_foreach(j, i, c) {
			json_t *names = json_object_get(c, "names"), *meta;
			const char *cid = json_string_value(
			    json_object_get(c, "id"));
			const char *m;

			if (cid == NULL || strcmp(cid, id) != 0)
				continue;
			found = 1;
			if (json_is_array(names) && json_is_string(
			    json_array_get(names, 0)) && strlen(
			    json_string_value(json_array_get(names, 0))) <=
			    VALUE_MAX)
				set(&ci->name, xstrdup(json_string_value(
				    json_array_get(names, 0))));
			/* metadata is a JSON document in a string */
			m = json_string_value(json_object_get(c, "metadata"));
			if (m && (meta = parse_json(m, strlen(m))) != NULL) {
				set(&ci->image, json_str(meta, "image-name"));
				json_decref(meta);
			}
			break;
		}
		json_decref(j);
		strbuf_release(&sb);
		free(path);
	}
	return found;
}

/*
 * The storage a container's conmon names: its -b bundle directory is
 * STORAGE/DRIVER-containers/ID/userdata.  pid is a process of the
 * container; conmon is its parent (or an ancestor a few levels up).
 * The storage path (caller frees) and conmon's user, or NULL.
 */
static char *
conmon_storage(pid_t pid, const char *id, long *uid)
{
	struct strbuf sb;
	char *storage = NULL;

	strbuf_init(&sb, 1u << 16);
	for (int up = 0; up < CONMON_UP && pid > 1 && !storage; up++) {
		char path[64], *comm = NULL;
		int ppid = 0, tty;
		uint64_t start;
		struct stat st;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (sysroot_read(path, 4096, &sb) < 0 ||
		    procscan_parse_stat(sb.buf, sb.len, &comm, &ppid, &start,
		    &tty) < 0)
			break;
		if (strcmp(comm, "conmon") == 0) {
			const char *p, *end, *bundle = NULL, *cid = NULL;

			snprintf(path, sizeof(path), "/proc/%d", (int)pid);
			*uid = stat(path, &st) == 0 ? (long)st.st_uid : 0;
			snprintf(path, sizeof(path), "/proc/%d/cmdline",
			    (int)pid);
			if (sysroot_read(path, 1u << 16, &sb) == 0) {
				end = sb.buf + sb.len;
				for (p = sb.buf; p < end; p += strlen(p) + 1) {
					const char *next = p + strlen(p) + 1;

					if (next >= end)
						break;
					if (strcmp(p, "-b") == 0 ||
					    strcmp(p, "--bundle") == 0)
						bundle = next;
					else if (strcmp(p, "-c") == 0 ||
					    strcmp(p, "--cid") == 0)
						cid = next;
				}
			}
			if (bundle && cid && strcmp(cid, id) == 0) {
				size_t n = strlen(bundle), k = strlen(id);
				char *tail = xasprintf("/%s/userdata", id);
				size_t t = strlen(tail);
				const char *dash;

				/* STORAGE/DRIVER-containers + /ID/userdata */
				if (bundle[0] == '/' && n > t &&
				    strcmp(bundle + n - t, tail) == 0 && k) {
					char *dir = xstrndup(bundle, n - t);

					dash = strrchr(dir, '/');
					if (dash && strlen(dash) > 12 &&
					    strcmp(dash + strlen(dash) - 11,
					    "-containers") == 0 &&
					    strstr(dir, "/../") == NULL)
						storage = xstrndup(dir,
						    (size_t)(dash - dir));
					free(dir);
				}
				free(tail);
			}
			free(comm);
			break;
		}
		free(comm);
		pid = ppid;
	}
	strbuf_release(&sb);
	return storage;
}

static int
podman_info(const char *id, pid_t pid, struct container_info *ci)
{
	long uid = -1;
	char *storage = pid > 0 ? conmon_storage(pid, id, &uid) : NULL;
	int found = 0;

	if (storage && strcmp(storage, PODMAN_STORAGE) != 0)
		found = podman_bolt(storage, uid, id, ci) ||
		    podman_storage_json(storage, uid, id, ci);
	if (!found)
		found = podman_bolt(PODMAN_STORAGE, -1, id, ci) ||
		    podman_storage_json(PODMAN_STORAGE, -1, id, ci);
	free(storage);
	return found;
}

/* docker's hostconfig.json PortBindings: {"8000/tcp": [{"HostIp": "",
 * "HostPort": "18080"}]} */
static void
docker_ports(struct container_info *ci, json_t *bindings)
{
	const char *key;
	json_t *arr;

	json_object_foreach(bindings, key, arr) {
		const char *slash = strchr(key, '/');
		uint64_t cport, hport;
		size_t i;
		json_t *b;

		if (slash == NULL || num_parse_u64(key, (size_t)(slash - key),
		    10, 1, 65535, &cport) != 0)
			continue;
		json_array_foreach(arr, i, b) {
			const char *hp = json_string_value(
			    json_object_get(b, "HostPort"));
			const char *ip = json_string_value(
			    json_object_get(b, "HostIp"));

			if (hp && num_parse_str(hp, 1, 65535, &hport) == 0)
				add_port(ci, proto_of(slash + 1,
				    strlen(slash + 1)), hport, cport, 1, ip);
		}
	}
}

static int
docker_info(const char *id, struct container_info *ci)
{
	char *path = xasprintf("/var/lib/docker/containers/%s/config.v2.json",
	    id);
	json_t *j = load_json(path);
	int found = j != NULL;

	if (j) {
		set(&ci->name, json_str(j, "Name"));
		set(&ci->image, json_str(json_object_get(j, "Config"),
		    "Image"));
		json_decref(j);
	}
	free(path);
	path = xasprintf("/var/lib/docker/containers/%s/hostconfig.json", id);
	if ((j = load_json(path)) != NULL) {
		docker_ports(ci, json_object_get(j, "PortBindings"));
		json_decref(j);
	}
	free(path);
	return found;
}

static int
k8s_info(const char *id, struct container_info *ci)
{
	char *path = xasprintf("/run/containerd/io.containerd.runtime.v2.task/"
	    "k8s.io/%s/config.json", id);
	json_t *j = load_json(path), *a;
	int found = 0;

	if (j) {
		char *c, *pod, *ns;

		a = json_object_get(j, "annotations");
		c = json_str(a, "io.kubernetes.cri.container-name");
		pod = json_str(a, "io.kubernetes.cri.sandbox-name");
		ns = json_str(a, "io.kubernetes.cri.sandbox-namespace");
		if (c && pod) {
			found = 1;
			set(&ci->name, xasprintf("%s/%s/%s", ns ? ns : "?",
			    pod, c));
			set(&ci->pod, xasprintf("%s/%s", ns ? ns : "?", pod));
		}
		set(&ci->image, json_str(a, "io.kubernetes.cri.image-name"));
		free(c);
		free(pod);
		free(ns);
		json_decref(j);
	}
	free(path);
	return found;
}

/* KEY = VALUE (LXC) or KEY=VALUE (machined): the value of key, or NULL. */
static char *
conf_value(const char *text, size_t len, const char *key)
{
	const char *p = text, *end = text + len;
	size_t k = strlen(key);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *q = p;

		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if ((size_t)(eol - q) > k && memcmp(q, key, k) == 0) {
			q += k;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '=') {
				q++;
				while (q < eol && (*q == ' ' || *q == '\t'))
					q++;
				while (eol > q && (eol[-1] == ' ' ||
				    eol[-1] == '\t' || eol[-1] == '\r'))
					eol--;
				if (eol > q && (size_t)(eol - q) <= VALUE_MAX)
					return xstrndup(q, (size_t)(eol - q));
				return NULL;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

static int
safe_name(const char *s)
{
	return *s && strlen(s) <= VALUE_MAX && strchr(s, '/') == NULL &&
	    strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int
lxc_info(const char *id, struct container_info *ci)
{
	struct strbuf sb;
	char *path;
	int found = 0;

	if (!safe_name(id))
		return 0;
	path = xasprintf("/var/lib/lxc/%s/config", id);
	strbuf_init(&sb, META_CAP);
	if (sysroot_read(path, META_CAP, &sb) == 0 && !sb.truncated) {
		char *root = conf_value(sb.buf, sb.len, "lxc.rootfs.path");

		found = 1;
		set(&ci->name, conf_value(sb.buf, sb.len, "lxc.uts.name"));
		/* "dir:/var/lib/lxc/web/rootfs" or a bare path */
		if (root && strncmp(root, "dir:", 4) == 0)
			set(&ci->rootfs, xstrdup(root + 4));
		else
			set(&ci->rootfs, root ? xstrdup(root) : NULL);
		free(root);
	}
	if (ci->name == NULL)
		ci->name = xstrdup(id);	/* the cgroup's name is LXC's */
	strbuf_release(&sb);
	free(path);
	return found;
}

/* systemd's unit name escaping: "\x2d" for '-' and the like. */
static char *
unit_unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	uint64_t v;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3] &&
		    num_parse_u64(s + 2, 2, 16, 0x20, 0x7e, &v) == 0) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static int
machined_info(const char *id, struct container_info *ci, char **runtime)
{
	struct strbuf sb;
	char *name = unit_unescape(id), *path;
	int found = 0;

	if (!safe_name(name)) {
		free(name);
		return 0;
	}
	path = xasprintf("/run/systemd/machines/%s", name);
	strbuf_init(&sb, 65536);
	if (sysroot_read(path, 65536, &sb) == 0 && !sb.truncated) {
		char *service = conf_value(sb.buf, sb.len, "SERVICE");
		char *class = conf_value(sb.buf, sb.len, "CLASS");

		found = 1;
		set(&ci->name, conf_value(sb.buf, sb.len, "NAME"));
		set(&ci->rootfs, conf_value(sb.buf, sb.len, "ROOT"));
		if (service && strcmp(service, "systemd-nspawn") == 0)
			*runtime = xstrdup("nspawn");
		else if (class && strcmp(class, "vm") == 0)
			*runtime = xstrdup("vm");
		free(service);
		free(class);
	}
	set(&ci->name, name);
	strbuf_release(&sb);
	free(path);
	return found;
}

int
container_lookup(const char *runtime, const char *id, pid_t pid,
    struct container_info *ci)
{
	int found = 0;

	memset(ci, 0, sizeof(*ci));
	if (strcmp(runtime, "docker") == 0)
		found = docker_info(id, ci);
	else if (strcmp(runtime, "podman") == 0)
		found = podman_info(id, pid, ci);
	else if (strcmp(runtime, "kubernetes") == 0)
		found = k8s_info(id, ci);
	else if (strcmp(runtime, "lxc") == 0)
		found = lxc_info(id, ci);
	else if (strcmp(runtime, "systemd-machined") == 0)
		found = machined_info(id, ci, &ci->runtime);
	return found;
}

void
container_info_release(struct container_info *ci)
{
	free(ci->name);
	free(ci->image);
	free(ci->rootfs);
	free(ci->pod);
	free(ci->runtime);
	free(ci->ports);
	memset(ci, 0, sizeof(*ci));
}

/* Names already looked up this run: every process of a container asks
 * for the same one, and podman's database is read once per container. */
static struct {
	pthread_mutex_t	 mu;
	struct name_memo {
		char	*key;		/* "runtime/id" */
		char	*name;
	} v[64];
	size_t		 n, next;
} memo = { PTHREAD_MUTEX_INITIALIZER, { { NULL, NULL } }, 0, 0 };

char *
container_name(const char *runtime, const char *id, pid_t pid)
{
	struct container_info ci;
	char *name, *key = xasprintf("%s/%s", runtime, id);

	pthread_mutex_lock(&memo.mu);
	for (size_t i = 0; i < memo.n; i++)
		if (strcmp(memo.v[i].key, key) == 0) {
			name = memo.v[i].name ? xstrdup(memo.v[i].name) : NULL;
			pthread_mutex_unlock(&memo.mu);
			free(key);
			return name;
		}
	pthread_mutex_unlock(&memo.mu);
	container_lookup(runtime, id, pid, &ci);
	name = ci.name;
	ci.name = NULL;
	container_info_release(&ci);
	pthread_mutex_lock(&memo.mu);
	{
		struct name_memo *m = &memo.v[memo.n < 64 ? memo.n++ :
		    memo.next++ % 64];

		free(m->key);
		free(m->name);
		m->key = key;
		m->name = name ? xstrdup(name) : NULL;
	}
	pthread_mutex_unlock(&memo.mu);
	return name;
}

static void
label_one(struct netns *ns, const struct cgroup_info *cg, pid_t pid)
{
	struct container_info ci;

	container_lookup(cg->runtime, cg->container_id, pid, &ci);
	ns->runtime = ci.runtime ? ci.runtime : xstrdup(cg->runtime);
	ci.runtime = NULL;
	ns->container_id = xstrdup(cg->container_id);
	ns->container_name = ci.name;
	ns->container_image = ci.image;
	ns->container_rootfs = ci.rootfs;
	ns->container_pod = ci.pod;
	ns->ports = ci.ports;
	ns->nports = ci.nports;
}

void
container_label_netns(struct netns_set *s)
{
	struct strbuf sb;

	strbuf_init(&sb, 16384);
	for (size_t i = 0; i < s->n; i++) {
		struct netns *ns = &s->v[i];
		/* the processes seen in it, the first one that is a
		 * container's decides (a helper that joined the namespace,
		 * rootlessport's child, is not) */
		const pid_t *pids = ns->npids ? ns->pids : &ns->pid;
		unsigned int npids = ns->npids ? ns->npids : ns->pid > 0;

		for (unsigned int k = 0; k < npids && !ns->runtime; k++) {
			pid_t pid = pids[k];
			struct cgroup_info cg;
			char path[64], *cgp;

			if (pid <= 0 || ns->self || ns->kind == NETNS_HOST)
				break;
			snprintf(path, sizeof(path), "/proc/%d/cgroup",
			    (int)pid);
			if (sysroot_read(path, 16384, &sb) < 0 ||
			    (cgp = procscan_parse_cgroup(strbuf_str(&sb),
			    sb.len)) == NULL)
				continue;
			cgroup_classify(cgp, &cg);
			if (cg.runtime && cg.container_id)
				label_one(ns, &cg, pid);
			cgroup_info_release(&cg);
			free(cgp);
		}
	}
	strbuf_release(&sb);
}
