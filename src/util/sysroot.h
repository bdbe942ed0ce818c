/*
 * sysroot.h - where /proc, /etc and /sys are read from.
 *
 * By default the live system; `--root DIR` redirects every read the tool
 * makes to DIR/proc, DIR/etc and DIR/sys so tests can use fixture trees.
 * All file reads go through here and are bounded.
 */
#ifndef PS_SYSROOT_H
#define PS_SYSROOT_H

#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

/* Use root (copied) as the system root; NULL or "/" means the live system. */
void sysroot_set(const char *root);
/* Nonzero when a fixture root is in use. */
int sysroot_is_fixture(void);
/* root + path for an absolute path; caller frees. */
char *sysroot_path(const char *path);
/* open(2) of root + path. */
int sysroot_open(const char *path, int flags);

/*
 * Open dirfd-relative name (AT_FDCWD: a path) for reading, refusing
 * anything but a regular file: a FIFO would block the reader forever, a
 * device never ends.  flags are added; a name under a directory
 * descriptor is opened O_NOFOLLOW (never a link out of it).  Returns the fd,
 * or -1 with errno set (EISDIR, or EINVAL for another non-regular file,
 * which is also added to the run's notes).
 */
int open_regular_at(int dirfd, const char *name, int flags);
/*
 * The same for absolute path as seen from inside root (a container's
 * /proc/PID/root, a fixture): every symbolic link on the way is resolved
 * within root (openat2 RESOLVE_IN_ROOT), so an absolute link in a
 * container's tree cannot lead to the host's files.  root "" or NULL: the
 * path itself.
 */
int open_regular_in(const char *root, const char *path);
/* A directory inside root, the same way (O_RDONLY | O_DIRECTORY). */
int open_dir_in(const char *root, const char *path);
/* read_at_capped() through open_regular_in(). */
int read_in_root_capped(const char *root, const char *path, size_t cap,
    struct strbuf *out);
/* "FIFO", "character device", ... for st_mode. */
const char *file_type_name(mode_t mode);

/*
 * Read at most cap bytes of an open fd (or of dirfd-relative name when
 * dirfd >= 0 and name != NULL) into out, replacing its contents.  Returns 0,
 * or -1 with errno set.  Sets out->truncated when the file was longer.
 */
int read_fd_capped(int fd, size_t cap, struct strbuf *out);
int read_at_capped(int dirfd, const char *name, size_t cap, struct strbuf *out);
/* The same for root + path; a file cut at cap is added to the notes. */
int sysroot_read(const char *path, size_t cap, struct strbuf *out);
/*
 * Read a data file of the installation (not under the root): 0, or -1
 * with *cause set ("no ... file found" for a NULL path, or why the read
 * failed; the caller frees it).
 */
int data_file_read(const char *path, const char *what, size_t cap,
    struct strbuf *out, char **cause);

#endif
