/*
 * sysroot.c - the system root and bounded file reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "util/notes.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static char *root_prefix;	/* "" for the live system, else "/dir" */

void
sysroot_set(const char *root)
{
	size_t n;

	free(root_prefix);
	root_prefix = NULL;
	if (root == NULL || strcmp(root, "/") == 0)
		return;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	root_prefix = xstrndup(root, n);
}

int
sysroot_is_fixture(void)
{
	return root_prefix != NULL;
}

char *
sysroot_path(const char *path)
{
	return xasprintf("%s%s", root_prefix ? root_prefix : "", path);
}

int
sysroot_open(const char *path, int flags)
{
	char *p = sysroot_path(path);
	int fd, saved;

	fd = open(p, flags | O_CLOEXEC);
	saved = errno;
	free(p);
	errno = saved;
	return fd;
}

int
read_fd_capped(int fd, size_t cap, struct strbuf *out)
{
	char buf[8192];

	strbuf_reset(out);
	out->cap = cap;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (strbuf_add(out, buf, (size_t)n) < 0)
			return 0;	/* capped: out->truncated is set */
	}
}

const char *
file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return "regular file";
	case S_IFDIR:	return "directory";
	case S_IFIFO:	return "FIFO";
	case S_IFCHR:	return "character device";
	case S_IFBLK:	return "block device";
	case S_IFSOCK:	return "socket";
	case S_IFLNK:	return "symbolic link";
	default:	return "file of unknown type";
	}
}

/* The path of dirfd + name, for a note ("" dirfd: name as given). */
static void
full_name(int dirfd, const char *name, char *buf, size_t sz)
{
	char link[64], dir[PATH_MAX];
	ssize_t n = -1;

	if (dirfd != AT_FDCWD && name[0] != '/') {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		n = readlink(link, dir, sizeof(dir) - 1);
	}
	if (n > 0) {
		dir[n] = '\0';
		snprintf(buf, sz, "%s/%s", dir, name);
	} else {
		snprintf(buf, sz, "%s", name);
	}
}

/* fd if it is a regular file; else closed, a note, and -1 with errno. */
static int
only_regular(int fd, int dirfd, const char *name)
{
	struct stat st;
	int saved;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		char path[PATH_MAX + 256];

		full_name(dirfd, name, path, sizeof(path));
		notes_add("'%s' is a %s, not a regular file: not read", path,
		    file_type_name(st.st_mode));
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	return fd;
}

#define OPEN_READ	(O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

int
open_regular_at(int dirfd, const char *name, int flags)
{
	/*
	 * O_NONBLOCK: opening a FIFO for reading would otherwise wait for
	 * a writer forever (a container's owner controls the files read
	 * through /proc/PID/root).  It changes nothing for regular files.
	 * A name under a directory descriptor is never a symbolic link
	 * followed out of that directory.
	 */
	if (dirfd != AT_FDCWD)
		flags |= O_NOFOLLOW;
	return only_regular(openat(dirfd, name, flags | OPEN_READ), dirfd,
	    name);
}

/* openat2(root, path, RESOLVE_IN_ROOT) with flags; rfd: root's fd. */
static int
open_in(int rfd, const char *path, int flags)
{
	struct open_how how;
	int fd;

	while (*path == '/')
		path++;
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		/* before Linux 5.6: at least the last component stays */
		fd = openat(rfd, path, flags | O_NOFOLLOW);
	return fd;
}

/* path inside root with flags; regular: refuse anything but a file. */
static int
open_under(const char *root, const char *path, int flags, int regular)
{
	int rfd, fd, saved;

	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return -1;
	fd = open_in(rfd, path, flags);
	if (regular)
		fd = only_regular(fd, rfd, path);
	saved = errno;
	close(rfd);
	errno = saved;
	return fd;
}

int
open_regular_in(const char *root, const char *path)
{
	if (root == NULL || root[0] == '\0')
		return open_regular_at(AT_FDCWD, path, 0);
	return open_under(root, path, OPEN_READ, 1);
}

int
open_dir_in(const char *root, const char *path)
{
	if (root == NULL || root[0] == '\0')
		return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return open_under(root, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

/* Read an opened fd (or fail with the open's errno) and close it. */
static int
read_and_close(int fd, size_t cap, struct strbuf *out)
{
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = read_fd_capped(fd, cap, out);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
read_in_root_capped(const char *root, const char *path, size_t cap,
    struct strbuf *out)
{
	return read_and_close(open_regular_in(root, path), cap, out);
}

int
read_at_capped(int dirfd, const char *name, size_t cap, struct strbuf *out)
{
	return read_and_close(open_regular_at(dirfd, name, 0), cap, out);
}

/* A named file cut at its cap is worth a note: its end was not seen. */
static void
note_truncated(const char *path, size_t cap, const struct strbuf *sb)
{
	if (sb->truncated)
		notes_add("'%s' is longer than %zu bytes: only the first %zu "
		    "were read", path, cap, cap);
}

int
sysroot_read(const char *path, size_t cap, struct strbuf *out)
{
	char *p = sysroot_path(path);
	int rc, saved;

	rc = read_at_capped(AT_FDCWD, p, cap, out);
	saved = errno;
	if (rc == 0)
		note_truncated(p, cap, out);
	free(p);
	errno = saved;
	return rc;
}

int
data_file_read(const char *path, const char *what, size_t cap,
    struct strbuf *out, char **cause)
{
	*cause = NULL;
	if (path == NULL) {
		*cause = xasprintf("no %s file found", what);
		return -1;
	}
	if (read_at_capped(AT_FDCWD, path, cap, out) < 0) {
		*cause = xasprintf("cannot read '%s': %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	if (out->truncated) {
		*cause = xasprintf("cannot read '%s': longer than %zu bytes",
		    path, cap);
		return -1;
	}
	return 0;
}
