/*
 * atomicfile.h - a file replaced whole or not at all.
 *
 * The bytes go to a temporary file beside the target (the target's name
 * and ".tmp.XXXXXX": a reader that takes only *.prom or *.json files
 * never sees it), which is given its mode, written, flushed to disk and
 * renamed over the target; the directory is flushed too, so the rename
 * survives a crash.  A reader sees the old file or the new one, never a
 * part.
 */
#ifndef PS_UTIL_ATOMICFILE_H
#define PS_UTIL_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* 0, or -1 with *cause (the temporary file removed). */
int atomic_write(const char *path, const void *buf, size_t len, mode_t mode,
    char **cause);

#endif
