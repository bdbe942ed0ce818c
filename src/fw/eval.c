/*
 * eval.c - a new flow followed through the ruleset.
 *
 * The walk is a small machine: the hook being passed, the base chain of
 * it, a stack of (chain, rule) frames for jumps, the statement of the
 * rule, and the packet's mutable state (destination after DNAT, mark,
 * conntrack state).  A condition that cannot be known forks the machine
 * (the state is copied); the forks are bounded, and so are the steps
 * and the jump depth, so a hostile ruleset (a jump loop, a long chain
 * of limits) ends as "undecided", never as a hang.
 */
#include <string.h>

#include "fw/eval.h"
#include "util/banned.h"

#define STACK_MAX	16		/* the kernel's jump stack */
#define STEPS_MAX	4000000u	/* rule visits of one evaluation */
#define FORKS_MAX	64u		/* machines of one evaluation */

#define CTS_NEW		8u
#define CTS_UNTRACKED	64u
#define CTSTATUS_DNAT	32u

const char *
fw_verdict_name(enum fw_verdict v)
{
	static const char *const n[] = { "open", "filtered", "rejected",
	    "undecided", "redirected" };

	return v <= FWV_REDIRECTED ? n[v] : "undecided";
}

struct frame {
	uint32_t	 chain;
	uint32_t	 rule;		/* index into the chain's rules */
};

struct machine {
	struct fw_packet p;
	fw_u128		 mark, ctmark;
	int		 mark_unknown, ctmark_unknown;
	uint32_t	 ctstate, ctstatus;
	int		 hook_i;	/* index into the path */
	size_t		 base_i;	/* next index into rs->bases */
	uint32_t	 base;		/* the base chain being run */
	struct frame	 stack[STACK_MAX];
	int		 depth;
	size_t		 stmt;
	int		 nat_done, local;
	int		 pending_dnat;	/* established: the NAT to apply */
	struct fw_result r;
};

struct run {
	const struct fw_env *env;
	unsigned int	 steps, forks;
};

static const enum fw_hook path_local[] = { HK_INGRESS, HK_PREROUTING,
	HK_INPUT };
static const enum fw_hook path_fwd[] = { HK_INGRESS, HK_PREROUTING,
	HK_FORWARD, HK_POSTROUTING };

static enum fw_hook
hook_at(const struct machine *m)
{
	if (m->hook_i < 2)
		return path_local[m->hook_i];
	if (m->local)
		return m->hook_i < 3 ? path_local[m->hook_i] : HK_NONE;
	return m->hook_i < 4 ? path_fwd[m->hook_i] : HK_NONE;
}

int
fw_in_range(const struct fw_range *r, fw_u128 v)
{
	return v >= r->lo && v <= r->hi;
}

/* A field's value: 1 known, 0 the match cannot apply (the header is
 * not there), -1 not known. */
struct fval {
	fw_u128		 n;
	const char	*s;
};

