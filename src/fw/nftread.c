/*
 * nftread.c - one read of each namespace's packet filter.
 *
 * The evaluator's ruleset comes from netlink through libnftnl
 * (fw/nftnl); the NAT join reads libnftables' JSON (the kernel's own
 * rule reader, the one nft(8) is built on, printing the documented JSON
 * of libnftables-json(5)), which costs more: it is asked for only when
 * the join is made.  Both answer for the namespace of the thread that
 * asks, so a thread enters the namespace, reads, and comes back, as
 * kernel/nlio does for sock_diag.
 *
 * Legacy iptables (the ip_tables module, not nf_tables) keeps its own
 * tables, which libnftables does not see.  The tables a namespace has
 * are listed in /proc/net/ip_tables_names (read through the thread's
 * own /proc/thread-self/net); each listed one is asked for its size and
 * entries with the same getsockopt calls iptables-legacy makes, so its
 * policies are known and its rules counted.  A table not listed is
 * never asked for: asking would load its module.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include <nftables/libnftables.h>

#include "fw/nftnl.h"
#include "fw/nftread.h"
#include "fw/ruleset.h"
#include "kernel/netns.h"
#include "model/listing.h"
#include "util/dl.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RULESET_MAX	(64u << 20)	/* JSON of a ruleset, at most */
#define LEGACY_MAX	(16u << 20)	/* a legacy table's entries, at most */
#define LEGACY_TABLES	8

/* libnftables, opened for the first ruleset (util/dl.h) */
static struct {
	__typeof__(nft_ctx_new)			*nft_ctx_new;
	__typeof__(nft_ctx_free)		*nft_ctx_free;
	__typeof__(nft_ctx_output_set_flags)	*nft_ctx_output_set_flags;
	__typeof__(nft_ctx_buffer_output)	*nft_ctx_buffer_output;
	__typeof__(nft_ctx_buffer_error)	*nft_ctx_buffer_error;
	__typeof__(nft_run_cmd_from_buffer)	*nft_run_cmd_from_buffer;
	__typeof__(nft_ctx_get_error_buffer)	*nft_ctx_get_error_buffer;
	__typeof__(nft_ctx_get_output_buffer)	*nft_ctx_get_output_buffer;
} nft;
static const struct dl_sym nft_syms[] = {
	DL_SYM(nft, nft_ctx_new),
	DL_SYM(nft, nft_ctx_free),
	DL_SYM(nft, nft_ctx_output_set_flags),
	DL_SYM(nft, nft_ctx_buffer_output),
	DL_SYM(nft, nft_ctx_buffer_error),
	DL_SYM(nft, nft_run_cmd_from_buffer),
	DL_SYM(nft, nft_ctx_get_error_buffer),
	DL_SYM(nft, nft_ctx_get_output_buffer),
};
static struct dl_lib nft_lib = DL_LIB(PS_SONAME_NFTABLES, nft_syms);

