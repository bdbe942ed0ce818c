/*
 * atomicfile.c - a file replaced whole or not at all (util/atomicfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "util/atomicfile.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static int
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, buf, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int
atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    char **cause)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *tmp;
	int fd, dfd, err;

	*cause = NULL;
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		*cause = xasprintf("cannot write in '%s': %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, buf, len) < 0 ||
	    fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlink(tmp);
		*cause = xasprintf("cannot write '%s': %s", tmp,
		    strerror(err ? err : EIO));
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = errno;
		unlink(tmp);
		*cause = xasprintf("cannot replace '%s': %s", path,
		    strerror(err));
		goto fail;
	}
	/* the rename itself must reach the disk */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(tmp);
	free(dir);
	return 0;
fail:
	free(tmp);
	free(dir);
	return -1;
}