static int
field(const struct run *ru, const struct machine *m, const struct fw_key *k,
    int i, struct fval *out)
{
	const struct fw_packet *p = &m->p;
	enum fw_hook h = hook_at(m);

	out->s = NULL;
	out->n = 0;
	if (k->fam[i] && k->fam[i] != p->family)
		return 0;
	if (k->proto[i] && k->proto[i] != p->l4proto)
		return 0;
	switch (k->f[i]) {
	case FF_SADDR:
		out->n = p->saddr;
		return 1;
	case FF_DADDR:
		out->n = p->daddr;
		return 1;
	case FF_SPORT:
		return -1;		/* the client's choice */
	case FF_DPORT:
		out->n = p->dport;
		return 1;
	case FF_L4PROTO:
		out->n = p->l4proto;
		return 1;
	case FF_NFPROTO:
		out->n = p->family == 4 ? 2 : 10;
		return 1;
	case FF_IIFNAME:
	case FF_IIF:
	case FF_FIBRPF:
		/* the reverse path of a source from outside is the
		 * interface it came in by */
		out->s = p->iifname ? p->iifname : "";
		return 1;
	case FF_IIFIDX:
		if (p->iif == 0)
			return -1;
		out->n = p->iif;
		return 1;
	case FF_FIBRPFIDX:
		/* found (not 0, and "exists" is 1): a source from outside
		 * routes back by the interface it came in by */
		out->n = 1;
		return 1;
	case FF_OIFNAME:
	case FF_OIF:
		if (h != HK_FORWARD && h != HK_POSTROUTING)
			return 0;	/* no output device yet */
		out->s = ru->env->oif_for ? ru->env->oif_for(ru->env->ctx,
		    p->family, p->daddr) : NULL;
		return out->s ? 1 : -1;
	case FF_IIFTYPE:
		out->n = p->iiftype;
		return 1;
	case FF_PKTTYPE:
		out->n = 0;		/* to this host */
		return 1;
	case FF_MARK:
		out->n = m->mark;
		return m->mark_unknown ? -1 : 1;
	case FF_CTMARK:
		if (m->ctstate & CTS_UNTRACKED)
			return 0;
		out->n = m->ctmark;
		return m->ctmark_unknown ? -1 : 1;
	case FF_CTSTATE:
		out->n = m->ctstate;
		return 1;
	case FF_CTSTATUS:
	case FF_CTDIR:
		if (m->ctstate & CTS_UNTRACKED)
			return 0;
		out->n = k->f[i] == FF_CTSTATUS ? m->ctstatus : 0;
		return 1;
	case FF_FIBTYPE:
	case FF_ADDRTYPE_DST: {
		int local = ru->env->is_local(ru->env->ctx, p->family, p->daddr);

		/* RTN_LOCAL 2, RTN_UNICAST 1; addrtype takes a bit each */
		out->n = k->f[i] == FF_FIBTYPE ? (local ? 2 : 1) :
		    (fw_u128)1 << (local ? 2 : 1);
		return 1;
	}
	case FF_TCPFLAGS:
		if (p->l4proto != 6)
			return 0;
		out->n = p->established ? 16 : 2;	/* ACK; SYN */
		return 1;
	case FF_ICMPTYPE:
		if (p->l4proto != 1 && p->l4proto != 58)
			return 0;
		out->n = (fw_u128)p->icmp_type;
		return 1;
	case FF_ICMPOTHER:
		if (p->l4proto != 1 && p->l4proto != 58)
			return 0;
		return -1;
	case FF_OTHERPROTO:
		return 0;
	}
	return -1;
}

static int
str_in(const struct fw_range *r, const char *s)
{
	if (!r->str)
		return 0;
	if (r->wild)
		return strncmp(s, r->s, strlen(r->s)) == 0;
	return strcmp(s, r->s) == 0;
}

static int
comp_in(const struct fw_range *r, const struct fval *v)
{
	return v->s ? str_in(r, v->s) : (!r->str && fw_in_range(r, v->n));
}

/* The element of set s holding the value tuple, or NULL. */
static const struct fw_elem *
lookup(const struct fw_set *s, const struct fval *v, int n)
{
	if (s->sorted && n == 1 && v[0].s == NULL) {
		size_t lo = 0, hi = s->n;

		/* the last element whose low end is <= v */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (s->v[mid].c[0].lo <= v[0].n)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo > 0 && s->v[lo - 1].c[1].hi >= v[0].n) {
			if (s->v[lo - 1].c[0].hi >= v[0].n)
				return &s->v[lo - 1];
			lo--;
		}
		return NULL;
	}
	for (size_t e = 0; e < s->n; e++) {
		int i;

		for (i = 0; i < n; i++)
			if (!comp_in(&s->v[e].c[i], &v[i]))
				break;
		if (i == n)
			return &s->v[e];
	}
	return NULL;
}

/* Read the key's values: 1, 0 (a header is missing), -1 (not known). */
static int
key_values(const struct run *ru, const struct machine *m,
    const struct fw_key *k, struct fval *v)
{
	int unknown = 0;

	for (int i = 0; i < k->n; i++) {
		int rc = field(ru, m, k, i, &v[i]);

		if (rc == 0)
			return 0;
		if (rc < 0)
			unknown = 1;
	}
	if (unknown)
		return -1;
	if (k->has_mask && k->n == 1)
		v[0].n &= k->mask;
	return 1;
}

