/*
 * netns.h - the network namespaces of the host, found the ways the
 * kernel keeps one alive: a process in it (/proc/PID/ns/net), a bind
 * mount of its nsfs file (`ip netns` under /run/netns, docker's
 * /run/docker/netns, or any other mount point, from mountinfo), or an
 * open descriptor (a "net:[N]" link in /proc/PID/fd).  Each is listed
 * once, by its nsfs inode, with the most telling name found.
 *
 * Entering one (setns) needs CAP_SYS_ADMIN: netns_open() gives a
 * descriptor for it, and the reason when it cannot.
 */
#ifndef PS_KERNEL_NETNS_H
#define PS_KERNEL_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum netns_kind {
	NETNS_HOST,		/* PID 1's */
	NETNS_SELF,		/* portsleuth's own, when it is not PID 1's */
	NETNS_NAMED,		/* an `ip netns` name (/run/netns) */
	NETNS_DOCKER,		/* /run/docker/netns */
	NETNS_MOUNT,		/* bind-mounted elsewhere */
	NETNS_PROCESS,		/* only processes in it */
	NETNS_FD,		/* only an open descriptor keeps it */
	NETNS_KIND_COUNT
};

/* A port a container runtime says it publishes (its own metadata). */
struct netns_port {
	uint8_t		 proto;		/* PROTO_TCP, PROTO_UDP */
	uint16_t	 host_port, container_port, range;
	char		 host_ip[48];	/* "" for every address */
};

#define NETNS_PIDS	4

struct netns {
	uint64_t	 inode;		/* the namespace's nsfs inode */
	enum netns_kind	 kind;
	char		*name;		/* "host", the ip netns name, ...; NULL */
	char		*path;		/* what opens it */
	pid_t		 pid;		/* a process in it, 0 if none seen */
	/* the first few processes seen in it (pid among them): a helper
	 * that joined a container's namespace (rootlessport's child) is
	 * not the container, so the layers above may look at each */
	pid_t		 pids[NETNS_PIDS];
	unsigned int	 npids;
	pid_t		 holder;	/* NETNS_FD: the process holding it */
	unsigned int	 nprocs;	/* processes seen in it */
	int		 self;		/* portsleuth runs in it */
	/* the container it belongs to, when the layers above found one
	 * (why/container: from its processes' cgroups and the runtimes'
	 * files); the kernel layer only keeps them */
	char		*runtime;	/* docker, podman, kubernetes, ... */
	char		*container_id, *container_name;
	char		*container_image;	/* image name, or NULL */
	char		*container_rootfs;	/* a root given as a directory */
	char		*container_pod;	/* the pod's name (k8s: ns/pod) */
	struct netns_port *ports;	/* what the runtime publishes */
	size_t		 nports;
};

struct netns_set {
	struct netns	*v;
	size_t		 n, cap;
	unsigned int	 unreadable;	/* processes whose ns link was hidden */
};

/*
 * Find the network namespaces (live system only; under a fixture root
 * there is just the one the files describe).  v[0] is portsleuth's own.
 * With others 0 only that one is looked for: the walk of every
 * process's namespace link is skipped.
 */
void netns_discover(struct netns_set *s, int others);
void netns_set_release(struct netns_set *s);
/* Keep the first n entries only. */
void netns_set_truncate(struct netns_set *s, size_t n);
/* Does portsleuth run in the host's (the initial) network namespace? */
int netns_self_is_host(void);
/* The entry for inode, or NULL. */
const struct netns *netns_find(const struct netns_set *s, uint64_t inode);
/* "host", "netns", "docker", "mount", "process", "fd", "self". */
const char *netns_kind_key(enum netns_kind k);
/* Label for a table: "host", the ip netns name, "docker:ID", or
 * "net:[INODE]"; into buf. */
const char *netns_label(const struct netns *ns, char *buf, size_t sz);

/*
 * A namespace found open as descriptor fd of process pid (a "net:[N]"
 * link in /proc/PID/fd): added as NETNS_FD, opened through
 * /proc/PID/fd/FD, unless it is known already.  1 when added, 0 when
 * known, -1 when the set is full.
 */
int netns_add_fd(struct netns_set *s, uint64_t inode, pid_t pid, int fd);

/*
 * A descriptor of the namespace (O_RDONLY | O_CLOEXEC), checked to be
 * that namespace still; -1 with *cause (caller frees) when it is gone or
 * cannot be opened.
 */
int netns_open(const struct netns *ns, char **cause);

/*
 * net.ipv4.ip_unprivileged_port_start of the namespace of netns_fd (-1:
 * portsleuth's own), read from inside it: the port from which anyone may
 * bind (1024 by default; container runtimes often set 0).  -1 when it
 * cannot be read.
 */
int netns_unprivileged_port_start(int netns_fd);

/*
 * Resolve a --netns SPEC against the set: "all" (*all set), "host",
 * "self", an `ip netns` name, a docker namespace name, a container's
 * label (podman:web), name or id (12 characters at least), a path to a
 * namespace file (added to the set when it was not found), a PID, or
 * "net:[INODE]".  0 with *index, or -1 with *cause (caller frees).
 */
int netns_select(struct netns_set *s, const char *spec, size_t *index,
    int *all, char **cause);

#endif
