/*
 * manpage.c - the NAME line of a program's manual page (what whatis
 * shows), read from the gzip'd pages under /usr/share/man (honouring
 * --root), as the last source of a purpose.  The page is untrusted: the
 * file must be regular, the read is capped, roff and mdoc are stripped
 * by a small bounded parser.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "why/manpage.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define MAN_CAP		(256u << 10)
#define WHATIS_MAX	200

/* Strip roff escapes and fonts from a short line into out. */
static void
deroff(struct strbuf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];

			if (c == 'f' && i + 1 < n) {
				if (s[i + 1] == '(' && i + 3 < n)
					i += 3;
				else
					i++;
			} else if (c == '-' || c == '\\' || c == '.') {
				strbuf_addch(out, c);
			} else if (c == '(' && i + 2 < n) {
				i += 2;
			} else if (c == '&' || c == '%' || c == ' ') {
				if (c == ' ')
					strbuf_addch(out, ' ');
			}
			continue;
		}
		if ((unsigned char)s[i] < ' ')
			continue;
		strbuf_addch(out, s[i]);
	}
}

char *
manpage_parse_whatis(const char *buf, size_t len)
{
	struct strbuf text;
	size_t pos = 0;
	int in_name = 0;
	char *res = NULL;

	strbuf_init(&text, 4096);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		pos += n + (nl != NULL);
		if (n >= 3 && (strncmp(l, ".SH", 3) == 0 ||
		    strncmp(l, ".Sh", 3) == 0)) {
			if (in_name)
				break;
			in_name = memmem(l, n, "NAME", 4) != NULL;
			continue;
		}
		if (!in_name)
			continue;
		if (n >= 4 && strncmp(l, ".Nd ", 4) == 0) {	/* mdoc */
			strbuf_reset(&text);
			strbuf_addstr(&text, "- ");
			deroff(&text, l + 4, n - 4);
			break;
		}
		if (n > 0 && (l[0] == '.' || l[0] == '\''))
			continue;	/* other requests */
		if (text.len)
			strbuf_addch(&text, ' ');
		deroff(&text, l, n);
		if (text.len > 1024)
			break;
	}
	if (text.len) {
		const char *t = strbuf_str(&text);
		const char *dash = strstr(t, " - ");

		if (dash == NULL && strncmp(t, "- ", 2) == 0)
			dash = t - 1;
		if (dash) {
			const char *d = dash + 3;
			size_t dn = strlen(d);

			while (dn > 0 && d[dn - 1] == ' ')
				dn--;
			if (dn > 0)
				res = xstrndup(d, dn > WHATIS_MAX ? WHATIS_MAX :
				    dn);
		}
	}
	strbuf_release(&text);
	return res;
}

static int
read_gz(const char *root, const char *path, struct strbuf *out)
{
	char buf[8192];
	gzFile gz;
	int n;

	strbuf_reset(out);
	int fd = root ? open_regular_in(root, path) :
	    open_regular_at(AT_FDCWD, path, 0);

	if (fd < 0)
		return -1;
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		return -1;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0)
		if (strbuf_add(out, buf, (size_t)n) < 0)
			break;		/* capped: the NAME section is early */
	gzclose(gz);
	return n < 0 ? -1 : 0;
}

char *
manpage_whatis(const char *name)
{
	return manpage_whatis_in(NULL, name);
}

char *
manpage_whatis_in(const char *root, const char *name)
{
	static const char sections[] = "81";
	struct strbuf sb;
	char *res = NULL;

	if (name == NULL || *name == '\0' || strchr(name, '/') ||
	    strlen(name) > 64)
		return NULL;
	strbuf_init(&sb, MAN_CAP);
	for (const char *s = sections; *s && res == NULL; s++) {
		char *rel = xasprintf("/usr/share/man/man%c/%s.%c.gz", *s, name,
		    *s);
		/* a container's pages are looked up inside its root: its
		 * busybox is not the host's */
		char *p = root ? xstrdup(rel) : sysroot_path(rel);

		if (read_gz(root, p, &sb) == 0 && sb.len)
			res = manpage_parse_whatis(sb.buf, sb.len);
		free(p);
		free(rel);
	}
	strbuf_release(&sb);
	return res;
}
