/*
 * engine.c - the probing event loop: epoll, non-blocking connects,
 * OpenSSL on non-blocking sockets, deadlines, capped replies.
 *
 * Timers: each connection carries a deadline (and, while a reply comes
 * in, the moment it would count as quiet); both go into a min-heap, and
 * the loop's epoll timeout is the earliest entry or the end of the
 * whole budget, whichever is first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "probe/engine.h"
#include "util/dl.h"
#include "util/notes.h"
#include "util/xmalloc.h"
#include "util/banned.h"

/* libssl, and libcrypto through it: opened for the first probe (util/dl.h) */
static struct {
	__typeof__(ASN1_STRING_get0_data)	*ASN1_STRING_get0_data;
	__typeof__(ASN1_STRING_length)		*ASN1_STRING_length;
	__typeof__(ASN1_TIME_to_tm)		*ASN1_TIME_to_tm;
	__typeof__(BIO_ctrl)			*BIO_ctrl;
	__typeof__(BIO_free)			*BIO_free;
	__typeof__(BIO_new)			*BIO_new;
	__typeof__(BIO_read)			*BIO_read;
	__typeof__(BIO_s_mem)			*BIO_s_mem;
	__typeof__(ERR_clear_error)		*ERR_clear_error;
	__typeof__(ERR_peek_error)		*ERR_peek_error;
	__typeof__(ERR_reason_error_string)	*ERR_reason_error_string;
	__typeof__(GENERAL_NAMES_free)		*GENERAL_NAMES_free;
	__typeof__(OPENSSL_sk_num)		*OPENSSL_sk_num;
	__typeof__(OPENSSL_sk_value)		*OPENSSL_sk_value;
	__typeof__(X509_NAME_print_ex)		*X509_NAME_print_ex;
	__typeof__(X509_cmp_current_time)	*X509_cmp_current_time;
	__typeof__(X509_free)			*X509_free;
	__typeof__(X509_get0_notAfter)		*X509_get0_notAfter;
	__typeof__(X509_get_ext_d2i)		*X509_get_ext_d2i;
	__typeof__(X509_get_issuer_name)	*X509_get_issuer_name;
	__typeof__(X509_get_subject_name)	*X509_get_subject_name;
	__typeof__(SSL_CIPHER_get_name)		*SSL_CIPHER_get_name;
	__typeof__(SSL_CTX_ctrl)		*SSL_CTX_ctrl;
	__typeof__(SSL_CTX_free)		*SSL_CTX_free;
	__typeof__(SSL_CTX_new)			*SSL_CTX_new;
	__typeof__(SSL_CTX_set_cipher_list)	*SSL_CTX_set_cipher_list;
	__typeof__(SSL_CTX_set_options)		*SSL_CTX_set_options;
	__typeof__(SSL_CTX_set_security_level)	*SSL_CTX_set_security_level;
	__typeof__(SSL_CTX_set_verify)		*SSL_CTX_set_verify;
	__typeof__(SSL_do_handshake)		*SSL_do_handshake;
	__typeof__(SSL_free)			*SSL_free;
	__typeof__(SSL_get1_peer_certificate)	*SSL_get1_peer_certificate;
	__typeof__(SSL_get_current_cipher)	*SSL_get_current_cipher;
	__typeof__(SSL_get_error)		*SSL_get_error;
	__typeof__(SSL_get_state)		*SSL_get_state;
	__typeof__(SSL_get_version)		*SSL_get_version;
	__typeof__(SSL_new)			*SSL_new;
	__typeof__(SSL_read)			*SSL_read;
	__typeof__(SSL_set_connect_state)	*SSL_set_connect_state;
	__typeof__(SSL_set_fd)			*SSL_set_fd;
	__typeof__(SSL_write)			*SSL_write;
	__typeof__(TLS_client_method)		*TLS_client_method;
} ossl;
static const struct dl_sym ossl_syms[] = {
	DL_SYM(ossl, ASN1_STRING_get0_data),
	DL_SYM(ossl, ASN1_STRING_length),
	DL_SYM(ossl, ASN1_TIME_to_tm),
	DL_SYM(ossl, BIO_ctrl),
	DL_SYM(ossl, BIO_free),
	DL_SYM(ossl, BIO_new),
	DL_SYM(ossl, BIO_read),
	DL_SYM(ossl, BIO_s_mem),
	DL_SYM(ossl, ERR_clear_error),
	DL_SYM(ossl, ERR_peek_error),
	DL_SYM(ossl, ERR_reason_error_string),
	DL_SYM(ossl, GENERAL_NAMES_free),
	DL_SYM(ossl, OPENSSL_sk_num),
	DL_SYM(ossl, OPENSSL_sk_value),
	DL_SYM(ossl, X509_NAME_print_ex),
	DL_SYM(ossl, X509_cmp_current_time),
	DL_SYM(ossl, X509_free),
	DL_SYM(ossl, X509_get0_notAfter),
	DL_SYM(ossl, X509_get_ext_d2i),
	DL_SYM(ossl, X509_get_issuer_name),
	DL_SYM(ossl, X509_get_subject_name),
	DL_SYM(ossl, SSL_CIPHER_get_name),
	DL_SYM(ossl, SSL_CTX_ctrl),
	DL_SYM(ossl, SSL_CTX_free),
	DL_SYM(ossl, SSL_CTX_new),
	DL_SYM(ossl, SSL_CTX_set_cipher_list),
	DL_SYM(ossl, SSL_CTX_set_options),
	DL_SYM(ossl, SSL_CTX_set_security_level),
	DL_SYM(ossl, SSL_CTX_set_verify),
	DL_SYM(ossl, SSL_do_handshake),
	DL_SYM(ossl, SSL_free),
	DL_SYM(ossl, SSL_get1_peer_certificate),
	DL_SYM(ossl, SSL_get_current_cipher),
	DL_SYM(ossl, SSL_get_error),
	DL_SYM(ossl, SSL_get_state),
	DL_SYM(ossl, SSL_get_version),
	DL_SYM(ossl, SSL_new),
	DL_SYM(ossl, SSL_read),
	DL_SYM(ossl, SSL_set_connect_state),
	DL_SYM(ossl, SSL_set_fd),
	DL_SYM(ossl, SSL_write),
	DL_SYM(ossl, TLS_client_method),
};
static struct dl_lib ossl_lib = DL_LIB(PS_SONAME_SSL, ossl_syms);

#define IDLE_MS		60	/* quiet after data: the reply is whole */
#define BANNER_MIN_MS	250
#define BANNER_MAX_MS	1500
#define PROBE_MIN_MS	300
#define PROBE_MAX_MS	2500
#define UDP_WAIT_MS	700
#define UDP_HEAD_MS	25	/* UDP datagrams go out this long before the
				   first TCP connection */
#define WAVE		8	/* client-first probes in flight per port */
#define TLS_MIN_MS	500	/* a TLS server answers a ClientHello at once */
#define ICMP_GAP_MS	1100	/* the kernel's default icmp_ratelimit lets
				   one port-unreachable a second through per
				   peer, once its burst is spent: a little
				   more than that between re-probes */

