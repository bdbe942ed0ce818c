/*
 * fw.c - published ports and exposure from outside, as column getters.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fw/firewall.h"
#include "fw/nat.h"
#include "model/listing.h"
#include "render/fw.h"
#include "render/text.h"
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
			const struct owner *o = &r->l->ps.owners[view_owner(r->l, t, 0)];

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
			    "%.20s to %.40s:%u", r->v->exp->text, tr->via,
			    tns ? netns_label(tns, fl, sizeof(fl)) : "?",
			    t->s->lport);
		else {
			const char *by = nat_maker(tr);
			/* conmon holds the port only so that nobody else
			 * takes it: the DNAT rule is what forwards */
			int reserve = r->v->nowners && strcmp(r->l->ps.procs[
			    r->l->ps.owners[view_owner(r->l, r->v, 0)].proc].comm,
			    "conmon") == 0;

			snprintf(v->buf, sizeof(v->buf), "%.50s, DNAT%s%.24s "
			    "to %.40s:%u%s", r->v->exp->text, by ? " by " : "",
			    by ? by : "", tns ? netns_label(tns, fl,
			    sizeof(fl)) : "?", t->s->lport, reserve ?
			    " (conmon only reserves the port)" : "");
		}
		v->str = v->buf;
		return;
	}
	if (ns == NULL || ns->kind == NETNS_HOST || r->l->nentered < 2) {
		v->str = r->v->exp->text;
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

		if (r->v->exp->kind == EXP_ALL)
			inside_addresses(r, where, sizeof(where));
		snprintf(v->buf, sizeof(v->buf), "inside %.40s: %.70s%s",
		    label, r->v->exp->text, where);
	}
	v->str = v->buf;
}

/* --- the packet filter's verdicts (--firewall, explain) -------------- */

static const struct fw_view *
fw_view_of(const struct row *r)
{
	const struct firewall *fw = r->l->fw;
	size_t vi = (size_t)(r->v - r->l->views);

	return fw && vi < fw->nviews ? &fw->views[vi] : NULL;
}

/* "inet filter input handle 9" or "the drop policy of inet filter input". */
static void
at_text(const struct firewall *fw, uint32_t ns, const struct fw_at *at,
    char *buf, size_t sz)
{
	const struct fw_ruleset *rs = &fw->rs[ns];
	const struct fw_chain *c;

	if (at->chain < 0 || (size_t)at->chain >= rs->nchains) {
		snprintf(buf, sz, "-");
		return;
	}
	c = &rs->chains[at->chain];
	if (at->rule < 0 || (size_t)at->rule >= rs->nrules)
		snprintf(buf, sz, "the %s policy of %s %.60s %.60s",
		    c->policy_drop ? "drop" : "accept", fw_family_name(c->family),
		    c->table, c->name);
	else {
		const struct fw_rule *ru = &rs->rules[at->rule];
		const struct fw_chain *rc = &rs->chains[ru->chain];

		snprintf(buf, sz, "%s %.60s %.60s handle %llu%s%.80s%s",
		    fw_family_name(rc->family), rc->table, rc->name,
		    (unsigned long long)ru->handle, ru->comment ? " \"" : "",
		    ru->comment ? ru->comment : "", ru->comment ? "\"" : "");
	}
}

static void
j_at(struct jw *w, const char *key, const struct firewall *fw, uint32_t ns,
    const struct fw_at *at)
{
	const struct fw_ruleset *rs = &fw->rs[ns];
	const struct fw_chain *c;
	const struct fw_rule *ru = NULL;

	if (at->chain < 0 || (size_t)at->chain >= rs->nchains) {
		jw_null(w, key);
		return;
	}
	if (at->rule >= 0 && (size_t)at->rule < rs->nrules) {
		ru = &rs->rules[at->rule];
		c = &rs->chains[ru->chain];
	} else
		c = &rs->chains[at->chain];
	jw_object(w, key);
	jw_str(w, "family", fw_family_name(c->family));
	jw_str(w, "table", c->table);
	jw_str(w, "chain", c->name);
	if (ru) {
		jw_int(w, "handle", (int64_t)ru->handle);
		jw_str(w, "comment", ru->comment);
		jw_null(w, "policy");
	} else {
		jw_null(w, "handle");
		jw_null(w, "comment");
		jw_str(w, "policy", c->policy_drop ? "drop" : "accept");
	}
	jw_str(w, "by", c->legacy ? "legacy iptables" : fw_maker(c->table,
	    c->name, ru ? ru->comment : NULL));
	jw_end(w);
}

