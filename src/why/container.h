/*
 * container.h - container metadata read from the runtimes' files.
 */
#ifndef PS_WHY_CONTAINER_H
#define PS_WHY_CONTAINER_H

#include <stddef.h>
#include <sys/types.h>

struct netns_port;

struct container_info {
	char			*name;		/* k8s: namespace/pod/container */
	char			*image;		/* the image's name */
	char			*rootfs;	/* a root given as a directory */
	char			*pod;		/* the pod's name (k8s: ns/pod) */
	char			*runtime;	/* a finer runtime ("nspawn") */
	struct netns_port	*ports;		/* what the runtime publishes */
	size_t			 nports;
};

/*
 * What the runtime's files say of container id of runtime ("docker",
 * "podman", "kubernetes", "lxc", "systemd-machined"); pid, when not 0,
 * is a process of the container (podman: its conmon names the storage).
 * 1 when the runtime's files know the container, 0 when not (*ci may
 * still hold what the id itself says).  Release *ci after.
 */
int container_lookup(const char *runtime, const char *id, pid_t pid,
    struct container_info *ci);
void container_info_release(struct container_info *ci);
/* The name alone (pid: a process of the container, or 0), or NULL;
 * remembered for the run.  Caller frees. */
char *container_name(const char *runtime, const char *id, pid_t pid);

struct netns_set;

/*
 * Name the namespaces that belong to a container: for each with a
 * process seen in it, that process's cgroup (a container scope) and the
 * runtime's files give runtime, id, name, image, pod and published
 * ports (netns_label then shows "podman:web", "docker:ID",
 * "k8s:ns/pod/container", "lxc:NAME", "nspawn:NAME").
 */
void container_label_netns(struct netns_set *s);

#endif
