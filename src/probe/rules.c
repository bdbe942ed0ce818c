/*
 * rules.c - the probe and match rule file: parser, PCRE2 compilation,
 * first-byte index, matching and template filling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/rules.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/words.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RULES_CAP	(4u << 20)
#define VALUE_MAX	4096
#define ITEMS_MAX	4096
#define PORTS_MAX	256

enum section { SEC_NONE, SEC_PROBE, SEC_MATCH, SEC_FAMILY };

static void
problem(struct rules *r, struct strbuf *pb, int line, const char *what)
{
	r->malformed++;
	if (pb->len < 4000)
		strbuf_addf(pb, "line %d: %s\n", line, what);
}

int
rules_unescape(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned char *b = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != '\\') {
			b[o++] = c;
			continue;
		}
		if (++i >= n)
			goto bad;
		switch (s[i]) {
		case 'r': b[o++] = '\r'; break;
		case 'n': b[o++] = '\n'; break;
		case 't': b[o++] = '\t'; break;
		case '0': b[o++] = '\0'; break;
		case '\\': b[o++] = '\\'; break;
		case 'x': {
			uint64_t v;

			if (i + 2 >= n ||
			    num_parse_u64(s + i + 1, 2, 16, 0, 255, &v) != 0)
				goto bad;
			b[o++] = (unsigned char)v;
			i += 2;
			break;
		}
		default:
			goto bad;
		}
	}
	*out = b;
	*outlen = o;
	return 0;
bad:
	free(b);
	return -1;
}

static char *
dup_checked(const char *v, size_t n)
{
	if (n == 0 || n > VALUE_MAX || memchr(v, '\0', n))
		return NULL;
	return xstrndup(v, n);
}

static void
split_words(const char *v, char ***out, size_t *n)
{
	const char *p = v;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while (*p && *n < 64) {
		size_t w;

		while (*p == ' ' || *p == '\t')
			p++;
		w = strcspn(p, " \t");
		if (w == 0)
			break;
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrndup(p, w);
		p += w;
	}
}

static int
parse_ports(struct probe_def *pd, const char *v)
{
	const char *p = v;
	size_t cap = 0;

	while (*p) {
		size_t w;
		uint64_t port;

		while (*p == ' ')
			p++;
		w = strcspn(p, " ");
		if (w == 0)
			break;
		if (num_parse_u64(p, w, 10, 1, 65535, &port) != 0 ||
		    pd->nports >= PORTS_MAX)
			return -1;
		xgrow((void **)&pd->ports, &cap, pd->nports + 1,
		    sizeof(*pd->ports));
		pd->ports[pd->nports++] = (uint16_t)port;
		p += w;
	}
	return 0;
}

static void
probe_key(struct rules *r, struct strbuf *pb, struct probe_def *pd,
    const char *k, size_t kn, const char *v, size_t vn, int line)
{
	uint64_t x;
	char *s;

#define IS(name) (kn == sizeof(name) - 1 && memcmp(k, name, kn) == 0)
	if ((s = dup_checked(v, vn)) == NULL) {
		problem(r, pb, line, "empty or bad value");
		return;
	}
	if (IS("proto")) {
		if (strcmp(s, "tcp") == 0)
			pd->proto = RP_TCP;
		else if (strcmp(s, "udp") == 0)
			pd->proto = RP_UDP;
		else
			problem(r, pb, line, "proto is tcp or udp");
	} else if (IS("send")) {
		free(pd->payload);
		pd->payload = NULL;
		if (rules_unescape(s, strlen(s), &pd->payload, &pd->len) < 0)
			problem(r, pb, line, "bad escape in send");
	} else if (IS("ports")) {
		if (parse_ports(pd, s) < 0)
			problem(r, pb, line, "bad port list");
	} else if (IS("wait")) {
		if (num_parse_str(s, 1, 60000, &x) != 0)
			problem(r, pb, line, "wait is 1 to 60000 ms");
		else
			pd->wait_ms = (int)x;
	} else if (IS("tls")) {
		pd->tls = strcmp(s, "yes") == 0;
	} else if (IS("silent")) {
		free(pd->silent);
		pd->silent = s;
		s = NULL;
	} else {
		problem(r, pb, line, "unknown probe key");
	}
	free(s);
}

static void
match_key(struct rules *r, struct strbuf *pb, struct match_rule *m,
    const char *k, size_t kn, const char *v, size_t vn, int line)
{
	char *s = dup_checked(v, vn);

	if (s == NULL) {
		problem(r, pb, line, "empty or bad value");
		return;
	}
	if (IS("on")) {
		for (size_t i = 0; i < m->non; i++)
			free(m->on[i]);
		free(m->on);
		split_words(s, &m->on, &m->non);
	} else if (IS("regex")) {
		free(m->regex);
		m->regex = s;
		s = NULL;
	} else if (IS("product")) {
		free(m->product);
		m->product = s;
		s = NULL;
	} else if (IS("version")) {
		free(m->version);
		m->version = s;
		s = NULL;
	} else if (IS("info")) {
		free(m->info);
		m->info = s;
		s = NULL;
	} else if (IS("ask")) {
		free(m->ask);
		m->ask = s;
		s = NULL;
	} else if (IS("confidence")) {
		if (strcmp(s, "hard") == 0)
			m->hard = 1;
		else if (strcmp(s, "soft") == 0)
			m->hard = 0;
		else
			problem(r, pb, line, "confidence is hard or soft");
	} else if (IS("flags")) {
		m->caseless = strchr(s, 'i') != NULL;
	} else {
		problem(r, pb, line, "unknown match key");
	}
	free(s);
}

static void
family_key(struct rules *r, struct strbuf *pb, struct family *f,
    const char *k, size_t kn, const char *v, size_t vn, int line)
{
	char **dst = IS("registered") ? &f->registered : IS("programs") ?
	    &f->programs : IS("wire") ? &f->wire : NULL;

	if (dst == NULL) {
		problem(r, pb, line, "unknown family key");
		return;
	}
	free(*dst);
	if ((*dst = dup_checked(v, vn)) == NULL)
		problem(r, pb, line, "empty or bad value");
#undef IS
}

/* Compile a rule and put it in the first-byte index. */
static void
compile_rule(struct rules *r, struct strbuf *pb, size_t idx)
{
	struct match_rule *m = &r->matches[idx];
	uint32_t type = 0, unit = 0;
	const uint8_t *bitmap = NULL;
	int errcode;
	PCRE2_SIZE erroff;

	if (m->regex == NULL) {
		problem(r, pb, m->line, "match without regex");
		return;
	}
	m->re = pcre2_compile((PCRE2_SPTR)m->regex, PCRE2_ZERO_TERMINATED,
	    PCRE2_DOTALL | PCRE2_NEVER_BACKSLASH_C |
	    (m->caseless ? PCRE2_CASELESS : 0), &errcode, &erroff, NULL);
	if (m->re == NULL) {
		PCRE2_UCHAR msg[120];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		if (pb->len < 4000)
			strbuf_addf(pb, "line %d: regex: %s at %zu\n", m->line,
			    (const char *)msg, (size_t)erroff);
		r->malformed++;
		return;
	}
	(void)pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE);
	pcre2_pattern_info(m->re, PCRE2_INFO_FIRSTCODETYPE, &type);
	if (type == 1) {
		pcre2_pattern_info(m->re, PCRE2_INFO_FIRSTCODEUNIT, &unit);
		if (unit < 256) {
			int cases[2] = { (int)unit, (int)unit };

			if (m->caseless && unit >= 'a' && unit <= 'z')
				cases[1] = (int)unit - 32;
			else if (m->caseless && unit >= 'A' && unit <= 'Z')
				cases[1] = (int)unit + 32;
			for (int c = 0; c < (cases[0] == cases[1] ? 1 : 2);
			    c++) {
				r->bucket[cases[c]] = xreallocarray(
				    r->bucket[cases[c]], r->nbucket[cases[c]] + 1,
				    sizeof(size_t));
				r->bucket[cases[c]][r->nbucket[cases[c]]++] = idx;
			}
			return;
		}
	}
	if (pcre2_pattern_info(m->re, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 &&
	    bitmap != NULL) {
		for (int b = 0; b < 256; b++)
			if (bitmap[b / 8] & (1u << (b % 8))) {
				r->bucket[b] = xreallocarray(r->bucket[b],
				    r->nbucket[b] + 1, sizeof(size_t));
				r->bucket[b][r->nbucket[b]++] = idx;
			}
		return;
	}
	r->anyfirst = xreallocarray(r->anyfirst, r->nanyfirst + 1,
	    sizeof(size_t));
	r->anyfirst[r->nanyfirst++] = idx;
}

