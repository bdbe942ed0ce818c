/*
 * strbuf.h - a growing byte buffer with a hard size cap.
 *
 * Invariants: buf is always NUL-terminated (buf[len] == '\0'), len < alloc
 * once anything was added, and len never exceeds cap.  An append that would
 * pass the cap adds what fits, sets `truncated` and returns -1, so hostile
 * input cannot grow a buffer without bound.  A zeroed struct with cap set
 * by strbuf_init() is a valid empty buffer.
 */
#ifndef PS_STRBUF_H
#define PS_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char	*buf;
	size_t	 len;
	size_t	 alloc;
	size_t	 cap;
	int	 truncated;
};

/* Set up an empty buffer holding at most cap bytes; allocates nothing. */
void strbuf_init(struct strbuf *sb, size_t cap);
/* Free the contents; the buffer may be reused after strbuf_init(). */
void strbuf_release(struct strbuf *sb);
/* Hand the string to the caller (who frees it) and reset the buffer. */
char *strbuf_detach(struct strbuf *sb);
int strbuf_add(struct strbuf *sb, const void *data, size_t n);
int strbuf_addstr(struct strbuf *sb, const char *s);
int strbuf_addch(struct strbuf *sb, int c);
/* Append n copies of byte c. */
int strbuf_pad(struct strbuf *sb, int c, size_t n);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
/* Cut the contents back to their first len bytes (len <= sb->len). */
void strbuf_setlen(struct strbuf *sb, size_t len);
/* The contents as a C string; "" for a never-used buffer. */
const char *strbuf_str(const struct strbuf *sb);

#endif