static int
is_flag_field(enum fw_field f)
{
	return f == FF_CTSTATE || f == FF_CTSTATUS || f == FF_TCPFLAGS ||
	    f == FF_ADDRTYPE_DST;
}

/* 1 matches, 0 does not, -1 cannot be known. */
static int
match(const struct run *ru, const struct machine *m, const struct fw_stmt *st)
{
	const struct fw_set *s;
	struct fval v[FW_CONCAT_MAX];
	int rc;

	if (st->unknown || st->set >= ru->env->rs->nsets)
		return -1;
	s = &ru->env->rs->sets[st->set];
	rc = key_values(ru, m, &st->key, v);
	if (rc <= 0)
		return rc;
	if (st->op == OP_IN || st->op == OP_NOTIN ||
	    (is_flag_field(st->key.f[0]) && !st->key.has_mask &&
	    st->key.n == 1 && st->op == OP_NE && s->n == 1)) {
		/* flags: any of the bits */
		int any = 0;

		if (st->key.n != 1 || v[0].s)
			return lookup(s, v, st->key.n) != NULL ?
			    st->op != OP_NOTIN : st->op == OP_NOTIN;
		for (size_t e = 0; e < s->n && !any; e++)
			any = (v[0].n & s->v[e].c[0].lo) != 0;
		return st->op == OP_IN ? any : !any;
	}
	switch (st->op) {
	case OP_EQ:
		return lookup(s, v, st->key.n) != NULL;
	case OP_NE:
		return lookup(s, v, st->key.n) == NULL;
	case OP_LT:
		return v[0].n < s->v[0].c[0].lo;
	case OP_GT:
		return v[0].n > s->v[0].c[0].lo;
	case OP_LE:
		return v[0].n <= s->v[0].c[0].lo;
	case OP_GE:
		return v[0].n >= s->v[0].c[0].lo;
	default:
		return -1;
	}
}

static void run_machine(struct run *ru, struct machine m, struct fw_result *out);

static void
finish(struct machine *m, enum fw_verdict v, int32_t chain, int32_t rule,
    const char *why, struct fw_result *out)
{
	m->r.v = v;
	m->r.by.chain = chain;
	m->r.by.rule = rule;
	m->r.why = why;
	m->r.could = 1u << v;
	*out = m->r;
}

/* Both ways of an unknown condition; the same end, or undecided. */
static void
fork2(struct run *ru, const struct machine *yes, const struct machine *no,
    const char *why, int32_t chain, int32_t rule, struct fw_result *out)
{
	struct fw_result a, b;

	if (ru->forks + 2 > FORKS_MAX) {
		struct machine m = *yes;

		finish(&m, FWV_UNDECIDED, chain, rule, "more conditions that "
		    "cannot be known than the evaluator follows", out);
		out->could = 0xf;
		return;
	}
	ru->forks += 2;
	run_machine(ru, *yes, &a);
	run_machine(ru, *no, &b);
	if (a.v == b.v && a.v != FWV_UNDECIDED) {
		*out = a;
		return;
	}
	if (a.v == FWV_UNDECIDED && b.v != FWV_UNDECIDED)
		*out = a;
	else if (b.v == FWV_UNDECIDED && a.v != FWV_UNDECIDED)
		*out = b;
	else {
		*out = a;
		out->v = FWV_UNDECIDED;
		out->why = why;
		out->by.chain = chain;
		out->by.rule = rule;
	}
	out->could = a.could | b.could;
}

static int
family_fits(const struct fw_chain *c, const struct fw_packet *p,
    enum fw_hook h)
{
	switch (c->family) {
	case FAM_IP:
		return p->family == 4;
	case FAM_IP6:
		return p->family == 6;
	case FAM_INET:
		return 1;
	case FAM_NETDEV:
		return h == HK_INGRESS && (c->dev == NULL ||
		    (p->iifname && strcmp(c->dev, p->iifname) == 0));
	default:
		return 0;
	}
}

