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

#endif
