/*
 * firewall.c - `portsleuth firewall`: the rules' side of reachability.
 * Holes (an accept or DNAT for a port where nothing listens), listeners
 * the rules leave open against their own intent (a drop policy, yet
 * open through a rule that names no port, or through the forward path
 * of a DNAT that the input chain never sees), and every accept rule
 * with who made it, as far as its table, chain and comment tell.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "fw/eval.h"
#include "fw/firewall.h"
#include "render/fw.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#define RANGE_CHECK	4096	/* ports of a range looked at one by one */

static const struct option firewall_opts[] = {
	CMDOPT_SOURCES,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_firewall_usage(FILE *out)
{
	fputs(
"usage: portsleuth firewall [options]\n"
"\n"
"The packet filter of every network namespace, from the rules' side:\n"
"holes (an accept or DNAT rule for a port where nothing listens),\n"
"listeners left open against the ruleset's own intent (its input policy\n"
"drops, yet the listener is open through a rule that names no port, or\n"
"through a DNAT's forward path that the input chain never sees), and\n"
"every accept rule with who made it (netavark, docker, firewalld, ufw,\n"
"fail2ban, libvirt, kube-proxy) as far as its names tell.  Read-only:\n"
"no rule, trace or packet is added.  Needs root (CAP_NET_ADMIN).\n"
"\n"
"Options:\n"
"  -j, --json           one JSON document\n"
"      --netns SPEC     which network namespaces (default: all from the\n"
"                       host's namespace, else its own)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 no hole and nothing open against the rules, 1 some,\n"
"2 usage or fatal error.\n", out);
}

/* Does a listener of ns take proto (6, 17; 0 either) on port? */
static int
listens(const struct listing *l, uint32_t ns, int proto, unsigned int port)
{
	for (size_t i = 0; i < l->nviews; i++) {
		const struct sock_rec *s = l->views[i].s;
		int p = fw_l4_of(s);

		if (s->netns != ns || s->lport != port || (proto && p != proto) ||
		    p == 0 || !(s->state == ST_LISTEN || (s->state == ST_CLOSE &&
		    p != 6 && p != 132)))
			continue;
		return 1;
	}
	return 0;
}

/* Chains reachable from the base chains of hook (jumps, gotos, maps). */
static unsigned char *
reachable(const struct fw_ruleset *rs, enum fw_hook hook)
{
	unsigned char *seen = xcalloc(rs->nchains ? rs->nchains : 1, 1);
	uint32_t *todo = xcalloc(rs->nchains ? rs->nchains : 1,
	    sizeof(*todo));
	size_t n = 0;

	for (size_t b = 0; b < rs->nbases; b++) {
		const struct fw_chain *c = &rs->chains[rs->bases[b]];

		if (c->hook == hook && !c->type_nat && !seen[rs->bases[b]]) {
			seen[rs->bases[b]] = 1;
			todo[n++] = rs->bases[b];
		}
	}
	while (n) {
		const struct fw_chain *c = &rs->chains[todo[--n]];

		for (size_t r = 0; r < c->nrules; r++) {
			const struct fw_rule *ru = &rs->rules[c->rules[r]];

			for (size_t i = 0; i < ru->nst; i++) {
				const struct fw_stmt *st = &ru->st[i];
				long t = -1;

				if (st->kind == FS_JUMP || st->kind == FS_GOTO)
					t = (long)st->target;
				if (st->kind == FS_VMAP)
					for (size_t e = 0; e < rs->sets[st->set].n;
					    e++) {
						long k = rs->sets[st->set].v[e].vchain;

						if (k >= 0 && !seen[k]) {
							seen[k] = 1;
							todo[n++] = (uint32_t)k;
						}
					}
				if (t >= 0 && (size_t)t < rs->nchains && !seen[t]) {
					seen[t] = 1;
					todo[n++] = (uint32_t)t;
				}
			}
		}
	}
	free(todo);
	return seen;
}

/* The destination-port set a rule's accept depends on, or NULL. */
static const struct fw_set *
accept_ports(const struct fw_ruleset *rs, const struct fw_rule *ru)
{
	const struct fw_set *ports = NULL;

	if (ru->nst == 0 || ru->st[ru->nst - 1].kind != FS_ACCEPT)
		return NULL;
	for (size_t i = 0; i + 1 < ru->nst; i++) {
		const struct fw_stmt *st = &ru->st[i];

		if (st->kind != FS_MATCH)
			continue;
		if (st->unknown)
			return NULL;
		if (st->key.n == 1 && st->key.f[0] == FF_DPORT &&
		    st->op == OP_EQ && !st->key.has_mask)
			ports = &rs->sets[st->set];
		/* a rule for established flows or for loopback is no hole */
		if (st->key.f[0] == FF_CTSTATE && st->op != OP_NOTIN)
			return NULL;
	}
	return ports;
}

static void
rule_ref(const struct fw_ruleset *rs, const struct fw_rule *ru, char *buf,
    size_t sz)
{
	const struct fw_chain *c = &rs->chains[ru->chain];

	snprintf(buf, sz, "%s %.60s %.60s handle %llu",
	    fw_family_name(c->family), c->table, c->name,
	    (unsigned long long)ru->handle);
}

static void
j_rule(struct jw *w, const char *key, const struct fw_ruleset *rs,
    const struct fw_rule *ru)
{
	const struct fw_chain *c = &rs->chains[ru->chain];

	jw_object(w, key);
	jw_str(w, "family", fw_family_name(c->family));
	jw_str(w, "table", c->table);
	jw_str(w, "chain", c->name);
	jw_int(w, "handle", (int64_t)ru->handle);
	jw_str(w, "comment", ru->comment);
	jw_str(w, "by", fw_maker(c->table, c->name, ru->comment));
	jw_end(w);
}

static const char *
l4_name(int p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : p == 132 ? "sctp" :
	    p == 136 ? "udplite" : "tcp+udp";
}

struct report {
	struct jw	*w;		/* JSON, or NULL for text */
	FILE		*out;
	unsigned int	 holes, against, accepts;
};

/* Every accept rule of the input path, and the ports of it nothing takes. */
static void
ns_rules(struct report *rp, const struct listing *l, const struct firewall *fw,
    uint32_t ns, int holes_pass)
{
	const struct fw_ruleset *rs = &fw->rs[ns];
	unsigned char *in = reachable(rs, HK_INPUT);
	char label[96], ref[256], ports[160];
	const struct netns *nsr = &l->nets.v[ns];

	netns_label(nsr, label, sizeof(label));
	for (size_t r = 0; r < rs->nrules; r++) {
		const struct fw_rule *ru = &rs->rules[r];
		const struct fw_chain *c = &rs->chains[ru->chain];
		const struct fw_set *ps;
		size_t len = 0;
		int nothing = 1;

		if (!in[ru->chain] || ru->nst == 0 ||
		    ru->st[ru->nst - 1].kind != FS_ACCEPT)
			continue;
		ps = accept_ports(rs, ru);
		ports[0] = '\0';
		for (size_t e = 0; ps && e < ps->n && len + 16 < sizeof(ports);
		    e++) {
			const struct fw_range *pr = &ps->v[e].c[0];

			len += (size_t)snprintf(ports + len, sizeof(ports) - len,
			    pr->lo == pr->hi ? "%s%u" : "%s%u-%u", e ? "," : "",
			    (unsigned int)pr->lo, (unsigned int)pr->hi);
			for (fw_u128 p = pr->lo; p <= pr->hi && nothing &&
			    p - pr->lo < RANGE_CHECK; p++)
				if (listens(l, ns, ru->dproto, (unsigned int)p))
					nothing = 0;
		}
		rule_ref(rs, ru, ref, sizeof(ref));
		if (!holes_pass) {
			rp->accepts++;
			if (rp->w) {
				jw_object(rp->w, NULL);
				jw_str(rp->w, "netns", label);
				j_rule(rp->w, "rule", rs, ru);
				jw_str(rp->w, "ports", ps ? ports : NULL);
				jw_str(rp->w, "proto", ps ? l4_name(ru->dproto) :
				    NULL);
				jw_end(rp->w);
			} else {
				const char *by = fw_maker(c->table, c->name,
				    ru->comment);

				text_fieldf(rp->out, "accept", "%s: %s%s%s%s "
				    "(%s%s%s)", label, ref, ru->comment ? " \"" :
				    "", ru->comment ? ru->comment : "",
				    ru->comment ? "\"" : "", ps ? ports :
				    "no port named", by ? ", made by " : "",
				    by ? by : "");
			}
			continue;
		}
		if (ps == NULL || !nothing)
			continue;
		rp->holes++;
		if (rp->w) {
			jw_object(rp->w, NULL);
			jw_str(rp->w, "netns", label);
			jw_str(rp->w, "kind", "accept");
			j_rule(rp->w, "rule", rs, ru);
			jw_str(rp->w, "ports", ports);
			jw_str(rp->w, "proto", l4_name(ru->dproto));
			jw_null(rp->w, "to");
			jw_end(rp->w);
		} else
			text_fieldf(rp->out, "hole", "%s: %s/%s accepted by %s%s%s%s,"
			    " nothing listens", label, ports, l4_name(ru->dproto),
			    ref, ru->comment ? " \"" : "", ru->comment ?
			    ru->comment : "", ru->comment ? "\"" : "");
	}
	free(in);
}

/* DNAT rules whose target nothing takes. */
static void
dnat_holes(struct report *rp, const struct listing *l)
{
	const struct nat_links *nl = l->nat;
	char label[96], to[INET6_ADDRSTRLEN];

	if (nl == NULL)
		return;
	for (size_t k = 0; k < nl->rules.n; k++) {
		const struct nat_rule *r = &nl->rules.v[k];
		int led = 0;

		if (r->kind != NAT_DNAT)
			continue;
		for (size_t v = 0; v < nl->nviews && !led; v++)
			for (size_t j = 0; j < nl->nof_view[v] && !led; j++)
				led = nl->of_view[v][j] == k;
		if (led)
			continue;
		rp->holes++;
		netns_label(&l->nets.v[r->netns], label, sizeof(label));
		inet_ntop(r->family, r->to_addr, to, sizeof(to));
		if (rp->w) {
			jw_object(rp->w, NULL);
			jw_str(rp->w, "netns", label);
			jw_str(rp->w, "kind", "dnat");
			jw_object(rp->w, "rule");
			jw_str(rp->w, "family", r->table_family);
			jw_str(rp->w, "table", r->table);
			jw_str(rp->w, "chain", r->chain);
			jw_int(rp->w, "handle", (int64_t)r->handle);
			jw_str(rp->w, "comment", r->comment);
			jw_str(rp->w, "by", nat_maker(r));
			jw_end(rp->w);
			{
				char p[32];

				snprintf(p, sizeof(p), r->dport_lo == r->dport_hi ?
				    "%u" : "%u-%u", r->dport_lo, r->dport_hi);
				jw_str(rp->w, "ports", p);
			}
			jw_str(rp->w, "proto", r->proto == PROTO_TCP ? "tcp" :
			    "udp");
			{
				char t[80];

				snprintf(t, sizeof(t), "%s:%u", to,
				    nat_target_port(r, r->dport_lo));
				jw_str(rp->w, "to", t);
			}
			jw_end(rp->w);
		} else
			text_fieldf(rp->out, "hole", "%s: %u/%s DNAT to %s:%u by "
			    "%s %s %s handle %llu, nothing listens there", label,
			    r->dport_lo, r->proto == PROTO_TCP ? "tcp" : "udp", to,
			    nat_target_port(r, r->dport_lo), r->table_family ?
			    r->table_family : "?", r->table ? r->table : "?",
			    r->chain ? r->chain : "?",
			    (unsigned long long)r->handle);
	}
}

/* Is the listener open against its namespace's input drop policy? */
static const char *
against_intent(const struct firewall *fw, const struct fw_entry *e)
{
	const struct fw_ruleset *rs = &fw->rs[e->ns];
	int drop_policy = 0;

	if (e->v != FWV_OPEN)
		return NULL;
	for (size_t b = 0; b < rs->nbases; b++) {
		const struct fw_chain *c = &rs->chains[rs->bases[b]];

		if (c->hook == HK_INPUT && c->policy_drop && !c->type_nat &&
		    (c->family == FAM_INET || c->family == (e->family == 4 ?
		    FAM_IP : FAM_IP6)))
			drop_policy = 1;
	}
	if (!drop_policy)
		return NULL;
	if (e->published || e->r.forwarded)
		return "its namespace's input policy drops, but a DNAT sends "
		    "the flow through the forward path, which the input chain "
		    "never sees";
	for (int i = 0; i < e->r.npassed; i++) {
		const struct fw_at *at = &e->r.passed[i];

		if (at->rule < 0)
			continue;
		if (!rs->rules[at->rule].names_dport)
			return "the input policy drops, but a rule that names no "
			    "port accepts it";
	}
	return NULL;
}

int
cmd_firewall_exec(int argc, char **argv)
{
	struct listing_opts lo;
	struct listing l;
	struct cmd_opts co;
	struct cmd_pf pf;
	struct report rp;
	struct strbuf sb;
	struct jw w;
	int ch, taken, rc = 0;

	memset(&lo, 0, sizeof(lo));
	cmd_opts_init(&co, "firewall");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", firewall_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		if (ch == 'h') {
			cmd_firewall_usage(stdout);
			return 0;
		}
		return cmd_try_help(&co);
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	if (co.root || co.replay)
		return cmd_usage(&co, "firewall reads the live rules only (not "
		    "--root or --replay)");
	lo.netns = co.netns;
	lo.iana_path = co.iana ? co.iana : cmd_find_data("iana-ports.tsv");
	cmd_pf_begin(&pf, 1, 1);
	if (cmd_collect(&l, &lo, NULL, NULL, NULL) < 0) {
		cmd_pf_release(&l, &pf);
		return EXIT_USAGE;
	}
	cmd_report_listing(&l);
	cmd_read_pf(&l, &pf, 1, 1, NULL);
	memset(&rp, 0, sizeof(rp));
	rp.out = stdout;
	if (co.json) {
		strbuf_init(&sb, 256u << 20);
		jw_init(&w, &sb, 1);
		rp.w = &w;
		jw_object(&w, NULL);
		jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
		jw_bool(&w, "privileged", l.privileged);
		jw_array(&w, "namespaces");
		for (size_t i = 0; i < pf.fw.nns; i++) {
			char lab[96];

			if (!l.nsv[i].entered)
				continue;
			jw_object(&w, NULL);
			jw_str(&w, "netns", netns_label(&l.nets.v[i], lab,
			    sizeof(lab)));
			jw_bool(&w, "read", pf.fw.have[i]);
			jw_str(&w, "error", pf.fw.error[i]);
			jw_int(&w, "rules", pf.fw.have[i] ?
			    (int64_t)pf.fw.rs[i].nrules : 0);
			jw_str(&w, "legacy_ipv4", pf.fw.rs[i].legacy4);
			jw_str(&w, "legacy_ipv6", pf.fw.rs[i].legacy6);
			jw_end(&w);
		}
		jw_end(&w);
		jw_array(&w, "holes");
	}
	for (size_t i = 0; i < pf.fw.nns; i++)
		if (pf.fw.have[i])
			ns_rules(&rp, &l, &pf.fw, (uint32_t)i, 1);
	dnat_holes(&rp, &l);
	if (co.json) {
		jw_end(&w);
		jw_array(&w, "open_against_rules");
	}
	for (size_t v = 0; v < pf.fw.nviews; v++) {
		const struct fw_view *fv = &pf.fw.views[v];

		for (size_t k = 0; k < fv->n; k++) {
			const char *why = against_intent(&pf.fw, &fv->e[k]);
			char a[INET6_ADDRSTRLEN], lab[96];
			const struct sock_rec *s = l.views[v].s;
			const struct netns *ns = listing_netns(&l, s);

			if (why == NULL)
				continue;
			rp.against++;
			fw_addr_text(fv->e[k].family, fv->e[k].daddr, a,
			    sizeof(a));
			netns_label(ns ? ns : &l.nets.v[0], lab, sizeof(lab));
			if (co.json) {
				struct row rw = { &l, &l.views[v], NULL, NULL };

				jw_object(&w, NULL);
				jw_str(&w, "netns", lab);
				jw_str(&w, "proto", proto_name(s->proto));
				jw_int(&w, "local_port", s->lport);
				jw_str(&w, "interface", fv->e[k].ifname);
				jw_str(&w, "family", fv->e[k].family == 4 ?
				    "ipv4" : "ipv6");
				jw_str(&w, "why", why);
				j_firewall(&rw, &w, "firewall");
				jw_end(&w);
			} else
				text_fieldf(stdout, "open", "%s: %u/%s on %s %s: %s",
				    lab, s->lport, proto_name(s->proto),
				    fv->e[k].ifname, a, why);
			break;
		}
	}
	if (co.json) {
		jw_end(&w);
		jw_array(&w, "accepts");
	}
	for (size_t i = 0; i < pf.fw.nns; i++)
		if (pf.fw.have[i])
			ns_rules(&rp, &l, &pf.fw, (uint32_t)i, 0);
	if (co.json) {
		jw_end(&w);
		jw_end(&w);
		if (cmd_emit_json(&w, stdout) < 0)
			rc = EXIT_USAGE;
		strbuf_release(&sb);
	} else if (rp.holes + rp.against + rp.accepts == 0)
		text_line(stdout, "no accept rule on any input path, no hole");
	if (rc == 0)
		rc = rp.holes || rp.against ? 1 : 0;
	cmd_pf_release(&l, &pf);
	listing_release(&l);
	return cmd_finish(rc);
}
