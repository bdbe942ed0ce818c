/*
 * record.c - listeners as identity records (see record.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "drift/record.h"
#include "model/listing.h"
#include "probe/verdict.h"
#include "why/dossier.h"
#include "util/escape.h"
#include "fw/firewall.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

/*
 * The firewall's verdicts of a listener in one value: "FAMILY IFACE
 * VERDICT" per path ("via NETNS" before a published port's), sorted, so
 * the same verdicts give the same text however the interfaces were
 * listed.  Nothing when the rules could not be read: not known is not a
 * change.
 */
static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
set_firewall(struct drift_rec *r, const struct listing *l,
    const struct fw_view *fv)
{
	char items[16][96], *ptrs[16], label[96];
	struct strbuf sb;
	size_t n = 0;

	if (fv->n == 0) {
		if (fv->none && (strcmp(fv->none, "loopback only") == 0 ||
		    strcmp(fv->none, "no interface but loopback") == 0))
			drift_set_field(r, DF_FIREWALL, "none from outside");
		return;
	}
	for (size_t k = 0; k < fv->n && n < 16; k++) {
		const struct fw_entry *e = &fv->e[k];

		if (e->published)
			snprintf(items[n], sizeof(items[n]), "via %.40s ipv%d "
			    "%.16s %s", e->ns < l->nets.n ? netns_label(
			    &l->nets.v[e->ns], label, sizeof(label)) : "?",
			    e->family, e->ifname, fw_verdict_name(e->v));
		else
			snprintf(items[n], sizeof(items[n]), "ipv%d %.16s %s",
			    e->family, e->ifname, fw_verdict_name(e->v));
		ptrs[n] = items[n];
		n++;
	}
	qsort(ptrs, n, sizeof(ptrs[0]), str_ptr_cmp);
	strbuf_init(&sb, DRIFT_VALUE_MAX);
	for (size_t k = 0; k < n; k++)
		strbuf_addf(&sb, "%s%s", k ? "; " : "", ptrs[k]);
	drift_set_field(r, DF_FIREWALL, strbuf_str(&sb));
	strbuf_release(&sb);
}

static const char *const keys[DF_COUNT] = {
	"netns", "proto", "family", "address", "port", "program", "unit",
	"device", "exe", "package", "version", "digest", "integrity",
	"origin", "entry", "user", "exposure", "protocol", "product",
	"firewall"
};

const char *
drift_field_key(enum drift_field f)
{
	return (unsigned)f < DF_COUNT ? keys[f] : "?";
}

