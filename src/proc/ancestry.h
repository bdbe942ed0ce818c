/*
 * ancestry.h - the parent chain of a process, from /proc/PID/stat.
 *
 * One cache per run: each ancestor's stat is read once, however many
 * processes share it.  A forged /proc whose parents go round is cut at
 * the first repeat; a chain is never longer than CHAIN_MAX.
 */
#ifndef PS_PROC_ANCESTRY_H
#define PS_PROC_ANCESTRY_H

#include <stddef.h>
#include <sys/types.h>

#define CHAIN_MAX 24

struct chain_link {
	pid_t	 pid;
	int	 tty_nr;
	char	*comm;
};

struct ancestry;

struct ancestry *ancestry_new(void);
void ancestry_free(struct ancestry *a);
/*
 * The ancestors of a process whose parent is ppid, parent first, into
 * chain[0..max): returns how many.  Stops at PID 1, at a parent that
 * cannot be read, or at a loop.  The comm strings are the caller's
 * (chain_release).
 */
size_t ancestry_chain(struct ancestry *a, pid_t ppid,
    struct chain_link *chain, size_t max);
void chain_release(struct chain_link *chain, size_t n);

#endif
