/*
 * integrity.h - is the running executable the one its package shipped?
 *
 * The digest of the running image (through /proc/PID/exe, so a deleted
 * or replaced file is still the one measured) is compared with the one
 * the owning package recorded, and the process is checked for signs
 * that something else was slipped in: the file deleted or replaced
 * since the process started, no owning package, a temporary or
 * world-writable directory, LD_PRELOAD and friends, or the dynamic
 * loader run by hand.
 */
#ifndef PS_INTEGRITY_H
#define PS_INTEGRITY_H

#include <stddef.h>
#include <pthread.h>
#include <sys/types.h>

#include "kernel/sock.h"
#include "proc/proc.h"
#include "why/pkgdb.h"

#define INTEG_MODIFIED		0x001	/* digest differs from the package's */
#define INTEG_DELETED		0x002	/* executable deleted */
#define INTEG_REPLACED		0x004	/* path now holds another file */
#define INTEG_NO_PACKAGE	0x008	/* no package owns the executable */
#define INTEG_TEMP_DIR		0x010	/* /tmp, /var/tmp, /dev/shm, ... */
#define INTEG_WRITABLE_DIR	0x020	/* a world-writable directory */
#define INTEG_PRELOAD		0x040	/* LD_PRELOAD/LD_AUDIT/... set */
#define INTEG_LOADER		0x080	/* ld.so run directly */
#define INTEG_PRELOAD_FILE	0x100	/* /etc/ld.so.preload in use */
#define INTEG_LOCAL_DIVERSION	0x200	/* dpkg-divert --local */

struct integrity {
	unsigned int	 flags;
	int		 verified;	/* digest compared and equal */
	char		*unverified;	/* why no comparison was made */
	enum digest_algo algo;		/* of both digests */
	char		 digest[DIGEST_HEX_MAX];	/* the running image's */
	char		 want[DIGEST_HEX_MAX];	/* the package's, or "" */
	char		*preload;	/* the LD_* variables found */
};

/* Digests already taken this run, by device and inode; safe to share
 * between threads. */
struct digest_cache {
	struct digest_entry {
		dev_t		 dev;
		ino_t		 ino;
		enum digest_algo algo;
		int		 ok;
		char		 hex[DIGEST_HEX_MAX];
	} *v;
	size_t n, cap;
	pthread_mutex_t mu;
};

void digest_cache_init(struct digest_cache *c);
/* Take the digest of a process's running image into the cache ahead of
 * integrity_check() (from any thread). */
void integrity_prehash(pid_t pid, const char *exe, enum digest_algo algo,
    struct digest_cache *c);

/*
 * Check one process.  exe is its executable path (NULL if unknown),
 * exe_deleted the kernel's " (deleted)" mark, owner its package owner.
 * proot: where the process's own root is seen ("/proc/PID/root" for a
 * container, "" for the host's); paths are resolved under it.
 * preload_file: the contents of /etc/ld.so.preload, or NULL.
 */
void integrity_check(pid_t pid, const char *proot, const char *exe,
    int exe_deleted,
    const struct pkgdb *db, const struct pkg_owner *owner,
    const struct proc_env *env, const char *preload_file,
    struct digest_cache *cache, struct integrity *out);
void digest_cache_release(struct digest_cache *c);
void integrity_release(struct integrity *in);

/* One word for the table: ok, MODIFIED, deleted, ..., unverified. */
const char *integrity_word(const struct integrity *in);
/* Every flag as text, comma separated, into a new string ("" if none). */
char *integrity_flags_text(const struct integrity *in);
/* Stable identifiers of the flags for JSON, in bit order. */
const char *integrity_flag_key(unsigned int bit);

/* Digest of an open file in hex; 0 or -1 with errno. */
int integrity_digest_fd(int fd, enum digest_algo algo,
    char hex[DIGEST_HEX_MAX]);

#endif
