/*
 * container.h - container metadata read from the runtimes' files.
 */
#ifndef PS_WHY_CONTAINER_H
#define PS_WHY_CONTAINER_H

/*
 * The name of container id of runtime ("docker", "podman",
 * "kubernetes": "namespace/pod/container"), or NULL when its metadata
 * cannot be read or names none.  Caller frees.
 */
char *container_name(const char *runtime, const char *id);

struct netns_set;

/*
 * Name the namespaces that belong to a container: for each with a
 * process seen in it, that process's cgroup (a container scope) and the
 * runtime's files give runtime, id and name (netns_label then shows
 * "podman:web", "docker:ID", "k8s:ns/pod/container").
 */
void container_label_netns(struct netns_set *s);

#endif
