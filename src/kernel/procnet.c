/*
 * procnet.c - the /proc/net socket tables, parsed defensively.
 *
 * Line format (after a header line):
 *   "  sl  local_address rem_address   st tx_queue:rx_queue ... uid timeout inode ..."
 * Addresses are hex words printed in host byte order: 8 digits for IPv4,
 * 32 for IPv6 (four 32-bit words).  Any line that does not match exactly
 * is skipped and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "kernel/procnet.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

/* /proc/net/tcp of a host with a million sockets is ~150 MB; cap higher. */
#define PROCNET_MAX	(512u << 20)

const char *
procnet_file(enum ps_proto proto, int v6)
{
	static const char *names[PROTO_COUNT][2] = {
		[PROTO_TCP] = { "tcp", "tcp6" },
		[PROTO_UDP] = { "udp", "udp6" },
		[PROTO_UDPLITE] = { "udplite", "udplite6" },
		[PROTO_RAW] = { "raw", "raw6" },
		[PROTO_SCTP] = { "sctp/eps", "sctp/eps" },
	};

	if ((unsigned)proto >= PROTO_COUNT)
		return NULL;
	return names[proto][v6 ? 1 : 0];
}

/* Next blank-separated field of [*p, end); returns its length, 0 at end. */
static size_t
next_field(const char **p, const char *end, const char **start)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*start = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*p = s;
	return (size_t)(s - *start);
}

/* "HEX:PORT" with 8 or 32 hex address digits. */
static int
parse_endpoint(const char *f, size_t n, int v6, uint8_t addr[16],
    uint16_t *port)
{
	size_t alen = v6 ? 32 : 8, i;
	uint64_t v;

	if (n != alen + 5 || f[alen] != ':')
		return -1;
	for (i = 0; i < alen / 8; i++) {
		uint32_t w;

		if (num_parse_u64(f + i * 8, 8, 16, 0, UINT32_MAX, &v) != 0)
			return -1;
		w = (uint32_t)v;
		memcpy(addr + i * 4, &w, 4);	/* host order restores bytes */
	}
	if (num_parse_u64(f + alen + 1, 4, 16, 0, UINT16_MAX, &v) != 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int
parse_line(const char *p, const char *end, enum ps_proto proto, int v6,
    struct sock_rec *r)
{
	const char *f;
	size_t n;
	uint64_t v;

	memset(r, 0, sizeof(*r));
	/* sl */
	n = next_field(&p, end, &f);
	if (n < 2 || f[n - 1] != ':' ||
	    num_parse_u64(f, n - 1, 10, 0, UINT64_MAX, &v) != 0)
		return -1;
	n = next_field(&p, end, &f);
	if (parse_endpoint(f, n, v6, r->laddr, &r->lport) != 0)
		return -1;
	n = next_field(&p, end, &f);
	if (parse_endpoint(f, n, v6, r->raddr, &r->rport) != 0)
		return -1;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 16, 1, ST_MAX - 1, &v) != 0)
		return -1;
	r->state = (uint8_t)v;
	/* tx_queue:rx_queue */
	n = next_field(&p, end, &f);
	if (n != 17 || f[8] != ':' ||
	    num_parse_u64(f, 8, 16, 0, UINT32_MAX, &v) != 0)
		return -1;
	r->wqueue = (uint32_t)v;
	if (num_parse_u64(f + 9, 8, 16, 0, UINT32_MAX, &v) != 0)
		return -1;
	r->rqueue = (uint32_t)v;
	/* tr:tm->when, retrnsmt */
	if (next_field(&p, end, &f) == 0 || next_field(&p, end, &f) == 0)
		return -1;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 0, UINT32_MAX, &v) != 0)
		return -1;
	r->uid = (uint32_t)v;
	/* timeout */
	if (next_field(&p, end, &f) == 0)
		return -1;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 0, UINT64_MAX, &v) != 0)
		return -1;
	r->inode = v;
	r->proto = (uint8_t)proto;
	r->family = v6 ? AF_INET6 : AF_INET;
	r->v6only = -1;
	r->source = SRC_PROCFS;
	return 0;
}