enum ckind { CK_NULL, CK_PROBE, CK_TLS, CK_UDP };
enum cstate { CS_CONNECTING, CS_HANDSHAKE, CS_SENDING, CS_READING,
	CS_WAITING };	/* a UDP re-probe, until its turn */

struct conn {
	int			 fd;
	int			 slot;
	uint32_t		 id;		/* epoll data: slot and id */
	size_t			 t;		/* target index */
	enum ckind		 kind;
	enum cstate		 st;
	const struct probe_def	*probe;		/* what it sends, or NULL */
	SSL			*ssl;
	int			 inner;		/* TLS: 0 listening, 1 sent */
	unsigned char		*buf;
	size_t			 len, sent;
	double			 start, deadline, idle_until;
	int			 want_write;
	/* the banner was ambiguous: the question its rule asks, to be
	 * sent on this connection (asked: it went out) */
	const struct probe_def	*ask;
	int			 asked;
};

struct tstate {
	int			 started, done;
	double			 start;
	double			 rtt;		/* ms, from the first connect */
	int			 plain_done;	/* the plain side concluded */
	int			 tls_done;	/* the TLS side concluded */
	int			 null_silent;
	const struct probe_def	**order;	/* client-first probes */
	size_t			 norder, next;
	int			 inflight;	/* probe connections open */
	int			 conns;
	/* the best answers so far */
	struct match_out	 plain, inner;
	int			 plain_kind, inner_kind;	/* 0 none,
							   1 unrecognised,
							   2 soft, 3 hard */
	char			 plain_ev[96], inner_ev[96];
	char			 plain_probe[24], inner_probe[24];
	int			 saw_reset, saw_eof_empty, saw_refused;
	int			 saw_timeout, saw_open;
	int			 probe_reset;	/* reset after reading a probe */
	int			 queued;	/* waits for descriptors */
	int			 reprobe;	/* UDP: 1 asked again, -1 there
						 * was no time left to */
	/* a TLS server whose handshake failed after its hello: why */
	char			 tls_error[96];
};

struct engine {
	const struct probe_opts	*o;
	const struct probe_target *targets;
	struct probe_result	*out;
	struct tstate		*ts;
	size_t			 n, next_target;
	/* the order targets start in: UDP first.  A single-threaded daemon
	 * with a TCP side port (snmpd's SMUX on 199 blocks the agent while
	 * an accepted connection sends nothing) answers its datagrams
	 * before the TCP probes reach it */
	size_t			*start_order;
	size_t			 nudp;		/* UDP targets, first in it */
	double			 tcp_from;	/* TCP targets start from then */
	struct conn		**conns;	/* max_fds slots */
	int			 nconns;
	int			 cap;		/* descriptors it may hold: max_fds,
						 * less when the process's limit
						 * is lower */
	int			 no_room;	/* the last conn_open failed for
						 * want of a descriptor */
	int			 budget_out;	/* the budget ran out */
	double			 udp_slot;	/* the next UDP re-probe's turn */
	/* targets whose probes wait for descriptors, first come first
	 * served, before any new target starts: a port's answer must not
	 * depend on how many others are probed with it */
	size_t			*waitq;
	size_t			 wq_head, wq_len;
	int			 ep;
	SSL_CTX			*ctx;
	pcre2_match_data	*md;
	double			 t0, end;
	uint32_t		 next_id;
	/* the timers: a binary min-heap of (time, connection); an entry
	 * whose connection is gone or has moved its deadline is dropped
	 * when it comes up */
	struct timer {
		double		 at;
		uint32_t	 slot, id;
	}			*heap;
	size_t			 nheap, heapcap;
};

