/*
 * xmalloc.h - allocation wrappers that never return NULL.
 *
 * Each wrapper exits the program with a message when memory runs out, and
 * the array forms check the multiplication for overflow first.  Callers
 * therefore never handle allocation failure themselves.
 */
#ifndef PS_XMALLOC_H
#define PS_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a newly allocated string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Grow *arr (of *cap elements of size sz) so that it holds at least need
 * elements.  Capacity doubles, so appending n items costs O(n).
 */
void xgrow(void **arr, size_t *cap, size_t need, size_t sz);

#endif
