/*
 * manpage.h - a program's one-line description from its manual page.
 */
#ifndef PS_WHY_MANPAGE_H
#define PS_WHY_MANPAGE_H

#include <stddef.h>

/* NAME line of the man page (sections 8 then 1) of program name, from
 * the gzip'd pages under /usr/share/man; NULL if none.  Caller frees. */
char *manpage_whatis(const char *name);
/* The same inside root (a container's /proc/PID/root: every link is
 * resolved within it); root NULL: the host's (or --root's) pages. */
char *manpage_whatis_in(const char *root, const char *name);
/* Pure: the description from a man page's text (roff or mdoc); NULL if
 * it has none.  Caller frees. */
char *manpage_parse_whatis(const char *buf, size_t len);

#endif