static double
now_ms_(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
timer_push(struct engine *e, const struct conn *c, double at)
{
	size_t i;

	xgrow((void **)&e->heap, &e->heapcap, e->nheap + 1, sizeof(*e->heap));
	i = e->nheap++;
	while (i > 0 && e->heap[(i - 1) / 2].at > at) {
		e->heap[i] = e->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	e->heap[i].at = at;
	e->heap[i].slot = (uint32_t)c->slot;
	e->heap[i].id = c->id;
}

static struct timer
timer_pop(struct engine *e)
{
	struct timer top = e->heap[0], last = e->heap[--e->nheap];
	size_t i = 0;

	for (;;) {
		size_t k = 2 * i + 1;

		if (k >= e->nheap)
			break;
		if (k + 1 < e->nheap && e->heap[k + 1].at < e->heap[k].at)
			k++;
		if (e->heap[k].at >= last.at)
			break;
		e->heap[i] = e->heap[k];
		i = k;
	}
	if (e->nheap > 0)
		e->heap[i] = last;
	return top;
}

static void
set_deadline(struct engine *e, struct conn *c, double at)
{
	c->deadline = at;
	timer_push(e, c, at);
}

static void
set_idle(struct engine *e, struct conn *c, double at)
{
	c->idle_until = at;
	timer_push(e, c, at);
}

const char *
probe_state_key(enum probe_state s)
{
	static const char *const k[] = { "unprobed", "hard", "soft",
		"unrecognised", "silent", "closed_at_once", "reset", "refused",
		"timeout", "error" };

	return (unsigned)s < sizeof(k) / sizeof(k[0]) ? k[s] : "error";
}

const char *
probe_service_shown(const struct probe_result *r, char *buf, size_t sz)
{
	static const char *const tlsname[][2] = {
		{ "http", "https" }, { "imap", "imaps" }, { "pop3", "pop3s" },
		{ "smtp", "smtps" }, { "ftp", "ftps" }, { "ldap", "ldaps" },
		{ "mqtt", "mqtts" }, { "irc", "ircs" }, { "sip", "sips" },
	};

	if (r->service[0] == '\0') {
		snprintf(buf, sz, "%s", r->tls ? "tls" : "");
		return buf;
	}
	if (r->tls) {
		for (size_t i = 0; i < sizeof(tlsname) / sizeof(tlsname[0]);
		    i++)
			if (strcmp(r->service, tlsname[i][0]) == 0) {
				snprintf(buf, sz, "%s", tlsname[i][1]);
				return buf;
			}
		snprintf(buf, sz, "%s/tls", r->service);
		return buf;
	}
	snprintf(buf, sz, "%s", r->service);
	return buf;
}

void
probe_opts_default(struct probe_opts *o, const struct rules *r)
{
	memset(o, 0, sizeof(*o));
	o->rules = r;
	o->budget_ms = 8000;
	o->connect_ms = 3000;
	o->max_fds = 256;
	o->reply_cap = 16384;
	o->netns_fd = -1;
}

static int probe_for_port(const struct probe_def *p, uint16_t port);
static int is_loopback(const struct probe_target *tg);

/* Printable, bounded copy of a reply's first bytes. */
static void
evidence(const unsigned char *b, size_t n, char *out, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < sz; i++) {
		unsigned char c = b[i];

		if (c == '\r') {
			out[o++] = '\\';
			out[o++] = 'r';
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void
copy(char *dst, size_t sz, const char *src)
{
	snprintf(dst, sz, "%s", src ? src : "");
}

/* ---- connections ------------------------------------------------------- */

static int
sockaddr_of(const struct probe_target *t, struct sockaddr_storage *ss,
    socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(t->port);
		memcpy(&s4->sin_addr, t->addr, 4);
		*len = sizeof(*s4);
		return 0;
	}
	if (t->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(t->port);
		memcpy(&s6->sin6_addr, t->addr, 16);
		s6->sin6_scope_id = t->scope;
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static void
watch(struct engine *e, struct conn *c, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)c->slot << 32 | c->id;
	(void)epoll_ctl(e->ep, op, c->fd, &ev);
}

static struct conn *
conn_open(struct engine *e, size_t t, enum ckind kind,
    const struct probe_def *probe)
{
	const struct probe_target *tg = &e->targets[t];
	struct sockaddr_storage ss;
	socklen_t sl;
	struct conn *c;
	int fd, slot, one = 1;

	e->no_room = 0;
	if (e->nconns >= e->cap) {
		e->no_room = 1;
		return NULL;
	}
	if (sockaddr_of(tg, &ss, &sl) < 0)
		return NULL;
	fd = socket(tg->family, (tg->udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* the process's (or the system's) limit is nearer
			 * than counted: hold no more than now */
			e->no_room = 1;
			if (e->nconns > 0 && e->nconns < e->cap)
				e->cap = e->nconns;
		}
		return NULL;
	}
	if (!tg->udp)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		if (errno == ECONNREFUSED)
			e->ts[t].saw_refused = 1;
		close(fd);
		return NULL;
	}
	for (slot = 0; slot < e->o->max_fds && e->conns[slot]; slot++)
		;
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->slot = slot;
	c->id = ++e->next_id;
	c->t = t;
	c->kind = kind;
	c->probe = probe;
	c->st = tg->udp ? CS_SENDING : CS_CONNECTING;
	c->buf = xmalloc(e->o->reply_cap);
	c->start = now_ms_();
	set_deadline(e, c, c->start + e->o->connect_ms);
	e->conns[slot] = c;
	e->nconns++;
	e->ts[t].conns++;
	if (kind == CK_PROBE)
		e->ts[t].inflight++;
	watch(e, c, EPOLLOUT | EPOLLIN, EPOLL_CTL_ADD);
	return c;
}

static void
conn_close(struct engine *e, struct conn *c)
{
	e->conns[c->slot] = NULL;
	e->nconns--;
	if (c->kind == CK_PROBE)
		e->ts[c->t].inflight--;
	if (c->ssl)
		ossl.SSL_free(c->ssl);
	(void)epoll_ctl(e->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->buf);
	free(c);
}

static void
close_target_conns(struct engine *e, size_t t)
{
	for (int i = 0; i < e->o->max_fds; i++)
		if (e->conns[i] && e->conns[i]->t == t)
			conn_close(e, e->conns[i]);
}

static int
banner_wait(const struct tstate *ts)
{
	double w = BANNER_MIN_MS + 4 * ts->rtt;

	return (int)(w > BANNER_MAX_MS ? BANNER_MAX_MS : w);
}

static int
reply_wait(const struct tstate *ts, const struct probe_def *p)
{
	double w = p && p->wait_ms ? p->wait_ms : PROBE_MIN_MS + 8 * ts->rtt;

	return (int)(w > PROBE_MAX_MS ? PROBE_MAX_MS : w);
}

/* ---- results ----------------------------------------------------------- */

static void
tls_facts(SSL *ssl, struct probe_result *r)
{
	X509 *cert;
	BIO *bio;
	GENERAL_NAMES *sans;
	const ASN1_TIME *na;
	struct tm tm;

	r->tls = 1;
	copy(r->tls_version, sizeof(r->tls_version), ossl.SSL_get_version(ssl));
	copy(r->tls_cipher, sizeof(r->tls_cipher),
	    ossl.SSL_CIPHER_get_name(ossl.SSL_get_current_cipher(ssl)));
	if ((cert = ossl.SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	if ((bio = ossl.BIO_new(ossl.BIO_s_mem())) != NULL) {
		int n;

		ossl.X509_NAME_print_ex(bio, ossl.X509_get_subject_name(cert), 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		n = ossl.BIO_read(bio, r->cert_subject,
		    sizeof(r->cert_subject) - 1);
		r->cert_subject[n > 0 ? n : 0] = '\0';
		(void)ossl.BIO_ctrl(bio, BIO_CTRL_RESET, 0, NULL); /* BIO_reset */
		ossl.X509_NAME_print_ex(bio, ossl.X509_get_issuer_name(cert), 0,
		    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		n = ossl.BIO_read(bio, r->cert_issuer,
		    sizeof(r->cert_issuer) - 1);
		r->cert_issuer[n > 0 ? n : 0] = '\0';
		ossl.BIO_free(bio);
	}
	sans = ossl.X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	/* sk_GENERAL_NAME_num and _value: inline functions over these */
	for (int i = 0; sans &&
	    i < ossl.OPENSSL_sk_num((const OPENSSL_STACK *)sans); i++) {
		const GENERAL_NAME *g = ossl.OPENSSL_sk_value(
		    (const OPENSSL_STACK *)sans, i);
		char one[128] = "";
		size_t used = strlen(r->cert_sans);

		if (g->type == GEN_DNS) {
			const unsigned char *s = ossl.ASN1_STRING_get0_data(
			    g->d.dNSName);
			int len = ossl.ASN1_STRING_length(g->d.dNSName);

			snprintf(one, sizeof(one), "DNS:%.*s",
			    len > 100 ? 100 : len, (const char *)s);
		} else if (g->type == GEN_IPADD) {
			const unsigned char *s = ossl.ASN1_STRING_get0_data(
			    g->d.iPAddress);
			int len = ossl.ASN1_STRING_length(g->d.iPAddress);
			char a[INET6_ADDRSTRLEN];

			if ((len == 4 && inet_ntop(AF_INET, s, a, sizeof(a))) ||
			    (len == 16 && inet_ntop(AF_INET6, s, a, sizeof(a))))
				snprintf(one, sizeof(one), "IP:%s", a);
		}
		if (one[0] && used + strlen(one) + 2 < sizeof(r->cert_sans))
			snprintf(r->cert_sans + used, sizeof(r->cert_sans) -
			    used, "%s%s", used ? "," : "", one);
	}
	ossl.GENERAL_NAMES_free(sans);
	na = ossl.X509_get0_notAfter(cert);
	if (na && ossl.ASN1_TIME_to_tm(na, &tm) == 1)
		strftime(r->cert_not_after, sizeof(r->cert_not_after),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
	r->cert_expired = na && ossl.X509_cmp_current_time(na) < 0;
	ossl.X509_free(cert);
}

static void
take_match(struct probe_result *r, const struct match_out *m,
    const char *probe, const char *ev)
{
	copy(r->service, sizeof(r->service), m->rule->service);
	copy(r->product, sizeof(r->product), m->product);
	copy(r->version, sizeof(r->version), m->version);
	copy(r->info, sizeof(r->info), m->info);
	copy(r->via_probe, sizeof(r->via_probe), probe);
	copy(r->evidence, sizeof(r->evidence), ev);
	r->state = m->rule->hard ? PS_HARD : PS_SOFT;
}

/* A port that never answers may still be known by its silence
 * (WireGuard drops what does not carry its key): a soft guess, said
 * as such. */
static void
silent_hint(struct engine *e, size_t t, struct probe_result *r)
{
	const struct tstate *ts = &e->ts[t];

	for (size_t i = 0; i < ts->norder; i++) {
		const struct probe_def *p = ts->order[i];

		if (p->silent == NULL || !probe_for_port(p, e->targets[t].port))
			continue;
		/* the port's name is a hint, never a wire identification:
		 * silence is what a closed port behind a dropped ICMP looks
		 * like too */
		{
			size_t k = strlen(r->info);

			snprintf(r->info + k, sizeof(r->info) - k, "%sso "
			    "would %s be, to anyone without its key",
			    k ? "; " : "", p->silent);
		}
		return;
	}
}

static void
finish_target(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];
	struct probe_result *r = &e->out[t];

	if (ts->done)
		return;
	ts->done = 1;
	close_target_conns(e, t);
	r->ms = (int32_t)(now_ms_() - ts->start);
	r->connections = ts->conns;
	if (ts->inner_kind >= 2) {
		take_match(r, &ts->inner, ts->inner_probe, ts->inner_ev);
	} else if (ts->plain_kind >= 2) {
		take_match(r, &ts->plain, ts->plain_probe, ts->plain_ev);
	} else if (ts->inner_kind == 1 || ts->plain_kind == 1) {
		r->state = PS_UNRECOGNISED;
		copy(r->evidence, sizeof(r->evidence), ts->inner_kind == 1 ?
		    ts->inner_ev : ts->plain_ev);
		copy(r->via_probe, sizeof(r->via_probe), ts->inner_kind == 1 ?
		    ts->inner_probe : ts->plain_probe);
	} else if (ts->saw_refused && !ts->saw_open) {
		r->state = PS_REFUSED;
	} else if (ts->saw_open && ts->saw_eof_empty && !r->tls) {
		r->state = PS_CLOSED_AT_ONCE;
	} else if (ts->saw_open && ts->saw_reset && !r->tls) {
		r->state = PS_RESET;
	} else if (ts->tls_error[0] && !r->tls) {
		/* it spoke TLS, then broke it (a certificate past any sane
		 * size, say): that is the answer, not silence */
		r->state = PS_ERROR;
		snprintf(r->info, sizeof(r->info), "TLS handshake failed "
		    "after the server's hello: %s", ts->tls_error);
	} else if (ts->saw_open && ts->probe_reset && !r->tls &&
	    !e->targets[t].udp) {
		r->state = PS_RESET;
		copy(r->info, sizeof(r->info), "reset after reading a probe");
	} else if (ts->saw_open || r->tls || e->targets[t].udp) {
		r->state = PS_SILENT;	/* UDP: open or filtered */
		if (e->targets[t].udp)
			copy(r->info, sizeof(r->info), ts->reprobe == 1 ?
			    "no answer, twice (once paced to the host's ICMP "
			    "rate limit): open or filtered" :
			    ts->reprobe == -1 || (e->o->udp_reprobe &&
			    !is_loopback(&e->targets[t])) ? "no answer: open "
			    "or filtered (not asked again in time: a closed "
			    "port whose ICMP was rate-limited looks alike)" :
			    "no answer: open or filtered");
		silent_hint(e, t, r);
	} else {
		r->state = PS_TIMEOUT;
	}
	/* silence is only silence when everything was asked: a target the
	 * budget cut short (probes unsent or unanswered yet, the banner
	 * wait not over) is not probed, not "silent" */
	if (e->budget_out && (r->state == PS_SILENT ||
	    r->state == PS_TIMEOUT) && !(e->targets[t].udp && ts->reprobe) &&
	    (ts->next < ts->norder || ts->inflight > 0 || ts->queued ||
	    !ts->null_silent || !ts->plain_done)) {
		int n = (int)ts->next;

		r->state = PS_UNPROBED;
		r->service[0] = r->via_probe[0] = '\0';
		snprintf(r->info, sizeof(r->info), "the time budget ran out "
		    "before it was all asked (%d of %zu probes sent)", n,
		    ts->norder);
	}
}

/* Is the target finished?  Both sides concluded, or a hard answer
 * that settles it. */
static void
maybe_finish(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];

	if (ts->done)
		return;
	if (ts->inner_kind == 3 || (ts->tls_done && ts->plain_done) ||
	    (ts->tls_done && ts->plain_kind == 3) ||
	    /* a server-first banner or a UDP answer: TLS cannot change it */
	    (ts->plain_kind == 3 && (e->targets[t].udp ||
	    strcmp(ts->plain_probe, "null") == 0)))
		finish_target(e, t);
}

/* A reply that is the probe sent back, byte for byte: an echo service,
 * whatever the probe was (an echo of "AMQP..." is not AMQP). */
static int
echoed(struct engine *e, const struct conn *c, struct match_out *m)
{
	const struct rules *r = e->o->rules;

	if (c->probe == NULL || c->probe->payload == NULL ||
	    c->len != c->probe->len ||
	    memcmp(c->buf, c->probe->payload, c->len) != 0)
		return 0;
	for (size_t i = 0; i < r->nmatches; i++)
		if (strcmp(r->matches[i].service, "echo") == 0) {
			memset(m, 0, sizeof(*m));
			m->rule = &r->matches[i];
			return 1;
		}
	return 0;
}

/* Classify what a connection received; returns the match kind. */
static int
classify(struct engine *e, struct conn *c, int inner)
{
	struct tstate *ts = &e->ts[c->t];
	const char *pname = c->asked ? c->probe->name : c->kind == CK_NULL ||
	    (c->kind == CK_TLS && c->inner == 0) ? "null" : c->probe ?
	    c->probe->name : "null";
	struct match_out m;
	int kind;
	char ev[96];

	if (c->len == 0)
		return 0;
	evidence(c->buf, c->len < 64 ? c->len : 64, ev, sizeof(ev));
	if (echoed(e, c, &m))
		kind = 3;
	else if (rules_match(e->o->rules, pname, c->buf, c->len, e->md, &m))
		kind = m.rule->hard ? 3 : 2;
	else
		kind = 1;
	/* a banner two protocols could send (a bare "220 host ready"):
	 * no answer yet, a question to ask once it is whole */
	if (kind >= 2 && m.rule->ask && !c->asked && c->kind == CK_NULL) {
		c->ask = rules_probe(e->o->rules, m.rule->ask);
		kind = 1;
	}
	/* a hard match that names no product may still be bettered by
	 * the rest of the reply (a broker's version after its CONNACK) */
	if (kind == 3 && m.product[0] == '\0' && m.version[0] == '\0' &&
	    c->idle_until > 0 && now_ms_() < c->idle_until)
		kind = 2;
	if (inner) {
		if (kind > ts->inner_kind) {
			ts->inner_kind = kind;
			ts->inner = m;
			copy(ts->inner_ev, sizeof(ts->inner_ev), ev);
			copy(ts->inner_probe, sizeof(ts->inner_probe), pname);
		}
	} else if (kind > ts->plain_kind) {
		ts->plain_kind = kind;
		ts->plain = m;
		copy(ts->plain_ev, sizeof(ts->plain_ev), ev);
		copy(ts->plain_probe, sizeof(ts->plain_probe), pname);
	}
	return kind;
}

/* ---- the client-first probes ------------------------------------------- */

static int
probe_for_port(const struct probe_def *p, uint16_t port)
{
	for (size_t i = 0; i < p->nports; i++)
		if (p->ports[i] == port)
			return 1;
	return 0;
}

static void
build_order(struct engine *e, size_t t)
{
	const struct rules *r = e->o->rules;
	struct tstate *ts = &e->ts[t];
	const struct probe_target *tg = &e->targets[t];
	enum rule_proto want = tg->udp ? RP_UDP : RP_TCP;

	ts->order = xcalloc(r->nprobes + 1, sizeof(*ts->order));
	/* this port's probes first, then the rest (TCP), in file order */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nprobes; i++) {
			const struct probe_def *p = &r->probes[i];

			if (p->proto != want || p->payload == NULL ||
			    probe_for_port(p, tg->port) != (pass == 0))
				continue;
			if (tg->udp && pass == 1 &&
			    strcmp(p->name, "udp-any") != 0 &&
			    strcmp(p->name, "dns") != 0)
				continue;	/* UDP: no spraying */
			ts->order[ts->norder++] = p;
		}
}

static void
wait_for_room(struct engine *e, size_t t)
{
	if (e->ts[t].queued)
		return;
	e->ts[t].queued = 1;
	e->waitq[(e->wq_head + e->wq_len++) % e->n] = t;
}

static void
launch_probes(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];

	while (!ts->done && ts->inflight < WAVE && ts->next < ts->norder) {
		if (conn_open(e, t, CK_PROBE, ts->order[ts->next]) == NULL) {
			if (e->no_room)
				break;
			/* this probe could not be sent (the connect failed
			 * at once): the next one */
		}
		ts->next++;
	}
	/* probes left and none in flight or fewer than a wave: it waits
	 * its turn for descriptors; the target is not settled meanwhile */
	if (!ts->done && ts->next < ts->norder && ts->inflight < WAVE &&
	    e->no_room) {
		wait_for_room(e, t);
		return;
	}
	if (!ts->done && ts->inflight == 0 && ts->next >= ts->norder &&
	    ts->null_silent) {
		ts->plain_done = 1;
		maybe_finish(e, t);
	}
}

/* The waiting targets first, in the order they came, while there is
 * room. */
static void
serve_waiting(struct engine *e)
{
	size_t k = e->wq_len;

	while (k-- > 0 && e->wq_len > 0 && e->nconns < e->cap) {
		size_t t = e->waitq[e->wq_head];

		e->wq_head = (e->wq_head + 1) % e->n;
		e->wq_len--;
		e->ts[t].queued = 0;
		if (!e->ts[t].done)
			launch_probes(e, t);
	}
}

/* Descriptors a target needs to start: its connection without a probe
 * and its TLS one; for UDP, a socket per probe, sent together. */
static int
start_need(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];

	if (!e->targets[t].udp)
		return 2;
	if (ts->order == NULL)
		build_order(e, t);
	return ts->norder < 1 ? 1 : ts->norder > (size_t)e->cap ? e->cap :
	    (int)ts->norder;
}

static void
start_target(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];
	struct conn *c;

	ts->started = 1;
	ts->start = now_ms_();
	ts->rtt = 0;
	if (ts->order == NULL)
		build_order(e, t);
	if (e->targets[t].udp) {
		ts->tls_done = 1;
		ts->null_silent = 1;
		for (size_t i = 0; i < ts->norder; i++)
			if ((c = conn_open(e, t, CK_UDP, ts->order[i])) != NULL)
				set_deadline(e, c, c->start + UDP_WAIT_MS);
		ts->next = ts->norder;
		if (ts->conns == 0) {
			ts->plain_done = 1;
			finish_target(e, t);
		}
		return;
	}
	if (conn_open(e, t, CK_NULL, NULL) == NULL) {
		ts->plain_done = ts->tls_done = 1;
		finish_target(e, t);
		return;
	}
	if (e->ctx == NULL || conn_open(e, t, CK_TLS, NULL) == NULL)
		ts->tls_done = 1;
}

/* ---- events ------------------------------------------------------------ */

static int
is_loopback(const struct probe_target *tg)
{
	static const unsigned char lo6[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (tg->family == AF_INET)
		return tg->addr[0] == 127;
	return memcmp(tg->addr, lo6, 16) == 0 || (memcmp(tg->addr, mapped,
	    12) == 0 && tg->addr[12] == 127);
}

/*
 * A UDP port that gave nothing back, no answer and no port-unreachable:
 * closed ports look so too when the host's ICMP limit dropped their
 * answer (on loopback there is no limit).  Ask once more, each such port
 * a second after the last, when the limiter would let an answer
 * through; 1 when a re-probe is under way.
 */
static int
udp_reprobe(struct engine *e, size_t t)
{
	struct tstate *ts = &e->ts[t];
	double now = now_ms_(), at;
	struct conn *c;

	if (!e->o->udp_reprobe || ts->reprobe || ts->saw_refused ||
	    ts->plain_kind || ts->norder == 0 || is_loopback(&e->targets[t]))
		return 0;
	at = e->udp_slot > now ? e->udp_slot : now;
	if (at + UDP_WAIT_MS > e->end) {
		ts->reprobe = -1;
		return 0;
	}
	if ((c = conn_open(e, t, CK_UDP, ts->order[0])) == NULL) {
		ts->reprobe = -1;
		return 0;
	}
	e->udp_slot = at + ICMP_GAP_MS;
	ts->reprobe = 1;
	c->st = CS_WAITING;
	watch(e, c, 0, EPOLL_CTL_MOD);
	set_deadline(e, c, at);
	return 1;
}

static void
conn_done(struct engine *e, struct conn *c)
{
	size_t t = c->t;
	enum ckind kind = c->kind;
	struct tstate *ts = &e->ts[t];

	conn_close(e, c);
	if (ts->done)
		return;
	if (kind == CK_TLS) {
		ts->tls_done = 1;
	} else if (kind == CK_PROBE) {
		launch_probes(e, t);
	} else if (kind == CK_NULL && !ts->null_silent) {
		/* it talked, closed or failed before the banner wait: the
		 * plain side is settled unless the probes are still to go */
		ts->plain_done = 1;
	} else if (kind == CK_UDP) {
		if (ts->inflight == 0) {
			int open = 0;

			for (int i = 0; i < e->o->max_fds; i++)
				if (e->conns[i] && e->conns[i]->t == t)
					open = 1;
			if (!open && !udp_reprobe(e, t))
				ts->plain_done = 1;
		}
	}
	maybe_finish(e, t);
}

static int
self_connected(int fd)
{
	struct sockaddr_storage a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);

	if (getsockname(fd, (struct sockaddr *)&a, &la) < 0 ||
	    getpeername(fd, (struct sockaddr *)&b, &lb) < 0)
		return 0;
	return la == lb && memcmp(&a, &b, la) == 0;
}

static void
on_connected(struct engine *e, struct conn *c)
{
	struct tstate *ts = &e->ts[c->t];
	double now = now_ms_();
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		if (err == ECONNREFUSED)
			ts->saw_refused = 1;
		else if (err == ECONNRESET || err == EPIPE) {
			/* accepted, then reset before we saw it connected */
			ts->saw_open = 1;
			if (c->kind == CK_NULL)
				ts->saw_reset = 1;
		} else if (err == ETIMEDOUT || err == EHOSTUNREACH ||
		    err == ENETUNREACH)
			ts->saw_timeout = 1;
		if (c->kind == CK_NULL) {
			ts->plain_done = ts->tls_done = 1;
			finish_target(e, c->t);
			return;
		}
		conn_done(e, c);
		return;
	}
	if (self_connected(c->fd)) {
		/* a scan of the ephemeral range can meet its own source
		 * port: TCP's simultaneous open then "connects" the socket
		 * to itself; nothing listens there */
		ts->saw_refused = 1;
		if (c->kind == CK_NULL) {
			ts->plain_done = ts->tls_done = 1;
			finish_target(e, c->t);
			return;
		}
		conn_done(e, c);
		return;
	}
	ts->saw_open = 1;
	if (c->kind == CK_NULL && ts->rtt == 0)
		ts->rtt = now - c->start;
	switch (c->kind) {
	case CK_NULL:
		c->st = CS_READING;
		set_deadline(e, c, now + banner_wait(ts));
		watch(e, c, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
		break;
	case CK_PROBE:
		c->st = CS_SENDING;
		set_deadline(e, c, now + e->o->connect_ms);
		watch(e, c, EPOLLOUT | EPOLLIN, EPOLL_CTL_MOD);
		break;
	case CK_TLS:
		c->ssl = ossl.SSL_new(e->ctx);
		if (c->ssl == NULL || ossl.SSL_set_fd(c->ssl, c->fd) != 1) {
			conn_done(e, c);
			return;
		}
		ossl.SSL_set_connect_state(c->ssl);
		c->st = CS_HANDSHAKE;
		/* a silent server is no TLS server: do not wait long */
		set_deadline(e, c, now + TLS_MIN_MS + 8 * (now - c->start));
		break;
	default:
		break;
	}
}

/*
 * A failed handshake: a server that never said a TLS hello is simply not
 * TLS; one that did and then failed (OpenSSL refusing a certificate
 * message of 2 MB as "excessive message size") has said something worth
 * reporting.  The state machine has moved past sending the ClientHello
 * exactly when the server's hello was read.
 */
static void
tls_failure(struct tstate *ts, SSL *ssl)
{
	OSSL_HANDSHAKE_STATE st = ossl.SSL_get_state(ssl);
	unsigned long code = ossl.ERR_peek_error();
	const char *why = code ? ossl.ERR_reason_error_string(code) : NULL;

	if (st == TLS_ST_BEFORE || st == TLS_ST_CW_CLNT_HELLO ||
	    st == TLS_ST_OK || ts->tls_error[0])
		return;
	copy(ts->tls_error, sizeof(ts->tls_error), why ? why :
	    "the connection ended");
}

static void
tls_step(struct engine *e, struct conn *c)
{
	struct tstate *ts = &e->ts[c->t];
	int rc, err;

	if (c->st == CS_HANDSHAKE) {
		ossl.ERR_clear_error();
		rc = ossl.SSL_do_handshake(c->ssl);
		if (rc == 1) {
			tls_facts(c->ssl, &e->out[c->t]);
			c->st = CS_READING;
			c->inner = 0;
			c->len = 0;
			set_deadline(e, c, now_ms_() + banner_wait(ts));
			watch(e, c, EPOLLIN, EPOLL_CTL_MOD);
			/* a TLS server: the plain side's answers (an HTTP 400
			 * to a plain request, say) no longer decide */
			return;
		}
		err = ossl.SSL_get_error(c->ssl, rc);
		if (err == SSL_ERROR_WANT_READ) {
			watch(e, c, EPOLLIN, EPOLL_CTL_MOD);
			return;
		}
		if (err == SSL_ERROR_WANT_WRITE) {
			watch(e, c, EPOLLOUT, EPOLL_CTL_MOD);
			return;
		}
		tls_failure(ts, c->ssl);
		conn_done(e, c);	/* not TLS, or TLS we cannot speak */
		return;
	}
	if (c->st == CS_SENDING) {
		ossl.ERR_clear_error();
		rc = ossl.SSL_write(c->ssl, c->probe->payload,
		    (int)c->probe->len);
		if (rc > 0) {
			c->st = CS_READING;
			c->len = 0;
			set_deadline(e, c, now_ms_() + reply_wait(ts, c->probe));
			watch(e, c, EPOLLIN, EPOLL_CTL_MOD);
			return;
		}
		err = ossl.SSL_get_error(c->ssl, rc);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
			watch(e, c, err == SSL_ERROR_WANT_READ ? EPOLLIN :
			    EPOLLOUT, EPOLL_CTL_MOD);
			return;
		}
		conn_done(e, c);
		return;
	}
	/* reading inside TLS */
	for (;;) {
		size_t room = e->o->reply_cap - c->len;

		if (room == 0)
			break;
		ossl.ERR_clear_error();
		rc = ossl.SSL_read(c->ssl, c->buf + c->len, (int)(room > 65536 ?
		    65536 : room));
		if (rc > 0) {
			c->len += (size_t)rc;
			set_idle(e, c, now_ms_() + IDLE_MS);
			continue;
		}
		err = ossl.SSL_get_error(c->ssl, rc);
		if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
			return;
		/* closed or failed: classify what came */
		classify(e, c, 1);
		conn_done(e, c);
		return;
	}
	if (c->len >= e->o->reply_cap) {
		classify(e, c, 1);
		conn_done(e, c);
	}
}