/* `list ruleset` as JSON, from the namespace this thread is in. */
static char *
list_ruleset(size_t *len, char **cause)
{
	struct nft_ctx *ctx;
	const char *buf;
	char *res = NULL;

	if (dl_load(&nft_lib, cause) != 0)
		return NULL;
	if ((ctx = nft.nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		*cause = xstrdup("libnftables: cannot make a context");
		return NULL;
	}
	nft.nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	if (nft.nft_ctx_buffer_output(ctx) != 0 ||
	    nft.nft_ctx_buffer_error(ctx) != 0 ||
	    nft.nft_run_cmd_from_buffer(ctx, "list ruleset") != 0) {
		const char *e = nft.nft_ctx_get_error_buffer(ctx);

		*cause = xasprintf("libnftables: cannot list the ruleset%s%.200s",
		    e && *e ? ": " : "", e ? e : "");
		nft.nft_ctx_free(ctx);
		return NULL;
	}
	buf = nft.nft_ctx_get_output_buffer(ctx);
	if (buf && (*len = strlen(buf)) < RULESET_MAX)
		res = xstrdup(buf);
	else
		*cause = xstrdup("libnftables: the ruleset is too large");
	nft.nft_ctx_free(ctx);
	return res;
}

size_t
legacy_parse_names(const char *text, size_t len, char names[][32], size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		size_t k = 0;
		int ok = 1;

		while (i < len && text[i] != '\n') {
			char c = text[i++];

			if (k >= 31 || !((c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '_'))
				ok = 0;
			else
				names[n][k++] = c;
		}
		i++;
		if (ok && k > 0) {
			names[n][k] = '\0';
			n++;
		}
	}
	return n;
}

/*
 * One legacy table's hooks, policies and rule count.  The entries are
 * walked by their own offsets, each checked against the blob's size.
 */
static void
legacy_read(int family, const char *name, struct legacy_table *t)
{
	int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_RAW |
	    SOCK_CLOEXEC, IPPROTO_RAW);
	struct ipt_getinfo info;
	socklen_t sl = sizeof(info);
	unsigned int nhooks = 0;

	memset(t, 0, sizeof(*t));
	t->family = family;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->unread = 1;
	if (fd < 0)
		return;
	/* ip6t_getinfo has the same layout as ipt_getinfo */
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	if (getsockopt(fd, family == 4 ? IPPROTO_IP : IPPROTO_IPV6,
	    family == 4 ? IPT_SO_GET_INFO : IP6T_SO_GET_INFO, &info, &sl) < 0 ||
	    info.size > LEGACY_MAX) {
		close(fd);
		return;
	}
	t->hooks = info.valid_hooks & 0x1f;
	for (int h = 0; h < 5; h++)
		if (t->hooks & (1u << h))
			nhooks++;
	/* an empty table: one policy entry per hook and the end marker */
	t->rules = info.num_entries > nhooks + 1 ?
	    info.num_entries - nhooks - 1 : 0;
	{
		size_t sz = sizeof(struct ipt_get_entries) + info.size;
		struct ipt_get_entries *e = xcalloc(1, sz);
		socklen_t esl = (socklen_t)sz;

		snprintf(e->name, sizeof(e->name), "%s", name);
		e->size = info.size;
		if (getsockopt(fd, family == 4 ? IPPROTO_IP : IPPROTO_IPV6,
		    family == 4 ? IPT_SO_GET_ENTRIES : IP6T_SO_GET_ENTRIES, e,
		    &esl) == 0) {
			const unsigned char *base =
			    (const unsigned char *)e->entrytable;

			t->unread = 0;
			for (int h = 0; h < 5; h++) {
				size_t off = info.underflow[h], toff;
				const struct xt_standard_target *st;
				size_t esz = family == 4 ?
				    sizeof(struct ipt_entry) :
				    sizeof(struct ip6t_entry);
				int verdict;

				if (!(t->hooks & (1u << h)))
					continue;
				if (off + esz > info.size) {
					t->unread = 1;
					continue;
				}
				if (family == 4) {
					struct ipt_entry ie;

					memcpy(&ie, base + off, sizeof(ie));
					toff = ie.target_offset;
				} else {
					struct ip6t_entry ie;

					memcpy(&ie, base + off, sizeof(ie));
					toff = ie.target_offset;
				}
				if (off + toff + sizeof(*st) > info.size) {
					t->unread = 1;
					continue;
				}
				st = (const void *)(base + off + toff);
				memcpy(&verdict, &st->verdict, sizeof(verdict));
				if (verdict == -NF_DROP - 1)
					t->policy_drop |= 1u << h;
			}
		}
		free(e);
	}
	close(fd);
}

static void
legacy_scan(struct nft_text *out)
{
	static const char *const files[2] = {
		"/proc/thread-self/net/ip_tables_names",
		"/proc/thread-self/net/ip6_tables_names" };
	struct strbuf sb;

	strbuf_init(&sb, 4096);
	for (int f = 0; f < 2; f++) {
		char names[LEGACY_TABLES][32];
		size_t n;

		/* the live file, not under --root: the kernel's own list */
		int fd = open(files[f], O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (read_fd_capped(fd, 4096, &sb) < 0) {
			close(fd);
			continue;
		}
		close(fd);
		n = legacy_parse_names(sb.buf, sb.len, names, LEGACY_TABLES);
		for (size_t i = 0; i < n; i++) {
			out->legacy = xreallocarray(out->legacy,
			    out->nlegacy + 1, sizeof(*out->legacy));
			legacy_read(f == 0 ? 4 : 6, names[i],
			    &out->legacy[out->nlegacy++]);
		}
	}
	strbuf_release(&sb);
}

int
nft_read_ns(int netns_fd, unsigned int want, struct nft_text *out,
    char **cause)
{
	char *xcause = NULL;
	int self = -1;

	memset(out, 0, sizeof(*out));
	*cause = NULL;
	if (netns_fd >= 0) {
		if ((self = open("/proc/thread-self/ns/net", O_RDONLY |
		    O_CLOEXEC)) < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
			*cause = xasprintf("cannot enter the namespace: %s",
			    strerror(errno));
			if (self >= 0)
				close(self);
			return -1;
		}
	}
	if (want & NFT_WANT_RULES) {
		out->rules = xcalloc(1, sizeof(*out->rules));
		if (fw_ruleset_read_netlink(out->rules, cause) < 0) {
			free(out->rules);
			out->rules = NULL;
		}
	}
	if ((want & NFT_WANT_JSON) && *cause == NULL) {
		out->json = list_ruleset(&out->len, cause);
		/* the compat targets' arguments, in the same namespace:
		 * the JSON leaves them out */
		if (out->json && xt_blobs_read(&out->xt, &out->nxt,
		    &xcause) < 0)
			free(xcause);
	}
	if (*cause == NULL)
		legacy_scan(out);
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0) {
			fprintf(stderr, "portsleuth: cannot return to its own "
			    "network namespace: %s\n", strerror(errno));
			_exit(2);
		}
		close(self);
	}
	if (*cause)
		return -1;
	out->read = 1;
	return 0;
}

