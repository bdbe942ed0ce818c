/*
 * container.c - a container's name from its runtime's own files on disk
 * (docker's config.v2.json, podman's containers.json, containerd's OCI
 * config.json annotations for Kubernetes), never from the runtimes'
 * command-line tools.  Every file is untrusted: read bounded, parsed
 * with Jansson (duplicate keys rejected), values length-checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kernel/netns.h"
#include "proc/procscan.h"
#include "why/cgroup.h"
#include "why/container.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define META_CAP	(4u << 20)	/* container metadata files */

static json_t *
load_json(const char *path)
{
	struct strbuf sb;
	json_t *j = NULL;

	strbuf_init(&sb, META_CAP);
	if (sysroot_read(path, META_CAP, &sb) == 0 && !sb.truncated &&
	    sb.len > 0)
		j = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, NULL);
	strbuf_release(&sb);
	return j;
}

static char *
json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (s == NULL || *s == '\0' || strlen(s) > 256)
		return NULL;
	return xstrdup(s[0] == '/' ? s + 1 : s);
}

char *
container_name(const char *runtime, const char *id)
{
	char *path, *name = NULL;
	json_t *j;

	if (strcmp(runtime, "docker") == 0) {
		path = xasprintf("/var/lib/docker/containers/%s/config.v2.json",
		    id);
		if ((j = load_json(path)) != NULL) {
			name = json_str(j, "Name");
			json_decref(j);
		}
		free(path);
	} else if (strcmp(runtime, "podman") == 0) {
		j = load_json("/var/lib/containers/storage/overlay-containers/"
		    "containers.json");
		for (size_t i = 0; j && json_is_array(j) &&
		    i < json_array_size(j) && !name; i++) {
			json_t *c = json_array_get(j, i), *names;
			const char *cid = json_string_value(
			    json_object_get(c, "id"));

			names = json_object_get(c, "names");
			if (cid && strcmp(cid, id) == 0 &&
			    json_is_array(names) && json_array_size(names) > 0 &&
			    json_is_string(json_array_get(names, 0)))
				name = xstrdup(json_string_value(
				    json_array_get(names, 0)));
		}
		json_decref(j);
	} else if (strcmp(runtime, "kubernetes") == 0) {
		path = xasprintf("/run/containerd/io.containerd.runtime.v2.task/"
		    "k8s.io/%s/config.json", id);
		if ((j = load_json(path)) != NULL) {
			json_t *a = json_object_get(j, "annotations");
			char *c = json_str(a, "io.kubernetes.cri.container-name");
			char *pod = json_str(a, "io.kubernetes.cri.sandbox-name");
			char *ns = json_str(a,
			    "io.kubernetes.cri.sandbox-namespace");

			if (c && pod)
				name = xasprintf("%s/%s/%s", ns ? ns : "?", pod,
				    c);
			free(c);
			free(pod);
			free(ns);
			json_decref(j);
		}
		free(path);
	}
	if (name && strlen(name) > 256) {
		free(name);
		name = NULL;
	}
	return name;
}

void
container_label_netns(struct netns_set *s)
{
	struct strbuf sb;

	strbuf_init(&sb, 16384);
	for (size_t i = 0; i < s->n; i++) {
		struct netns *ns = &s->v[i];
		struct cgroup_info ci;
		char path[64], *cg;

		if (ns->pid <= 0 || ns->self || ns->kind == NETNS_HOST ||
		    ns->runtime)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)ns->pid);
		if (sysroot_read(path, 16384, &sb) < 0 ||
		    (cg = procscan_parse_cgroup(strbuf_str(&sb), sb.len)) ==
		    NULL)
			continue;
		cgroup_classify(cg, &ci);
		if (ci.runtime && ci.container_id) {
			ns->runtime = xstrdup(ci.runtime);
			ns->container_id = xstrdup(ci.container_id);
			ns->container_name = container_name(ci.runtime,
			    ci.container_id);
		}
		cgroup_info_release(&ci);
		free(cg);
	}
	strbuf_release(&sb);
}