static void
plain_read(struct engine *e, struct conn *c)
{
	struct tstate *ts = &e->ts[c->t];

	for (;;) {
		size_t room = e->o->reply_cap - c->len;
		ssize_t n;

		if (room == 0) {
			classify(e, c, 0);
			conn_done(e, c);
			return;
		}
		n = recv(c->fd, c->buf + c->len, room, 0);
		if (n > 0) {
			c->len += (size_t)n;
			set_idle(e, c, now_ms_() + IDLE_MS);
			/* a hard match at once settles it */
			if (classify(e, c, 0) == 3) {
				conn_done(e, c);
				return;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 && errno == ECONNREFUSED) {	/* UDP: unreachable */
			ts->saw_refused = 1;
			conn_done(e, c);
			return;
		}
		if (c->len == 0) {
			/* only the listening connection can tell "closed at
			 * once": a probe may just be refused as nonsense */
			if (c->kind == CK_NULL && n == 0)
				ts->saw_eof_empty = 1;
			else if (c->kind == CK_NULL)
				ts->saw_reset = 1;
			else if (n < 0 && errno == ECONNRESET)
				ts->probe_reset = 1;
		} else {
			classify(e, c, 0);
		}
		conn_done(e, c);
		return;
	}
}

static void
plain_send(struct engine *e, struct conn *c)
{
	struct tstate *ts = &e->ts[c->t];
	ssize_t n = send(c->fd, c->probe->payload + c->sent,
	    c->probe->len - c->sent, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		if (errno == ECONNREFUSED)
			ts->saw_refused = 1;
		else
			ts->saw_reset = 1;
		conn_done(e, c);
		return;
	}
	c->sent += (size_t)n;
	if (c->sent < c->probe->len)
		return;
	c->st = CS_READING;
	set_deadline(e, c, now_ms_() + (c->kind == CK_UDP ? UDP_WAIT_MS :
	    reply_wait(ts, c->probe)));
	watch(e, c, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
}

static void
on_event(struct engine *e, struct conn *c, uint32_t ev)
{
	if (e->ts[c->t].done || c->st == CS_WAITING)
		return;
	if (c->st == CS_CONNECTING) {
		if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			on_connected(e, c);
		return;
	}
	if (c->kind == CK_TLS) {
		tls_step(e, c);
		return;
	}
	if (c->st == CS_SENDING) {
		if (ev & (EPOLLOUT | EPOLLERR))
			plain_send(e, c);
		return;
	}
	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
		plain_read(e, c);
}

/*
 * The banner is whole and its rule has a question: send it on the same
 * connection, keeping the banner, so the rules see both.  1 if asked.
 */
static int
ask_now(struct engine *e, struct conn *c)
{
	if (c->ask == NULL || c->asked || c->ask->payload == NULL ||
	    c->len >= e->o->reply_cap)
		return 0;
	c->probe = c->ask;
	c->asked = 1;
	c->sent = 0;
	c->idle_until = 0;
	c->st = CS_SENDING;
	set_deadline(e, c, now_ms_() + e->o->connect_ms);
	watch(e, c, EPOLLOUT | EPOLLIN, EPOLL_CTL_MOD);
	return 1;
}

/* A connection's time is up (or its reply went quiet). */
static void
on_deadline(struct engine *e, struct conn *c, double now)
{
	struct tstate *ts = &e->ts[c->t];

	if (c->st == CS_WAITING) {
		/* a UDP re-probe's turn: it goes out now */
		c->st = CS_SENDING;
		c->start = now;
		set_deadline(e, c, now + e->o->connect_ms);
		watch(e, c, EPOLLOUT | EPOLLIN, EPOLL_CTL_MOD);
		return;
	}
	if (c->st == CS_CONNECTING || c->st == CS_HANDSHAKE) {
		if (c->st == CS_CONNECTING)
			ts->saw_timeout = 1;
		if (c->kind == CK_NULL) {
			ts->null_silent = 1;
			ts->plain_done = ts->tls_done = 1;
			finish_target(e, c->t);
			return;
		}
		conn_done(e, c);
		return;
	}
	if (c->kind == CK_TLS) {
		if (c->len > 0 || c->inner == 1) {
			classify(e, c, 1);
			conn_done(e, c);
			return;
		}
		/* silent inside TLS: send the first probe meant for it */
		c->probe = rules_probe(e->o->rules, "http");
		if (c->probe == NULL || c->probe->payload == NULL) {
			conn_done(e, c);
			return;
		}
		c->inner = 1;
		c->st = CS_SENDING;
		set_deadline(e, c, now + e->o->connect_ms);
		tls_step(e, c);
		return;
	}
	if (c->len > 0) {
		classify(e, c, 0);
		if (ask_now(e, c))
			return;
		if (c->kind == CK_NULL)
			ts->plain_done = 1;
		conn_done(e, c);
		return;
	}
	if (c->kind == CK_NULL) {
		/* silent: the client-first probes go out, and this
		 * connection keeps listening for a late banner */
		if (!ts->null_silent) {
			ts->null_silent = 1;
			set_deadline(e, c, ts->start + e->o->connect_ms);
			launch_probes(e, c->t);
			return;
		}
		conn_done(e, c);
		return;
	}
	conn_done(e, c);
}

/* A timer came up: a reply that went quiet, or a deadline. */
static void
expire(struct engine *e, struct conn *c, double now)
{
	if (c->idle_until > 0 && c->idle_until <= now && c->len > 0) {
		int inner = c->kind == CK_TLS;

		if (classify(e, c, inner) == 3 || !inner || c->inner == 1) {
			if (!inner && ask_now(e, c))
				return;
			if (c->kind == CK_NULL)
				e->ts[c->t].plain_done = 1;
			conn_done(e, c);
			return;
		}
		c->idle_until = 0;
		return;
	}
	if (c->deadline <= now)
		on_deadline(e, c, now);
}

static void
run_loop(struct engine *e)
{
	struct epoll_event evs[128];

	for (;;) {
		double now = now_ms_(), next = e->end;
		int timeout, n;

		/* the targets waiting for descriptors first; a new target
		 * only when none waits and there is room for it */
		serve_waiting(e);
		while (e->wq_len == 0 && e->next_target < e->n &&
		    e->nconns + start_need(e, e->start_order[e->next_target]) <=
		    e->cap && now < e->end &&
		    (e->next_target < e->nudp || now >= e->tcp_from)) {
			start_target(e, e->start_order[e->next_target++]);
			if (e->next_target == e->nudp)
				e->tcp_from = now_ms_() + UDP_HEAD_MS;
		}
		if (e->nconns == 0 && e->next_target >= e->n)
			break;
		if (now >= e->end)
			break;
		if (e->nheap > 0 && e->heap[0].at < next)
			next = e->heap[0].at;
		if (e->next_target == e->nudp && e->nudp < e->n &&
		    e->tcp_from > now && e->tcp_from < next)
			next = e->tcp_from;
		timeout = next <= now ? 0 : (int)(next - now) + 1;
		n = epoll_wait(e->ep, evs, 128, timeout);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			struct conn *c = e->conns[d >> 32];

			/* a connection closed by an earlier event of this
			 * batch (its slot empty, or reused) is not touched */
			if (c != NULL && c->id == (uint32_t)d)
				on_event(e, c, evs[i].events);
		}
		now = now_ms_();
		while (e->nheap > 0 && e->heap[0].at <= now) {
			struct timer t = timer_pop(e);
			struct conn *c = e->conns[t.slot];

			if (c != NULL && c->id == t.id)
				expire(e, c, now);
		}
	}
	/* the budget ran out: what is left is settled as it stands (and
	 * what it could not finish asking says so) */
	e->budget_out = 1;
	for (size_t t = 0; t < e->n; t++) {
		if (!e->ts[t].started)
			continue;	/* stays "unprobed" */
		finish_target(e, t);
	}
}

/* How many descriptors the prober may open: max_fds, or what the
 * process's RLIMIT_NOFILE leaves beside the ones it holds (and a few
 * for OpenSSL and the resolver). */
static int
fd_room(int max_fds)
{
	struct rlimit rl;
	long open_now = 0, room;
	DIR *d;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return max_fds;
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while (readdir(d) != NULL)
			open_now++;
		closedir(d);
		open_now -= 2;		/* . and .. (the DIR's own is in the
					 * count: one spare) */
	} else {
		open_now = 16;
	}
	room = (long)rl.rlim_cur - open_now - 8;
	if (room < 2)
		room = 2;
	return room < max_fds ? (int)room : max_fds;
}

