/*
 * exposure.c - the exposure verdict.
 *
 * Order of reasoning: a v4-mapped IPv6 address is judged as the IPv4
 * address it carries; loopback wins over everything (a loopback address is
 * unreachable from outside even on a device-bound socket); then wildcard
 * addresses (narrowed by SO_BINDTODEVICE and IPV6_V6ONLY); then link-local
 * (its scope is the bound device); then multicast; then the interface that
 * holds the exact address, if any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "model/exposure.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
is_zero(const uint8_t *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i])
			return 0;
	return 1;
}

/* out->text = a b c, truncated to fit; no printf on the per-socket path. */
static void
say(struct exposure *out, const char *a, const char *b, const char *c)
{
	const char *parts[3] = { a, b, c };
	size_t used = 0, i;

	for (i = 0; i < 3; i++) {
		size_t n = strlen(parts[i]);

		if (n > sizeof(out->text) - 1 - used)
			n = sizeof(out->text) - 1 - used;
		memcpy(out->text + used, parts[i], n);
		used += n;
	}
	out->text[used] = '\0';
}

const char *
exposure_kind_name(enum exposure_kind k)
{
	switch (k) {
	case EXP_LOOPBACK:
		return "loopback";
	case EXP_ADDRESS:
		return "address";
	case EXP_LINKLOCAL:
		return "link-local";
	case EXP_DEVICE:
		return "device";
	case EXP_ALL:
		return "all";
	case EXP_MULTICAST:
		return "multicast";
	case EXP_NONLOCAL:
		return "nonlocal";
	}
	return "?";
}

void
exposure_compute(const struct sock_rec *s, const struct ifaces *ifs,
    struct exposure *out)
{
	const uint8_t *a = s->laddr;
	int family = s->family;
	const char *dev = s->bound_if ? ifaces_name(ifs, s->bound_if) : NULL;
	const struct iface_addr *ia;
	char devbuf[24];

	memset(out, 0, sizeof(*out));
	if (s->bound_if && dev == NULL) {
		snprintf(devbuf, sizeof(devbuf), "if%u", s->bound_if);
		dev = devbuf;	/* only used to format text below */
	}
	if (family == AF_INET6 && memcmp(a, v4mapped_prefix, 12) == 0 &&
	    !is_zero(a + 12, 4)) {
		a += 12;
		family = AF_INET;
	}
	out->v4 = family == AF_INET;
	out->v6 = family == AF_INET6;

	if ((family == AF_INET && a[0] == 127) ||
	    (family == AF_INET6 && is_zero(a, 15) && a[15] == 1)) {
		out->kind = EXP_LOOPBACK;
		say(out, "loopback only", "", "");
		return;
	}
	if (is_zero(a, family == AF_INET ? 4 : 16)) {
		const char *fam;

		if (family == AF_INET)
			fam = "IPv4";
		else if (s->v6only == 1)
			fam = "IPv6 only";
		else if (s->v6only == 0) {
			fam = "IPv4+IPv6";
			out->v4 = 1;
		} else
			fam = "IPv6, IPv4 unless v6only";
		if (s->bound_if) {
			out->kind = EXP_DEVICE;
			out->ifname = s->bound_if ? ifaces_name(ifs, s->bound_if) :
			    NULL;
			snprintf(out->text, sizeof(out->text),
			    "device %s only (%s)", dev, fam);
		} else {
			out->kind = EXP_ALL;
			say(out, "all interfaces (", fam, ")");
		}
		return;
	}
	if (family == AF_INET6 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
		out->kind = EXP_LINKLOCAL;
		out->ifname = s->bound_if ? ifaces_name(ifs, s->bound_if) : NULL;
		snprintf(out->text, sizeof(out->text), "link-local on %s",
		    dev ? dev : "unknown link");
		return;
	}
	if ((family == AF_INET && (a[0] & 0xf0) == 0xe0) ||
	    (family == AF_INET6 && a[0] == 0xff)) {
		out->kind = EXP_MULTICAST;
		out->ifname = s->bound_if ? ifaces_name(ifs, s->bound_if) : NULL;
		if (dev)
			snprintf(out->text, sizeof(out->text),
			    "multicast group on %s", dev);
		else
			snprintf(out->text, sizeof(out->text),
			    "multicast group, joined interfaces");
		return;
	}
	if ((ia = ifaces_find_addr(ifs, family, a)) != NULL) {
		const char *name = ifaces_name(ifs, ia->index);

		out->kind = EXP_ADDRESS;
		out->ifname = name;
		if (name)
			say(out, "one address on ", name,
			    s->bound_if ? " (device-bound)" : "");
		else
			snprintf(out->text, sizeof(out->text),
			    "one address on interface %u", ia->index);
		return;
	}
	if (!(family == AF_INET ? ifs->have4 : ifs->have6)) {
		/* no address table for this family: do not guess */
		out->kind = EXP_ADDRESS;
		snprintf(out->text, sizeof(out->text),
		    "one address (interface unknown)");
		return;
	}
	out->kind = EXP_NONLOCAL;
	snprintf(out->text, sizeof(out->text),
	    "address on no interface (freebind/nonlocal)");
}

static size_t
view_hash(enum exposure_kind kind, const char *ifname, const char *p)
{
	size_t h = 14695981039346656037ULL ^ (size_t)kind;

	h = (h ^ (size_t)(uintptr_t)ifname) * 1099511628211ULL;
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static void
texts_grow(struct exposure_texts *t)
{
	size_t size = t->slots ? (t->mask + 1) * 2 : 16;
	struct exposure_view **slots = xcalloc(size, sizeof(*slots));

	for (size_t i = 0; t->slots && i <= t->mask; i++) {
		const struct exposure_view *v = t->slots[i];
		size_t h;

		if (v == NULL)
			continue;
		for (h = view_hash(v->kind, v->ifname, v->text) & (size - 1);
		    slots[h]; h = (h + 1) & (size - 1))
			;
		slots[h] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = size - 1;
}

const struct exposure_view *
exposure_keep(struct exposure_texts *t, const struct exposure *e)
{
	struct exposure_view *v;
	size_t h, len;

	if (t->slots == NULL || (t->n + 1) * 2 > t->mask + 1)
		texts_grow(t);
	for (h = view_hash(e->kind, e->ifname, e->text) & t->mask;
	    (v = t->slots[h]) != NULL; h = (h + 1) & t->mask)
		if (v->kind == e->kind && v->ifname == e->ifname &&
		    strcmp(v->text, e->text) == 0)
			return v;
	/* the text right after the record, in the same allocation */
	len = strnlen(e->text, sizeof(e->text) - 1);
	v = xmalloc(sizeof(*v) + len + 1);
	v->kind = e->kind;
	v->ifname = e->ifname;
	memcpy((char *)(v + 1), e->text, len);
	((char *)(v + 1))[len] = '\0';
	v->text = (const char *)(v + 1);
	t->slots[h] = v;
	t->n++;
	return v;
}

void
exposure_texts_release(struct exposure_texts *t)
{
	for (size_t i = 0; t->slots && i <= t->mask; i++)
		free(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
