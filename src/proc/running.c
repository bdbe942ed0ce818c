/*
 * running.c - one walk of /proc for every process's cgroup and exe.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc/procscan.h"
#include "proc/running.h"
#include "util/notes.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define CGROUP_CAP	16384

void
proc_all_scan(struct proc_all *pa)
{
	struct strbuf sb;
	struct dirent *de;
	char *proc = sysroot_path("/proc");
	DIR *d = opendir(proc);

	free(proc);
	memset(pa, 0, sizeof(*pa));
	strbuf_init(&sb, CGROUP_CAP);
	while (d && (de = readdir(d)) != NULL) {
		struct proc_brief *b;
		char path[300], link[PATH_MAX], *full;
		uint64_t pid;
		ssize_t n;

		if (num_parse_str(de->d_name, 1, INT32_MAX, &pid) != 0)
			continue;
		if (pa->n >= PROC_ALL_MAX) {
			pa->dropped++;
			continue;
		}
		xgrow((void **)&pa->v, &pa->cap, pa->n + 1, sizeof(*pa->v));
		b = &pa->v[pa->n++];
		memset(b, 0, sizeof(*b));
		b->pid = (pid_t)pid;
		snprintf(path, sizeof(path), "/proc/%s/cgroup", de->d_name);
		if (sysroot_read(path, CGROUP_CAP, &sb) == 0)
			b->cgroup = procscan_parse_cgroup(strbuf_str(&sb),
			    sb.len);
		snprintf(path, sizeof(path), "/proc/%s/exe", de->d_name);
		full = sysroot_path(path);
		n = readlink(full, link, sizeof(link) - 1);
		free(full);
		if (n > 0) {
			link[n] = '\0';
			b->exe = xstrdup(link);
		}
	}
	if (d)
		closedir(d);
	strbuf_release(&sb);
	if (pa->dropped)
		notes_add("more than %d processes: %zu are not looked at",
		    PROC_ALL_MAX, pa->dropped);
}

void
proc_all_release(struct proc_all *pa)
{
	for (size_t i = 0; i < pa->n; i++) {
		free(pa->v[i].cgroup);
		free(pa->v[i].exe);
	}
	free(pa->v);
	memset(pa, 0, sizeof(*pa));
}