void
rules_parse(struct rules *r, const char *buf, size_t len)
{
	struct strbuf pb;
	enum section sec = SEC_NONE;
	size_t pos = 0;
	int lineno = 0;

	strbuf_init(&pb, 8192);
	while (pos < len) {
		const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		const char *colon, *v;

		pos += n + (nl != NULL);
		lineno++;
		while (n > 0 && (l[n - 1] == ' ' || l[n - 1] == '\r' ||
		    l[n - 1] == '\t'))
			n--;
		if (n == 0 || l[0] == '#')
			continue;
		if (l[0] == '[') {
			const char *sp = memchr(l, ' ', n);
			char *name;

			sec = SEC_NONE;
			name = l[n - 1] == ']' && sp != NULL ?
			    dup_checked(sp + 1, (size_t)(l + n - 1 - sp - 1)) :
			    NULL;
			if (name == NULL || strchr(name, ' ')) {
				free(name);
				problem(r, &pb, lineno, "bad header");
				continue;
			}
			if (r->nprobes + r->nmatches + r->nfamilies >=
			    ITEMS_MAX) {
				free(name);
				problem(r, &pb, lineno, "too many stanzas");
				continue;
			}
			if ((size_t)(sp - l) == 6 &&
			    memcmp(l, "[probe", 6) == 0) {
				struct probe_def *pd;

				xgrow((void **)&r->probes, &r->pcap,
				    r->nprobes + 1, sizeof(*r->probes));
				pd = &r->probes[r->nprobes++];
				memset(pd, 0, sizeof(*pd));
				pd->name = name;
				pd->line = lineno;
				sec = SEC_PROBE;
			} else if ((size_t)(sp - l) == 6 &&
			    memcmp(l, "[match", 6) == 0) {
				struct match_rule *m;

				xgrow((void **)&r->matches, &r->mcap,
				    r->nmatches + 1, sizeof(*r->matches));
				m = &r->matches[r->nmatches++];
				memset(m, 0, sizeof(*m));
				m->service = name;
				m->line = lineno;
				m->hard = 1;
				sec = SEC_MATCH;
			} else if ((size_t)(sp - l) == 7 &&
			    memcmp(l, "[family", 7) == 0) {
				struct family *f;

				xgrow((void **)&r->families, &r->fcap,
				    r->nfamilies + 1, sizeof(*r->families));
				f = &r->families[r->nfamilies++];
				memset(f, 0, sizeof(*f));
				f->name = name;
				sec = SEC_FAMILY;
			} else {
				free(name);
				problem(r, &pb, lineno, "unknown stanza");
			}
			continue;
		}
		colon = memchr(l, ':', n);
		if (sec == SEC_NONE || colon == NULL || colon == l) {
			problem(r, &pb, lineno, "text outside a stanza");
			continue;
		}
		v = colon + 1;
		while (v < l + n && (*v == ' ' || *v == '\t'))
			v++;
		if (sec == SEC_PROBE)
			probe_key(r, &pb, &r->probes[r->nprobes - 1], l,
			    (size_t)(colon - l), v, (size_t)(l + n - v), lineno);
		else if (sec == SEC_MATCH)
			match_key(r, &pb, &r->matches[r->nmatches - 1], l,
			    (size_t)(colon - l), v, (size_t)(l + n - v), lineno);
		else
			family_key(r, &pb, &r->families[r->nfamilies - 1], l,
			    (size_t)(colon - l), v, (size_t)(l + n - v), lineno);
	}
	for (size_t i = 0; i < r->nmatches; i++)
		compile_rule(r, &pb, i);
	for (size_t i = 0; i < r->nprobes; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->probes[i].name, r->probes[j].name) == 0)
				problem(r, &pb, r->probes[i].line,
				    "duplicate probe");
	/* a question asked on the same connection: a TCP probe that sends
	 * something */
	for (size_t i = 0; i < r->nmatches; i++) {
		struct match_rule *m = &r->matches[i];
		const struct probe_def *q = m->ask ? rules_probe(r, m->ask) :
		    NULL;

		if (m->ask && (q == NULL || q->proto != RP_TCP ||
		    q->payload == NULL)) {
			problem(r, &pb, m->line, "ask names no TCP probe "
			    "that sends something");
			/* an ambiguous reply is no answer: the rule goes */
			free(m->ask);
			m->ask = NULL;
			pcre2_code_free(m->re);
			m->re = NULL;
		}
	}
	if (pb.len)
		r->problems = strbuf_detach(&pb);
	strbuf_release(&pb);
}

