/*
 * diff.c - pairing baseline and current listeners (see diff.h).
 */
#include <stdlib.h>
#include <string.h>

#include "drift/diff.h"
#include "util/xmalloc.h"
#include "util/banned.h"

const char *
change_kind_key(enum change_kind k)
{
	static const char *const keys[] = { "new", "gone", "changed" };

	return (unsigned)k <= CH_CHANGED ? keys[k] : "?";
}

static int
same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* The fields a pass pairs on, in order. */
static const enum drift_field pass_keys[3][DF_IDENTITY_END + 1] = {
	{ DF_NETNS, DF_PROTO, DF_FAMILY, DF_ADDRESS, DF_PORT, DF_PROGRAM,
	  DF_UNIT, DF_COUNT },
	{ DF_NETNS, DF_PROTO, DF_FAMILY, DF_ADDRESS, DF_PORT, DF_COUNT },
	{ DF_NETNS, DF_PROTO, DF_PORT, DF_PROGRAM, DF_COUNT },
};

static int
key_cmp(const struct drift_rec *a, const struct drift_rec *b, int pass)
{
	for (int i = 0; pass_keys[pass][i] != DF_COUNT; i++) {
		enum drift_field f = pass_keys[pass][i];
		int c;

		if (f == DF_PORT) {
			c = (a->port > b->port) - (a->port < b->port);
		} else {
			c = str_cmp(a->f[f], b->f[f]);
		}
		if (c)
			return c;
	}
	return 0;
}

static int
ptr_cmp(const void *x, const void *y, void *pass)
{
	const struct drift_rec *a = *(const struct drift_rec *const *)x;
	const struct drift_rec *b = *(const struct drift_rec *const *)y;
	int c = key_cmp(a, b, *(const int *)pass);

	/* then the attributes, so that equal ones meet first */
	for (int f = 0; c == 0 && f < DF_COUNT; f++)
		c = str_cmp(a->f[f], b->f[f]);
	return c;
}

/* Does after have an "... open" path that before did not have open? */
static int
firewall_opened(const char *before, const char *after)
{
	const char *p = after;

	while (p && *p) {
		const char *end = strstr(p, "; ");
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *q = before;

		if (n > 5 && memcmp(p + n - 5, " open", 5) == 0) {
			int had = 0;

			while (q && *q && !had) {
				const char *qe = strstr(q, "; ");
				size_t m = qe ? (size_t)(qe - q) : strlen(q);

				had = m == n && memcmp(p, q, n) == 0;
				q = qe ? qe + 2 : NULL;
			}
			if (!had)
				return 1;
		}
		p = end ? end + 2 : NULL;
	}
	return 0;
}

static void
add(struct changes *c, enum change_kind k, const struct drift_rec *b,
    const struct drift_rec *a)
{
	struct change *ch;

	xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	ch = &c->v[c->n++];
	memset(ch, 0, sizeof(*ch));
	ch->kind = k;
	ch->before = b;
	ch->after = a;
	c->count[k]++;
	if (k != CH_CHANGED)
		return;
	for (int f = 0; f < DF_COUNT; f++)
		if (!same(b->f[f], a->f[f]) && (f != DF_FIREWALL ||
		    (a->f[f] && b->f[f])))
			ch->fields |= 1u << f;
	ch->opened = (ch->fields & (1u << DF_FIREWALL)) &&
	    firewall_opened(b->f[DF_FIREWALL], a->f[DF_FIREWALL]);
	ch->wider = drift_exposure_rank(a->f[DF_EXPOSURE]) >
	    drift_exposure_rank(b->f[DF_EXPOSURE]);
	if (ch->fields == 0) {	/* the same after all */
		c->n--;
		c->count[k]--;
	}
}

/* One pass: pair what is left of b[] and a[] on the pass's key;
 * paired entries are set to NULL. */
static void
pass(const struct drift_rec **b, size_t nb, const struct drift_rec **a,
    size_t na, int p, struct changes *out)
{
	size_t i = 0, j = 0, kb = 0, ka = 0;

	/* compact the leftovers first */
	for (size_t k = 0; k < nb; k++)
		if (b[k])
			b[kb++] = b[k];
	for (size_t k = 0; k < na; k++)
		if (a[k])
			a[ka++] = a[k];
	for (size_t k = kb; k < nb; k++)
		b[k] = NULL;
	for (size_t k = ka; k < na; k++)
		a[k] = NULL;
	if (kb > 1)
		qsort_r(b, kb, sizeof(*b), ptr_cmp, &p);
	if (ka > 1)
		qsort_r(a, ka, sizeof(*a), ptr_cmp, &p);
	while (i < kb && j < ka) {
		int c = key_cmp(b[i], a[j], p);

		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			add(out, CH_CHANGED, b[i], a[j]);
			b[i++] = NULL;
			a[j++] = NULL;
		}
	}
}

static int
change_cmp(const void *x, const void *y)
{
	const struct change *a = x, *b = y;
	const struct drift_rec *ra = a->after ? a->after : a->before;
	const struct drift_rec *rb = b->after ? b->after : b->before;
	int c = drift_identity_cmp(ra, rb);

	return c ? c : (a->kind > b->kind) - (a->kind < b->kind);
}

void
drift_diff(const struct drift_set *base, const struct drift_set *now,
    struct changes *out)
{
	const struct drift_rec **b, **a;

	memset(out, 0, sizeof(*out));
	b = xcalloc(base->n ? base->n : 1, sizeof(*b));
	a = xcalloc(now->n ? now->n : 1, sizeof(*a));
	for (size_t i = 0; i < base->n; i++)
		b[i] = &base->v[i];
	for (size_t i = 0; i < now->n; i++)
		a[i] = &now->v[i];
	for (int p = 0; p < 3; p++)
		pass(b, base->n, a, now->n, p, out);
	for (size_t i = 0; i < base->n; i++)
		if (b[i])
			add(out, CH_GONE, b[i], NULL);
	for (size_t i = 0; i < now->n; i++)
		if (a[i])
			add(out, CH_NEW, NULL, a[i]);
	free(b);
	free(a);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), change_cmp);
}

void
changes_release(struct changes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}