/*
 * One line of /proc/net/sctp/eps (listening endpoints):
 *   "ENDPT SOCK STY SST HBKT LPORT UID INODE LADDRS..."
 * The family is that of the first local address ("*" marks the primary
 * one); an endpoint of the other family is skipped, not malformed.
 * Returns 0, 1 to skip, -1 when malformed.
 */
static int
parse_sctp_line(const char *p, const char *end, int v6, struct sock_rec *r)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *f;
	size_t n;
	uint64_t v;
	int i, fam;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 3; i++)		/* ENDPT, SOCK, STY */
		if (next_field(&p, end, &f) == 0)
			return -1;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 1, ST_MAX - 1, &v) != 0)
		return -1;
	r->state = (uint8_t)v;
	if (next_field(&p, end, &f) == 0)	/* HBKT */
		return -1;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 0, UINT16_MAX, &v) != 0)
		return -1;
	r->lport = (uint16_t)v;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 0, UINT32_MAX, &v) != 0)
		return -1;
	r->uid = (uint32_t)v;
	n = next_field(&p, end, &f);
	if (num_parse_u64(f, n, 10, 0, UINT64_MAX, &v) != 0)
		return -1;
	r->inode = v;
	n = next_field(&p, end, &f);
	if (n > 0 && *f == '*') {
		f++;
		n--;
	}
	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, f, n);
	addr[n] = '\0';
	fam = memchr(addr, ':', n) ? AF_INET6 : AF_INET;
	if (inet_pton(fam, addr, r->laddr) != 1)
		return -1;
	if ((fam == AF_INET6) != (v6 != 0))
		return 1;
	r->proto = PROTO_SCTP;
	r->family = (uint8_t)fam;
	r->v6only = -1;
	r->source = SRC_PROCFS;
	return 0;
}

size_t
procnet_parse(const char *text, size_t len, enum ps_proto proto, int v6,
    uint32_t states, struct socklist *out, unsigned int *malformed)
{
	const char *p = text, *end = text + len;
	size_t added = 0;
	int first = 1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct sock_rec r;

		if (first) {
			first = 0;	/* the header line */
		} else if (eol > p) {
			int rc = proto == PROTO_SCTP ?
			    parse_sctp_line(p, eol, v6, &r) :
			    parse_line(p, eol, proto, v6, &r);

			if (rc < 0)
				(*malformed)++;
			else if (rc == 0 && (states & STATE_BIT(r.state))) {
				*socklist_add(out) = r;
				added++;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return added;
}

int
procnet_read(const char *dir, enum ps_proto proto, int v6, uint32_t states,
    struct socklist *out, unsigned int *malformed)
{
	const char *name = procnet_file(proto, v6);
	struct strbuf sb;
	char path[320];

	if (name == NULL) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	strbuf_init(&sb, PROCNET_MAX);
	if (sysroot_read(path, PROCNET_MAX, &sb) < 0) {
		int saved = errno;

		strbuf_release(&sb);
		errno = saved;
		return -1;
	}
	if (sb.truncated)
		(*malformed)++;	/* the tail is lost: count it, do not hide it */
	procnet_parse(strbuf_str(&sb), sb.len, proto, v6, states, out,
	    malformed);
	strbuf_release(&sb);
	return 0;
}

void
procnet_parse_inodes(const char *text, size_t len, int col, uint64_t **out,
    size_t *n)
{
	const char *p = text, *end = text + len;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	/* the first line is the header */
	p = memchr(p, '\n', len);
	while (p && ++p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *q = p;
		int field = 0;

		while (q < eol) {
			const char *f;
			uint64_t ino;

			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			f = q;
			while (q < eol && *q != ' ' && *q != '\t')
				q++;
			if (q > f && ++field == col) {
				if (num_parse_u64(f, (size_t)(q - f), 10, 1,
				    UINT64_MAX, &ino) == 0) {
					xgrow((void **)out, &cap, *n + 1,
					    sizeof(**out));
					(*out)[(*n)++] = ino;
				}
				break;
			}
		}
		p = nl;
	}
}
