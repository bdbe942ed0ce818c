/*
 * strbuf.c - capped growing buffers; see strbuf.h for the invariants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

void
strbuf_init(struct strbuf *sb, size_t cap)
{
	memset(sb, 0, sizeof(*sb));
	sb->cap = cap;
}

void
strbuf_release(struct strbuf *sb)
{
	size_t cap = sb->cap;

	free(sb->buf);
	strbuf_init(sb, cap);
}

char *
strbuf_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	sb->truncated = 0;
	return s;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->truncated = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void
strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len >= sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

const char *
strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

/* Make room for `need` bytes in total (terminator included), within cap. */
static void
grow_to(struct strbuf *sb, size_t need)
{
	size_t want = sb->alloc ? sb->alloc : 64;

	if (need <= sb->alloc)
		return;
	while (want < need)
		want *= 2;
	if (want > sb->cap + 1)
		want = sb->cap + 1;
	sb->buf = xreallocarray(sb->buf, want, 1);
	sb->alloc = want;
}

/* Clamp n to what the cap leaves; sets truncated.  Returns 0 or -1. */
static int
clamp(struct strbuf *sb, size_t *n)
{
	if (*n <= sb->cap - sb->len)
		return 0;
	*n = sb->cap - sb->len;
	sb->truncated = 1;
	return -1;
}

int
strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	int rc = clamp(sb, &n);

	if (sb->len + n + 1 > sb->alloc)
		grow_to(sb, sb->len + n + 1);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return rc;
}

int
strbuf_pad(struct strbuf *sb, int c, size_t n)
{
	int rc = clamp(sb, &n);

	if (sb->len + n + 1 > sb->alloc)
		grow_to(sb, sb->len + n + 1);
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return rc;
}

int
strbuf_addstr(struct strbuf *sb, const char *s)
{
	return strbuf_add(sb, s, strlen(s));
}

int
strbuf_addch(struct strbuf *sb, int c)
{
	char ch = (char)c;

	return strbuf_add(sb, &ch, 1);
}

int
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return strbuf_add(sb, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = strbuf_add(sb, big, (size_t)n);
	free(big);
	return rc;
}