static const char *
fam_key(int f)
{
	return f == 4 ? "ipv4" : "ipv6";
}

/* The rule that decided a result, as text. */
static void
result_text(const struct firewall *fw, uint32_t ns, const struct fw_result *r,
    char *buf, size_t sz)
{
	char at[320];

	if (r->v == FWV_OPEN) {
		/* the last base chain that accepted with a rule of its own
		 * says most; else the policy that let it through */
		const struct fw_at *best = NULL;

		for (int i = 0; i < r->npassed; i++)
			if (r->passed[i].rule >= 0 || best == NULL)
				best = &r->passed[i];
		if (best == NULL) {
			snprintf(buf, sz, "no rule stops it");
			return;
		}
		at_text(fw, ns, best, at, sizeof(at));
		snprintf(buf, sz, "accepted by %.300s", at);
		return;
	}
	at_text(fw, ns, &r->by, at, sizeof(at));
	if (r->v == FWV_UNDECIDED)
		snprintf(buf, sz, "%.200s%s%.250s", r->why ? r->why : "?",
		    r->by.chain >= 0 ? " at " : "", r->by.chain >= 0 ? at : "");
	else
		snprintf(buf, sz, "by %.300s", at);
}

/* One entry in words (explain). */
static void
entry_text(const struct listing *l, const struct fw_entry *e, char *buf,
    size_t sz)
{
	const struct firewall *fw = l->fw;
	char d[INET6_ADDRSTRLEN], how[512], inner[512] = "", lab[100] = "";
	char nl[96];
	const struct netns *ns = e->ns < l->nets.n ? &l->nets.v[e->ns] : NULL;

	fw_addr_text(e->family, e->daddr, d, sizeof(d));
	if (e->published && ns)
		snprintf(lab, sizeof(lab), "%.60s ", netns_label(ns, nl,
		    sizeof(nl)));
	result_text(fw, e->ns, &e->r, how, sizeof(how));
	if (e->companion_kind) {
		char at[320];

		at_text(fw, e->companion_ns, &e->companion.by, at, sizeof(at));
		snprintf(how, sizeof(how), "its first packet is let in, but "
		    "%s is %s by %.300s", strcmp(e->companion_kind,
		    "handshake") == 0 ? "the rest of the handshake (ct state "
		    "established)" : "neighbour discovery (ICMPv6)",
		    fw_verdict_name(e->companion.v), at);
	}
	if (e->r.dnat) {
		char to[INET6_ADDRSTRLEN], at[320];

		fw_addr_text(e->r.dnat_family, e->r.daddr, to, sizeof(to));
		at_text(fw, e->ns, &e->r.dnat_at, at, sizeof(at));
		snprintf(inner, sizeof(inner), "; DNAT to %s:%u by %s", to,
		    e->r.dport, at);
	}
	if (e->has_inner) {
		char in[512], il[96];
		const struct netns *ins = &l->nets.v[e->inner_ns];
		size_t n = strlen(inner);

		result_text(fw, e->inner_ns, &e->inner, in, sizeof(in));
		snprintf(inner + n, sizeof(inner) - n, "; then in %.60s: %s, %.300s",
		    netns_label(ins, il, sizeof(il)),
		    fw_verdict_name(e->inner.v), in);
	}
	snprintf(buf, sz, "%s %s%s %s%s%s:%u: %s (%s%s)%s%s", fam_key(e->family),
	    lab, e->ifname, e->family == 6 ? "[" : "", d, e->family == 6 ?
	    "]" : "", e->dport, fw_verdict_name(e->v),
	    e->v == FWV_UNDECIDED && e->why && e->why != e->r.why ? e->why :
	    how, inner, e->nexc ? ", except from some sources" : "",
	    e->exc_more ? " (and more)" : "");
}

