/*
 * The shipped match rules against real servers' banners
 * (tests/fixtures/banners/banners.json: greetings and Server headers of
 * real products, with the product and version each one names).
 *
 * Each entry becomes the bytes its server sends (an SSH identification
 * line, a 220 greeting, an IMAP or POP3 greeting, an HTTP response with
 * that Server header, a MySQL protocol-10 greeting packet) and goes
 * through rules_match as the engine's reply would.  When the rule that
 * matched asks a follow-up question on the same connection (an FTP or
 * SMTP greeting that names neither protocol), the answer is the one the
 * entry's protocol gives to that question: an SMTP server's 250 to EHLO,
 * an FTP server's 500 for a command it does not know.
 *
 * The figures (protocol, product and version right, per protocol and in
 * all) are printed, and must reach 99%, 85% and 85%.  How a product
 * counts as right is product_right() below; docs/PROBING.md says it too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cm.h"
#include "probe/rules.h"

static struct rules shipped;
static json_t *corpus;

static int
setup(void **state)
{
	char *cause = NULL;
	json_error_t err;

	(void)state;
	if (rules_load(&shipped, PS_SRC_DATADIR "/probes.rules", &cause) < 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	corpus = json_load_file(FIXTURE_DIR "/banners/banners.json", 0, &err);
	if (!json_is_array(corpus)) {
		fprintf(stderr, "banners.json: %s\n", err.text);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rules_release(&shipped);
	json_decref(corpus);
	return 0;
}

/* ---- what counts as right ---------------------------------------------- */

/* Lower-case alphanumeric words of s, space separated. */
static void
words(const char *s, char *out, size_t sz)
{
	size_t o = 0;
	int in = 0;

	for (; *s && o + 2 < sz; s++) {
		if (isalnum((unsigned char)*s)) {
			if (!in && o > 0)
				out[o++] = ' ';
			out[o++] = (char)tolower((unsigned char)*s);
			in = 1;
		} else {
			in = 0;
		}
	}
	out[o] = '\0';
}