int
drift_field_of(const char *key)
{
	for (int i = 0; i < DF_COUNT; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

#define POOL_CHUNK	(64u << 10)

struct drift_pool {
	char	**chunks;
	size_t	  n, cap;
	size_t	  used;		/* in the last chunk */
};

static char *
pool_copy(struct drift_pool *p, const char *s, size_t n)
{
	char *out;

	if (p->n == 0 || p->used + n + 1 > POOL_CHUNK) {
		xgrow((void **)&p->chunks, &p->cap, p->n + 1,
		    sizeof(*p->chunks));
		p->chunks[p->n++] = xmalloc(POOL_CHUNK);
		p->used = 0;
	}
	out = p->chunks[p->n - 1] + p->used;
	memcpy(out, s, n);
	out[n] = '\0';
	p->used += n + 1;
	return out;
}

struct drift_rec *
drift_add(struct drift_set *s)
{
	if (s->pool == NULL)
		s->pool = xcalloc(1, sizeof(*s->pool));
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	s->v[s->n].port = -1;
	s->v[s->n].pool = s->pool;
	return &s->v[s->n++];
}

static void
set_port(struct drift_rec *r)
{
	r->port = r->f[DF_PORT] ? (int)strtol(r->f[DF_PORT], NULL, 10) : -1;
}

void
drift_set_field(struct drift_rec *r, enum drift_field f, const char *value)
{
	struct strbuf sb;
	size_t n;

	r->f[f] = NULL;
	if (f == DF_PORT)
		r->port = -1;
	if (value == NULL)
		return;
	n = strlen(value);
	/* the common case: nothing to escape */
	if (n <= DRIFT_VALUE_MAX && escape_plain_prefix(value) == n) {
		r->f[f] = pool_copy(r->pool, value, n);
		if (f == DF_PORT)
			set_port(r);
		return;
	}
	strbuf_init(&sb, DRIFT_VALUE_MAX * 4 + 16);
	escape_terminal(&sb, value, n > DRIFT_VALUE_MAX ? DRIFT_VALUE_MAX : n);
	r->f[f] = pool_copy(r->pool, sb.buf, sb.len > DRIFT_VALUE_MAX ?
	    DRIFT_VALUE_MAX : sb.len);
	strbuf_release(&sb);
	if (f == DF_PORT)
		set_port(r);
}

void
drift_set_raw(struct drift_rec *r, enum drift_field f, const char *value)
{
	r->f[f] = value ? pool_copy(r->pool, value, strnlen(value,
	    DRIFT_VALUE_MAX)) : NULL;
	if (f == DF_PORT)
		set_port(r);
}

void
drift_set_rawn(struct drift_rec *r, enum drift_field f, const char *value,
    size_t n)
{
	r->f[f] = pool_copy(r->pool, value, n > DRIFT_VALUE_MAX ?
	    DRIFT_VALUE_MAX : n);
	if (f == DF_PORT)
		set_port(r);
}

void
drift_set_release(struct drift_set *s)
{
	if (s->pool) {
		for (size_t i = 0; i < s->pool->n; i++)
			free(s->pool->chunks[i]);
		free(s->pool->chunks);
		free(s->pool);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int
str_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

int
drift_identity_cmp(const struct drift_rec *a, const struct drift_rec *b)
{
	int c;

	for (int f = 0; f < DF_IDENTITY_END; f++) {
		c = f == DF_PORT ? (a->port > b->port) - (a->port < b->port) :
		    str_cmp(a->f[f], b->f[f]);
		if (c)
			return c;
	}
	return 0;
}

static int
rec_cmp(const void *x, const void *y)
{
	const struct drift_rec *a = x, *b = y;
	int c = drift_identity_cmp(a, b);

	for (int f = DF_IDENTITY_END; c == 0 && f < DF_COUNT; f++)
		c = str_cmp(a->f[f], b->f[f]);
	return c;
}

void
drift_sort(struct drift_set *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), rec_cmp);
}

int
drift_exposure_rank(const char *scope)
{
	static const char *const order[] = { "loopback", "link-local",
	    "address", "device", "all" };

	for (int i = 0; scope && i < 5; i++)
		if (strcmp(scope, order[i]) == 0)
			return i;
	return -1;
}

/* The unit, super-server entry or container an origin names. */
static void
set_origin(struct drift_rec *r, const struct origin *o)
{
	char buf[DRIFT_VALUE_MAX];

	drift_set_field(r, DF_ORIGIN, origin_kind_key(o->kind));
	if (o->kind == ORIGIN_INETD || o->kind == ORIGIN_XINETD) {
		/* the service, not the line: an edit elsewhere in the file
		 * moves lines; what the entry runs is the attribute */
		snprintf(buf, sizeof(buf), "%s:%s", origin_kind_key(o->kind),
		    o->ss_service ? o->ss_service : "?");
		drift_set_field(r, DF_UNIT, buf);
		snprintf(buf, sizeof(buf), "%s%s%s user %s",
		    o->ss_program ? o->ss_program : "?", o->ss_args ? " " : "",
		    o->ss_args ? o->ss_args : "", o->ss_user ? o->ss_user :
		    "?");
		drift_set_field(r, DF_ENTRY, buf);
	} else if (o->unit) {
		drift_set_field(r, DF_UNIT, o->unit);
	} else if (o->sysv_script) {
		drift_set_field(r, DF_UNIT, o->sysv_script);
	} else if (o->kind == ORIGIN_CONTAINER && o->runtime) {
		snprintf(buf, sizeof(buf), "%s:%s", o->runtime,
		    o->container_name ? o->container_name :
		    o->container_id ? o->container_id : "?");
		drift_set_field(r, DF_UNIT, buf);
	}
}

/* The owner that stands for the socket: not PID 1 when another holds it
 * too (socket activation), else the lowest PID. */
static const struct owner *
main_owner(const struct listing *l, const struct sock_view *v,
    size_t *index)
{
	const struct owner *best = NULL;

	for (size_t k = 0; k < v->nowners; k++) {
		const struct owner *o = &l->ps.owners[view_owner(l, v, k)];

		if (best == NULL || (best->pid == 1 && o->pid != 1) ||
		    (o->pid != 1 && o->pid < best->pid)) {
			best = o;
			*index = view_owner(l, v, k);
		}
	}
	return best;
}

static int
ephemeral(const struct sock_rec *s, const struct drift_opts *o)
{
	return !o->ephemeral && (s->proto == PROTO_UDP ||
	    s->proto == PROTO_UDPLITE) && o->eph_lo > 0 &&
	    s->lport >= o->eph_lo && s->lport <= o->eph_hi;
}

void
drift_collect(struct drift_set *out, const struct listing *l,
    const struct dossiers *d, const struct probe_view *pv,
    const struct drift_opts *o)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < l->nviews; i++) {
		const struct sock_view *v = &l->views[i];
		const struct sock_rec *s = v->s;
		const struct netns *ns = listing_netns(l, s);
		struct drift_rec *r;
		char buf[INET6_ADDRSTRLEN + 16], label[96];
		const struct owner *ow;
		size_t oi = 0;

		/* connections and connected datagram sockets come and go */
		if ((s->proto == PROTO_TCP && s->state != ST_LISTEN) ||
		    ((s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE) &&
		    s->state != ST_CLOSE) || ephemeral(s, o))
			continue;
		r = drift_add(out);
		/* run inside a namespace (ip netns exec, a container), its
		 * own is "self": its inode would change when it is made
		 * again, and the run's view is that one anyway */
		drift_set_field(r, DF_NETNS, ns == NULL ? "host" : ns->self &&
		    ns->kind != NETNS_HOST ? "self" : netns_label(ns, label,
		    sizeof(label)));
		drift_set_field(r, DF_PROTO, proto_name(s->proto));
		drift_set_field(r, DF_FAMILY, s->family == AF_INET6 ? "ipv6" :
		    "ipv4");
		inet_ntop(s->family, s->laddr, buf, sizeof(buf));
		drift_set_field(r, DF_ADDRESS, buf);
		snprintf(buf, sizeof(buf), "%u", s->lport);
		drift_set_field(r, DF_PORT, buf);
		if (s->bound_if)
			drift_set_field(r, DF_DEVICE, ifaces_name(
			    listing_ifaces(l, s), s->bound_if));
		drift_set_field(r, DF_EXPOSURE,
		    exposure_kind_name(v->exp->kind));
		if (l->fw && i < l->fw->nviews)
			set_firewall(r, l, &l->fw->views[i]);
		if (pv && pv[i].probed) {
			drift_set_field(r, DF_PROTOCOL, pv[i].r.service[0] ?
			    pv[i].r.service : NULL);
			drift_set_field(r, DF_PRODUCT, pv[i].r.product[0] ?
			    pv[i].r.product : NULL);
			r->verdict = verdict_key(pv[i].verdict);
		}
		if ((ow = main_owner(l, v, &oi)) != NULL) {
			const struct proc_rec *p = &l->ps.procs[ow->proc];
			const struct dossier *ds = d && ow->proc < d->n &&
			    d->v[ow->proc].built ? &d->v[ow->proc] : NULL;
			const struct pkg_info *pkg = ds ? ds->owner.pkg : NULL;

			drift_set_field(r, DF_EXE, p->exe);
			drift_set_field(r, DF_PROGRAM, pkg ? pkg->name : p->exe ?
			    p->exe : p->comm);
			if (p->ids_known) {
				char *u = users_label(l->users, p->euid);

				drift_set_field(r, DF_USER, u);
				free(u);
			}
			if (ds) {
				drift_set_field(r, DF_PACKAGE, pkg ? pkg->name :
				    NULL);
				drift_set_field(r, DF_VERSION, pkg ?
				    pkg->version : NULL);
				drift_set_field(r, DF_DIGEST,
				    ds->integ.digest[0] ? ds->integ.digest :
				    NULL);
				drift_set_field(r, DF_INTEGRITY,
				    integrity_word(&ds->integ));
				set_origin(r, dossiers_origin(d, l, oi));
			}
		} else if (s->inode != 0) {
			/* no owner to be seen: "kernel", "not_root" */
			drift_set_field(r, DF_PROGRAM, NULL);
		}
	}
	drift_sort(out);
}