void
fw_explain_lines(FILE *out, const struct listing *l, size_t vi)
{
	const struct firewall *fw = l->fw;
	const struct fw_view *fv;
	char buf[2048];

	if (fw == NULL || vi >= fw->nviews)
		return;
	fv = &fw->views[vi];
	if (fv->n == 0) {
		if (fv->none)
			text_fieldf(out, "firewall", "no verdict: %s", fv->none);
		return;
	}
	for (size_t k = 0; k < fv->n; k++) {
		const struct fw_entry *e = &fv->e[k];

		entry_text(l, e, buf, sizeof(buf));
		text_field(out, k ? "" : "firewall", buf);
		for (size_t x = 0; x < e->nexc; x++) {
			char rng[100];

			fw_range_text(e->family, e->exc[x].lo, e->exc[x].hi, rng,
			    sizeof(rng));
			text_fieldf(out, "", "  from %s: %s", rng,
			    fw_verdict_name(e->exc[x].v));
		}
	}
}

static void
j_result_path(struct jw *w, const struct firewall *fw, uint32_t ns,
    const struct fw_result *r)
{
	jw_array(w, "accepted_by");
	for (int i = 0; r->v == FWV_OPEN && i < r->npassed; i++)
		j_at(w, NULL, fw, ns, &r->passed[i]);
	jw_end(w);
	if (r->v == FWV_OPEN)
		jw_null(w, "rule");
	else
		j_at(w, "rule", fw, ns, &r->by);
}

