/*
 * kb.c - the daemon knowledge base: parser, validation and lookup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "why/kb.h"
#include "util/strbuf.h"
#include "util/words.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define KB_CAP		(4u << 20)
#define KB_ENTRIES_MAX	10000
#define KB_VALUE_MAX	2048

static void
problem(struct kb *kb, struct strbuf *pb, int line, const char *what,
    const char *name)
{
	kb->malformed++;
	if (pb->len < 4000)
		strbuf_addf(pb, "line %d: %s%s%s\n", line, what,
		    name ? ": " : "", name ? name : "");
}

static int
valid_text(const char *s, size_t n)
{
	if (n == 0 || n > KB_VALUE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static char **
field_ptr(struct kb_entry *e, const char *k, size_t kn)
{
#define F(name) if (kn == sizeof(#name) - 1 && \
    memcmp(k, #name, kn) == 0) return &e->name
	F(match); F(package); F(unit); F(ports); F(purpose); F(risk);
	F(advice);
#undef F
	return NULL;
}

static void
check_entry(struct kb *kb, struct strbuf *pb, const struct kb_entry *e)
{
	char verdict[16];

	if (e->purpose == NULL)
		problem(kb, pb, e->line, "no purpose", e->name);
	if (e->risk == NULL)
		problem(kb, pb, e->line, "no risk", e->name);
	if (e->match == NULL && e->package == NULL && e->unit == NULL)
		problem(kb, pb, e->line, "nothing to match on", e->name);
	if (e->advice == NULL || strcmp(kb_verdict(e, verdict,
	    sizeof(verdict)), "?") == 0)
		problem(kb, pb, e->line, "advice must start with keep, "
		    "disable, review or restrict and a colon", e->name);
	for (size_t i = 0; i + 1 < kb->n; i++)
		if (strcmp(kb->v[i].name, e->name) == 0)
			problem(kb, pb, e->line, "duplicate entry", e->name);
}

void
kb_parse(struct kb *kb, const char *buf, size_t len)
{
	struct strbuf pb;
	struct kb_entry *e = NULL;
	size_t pos = 0;
	int lineno = 0;

	strbuf_init(&pb, 8192);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		const char *colon;
		char **fp;

		pos += n + (nl != NULL);
		lineno++;
		while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\r' ||
		    l[n - 1] == '\t'))
			n--;
		if (n == 0 || l[0] == '#')
			continue;
		if (l[0] == '[') {
			if (e)
				check_entry(kb, &pb, e);
			e = NULL;
			if (l[n - 1] != ']' || n < 3 ||
			    !valid_text(l + 1, n - 2) ||
			    memchr(l + 1, ' ', n - 2)) {
				problem(kb, &pb, lineno, "bad header", NULL);
				continue;
			}
			if (kb->n >= KB_ENTRIES_MAX) {
				problem(kb, &pb, lineno, "too many entries",
				    NULL);
				continue;
			}
			xgrow((void **)&kb->v, &kb->cap, kb->n + 1,
			    sizeof(*kb->v));
			e = &kb->v[kb->n++];
			memset(e, 0, sizeof(*e));
			e->name = xstrndup(l + 1, n - 2);
			e->line = lineno;
			continue;
		}
		colon = memchr(l, ':', n);
		if (e == NULL || colon == NULL ||
		    (fp = field_ptr(e, l, (size_t)(colon - l))) == NULL) {
			problem(kb, &pb, lineno, e == NULL ?
			    "text outside an entry" : "unknown key", e ?
			    e->name : NULL);
			continue;
		}
		colon++;
		while (colon < l + n && (*colon == ' ' || *colon == '\t'))
			colon++;
		if (*fp != NULL) {
			problem(kb, &pb, lineno, "key given twice", e->name);
			continue;
		}
		if (!valid_text(colon, (size_t)(l + n - colon))) {
			problem(kb, &pb, lineno, "empty or bad value", e->name);
			continue;
		}
		*fp = xstrndup(colon, (size_t)(l + n - colon));
	}
	if (e)
		check_entry(kb, &pb, e);
	if (pb.len)
		kb->problems = strbuf_detach(&pb);
	strbuf_release(&pb);
}

int
kb_load(struct kb *kb, const char *path, char **cause)
{
	struct strbuf sb;
	int rc;

	memset(kb, 0, sizeof(*kb));
	strbuf_init(&sb, KB_CAP);
	rc = data_file_read(path, "knowledge base", KB_CAP, &sb, cause);
	if (rc == 0) {
		kb_parse(kb, sb.buf ? sb.buf : "", sb.len);
		/* a file that is not a knowledge base at all: an error, not
		 * only its first problems under -v */
		if (kb->n == 0 && sb.len > 0) {
			*cause = xasprintf("'%s' holds no knowledge base entry",
			    path);
			rc = -1;
		}
	}
	strbuf_release(&sb);
	return rc;
}

void
kb_release(struct kb *kb)
{
	for (size_t i = 0; i < kb->n; i++) {
		struct kb_entry *e = &kb->v[i];

		free(e->name);
		free(e->match);
		free(e->package);
		free(e->unit);
		free(e->ports);
		free(e->purpose);
		free(e->risk);
		free(e->advice);
	}
	free(kb->v);
	free(kb->problems);
	memset(kb, 0, sizeof(*kb));
}

const struct kb_entry *
kb_lookup(const struct kb *kb, const char *comm, const char *exe,
    const char *package, const char *unit)
{
	const char *base = exe ? strrchr(exe, '/') : NULL;
	size_t un = 0;

	base = base ? base + 1 : exe;
	if (unit) {
		const char *dot = strrchr(unit, '.'), *at = strchr(unit, '@');

		un = at ? (size_t)(at - unit) : dot ? (size_t)(dot - unit) :
		    strlen(unit);
	}
	/* The executable names the daemon best, then the process name;
	 * when several entries share a name (postfix's and OpenSMTPD's
	 * smtpd), the one shipped by the owning package wins.  Then the
	 * package (which may ship several daemons), then the unit. */
	const char *names[2] = { base, comm };
	for (int k = 0; k < 2; k++) {
		const struct kb_entry *first = NULL;

		for (size_t i = 0; names[k] && i < kb->n; i++) {
			if (!words_has(kb->v[i].match, names[k],
			    strlen(names[k])))
				continue;
			if (package == NULL || words_has(kb->v[i].package,
			    package, strlen(package)))
				return &kb->v[i];
			if (first == NULL)
				first = &kb->v[i];
		}
		if (first)
			return first;
	}
	for (size_t i = 0; package && i < kb->n; i++)
		if (words_has(kb->v[i].package, package, strlen(package)))
			return &kb->v[i];
	for (size_t i = 0; unit && i < kb->n; i++)
		if (words_has(kb->v[i].unit, unit, un))
			return &kb->v[i];
	return NULL;
}

const char *
kb_verdict(const struct kb_entry *e, char *buf, size_t sz)
{
	static const char *const words[] = { "keep", "disable", "review",
		"restrict" };

	for (size_t i = 0; e->advice && i < 4; i++) {
		size_t n = strlen(words[i]);

		if (strncmp(e->advice, words[i], n) == 0 &&
		    e->advice[n] == ':') {
			snprintf(buf, sz, "%s", words[i]);
			return buf;
		}
	}
	snprintf(buf, sz, "?");
	return buf;
}
