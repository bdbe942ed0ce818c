/*
 * cgroup.h - the facts a cgroup path holds (pure parse).
 */
#ifndef PS_WHY_CGROUP_H
#define PS_WHY_CGROUP_H

struct cgroup_info {
	char	*unit;		/* innermost .service, or NULL */
	char	*scope;		/* innermost .scope, or NULL */
	char	*session;	/* "5" for session-5.scope */
	int	 user_unit;	/* below user@UID.service */
	long	 uid;		/* from user-UID.slice, or -1 */
	char	*runtime;	/* docker, podman, kubernetes, lxc, ... */
	char	*container_id;
};

/* Classify path (NULL: nothing known) into *ci; release it after. */
void cgroup_classify(const char *path, struct cgroup_info *ci);
void cgroup_info_release(struct cgroup_info *ci);

#endif