void
nft_text_release(struct nft_text *t)
{
	if (t->rules) {
		fw_ruleset_release(t->rules);
		free(t->rules);
	}
	free(t->json);
	xt_blobs_free(t->xt, t->nxt);
	free(t->legacy);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

static void *
prefetch_main(void *arg)
{
	struct nft_prefetch *p = arg;
	double t0 = now_ms();

	p->rc = nft_read_ns(-1, p->want, &p->out, &p->cause);
	p->ms = now_ms() - t0;
	return NULL;
}

void
nft_prefetch_start(struct nft_prefetch *p, unsigned int want)
{
	pthread_t tid;

	memset(p, 0, sizeof(*p));
	p->want = want;
	if (pthread_create(&tid, NULL, prefetch_main, p) == 0) {
		p->started = 1;
		p->tid = (unsigned long)tid;
	}
}

/* The prefetched read, finished; 0 when there is none. */
static int
prefetch_join(struct nft_prefetch *pre)
{
	double t0;

	if (pre == NULL || !pre->started)
		return 0;
	t0 = now_ms();
	pthread_join((pthread_t)pre->tid, NULL);
	pre->waited = now_ms() - t0;
	pre->started = 0;
	return 1;
}

void
nft_prefetch_drop(struct nft_prefetch *pre)
{
	if (prefetch_join(pre)) {
		nft_text_release(&pre->out);
		free(pre->cause);
		pre->cause = NULL;
	}
}

/*
 * Namespace 0 from the prefetch when it read what is wanted (the rest,
 * the JSON for the NAT join, read now): 0, -1 with *cause, or 1 when
 * there was no prefetch to take.
 */
static int
take_prefetch(struct nft_prefetch *pre, unsigned int want,
    struct nft_text *out, char **cause)
{
	struct nft_text more;

	if (pre == NULL || !pre->started || (pre->want & want) == 0)
		return 1;
	prefetch_join(pre);
	*out = pre->out;
	memset(&pre->out, 0, sizeof(pre->out));
	*cause = pre->cause;
	pre->cause = NULL;
	if (pre->rc < 0)
		return -1;
	want &= ~pre->want;
	if (want == 0)
		return 0;
	if (nft_read_ns(-1, want, &more, cause) < 0) {
		nft_text_release(out);
		return -1;
	}
	out->json = more.json;
	out->len = more.len;
	out->xt = more.xt;
	out->nxt = more.nxt;
	more.json = NULL;
	more.xt = NULL;
	more.nxt = 0;
	nft_text_release(&more);
	return 0;
}

void
fw_sources_read(struct fw_sources *src, const struct listing *l,
    unsigned int want, struct nft_prefetch *pre)
{
	memset(src, 0, sizeof(*src));
	src->n = l->nets.n;
	src->ns = xcalloc(src->n ? src->n : 1, sizeof(*src->ns));
	for (size_t i = 0; i < l->nets.n; i++) {
		const struct ifaces *ifs = i == 0 ? &l->ifs : &l->nsv[i].ifs;
		char *cause = NULL;
		int fd = -1, outward = 0;

		if (!l->nsv[i].entered)
			continue;
		for (size_t k = 0; k < ifs->nlinks && !outward; k++)
			outward = !(ifs->links[k].flags & IFF_LOOPBACK);
		if (!outward)
			continue;
		if (i > 0 && (fd = netns_open(&l->nets.v[i], &cause)) < 0) {
			src->failed++;
			src->ns[i].error = cause;
			if (src->first_error == NULL)
				src->first_error = xstrdup(cause);
			continue;
		}
		if ((i == 0 ? take_prefetch(pre, want, &src->ns[i], &cause) :
		    1) < 0 || (cause == NULL && !src->ns[i].read &&
		    nft_read_ns(fd, want, &src->ns[i], &cause) < 0)) {
			src->failed++;
			src->ns[i].error = cause;
			if (src->first_error == NULL)
				src->first_error = xstrdup(cause);
		} else
			src->read++;
		if (fd >= 0)
			close(fd);
	}
	/* not taken (its namespace is not read): joined all the same */
	nft_prefetch_drop(pre);
}

void
fw_sources_release(struct fw_sources *src)
{
	for (size_t i = 0; i < src->n; i++)
		nft_text_release(&src->ns[i]);
	free(src->ns);
	free(src->first_error);
	memset(src, 0, sizeof(*src));
}