/* Is the word sequence `needle` a whole-word run inside `hay`? */
static int
word_run(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		if ((p == hay || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

/* Words that name no product by themselves. */
static int
generic_only(const char *w)
{
	static const char *const generic[] = { "server", "http", "httpd",
	    "web", "ftp", "ftpd", "ssh", "sshd", "mail", "smtp", "daemon",
	    "service", "services", "internet", "email", "e", "pop", "imap",
	    "system", "the", NULL };
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", w);
	for (tok = strtok_r(buf, " ", &save); tok;
	    tok = strtok_r(NULL, " ", &save)) {
		int g = 0;

		for (size_t i = 0; generic[i]; i++)
			g |= strcmp(tok, generic[i]) == 0;
		if (!g)
			return 0;
	}
	return 1;
}

/*
 * The entry's product names a product without its vendor ("HTTPD" for
 * the Apache HTTP Server, "IIS", "Gateway" for Kong's): portsleuth's is
 * right when the entry's words are a run of its words ("Apache httpd",
 * "Microsoft IIS", "Kong Gateway"), or its words a run of the entry's
 * and not only generic ones ("Dropbear" in "Dropbear SSH").
 */
static int
product_right(const char *want, const char *got)
{
	char w[128], g[128];

	words(want, w, sizeof(w));
	words(got, g, sizeof(g));
	if (g[0] == '\0')
		return 0;
	return word_run(g, w) || (word_run(w, g) && !generic_only(g));
}

/* The same version, or the entry's followed by what it left out
 * ("9.2p1" and "9.2p1-Debian" are one; "1.2" and "1.20" are not). */
static int
version_right(const char *want, const char *got)
{
	size_t n = strlen(want);

	if (strncmp(got, want, n) != 0)
		return 0;
	return got[n] == '\0' || !isalnum((unsigned char)got[n]) ||
	    !isdigit((unsigned char)want[n ? n - 1 : 0]);
}

/* ---- the bytes a server sends ------------------------------------------ */

struct reply {
	unsigned char	buf[1024];
	size_t		len;
	const char	*probe;
};

static void
put(struct reply *r, const void *p, size_t n)
{
	if (r->len + n > sizeof(r->buf))
		n = sizeof(r->buf) - r->len;
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void
puts_(struct reply *r, const char *s)
{
	put(r, s, strlen(s));
}

/* A MySQL protocol-10 greeting (the Initial Handshake packet). */
static void
mysql_greeting(struct reply *r, const char *version)
{
	unsigned char body[512];
	size_t o = 0, vn = strlen(version);
	static const unsigned char tail[] = {
		1, 2, 3, 4,			/* connection id */
		'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0, /* scramble 1 */
		0xff, 0xf7,			/* capabilities, low */
		0x08,				/* utf8 */
		0x02, 0x00,			/* status: autocommit */
		0xff, 0x81,			/* capabilities, high */
		0x15,				/* auth data length */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* reserved */
		'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't',
		0,				/* scramble 2 */
		'm', 'y', 's', 'q', 'l', '_', 'n', 'a', 't', 'i', 'v', 'e',
		'_', 'p', 'a', 's', 's', 'w', 'o', 'r', 'd', 0,
	};

	if (vn > 200)
		vn = 200;
	body[o++] = 0x0a;
	memcpy(body + o, version, vn);
	o += vn;
	body[o++] = 0;
	memcpy(body + o, tail, sizeof(tail));
	o += sizeof(tail);
	{
		unsigned char hdr[4] = { (unsigned char)(o & 0xff),
		    (unsigned char)(o >> 8), 0, 0 };

		put(r, hdr, 4);
	}
	put(r, body, o);
}

static void
server_reply(const char *proto, const char *banner, struct reply *r)
{
	r->len = 0;
	r->probe = "null";
	if (strcmp(proto, "ssh") == 0) {
		puts_(r, "SSH-2.0-");
		puts_(r, banner);
		puts_(r, "\r\n");
	} else if (strcmp(proto, "ftp") == 0 || strcmp(proto, "smtp") == 0) {
		puts_(r, "220 ");
		puts_(r, banner);
		puts_(r, "\r\n");
	} else if (strcmp(proto, "imap") == 0) {
		puts_(r, "* OK ");
		puts_(r, banner);
		puts_(r, "\r\n");
	} else if (strcmp(proto, "pop3") == 0) {
		puts_(r, "+OK ");
		puts_(r, banner);
		puts_(r, "\r\n");
	} else if (strcmp(proto, "http") == 0) {
		r->probe = "http";
		puts_(r, "HTTP/1.1 200 OK\r\nServer: ");
		puts_(r, banner);
		puts_(r, "\r\nContent-Type: text/html\r\nContent-Length: 0"
		    "\r\n\r\n");
	} else if (strcmp(proto, "mysql") == 0) {
		mysql_greeting(r, banner);
	}
}

/* What a server of this protocol answers to the follow-up probe: the
 * greeting, then the answer (the engine keeps the connection's bytes). */
static int
follow_up(const char *proto, const struct probe_def *ask, struct reply *r)
{
	if (ask == NULL || ask->payload == NULL)
		return -1;
	if (strcmp(proto, "smtp") == 0 && ask->len > 4 &&
	    memcmp(ask->payload, "EHLO", 4) == 0)
		puts_(r, "250-mail.example.org Hello portsleuth.invalid\r\n"
		    "250-SIZE 52428800\r\n250 HELP\r\n");
	else if (strcmp(proto, "ftp") == 0)
		puts_(r, "500 Unknown command.\r\n");
	else if (strcmp(proto, "smtp") == 0)
		puts_(r, "502 5.5.2 Error: command not recognized\r\n");
	else
		return -1;
	r->probe = ask->name;
	return 0;
}

/* ---- the measure ------------------------------------------------------- */

struct tally {
	const char	*proto;
	unsigned	 n, proto_ok, nprod, prod_ok, nver, ver_ok;
};

static void
t_corpus(void **state)
{
	static struct tally t[] = { { "ssh" }, { "ftp" }, { "smtp" },
	    { "imap" }, { "pop3" }, { "http" }, { "mysql" }, { "all" } };
	const size_t nt = sizeof(t) / sizeof(t[0]);
	struct tally *all = &t[nt - 1];
	pcre2_match_data *md = pcre2_match_data_create(16, NULL);
	int verbose = getenv("PS_BANNERS_VERBOSE") != NULL;
	unsigned nasked = 0;
	size_t i;
	json_t *e;

	(void)state;
	json_array_foreach(corpus, i, e) {
		const char *proto = json_string_value(json_object_get(e,
		    "proto"));
		const char *banner = json_string_value(json_object_get(e,
		    "banner"));
		const char *product = json_string_value(json_object_get(e,
		    "product"));
		const char *version = json_string_value(json_object_get(e,
		    "version"));
		const struct family *fw, *fg;
		struct tally *pt = NULL;
		struct match_out m;
		struct reply r;
		int ok, pok = 1, vok = 1, asked = 0;

		assert_non_null(proto);
		assert_non_null(banner);
		for (size_t k = 0; k + 1 < nt; k++)
			if (strcmp(t[k].proto, proto) == 0)
				pt = &t[k];
		assert_non_null(pt);
		server_reply(proto, banner, &r);
		ok = rules_match(&shipped, r.probe, r.buf, r.len, md, &m);
		if (ok && m.rule->ask &&
		    follow_up(proto, rules_probe(&shipped, m.rule->ask),
		    &r) == 0) {
			struct match_out first = m;

			asked = 1;
			nasked++;
			ok = rules_match(&shipped, r.probe, r.buf, r.len, md,
			    &m);
			/* the greeting's product stays when the answer to
			 * the question names none */
			if (ok && m.product[0] == '\0') {
				memcpy(m.product, first.product,
				    sizeof(m.product));
				memcpy(m.version, first.version,
				    sizeof(m.version));
			}
		}
		fw = rules_family_wire(&shipped, proto);
		fg = ok ? rules_family_wire(&shipped, m.rule->service) : NULL;
		ok = ok && !m.rule->ask && (strcmp(m.rule->service, proto) == 0 ||
		    (fw && fw == fg));
		for (int k = 0; k < 2; k++) {
			struct tally *x = k ? all : pt;

			x->n++;
			x->proto_ok += ok;
			if (product) {
				x->nprod++;
				x->prod_ok += (pok = ok && product_right(
				    product, m.product));
			}
			if (version) {
				x->nver++;
				x->ver_ok += (vok = ok && version_right(
				    version, m.version));
			}
		}
		if (verbose && (!ok || !pok || !vok))
			printf("MISS %-5s %s%s | want %s %s | got %s %s %s\n",
			    proto, banner, asked ? " (asked)" : "",
			    product ? product : "-", version ? version : "-",
			    ok ? m.rule->service : "none",
			    ok ? m.product : "", ok ? m.version : "");
	}
	pcre2_match_data_free(md);
	printf("%-6s %5s %9s %9s %9s\n", "proto", "n", "protocol", "product",
	    "version");
	for (size_t k = 0; k < nt; k++)
		printf("%-6s %5u %8.1f%% %8.1f%% %8.1f%%   (%u/%u, %u/%u)\n",
		    t[k].proto, t[k].n, 100.0 * t[k].proto_ok / t[k].n,
		    t[k].nprod ? 100.0 * t[k].prod_ok / t[k].nprod : 100.0,
		    t[k].nver ? 100.0 * t[k].ver_ok / t[k].nver : 100.0,
		    t[k].prod_ok, t[k].nprod, t[k].ver_ok, t[k].nver);
	printf("%u greetings named neither FTP nor SMTP: asked EHLO\n",
	    nasked);
	assert_true(all->n > 900);
	assert_true(all->proto_ok * 100 >= all->n * 99);
	assert_true(all->prod_ok * 100 >= all->nprod * 85);
	assert_true(all->ver_ok * 100 >= all->nver * 85);
}

/* The measure itself: its notion of right and wrong. */
static void
t_right(void **state)
{
	(void)state;
	assert_true(product_right("HTTPD", "Apache httpd"));
	assert_true(product_right("IIS", "Microsoft IIS"));
	assert_true(product_right("Dropbear SSH", "Dropbear"));
	assert_true(product_right("vsFTPd", "vsftpd"));
	assert_false(product_right("Secure FTP Server", "Server"));
	assert_false(product_right("ProFTPD", "Pure-FTPd"));
	assert_false(product_right("HTTPD", ""));
	assert_false(product_right("IIS", "Microsoft IIServer"));
	assert_true(version_right("9.2p1", "9.2p1"));
	assert_true(version_right("2.4", "2.4 (Debian)"));
	assert_false(version_right("1.2", "1.20"));
	assert_false(version_right("1.2", "1.1"));
	assert_false(version_right("1.2", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_right),
		cmocka_unit_test(t_corpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
