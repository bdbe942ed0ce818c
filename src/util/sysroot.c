/*
 * sysroot.c - the system root and bounded file reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int
read_at_capped(int dirfd, const char *name, size_t cap, struct strbuf *out)
{
	int fd, rc, saved;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	rc = read_fd_capped(fd, cap, out);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
sysroot_read(const char *path, size_t cap, struct strbuf *out)
{
	char *p = sysroot_path(path);
	int rc, saved;

	rc = read_at_capped(AT_FDCWD, p, cap, out);
	saved = errno;
	free(p);
	errno = saved;
	return rc;
}

int
data_file_read(const char *path, const char *what, size_t cap,
    struct strbuf *out, char **error)
{
	*error = NULL;
	if (path == NULL) {
		*error = xasprintf("no %s file found", what);
		return -1;
	}
	if (read_at_capped(AT_FDCWD, path, cap, out) < 0) {
		*error = xasprintf("cannot read '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}