/* Accepted by the base chain being run: on to the next one. */
static void
passed(struct machine *m, int32_t rule)
{
	if (m->r.npassed < FW_PATH_MAX) {
		m->r.passed[m->r.npassed].chain = (int32_t)m->base;
		m->r.passed[m->r.npassed++].rule = rule;
	}
	m->depth = 0;
}

static int32_t
rule_index(const struct fw_ruleset *rs, const struct machine *m)
{
	const struct frame *f = &m->stack[m->depth - 1];

	return (int32_t)rs->chains[f->chain].rules[f->rule];
}

static void
next_rule(struct machine *m)
{
	m->stack[m->depth - 1].rule++;
	m->stmt = 0;
}

/* Apply a verdict kind (from a rule or a verdict map). */
static int
verdict(struct run *ru, struct machine *m, int kind, int32_t chain,
    const char *what, struct fw_result *out)
{
	const struct fw_ruleset *rs = ru->env->rs;
	int32_t ri = rule_index(rs, m);
	const struct fw_chain *bc = &rs->chains[m->base];

	switch (kind) {
	case FS_ACCEPT:
		passed(m, ri);
		return 0;
	case FS_DROP:
		if (bc->family == FAM_NETDEV && bc->dev == NULL) {
			finish(m, FWV_UNDECIDED, (int32_t)m->base, ri, "a netdev "
			    "ingress chain whose device the ruleset does not "
			    "say drops it", out);
			out->could = (1u << FWV_FILTERED) | (1u << FWV_OPEN);
			return 1;
		}
		finish(m, FWV_FILTERED, (int32_t)m->stack[m->depth - 1].chain,
		    ri, NULL, out);
		return 1;
	case FS_REJECT:
		finish(m, FWV_REJECTED, (int32_t)m->stack[m->depth - 1].chain,
		    ri, NULL, out);
		return 1;
	case FS_QUEUE:
		finish(m, FWV_UNDECIDED, (int32_t)m->stack[m->depth - 1].chain,
		    ri, "a queue to user space decides", out);
		out->could = 0xf;
		return 1;
	case FS_CONTINUE:
		next_rule(m);
		return 0;
	case FS_RETURN:
		if (m->depth > 1)
			m->depth--;
		else
			m->stack[0].rule = (uint32_t)rs->chains[
			    m->stack[0].chain].nrules;	/* the policy */
		m->stmt = 0;
		return 0;
	case FS_JUMP:
	case FS_GOTO:
		if (chain < 0 || (size_t)chain >= rs->nchains) {
			finish(m, FWV_UNDECIDED, (int32_t)m->stack[m->depth -
			    1].chain, ri, "a jump to a chain not held", out);
			out->could = 0xf;
			return 1;
		}
		if (kind == FS_JUMP) {
			if (m->depth >= STACK_MAX) {
				finish(m, FWV_UNDECIDED, (int32_t)m->stack[
				    m->depth - 1].chain, ri, "jumps nested "
				    "deeper than the kernel allows", out);
				out->could = 0xf;
				return 1;
			}
			next_rule(m);
			m->depth++;
		}
		/* goto: the chain takes the place of this one; its return
		 * goes to this one's caller (or the base's policy) */
		m->stack[m->depth - 1].chain = (uint32_t)chain;
		m->stack[m->depth - 1].rule = 0;
		m->stmt = 0;
		return 0;
	default:
		finish(m, FWV_UNDECIDED, (int32_t)m->stack[m->depth - 1].chain,
		    ri, what ? what : "a verdict the evaluator does not model",
		    out);
		out->could = 0xf;
		return 1;
	}
}

/* An established packet's NAT, at the DNAT hook's priority (-100). */
static void
apply_pending(struct machine *m)
{
	m->p.daddr = m->p.dnat_daddr;
	m->p.dport = m->p.dnat_dport;
	m->pending_dnat = 0;
}

/* The next base chain of the path that applies, or the end: 1 when the
 * machine ended (out is set). */