void
j_firewall(const struct row *r, struct jw *w, const char *key)
{
	const struct fw_view *fv = fw_view_of(r);
	const struct firewall *fw = r->l->fw;
	char a[INET6_ADDRSTRLEN], lab[96], rng[100];

	if (fv == NULL) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key);
	jw_str(w, "reason", fv->n ? NULL : fv->none);
	jw_array(w, "paths");
	for (size_t k = 0; k < fv->n; k++) {
		const struct fw_entry *e = &fv->e[k];
		const struct netns *ns = e->ns < r->l->nets.n ?
		    &r->l->nets.v[e->ns] : NULL;

		jw_object(w, NULL);
		jw_str(w, "family", fam_key(e->family));
		jw_str(w, "netns", ns ? netns_label(ns, lab, sizeof(lab)) : NULL);
		jw_str(w, "interface", e->ifname);
		fw_addr_text(e->family, e->daddr, a, sizeof(a));
		jw_str(w, "to_address", a);
		jw_int(w, "to_port", e->dport);
		jw_str(w, "proto", proto_name(r->v->s->proto));
		fw_addr_text(e->family, e->saddr, a, sizeof(a));
		jw_str(w, "source", a);
		jw_bool(w, "from_anyone", !fw->from.set);
		jw_bool(w, "published", e->published);
		jw_str(w, "verdict", fw_verdict_name(e->v));
		jw_str(w, "reason", e->v == FWV_UNDECIDED ? e->why : NULL);
		j_result_path(w, fw, e->ns, &e->r);
		if (e->r.dnat) {
			jw_object(w, "dnat");
			j_at(w, "rule", fw, e->ns, &e->r.dnat_at);
			fw_addr_text(e->r.dnat_family, e->r.daddr, a, sizeof(a));
			jw_str(w, "to_address", a);
			jw_int(w, "to_port", e->r.dport);
			jw_end(w);
		} else
			jw_null(w, "dnat");
		if (e->has_inner) {
			const struct netns *ins = &r->l->nets.v[e->inner_ns];

			jw_object(w, "then");
			jw_str(w, "netns", netns_label(ins, lab, sizeof(lab)));
			jw_str(w, "verdict", fw_verdict_name(e->inner.v));
			jw_str(w, "reason", e->inner.v == FWV_UNDECIDED ?
			    e->inner.why : NULL);
			j_result_path(w, fw, e->inner_ns, &e->inner);
			jw_end(w);
		} else
			jw_null(w, "then");
		if (e->companion_kind) {
			jw_object(w, "stopped_packet");
			jw_str(w, "packet", e->companion_kind);
			jw_str(w, "verdict", fw_verdict_name(e->companion.v));
			jw_str(w, "reason", e->companion.v == FWV_UNDECIDED ?
			    e->companion.why : NULL);
			j_at(w, "rule", fw, e->companion_ns, &e->companion.by);
			jw_end(w);
		} else
			jw_null(w, "stopped_packet");
		jw_array(w, "exceptions");
		for (size_t x = 0; x < e->nexc; x++) {
			jw_object(w, NULL);
			fw_range_text(e->family, e->exc[x].lo, e->exc[x].hi, rng,
			    sizeof(rng));
			jw_str(w, "sources", rng);
			jw_str(w, "verdict", fw_verdict_name(e->exc[x].v));
			jw_end(w);
		}
		jw_end(w);
		jw_int(w, "exceptions_more", e->exc_more);
		jw_bool(w, "exceptions_unexamined", e->exc_unexamined);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

void
g_firewall_table(const struct row *r, struct value *v)
{
	const struct fw_view *fv = fw_view_of(r);
	size_t len = 0;

	v->type = V_STR;
	v->str = v->buf;
	v->buf[0] = '\0';
	if (fv == NULL || fv->n == 0) {
		v->str = fv && fv->none && strcmp(fv->none, "loopback only") == 0 ?
		    "-" : fv && fv->none && strcmp(fv->none, "not a listener") ?
		    "?" : NULL;
		return;
	}
	/* one verdict: that word; else each verdict with its interfaces */
	for (int verdict = FWV_OPEN; verdict <= FWV_REDIRECTED; verdict++) {
		int first = 1, exc = 0;
		size_t n = 0;

		for (size_t k = 0; k < fv->n; k++)
			if ((int)fv->e[k].v == verdict)
				n++;
		if (n == 0)
			continue;
		if (n == fv->n) {
			len += (size_t)snprintf(v->buf + len, sizeof(v->buf) - len,
			    "%s", fw_verdict_name((enum fw_verdict)verdict));
		} else {
			len += (size_t)snprintf(v->buf + len, sizeof(v->buf) - len,
			    "%s%s on ", len ? ", " : "",
			    fw_verdict_name((enum fw_verdict)verdict));
			for (size_t k = 0; k < fv->n && len < sizeof(v->buf); k++) {
				const struct fw_entry *e = &fv->e[k];

				if ((int)e->v != verdict)
					continue;
				len += (size_t)snprintf(v->buf + len,
				    sizeof(v->buf) - len, "%s%s%s%s", first ? "" :
				    "+", e->published ? "host:" : "", e->ifname,
				    e->family == 6 ? "/6" : "");
				first = 0;
			}
		}
		for (size_t k = 0; k < fv->n; k++)
			if ((int)fv->e[k].v == verdict && fv->e[k].nexc)
				exc = 1;
		if (exc && len < sizeof(v->buf)) {
			/* the first exception says the kind: "open from ..." */
			for (size_t k = 0; k < fv->n; k++) {
				const struct fw_entry *e = &fv->e[k];
				char rng[100];

				if ((int)e->v != verdict || e->nexc == 0)
					continue;
				fw_range_text(e->family, e->exc[0].lo,
				    e->exc[0].hi, rng, sizeof(rng));
				len += (size_t)snprintf(v->buf + len,
				    sizeof(v->buf) - len, " (%s from %s%s)",
				    fw_verdict_name(e->exc[0].v), rng,
				    e->nexc > 1 || e->exc_more ? ", ..." : "");
				break;
			}
		}
		if (len >= sizeof(v->buf))
			break;
	}
}