/* libssl opened (before the prober forks: it inherits it), or a note */
static int
tls_ready(void)
{
	char *why = NULL;

	if (dl_load(&ossl_lib, &why) == 0)
		return 1;
	notes_add("TLS was not tried: %s", why);
	free(why);
	return 0;
}

void
probe_run(const struct probe_target *targets, size_t n,
    const struct probe_opts *o, struct probe_result *out)
{
	struct engine e;

	memset(out, 0, n * sizeof(*out));
	memset(&e, 0, sizeof(e));
	e.o = o;
	e.targets = targets;
	e.out = out;
	e.n = n;
	e.ts = xcalloc(n ? n : 1, sizeof(*e.ts));
	e.conns = xcalloc((size_t)o->max_fds, sizeof(*e.conns));
	e.cap = fd_room(o->max_fds);
	e.waitq = xcalloc(n ? n : 1, sizeof(*e.waitq));
	e.start_order = xcalloc(n ? n : 1, sizeof(*e.start_order));
	for (int pass = 0, k = 0; pass < 2; pass++)
		for (size_t t = 0; t < n; t++)
			if (targets[t].udp == (pass == 0))
				e.start_order[k++] = t;
	for (size_t t = 0; t < n; t++)
		e.nudp += targets[t].udp != 0;
	e.ep = epoll_create1(EPOLL_CLOEXEC);
	e.md = pcre2_match_data_create(10, NULL);
	if (tls_ready() &&
	    (e.ctx = ossl.SSL_CTX_new(ossl.TLS_client_method())) != NULL) {
		/* permissive: old versions and ciphers are facts to report */
		ossl.SSL_CTX_set_verify(e.ctx, SSL_VERIFY_NONE, NULL);
		ossl.SSL_CTX_set_security_level(e.ctx, 0);
		/* SSL_CTX_set_min_proto_version(ctx, 0): any version */
		(void)ossl.SSL_CTX_ctrl(e.ctx, SSL_CTRL_SET_MIN_PROTO_VERSION,
		    0, NULL);
		(void)ossl.SSL_CTX_set_cipher_list(e.ctx, "ALL:@SECLEVEL=0");
		ossl.SSL_CTX_set_options(e.ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	}
	e.t0 = now_ms_();
	e.end = e.t0 + o->budget_ms;
	if (e.ep >= 0 && e.md)
		run_loop(&e);
	for (int i = 0; i < o->max_fds; i++)
		if (e.conns[i])
			conn_close(&e, e.conns[i]);
	for (size_t t = 0; t < n; t++)
		free(e.ts[t].order);
	if (e.ctx)
		ossl.SSL_CTX_free(e.ctx);
	pcre2_match_data_free(e.md);
	if (e.ep >= 0)
		close(e.ep);
	free(e.ts);
	free(e.conns);
	free(e.waitq);
	free(e.start_order);
	free(e.heap);
	/* Every result leaves here clean, whichever path ran it: a
	 * certificate's CN holding U+009B must not reach a terminal from an
	 * unprivileged run either.  (The isolated path checks again in the
	 * parent: what crosses the pipe is untrusted.) */
	for (size_t t = 0; t < n; t++)
		probe_result_sanitize(&out[t]);
}

/* ---- the unprivileged prober ------------------------------------------- */

static void
clean_str(char *s, size_t sz)
{
	s[sz - 1] = '\0';
	for (size_t i = 0; s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			s[i] = '?';
}

void
probe_result_sanitize(struct probe_result *r)
{
#define C(f) clean_str(r->f, sizeof(r->f))
	C(service); C(product); C(version); C(info); C(via_probe);
	C(tls_version); C(tls_cipher); C(cert_subject); C(cert_issuer);
	C(cert_sans); C(cert_not_after); C(evidence);
#undef C
	if (r->state < PS_UNPROBED || r->state > PS_ERROR)
		r->state = PS_ERROR;
	r->tls = r->tls != 0;
	r->cert_expired = r->cert_expired != 0;
	if (r->ms < 0)
		r->ms = 0;
	if (r->connections < 0)
		r->connections = 0;
}

static int
drop_privileges(uid_t uid, gid_t gid)
{
	struct rlimit rl = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &rl);
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	/* it must not be possible to get root back */
	if (geteuid() == 0 || getuid() == 0 || setuid(0) == 0)
		return -1;
	return 0;
}

int
probe_run_isolated(const struct probe_target *targets, size_t n,
    const struct probe_opts *o, struct probe_result *out, char **cause)
{
	struct passwd *pw;
	uid_t uid = 65534;
	gid_t gid = 65534;
	size_t want = n * sizeof(*out), got = 0;
	int p[2], status = 0;
	pid_t pid, parent;
	double end;

	*cause = NULL;
	if (geteuid() != 0) {
		if (o->netns_fd >= 0) {
			*cause = xstrdup("probing inside another network "
			    "namespace needs root");
			return -1;
		}
		probe_run(targets, n, o, out);
		return 0;
	}
	(void)tls_ready();
	if ((pw = getpwnam("nobody")) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		*cause = xasprintf("cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		*cause = xasprintf("cannot fork the prober: %s",
		    strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		struct probe_result *res;
		size_t off = 0;

		close(p[0]);
		/* the namespace first: entering one needs the privileges the
		 * next line gives up for good */
		if (o->netns_fd >= 0 && setns(o->netns_fd, CLONE_NEWNET) < 0)
			_exit(5);
		if (drop_privileges(uid, gid) < 0)
			_exit(3);
		/* the parent gone (a check's timeout, a kill), the prober
		 * goes too (set after the credentials change, which clears
		 * it) */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(6);
		res = xcalloc(n ? n : 1, sizeof(*res));
		probe_run(targets, n, o, res);
		while (off < want) {
			ssize_t w = write(p[1], (char *)res + off, want - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				_exit(4);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	memset(out, 0, want);
	end = now_ms_() + o->budget_ms + 5000;
	while (got < want) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		double left = end - now_ms_();
		ssize_t r;

		if (left <= 0 || poll(&pf, 1, (int)left) <= 0) {
			if (left <= 0 || errno != EINTR)
				break;
			continue;
		}
		r = read(p[0], (char *)out + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(p[0]);
	if (got < want)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got < want) {
		memset(out, 0, want);
		*cause = xasprintf("the prober %s", WIFEXITED(status) &&
		    WEXITSTATUS(status) == 3 ? "could not drop its privileges" :
		    WIFEXITED(status) && WEXITSTATUS(status) == 5 ?
		    "could not enter the network namespace" :
		    WIFSIGNALED(status) ? "was stopped (time budget) or crashed" :
		    "returned no results");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		probe_result_sanitize(&out[i]);
	return 0;
}