static int
next_base(struct run *ru, struct machine *m, struct fw_result *out)
{
	const struct fw_ruleset *rs = ru->env->rs;

	for (;;) {
		enum fw_hook h = hook_at(m);

		if (h == HK_NONE) {
			/* through every hook: the flow is let in */
			m->r.forwarded = !m->local;
			finish(m, FWV_OPEN, -1, -1, NULL, out);
			return 1;
		}
		while (m->base_i < rs->nbases) {
			const struct fw_chain *c =
			    &rs->chains[rs->bases[m->base_i]];

			if (c->hook > h)
				break;
			m->base_i++;
			if (h == HK_PREROUTING && m->pending_dnat &&
			    c->prio > -100)
				apply_pending(m);
			if (c->hook != h || !family_fits(c, &m->p, h) ||
			    (c->type_nat && (m->nat_done || h != HK_PREROUTING)))
				continue;
			m->base = rs->bases[m->base_i - 1];
			m->depth = 1;
			m->stack[0].chain = m->base;
			m->stack[0].rule = 0;
			m->stmt = 0;
			return 0;
		}
		/* the hook is done; after prerouting, the routing decision */
		if (h == HK_PREROUTING && m->pending_dnat)
			apply_pending(m);
		if (h == HK_PREROUTING)
			m->local = ru->env->is_local(ru->env->ctx, m->p.family,
			    m->p.daddr);
		m->hook_i++;
		/* bases are sorted by hook: start again from the first one
		 * of the next hook */
		m->base_i = 0;
		while (m->base_i < rs->nbases && rs->chains[rs->bases[
		    m->base_i]].hook < hook_at(m))
			m->base_i++;
	}
}

