/*
 * fw.c - published ports and exposure from outside, as column getters.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fw/nat.h"
#include "model/listing.h"
#include "render/fw.h"
#include "util/banned.h"

static const struct nat_rule *
rule_of(const struct row *r, size_t k)
{
	const struct nat_links *nl = r->l->nat;
	size_t v = (size_t)(r->v - r->l->views);

	if (nl == NULL || v >= nl->nviews || k >= nl->nof_view[v])
		return NULL;
	return &nl->rules.v[nl->of_view[v][k]];
}

static void
rule_from(const struct nat_rule *n, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN] = "*";

	if (n->has_daddr)
		inet_ntop(n->family, n->daddr, a, sizeof(a));
	if (n->dport_lo == n->dport_hi)
		snprintf(buf, sz, "%s%s%s:%u/%s", n->family == AF_INET6 &&
		    n->has_daddr ? "[" : "", a, n->family == AF_INET6 &&
		    n->has_daddr ? "]" : "", n->dport_lo,
		    n->proto == PROTO_TCP ? "tcp" : "udp");
	else
		snprintf(buf, sz, "%s:%u-%u/%s", a, n->dport_lo, n->dport_hi,
		    n->proto == PROTO_TCP ? "tcp" : "udp");
}

void
j_published(const struct row *r, struct jw *w, const char *key)
{
	const struct nat_rule *n;
	char buf[128], to[INET6_ADDRSTRLEN], label[96];

	if (r->l->nat == NULL) {
		jw_null(w, key);
		return;
	}
	jw_array(w, key);
	for (size_t k = 0; (n = rule_of(r, k)) != NULL; k++) {
		const struct netns *ns = n->netns < r->l->nets.n ?
		    &r->l->nets.v[n->netns] : NULL;

		jw_object(w, NULL);
		jw_str(w, "netns", ns ? netns_label(ns, label, sizeof(label)) :
		    NULL);
		rule_from(n, buf, sizeof(buf));
		jw_str(w, "from", buf);
		jw_str(w, "iifname", n->iifname);
		if (n->kind == NAT_PROXY && n->to_family == AF_UNSPEC)
			jw_null(w, "to_address");
		else {
			inet_ntop(n->kind == NAT_PROXY ? n->to_family :
			    n->family, n->to_addr, to, sizeof(to));
			jw_str(w, "to_address", to);
		}
		if (n->to_port)
			jw_int(w, "to_port", n->to_port);
		else
			jw_null(w, "to_port");
		jw_str(w, "kind", n->kind == NAT_PROXY ? "proxy" : "dnat");
		if (n->kind == NAT_PROXY) {
			jw_null(w, "rule");
			jw_null(w, "handle");
			jw_null(w, "comment");
			jw_int(w, "proxy_pid", n->via_pid);
			jw_str(w, "mapping_from", n->how);
		} else {
			snprintf(buf, sizeof(buf), "%s %s %s", n->table_family ?
			    n->table_family : "?", n->table ? n->table : "?",
			    n->chain ? n->chain : "?");
			jw_str(w, "rule", buf);
			jw_int(w, "handle", (int64_t)n->handle);
			jw_str(w, "comment", n->comment);
			jw_null(w, "proxy_pid");
			jw_null(w, "mapping_from");
		}
		jw_str(w, "by", nat_maker(n));
		jw_end(w);
	}
	jw_end(w);
}

void
j_leads_to(const struct row *r, struct jw *w, const char *key)
{
	const struct nat_links *nl = r->l->nat;
	size_t v = (size_t)(r->v - r->l->views);
	char a[INET6_ADDRSTRLEN], label[96];

	if (nl == NULL || v >= nl->nviews) {
		jw_null(w, key);
		return;
	}
	jw_array(w, key);
	for (size_t k = 0; k < nl->nto_view[v]; k++) {
		const struct sock_view *t = &r->l->views[nl->to_view[v][k]];
		const struct netns *ns = listing_netns(r->l, t->s);

		jw_object(w, NULL);
		jw_str(w, "netns", ns ? netns_label(ns, label, sizeof(label)) :
		    NULL);
		inet_ntop(t->s->family, t->s->laddr, a, sizeof(a));
		jw_str(w, "local_address", a);
		jw_int(w, "local_port", t->s->lport);
		if (t->nowners) {
			const struct owner *o = &r->l->ps.owners[t->owners[0]];

			jw_int(w, "pid", r->l->ps.procs[o->proc].pid);
			jw_str(w, "command", r->l->ps.procs[o->proc].comm);
		} else {
			jw_null(w, "pid");
			jw_null(w, "command");
		}
		jw_end(w);
	}
	jw_end(w);
}

/*
 * A wildcard listener inside another namespace is reachable at that
 * namespace's own addresses (a container's 10.88.0.2 on its veth): "
 * at 10.88.0.2 on eth0" (two at most, link-local ones left out), or ""
 * when it has none but loopback.
 */