int
rules_load(struct rules *r, const char *path, char **cause)
{
	struct strbuf sb;
	int rc;

	memset(r, 0, sizeof(*r));
	strbuf_init(&sb, RULES_CAP);
	rc = data_file_read(path, "probe rules", RULES_CAP, &sb, cause);
	if (rc == 0)
		rules_parse(r, sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return rc;
}

void
rules_release(struct rules *r)
{
	for (size_t i = 0; i < r->nprobes; i++) {
		free(r->probes[i].name);
		free(r->probes[i].payload);
		free(r->probes[i].ports);
		free(r->probes[i].silent);
	}
	for (size_t i = 0; i < r->nmatches; i++) {
		struct match_rule *m = &r->matches[i];

		free(m->service);
		for (size_t k = 0; k < m->non; k++)
			free(m->on[k]);
		free(m->on);
		free(m->regex);
		free(m->product);
		free(m->version);
		free(m->info);
		free(m->ask);
		pcre2_code_free(m->re);
	}
	for (size_t i = 0; i < r->nfamilies; i++) {
		free(r->families[i].name);
		free(r->families[i].registered);
		free(r->families[i].programs);
		free(r->families[i].wire);
	}
	for (int b = 0; b < 256; b++)
		free(r->bucket[b]);
	free(r->anyfirst);
	free(r->probes);
	free(r->matches);
	free(r->families);
	free(r->problems);
	memset(r, 0, sizeof(*r));
}

const struct probe_def *
rules_probe(const struct rules *r, const char *name)
{
	for (size_t i = 0; i < r->nprobes; i++)
		if (strcmp(r->probes[i].name, name) == 0)
			return &r->probes[i];
	return NULL;
}

/* Fill a template: $1..$9 become groups, cleaned of control bytes. */
static void
fill(const char *tmpl, const unsigned char *resp, const PCRE2_SIZE *ov,
    int ngroups, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	if (tmpl == NULL)
		return;
	for (const char *t = tmpl; *t && o + 1 < outsz; t++) {
		if (*t == '$' && t[1] >= '1' && t[1] <= '9') {
			int g = t[1] - '0';

			t++;
			if (g >= ngroups || ov[2 * g] == PCRE2_UNSET)
				continue;
			for (PCRE2_SIZE i = ov[2 * g]; i < ov[2 * g + 1] &&
			    o + 1 < outsz; i++) {
				unsigned char c = resp[i];

				out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
			continue;
		}
		out[o++] = *t;
	}
	out[o] = '\0';
	/* trim what an empty group left behind */
	while (o > 0 && out[o - 1] == ' ')
		out[--o] = '\0';
}

static int
applies(const struct match_rule *m, const char *probe)
{
	if (m->non == 0)
		return 1;
	for (size_t i = 0; i < m->non; i++)
		if (strcmp(m->on[i], "*") == 0 || strcmp(m->on[i], probe) == 0)
			return 1;
	return 0;
}

static int
try_rule(const struct match_rule *m, const unsigned char *resp, size_t len,
    pcre2_match_data *md, struct match_out *out)
{
	int rc;

	if (m->re == NULL)
		return 0;
	rc = pcre2_match(m->re, resp, len, 0, 0, md, NULL);
	if (rc < 0)
		return 0;
	out->rule = m;
	fill(m->product, resp, pcre2_get_ovector_pointer(md), rc,
	    out->product, sizeof(out->product));
	fill(m->version, resp, pcre2_get_ovector_pointer(md), rc,
	    out->version, sizeof(out->version));
	fill(m->info, resp, pcre2_get_ovector_pointer(md), rc, out->info,
	    sizeof(out->info));
	return 1;
}

int
rules_match(const struct rules *r, const char *probe,
    const unsigned char *resp, size_t len, pcre2_match_data *md,
    struct match_out *out)
{
	const size_t *a = len ? r->bucket[resp[0]] : NULL, *b = r->anyfirst;
	size_t na = len ? r->nbucket[resp[0]] : 0, nb = r->nanyfirst;
	size_t i = 0, j = 0;
	struct match_out soft;
	int have_soft = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	/* the two index lists merged, in file order */
	while (i < na || j < nb) {
		size_t idx = j >= nb || (i < na && a[i] < b[j]) ? a[i++] :
		    b[j++];
		const struct match_rule *m = &r->matches[idx];
		struct match_out mo;

		if (!applies(m, probe) || (have_soft && !m->hard))
			continue;
		if (!try_rule(m, resp, len, md, &mo))
			continue;
		if (m->hard) {
			*out = mo;
			return 1;
		}
		soft = mo;
		have_soft = 1;
	}
	if (have_soft)
		*out = soft;
	return have_soft;
}

const struct family *
rules_family_registered(const struct rules *r, const char *name)
{
	for (size_t i = 0; name && i < r->nfamilies; i++)
		if (words_has(r->families[i].registered, name, strlen(name)))
			return &r->families[i];
	/* IANA has dozens of "something-https" names */
	if (name && (strstr(name, "https") || strstr(name, "http-")))
		return rules_family_wire(r, "http");
	return NULL;
}

int
rules_program_speaks(const struct rules *r, const char *program,
    const struct family *f)
{
	int listed = 0;

	for (size_t i = 0; program && i < r->nfamilies; i++)
		if (words_has(r->families[i].programs, program,
		    strlen(program))) {
			if (&r->families[i] == f)
				return 1;
			listed = 1;
		}
	return listed ? 0 : -1;
}

const struct family *
rules_family_program(const struct rules *r, const char *program)
{
	for (size_t i = 0; program && i < r->nfamilies; i++)
		if (words_has(r->families[i].programs, program,
		    strlen(program)))
			return &r->families[i];
	return NULL;
}

const struct family *
rules_family_wire(const struct rules *r, const char *service)
{
	for (size_t i = 0; service && i < r->nfamilies; i++)
		if (words_has(r->families[i].wire, service,
		    strlen(service)) ||
		    strcmp(r->families[i].name, service) == 0)
			return &r->families[i];
	return NULL;
}
