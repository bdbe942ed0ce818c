/*
 * ancestry.c - parent chains through a cache of /proc/PID/stat facts
 * (open addressing on the pid).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc/ancestry.h"
#include "proc/procscan.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

struct pidinfo {
	pid_t	 pid, ppid;
	int	 tty_nr, ok;
	char	*comm;
};

struct ancestry {
	struct pidinfo	*pids;
	size_t		 npids, pidslots;
};

struct ancestry *
ancestry_new(void)
{
	return xcalloc(1, sizeof(struct ancestry));
}

void
ancestry_free(struct ancestry *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->pidslots; i++)
		free(a->pids[i].comm);
	free(a->pids);
	free(a);
}

static void
read_pidinfo(struct pidinfo *pi)
{
	struct strbuf sb;
	char path[64];
	uint64_t start;
	int ppid = 0;

	strbuf_init(&sb, 4096);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pi->pid);
	if (sysroot_read(path, 4096, &sb) == 0 &&
	    procscan_parse_stat(strbuf_str(&sb), sb.len, &pi->comm, &ppid,
	    &start, &pi->tty_nr) == 0) {
		pi->ppid = ppid;
		pi->ok = 1;
	}
	strbuf_release(&sb);
}

static const struct pidinfo *
pid_lookup(struct ancestry *a, pid_t pid)
{
	size_t i, mask;

	if (a->npids * 2 >= a->pidslots) {
		struct pidinfo *old = a->pids;
		size_t oldn = a->pidslots;

		a->pidslots = oldn ? oldn * 2 : 256;
		a->pids = xcalloc(a->pidslots, sizeof(*a->pids));
		for (size_t k = 0; k < oldn; k++) {
			if (old[k].pid == 0)
				continue;
			for (i = (size_t)old[k].pid & (a->pidslots - 1);
			    a->pids[i].pid; i = (i + 1) & (a->pidslots - 1))
				;
			a->pids[i] = old[k];
		}
		free(old);
	}
	mask = a->pidslots - 1;
	for (i = (size_t)pid & mask; a->pids[i].pid; i = (i + 1) & mask)
		if (a->pids[i].pid == pid)
			return &a->pids[i];
	a->pids[i].pid = pid;
	a->npids++;
	read_pidinfo(&a->pids[i]);
	return &a->pids[i];
}

static int
read_link(struct ancestry *a, pid_t pid, struct chain_link *cl,
    pid_t *ppid)
{
	const struct pidinfo *pi = pid_lookup(a, pid);

	memset(cl, 0, sizeof(*cl));
	cl->pid = pid;
	if (!pi->ok)
		return -1;
	cl->tty_nr = pi->tty_nr;
	cl->comm = xstrdup(pi->comm);
	*ppid = pi->ppid;
	return 0;
}

size_t
ancestry_chain(struct ancestry *a, pid_t ppid, struct chain_link *chain,
    size_t max)
{
	size_t n = 0;

	while (ppid > 0 && n < max) {
		struct chain_link *cl = &chain[n];
		pid_t next = 0;

		for (size_t i = 0; i < n; i++)
			if (chain[i].pid == ppid)
				return n;	/* a loop: forged /proc */
		if (read_link(a, ppid, cl, &next) < 0) {
			free(cl->comm);
			return n;
		}
		n++;
		if (ppid == 1)
			return n;
		ppid = next;
	}
	return n;
}

void
chain_release(struct chain_link *chain, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(chain[i].comm);
		chain[i].comm = NULL;
	}
}