static void
inside_addresses(const struct row *r, char *out, size_t n)
{
	const struct ifaces *ifs = listing_ifaces(r->l, r->v->s);
	const struct sock_rec *s = r->v->s;
	size_t len = 0;
	int shown = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ifs->naddrs && shown < 2; i++) {
		const struct iface_addr *a = &ifs->addrs[i];
		char txt[INET6_ADDRSTRLEN];
		const char *dev;
		int k;

		/* IPv4 addresses for an IPv4 socket or a dual-stack one */
		if ((a->family == AF_INET6 && s->family != AF_INET6) ||
		    (a->family == AF_INET && s->family == AF_INET6 &&
		    s->v6only == 1) || a->scope >= 200 /* host, link */)
			continue;
		if (inet_ntop(a->family, a->addr, txt, sizeof(txt)) == NULL ||
		    (dev = ifaces_name(ifs, a->index)) == NULL)
			continue;
		k = snprintf(out + len, n - len, "%s%s on %.16s",
		    shown ? ", " : " at ", txt, dev);
		if (k < 0 || (size_t)k >= n - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)k;
		shown++;
	}
}

void
g_exposure_outside(const struct row *r, struct value *v)
{
	const struct netns *ns = listing_netns(r->l, r->v->s);
	const struct nat_rule *n = rule_of(r, 0);
	char from[128], label[96], fl[96];

	const struct nat_links *nl = r->l->nat;
	size_t vi = (size_t)(r->v - r->l->views);

	v->type = V_STR;
	if (nl && vi < nl->nviews && nl->nto_view[vi] > 0) {
		/* a port held here that a rule here sends elsewhere */
		const struct sock_view *t =
		    &r->l->views[nl->to_view[vi][0]];
		const struct netns *tns = listing_netns(r->l, t->s);
		const struct nat_rule *tr =
		    &nl->rules.v[nl->to_rule[vi][0]];

		if (tr->kind == NAT_PROXY)
			snprintf(v->buf, sizeof(v->buf), "%.50s, proxied by "
			    "%.20s to %.40s:%u", r->v->exp.text, tr->via,
			    tns ? netns_label(tns, fl, sizeof(fl)) : "?",
			    t->s->lport);
		else {
			const char *by = nat_maker(tr);
			/* conmon holds the port only so that nobody else
			 * takes it: the DNAT rule is what forwards */
			int reserve = r->v->nowners && strcmp(r->l->ps.procs[
			    r->l->ps.owners[r->v->owners[0]].proc].comm,
			    "conmon") == 0;

			snprintf(v->buf, sizeof(v->buf), "%.50s, DNAT%s%.24s "
			    "to %.40s:%u%s", r->v->exp.text, by ? " by " : "",
			    by ? by : "", tns ? netns_label(tns, fl,
			    sizeof(fl)) : "?", t->s->lport, reserve ?
			    " (conmon only reserves the port)" : "");
		}
		v->str = v->buf;
		return;
	}
	if (ns == NULL || ns->kind == NETNS_HOST || r->l->nentered < 2) {
		v->str = r->v->exp.text;
		return;
	}
	netns_label(ns, label, sizeof(label));
	if (n) {
		const struct netns *from_ns = n->netns < r->l->nets.n ?
		    &r->l->nets.v[n->netns] : NULL;

		const char *by = nat_maker(n);

		rule_from(n, from, sizeof(from));
		if (n->kind == NAT_PROXY)
			snprintf(v->buf, sizeof(v->buf), "published as %.40s "
			    "%.60s (proxied by %.20s)", from_ns ?
			    netns_label(from_ns, fl, sizeof(fl)) : "?", from,
			    n->via);
		else
			snprintf(v->buf, sizeof(v->buf), "published as %.40s "
			    "%.60s (DNAT%s%.30s)", from_ns ? netns_label(from_ns,
			    fl, sizeof(fl)) : "?", from, by ? " by " : "",
			    by ? by : "");
	} else {
		char where[96] = "";

		if (r->v->exp.kind == EXP_ALL)
			inside_addresses(r, where, sizeof(where));
		snprintf(v->buf, sizeof(v->buf), "inside %.40s: %.70s%s",
		    label, r->v->exp.text, where);
	}
	v->str = v->buf;
}