static void
run_machine(struct run *ru, struct machine m, struct fw_result *out)
{
	const struct fw_ruleset *rs = ru->env->rs;

	for (;;) {
		const struct fw_chain *c;
		const struct fw_rule *r;
		const struct fw_stmt *st;
		struct frame *f;
		int rc;

		if (++ru->steps > STEPS_MAX) {
			finish(&m, FWV_UNDECIDED, -1, -1, "a ruleset longer "
			    "than the evaluator follows", out);
			out->could = 0xf;
			return;
		}
		if (m.depth == 0 && next_base(ru, &m, out))
			return;
		f = &m.stack[m.depth - 1];
		c = &rs->chains[f->chain];
		if (f->rule >= c->nrules) {
			if (m.depth > 1) {
				m.depth--;	/* back from a jump */
				m.stmt = 0;
				continue;
			}
			c = &rs->chains[m.base];
			if (c->policy_drop) {
				finish(&m, FWV_FILTERED, (int32_t)m.base, -1,
				    NULL, out);
				return;
			}
			passed(&m, -1);
			continue;
		}
		/* the quick test: a rule for other ports is passed over
		 * (a long chain's index goes from candidate to candidate) */
		while (m.stmt == 0) {
			int ported = m.p.l4proto == 6 || m.p.l4proto == 17 ||
			    m.p.l4proto == 132 || m.p.l4proto == 136;

			f->rule = fw_chain_next(c, f->rule, ported, m.p.dport);
			if (f->rule >= c->nrules)
				break;
			r = &rs->rules[c->rules[f->rule]];
			if (!r->pf || (ported && (!r->pf_proto ||
			    r->pf_proto == m.p.l4proto) &&
			    m.p.dport >= r->pf_lo && m.p.dport <= r->pf_hi))
				break;
			f->rule++;
		}
		if (f->rule >= c->nrules)
			continue;
		r = &rs->rules[c->rules[f->rule]];
		if (m.stmt >= r->nst) {
			next_rule(&m);
			continue;
		}
		st = &r->st[m.stmt];
		switch (st->kind) {
		case FS_MATCH:
			rc = match(ru, &m, st);
			if (rc > 0)
				m.stmt++;
			else if (rc == 0)
				next_rule(&m);
			else {
				struct machine yes = m, no = m;

				yes.stmt++;
				next_rule(&no);
				fork2(ru, &yes, &no, st->what ? st->what :
				    "a condition that cannot be known",
				    (int32_t)f->chain, (int32_t)c->rules[f->rule],
				    out);
				return;
			}
			break;
		case FS_MAYBE: {
			struct machine yes = m, no = m;

			yes.stmt++;
			next_rule(&no);
			fork2(ru, &yes, &no, st->what, (int32_t)f->chain,
			    (int32_t)c->rules[f->rule], out);
			return;
		}
		case FS_VMAP: {
			const struct fw_set *s = &rs->sets[st->set];
			struct fval v[FW_CONCAT_MAX];
			const struct fw_elem *e;

			rc = key_values(ru, &m, &st->key, v);
			if (rc == 0) {
				next_rule(&m);
				break;
			}
			if (rc < 0) {
				finish(&m, FWV_UNDECIDED, (int32_t)f->chain,
				    (int32_t)c->rules[f->rule], "a verdict map "
				    "on a value that cannot be known", out);
				out->could = 0xf;
				return;
			}
			if ((e = lookup(s, v, st->key.n)) == NULL) {
				next_rule(&m);
				break;
			}
			if (verdict(ru, &m, e->vkind, e->vchain, NULL, out))
				return;
			break;
		}
		case FS_DNAT:
		case FS_REDIRECT:
			if (hook_at(&m) != HK_PREROUTING ||
			    !rs->chains[m.base].type_nat) {
				m.stmt++;	/* not for a flow from outside */
				break;
			}
			if (st->kind == FS_DNAT && st->has_addr &&
			    st->nat_family == m.p.family)
				m.p.daddr = st->addr;
			if (st->has_port)
				m.p.dport = st->port;
			m.nat_done = 1;
			m.ctstatus |= CTSTATUS_DNAT;
			m.r.dnat = 1;
			m.r.dnat_at.chain = (int32_t)f->chain;
			m.r.dnat_at.rule = (int32_t)c->rules[f->rule];
			m.r.dnat_family = m.p.family;
			m.r.daddr = m.p.daddr;
			m.r.dport = m.p.dport;
			passed(&m, (int32_t)c->rules[f->rule]);
			break;
		case FS_NATOTHER:
			passed(&m, (int32_t)c->rules[f->rule]);
			break;
		case FS_MARKSET:
		case FS_CTMARKSET:
			if (st->kind == FS_MARKSET) {
				m.mark = st->value;
				m.mark_unknown = st->unknown_value;
			} else {
				m.ctmark = st->value;
				m.ctmark_unknown = st->unknown_value;
			}
			m.stmt++;
			break;
		case FS_NOTRACK:
			m.ctstate = CTS_UNTRACKED;
			m.stmt++;
			break;
		case FS_NOP:
			m.stmt++;
			break;
		default:
			if (verdict(ru, &m, (int)st->kind, (int32_t)st->target,
			    st->what, out))
				return;
			break;
		}
	}
}

void
fw_eval(const struct fw_env *env, const struct fw_packet *p,
    struct fw_result *out)
{
	struct run ru = { env, 0, 1 };
	struct machine m;

	memset(&m, 0, sizeof(m));
	m.p = *p;
	m.ctstate = CTS_NEW;
	if (p->established) {
		m.ctstate = 2;			/* established */
		m.nat_done = 1;			/* nat chains see new flows */
		m.pending_dnat = p->dnat;
		if (p->dnat)
			m.ctstatus |= CTSTATUS_DNAT;
	}
	/* neighbour discovery and MLD: untracked by conntrack */
	if (p->l4proto == 58 && p->icmp_type >= 130 && p->icmp_type <= 136)
		m.ctstate = CTS_UNTRACKED;
	m.r.by.chain = m.r.by.rule = -1;
	m.r.daddr = p->daddr;
	m.r.dport = p->dport;
	m.r.dnat_family = p->family;
	/* the packet's mark may have been set before the filter sees it
	 * (tc, another hook): unknown until a rule on the path sets it; a
	 * new flow's conntrack mark is 0 */
	m.mark_unknown = 1;
	run_machine(&ru, m, out);
}
