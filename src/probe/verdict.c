/*
 * verdict.c - the rogue/mismatch verdict.
 *
 * Only a hard match on the wire counts as evidence.  The port's
 * registered name and the owning program are each mapped to a protocol
 * family (data/probes.rules, [family] stanzas); a family known on
 * either side that differs from the wire's is a mismatch: sshd on
 * 24/tcp (registered as priv-mail) speaks ssh, an HTTP server answers
 * on 22.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "model/listing.h"
#include "model/forward.h"
#include "probe/verdict.h"
#include "util/xmalloc.h"
#include "util/banned.h"

const char *
verdict_key(enum verdict v)
{
	switch (v) {
	case VERDICT_CONSISTENT:
		return "consistent";
	case VERDICT_MISMATCH:
		return "mismatch";
	default:
		return "unknown";
	}
}

enum verdict
verdict_compute(const struct rules *r, const char *registered,
    const char *comm, const char *exe_base, const struct probe_result *w,
    unsigned int port, const char *proto, char *reasons, size_t sz)
{
	const struct family *fw, *fr, *fp;
	enum verdict v = VERDICT_CONSISTENT;
	int speaks;
	size_t used = 0;
	char shown[48];

	reasons[0] = '\0';
	if (w->state != PS_HARD || w->service[0] == '\0')
		return VERDICT_UNKNOWN;
	probe_service_shown(w, shown, sizeof(shown));
	fw = rules_family_wire(r, w->service);
	fr = registered && *registered ?
	    rules_family_registered(r, registered) : NULL;
	/* the program: does any protocol it is known to serve match? */
	speaks = comm ? rules_program_speaks(r, comm, fw) : -1;
	if (speaks < 0 && exe_base)
		speaks = rules_program_speaks(r, exe_base, fw);
	fp = speaks == 0 ? (comm && rules_family_program(r, comm) ?
	    rules_family_program(r, comm) : rules_family_program(r, exe_base)) :
	    NULL;
	/* a registered name in a family must be the wire's family; one
	 * in none must be the wire's service itself (priv-mail vs ssh) */
	if (registered && *registered && (fr ? fr != fw :
	    strcmp(registered, w->service) != 0)) {
		used += (size_t)snprintf(reasons + used, sz - used,
		    "port %u/%s is registered as %s, but it speaks %s", port,
		    proto, registered, shown);
		v = VERDICT_MISMATCH;
	}
	if (fp && used < sz) {
		used += (size_t)snprintf(reasons + used, sz - used,
		    "%s%s serves %s, but the port speaks %s", used ? "; " : "",
		    comm ? comm : exe_base, fp->name, shown);
		v = VERDICT_MISMATCH;
	}
	return v;
}

/* The address to reach a socket at: its own, or loopback for a
 * wildcard; 0, or -1 when it cannot be reached from here. */
static int
target_of(const struct sock_rec *s, struct probe_target *t,
    const char **why)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	static const uint8_t zero[16];

	memset(t, 0, sizeof(*t));
	t->port = s->lport;
	t->udp = s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE;
	if (s->proto == PROTO_UDPLITE) {
		*why = "UDP-Lite is not probed";
		return -1;
	}
	if (s->family == AF_INET6 && memcmp(s->laddr, mapped, 12) == 0) {
		t->family = AF_INET;
		memcpy(t->addr, s->laddr + 12, 4);
	} else if (s->family == AF_INET) {
		t->family = AF_INET;
		memcpy(t->addr, s->laddr, 4);
		if (memcmp(t->addr, zero, 4) == 0) {
			t->addr[0] = 127;
			t->addr[3] = 1;
		}
	} else {
		t->family = AF_INET6;
		memcpy(t->addr, s->laddr, 16);
		if (memcmp(t->addr, zero, 16) == 0)
			t->addr[15] = 1;
		else if (t->addr[0] == 0xfe && (t->addr[1] & 0xc0) == 0x80) {
			if (s->bound_if == 0) {
				*why = "link-local address with no interface";
				return -1;
			}
			t->scope = s->bound_if;
		}
	}
	if (s->bound_if && (memcmp(s->laddr, zero, 4) == 0 ||
	    (s->family == AF_INET6 && memcmp(s->laddr, zero, 16) == 0))) {
		*why = "bound to a device: loopback does not reach it";
		return -1;
	}
	if (t->family == AF_INET && t->addr[0] >= 224 && t->addr[0] < 240) {
		*why = "a multicast group";
		return -1;
	}
	return 0;
}

/*
 * Probe the targets namespace by namespace: each from inside its own
 * (the prober child enters it before dropping privileges), in turn, with
 * what is left of the budget.  A namespace that cannot be probed (not
 * root, gone) marks its sockets with why; only a failure of the own
 * namespace's run fails the whole.
 */
static int
probe_by_netns(const struct listing *l, const struct probe_target *tg,
    const size_t *which, size_t n, struct probe_opts *po, int budget_ms,
    struct probe_result *res, struct probe_view *views, char **cause)
{
	struct probe_target *sub = xcalloc(n + 1, sizeof(*sub));
	struct probe_result *sres = xcalloc(n + 1, sizeof(*sres));
	size_t *idx = xcalloc(n + 1, sizeof(*idx));
	double end = now_ms() + budget_ms;
	int rc = 0;

	for (size_t ns = 0; ns < (l->nets.n ? l->nets.n : 1); ns++) {
		size_t m = 0;
		char *why = NULL;
		int fd = -1, left = (int)(end - now_ms());

		for (size_t k = 0; k < n; k++)
			if (l->views[which[k]].s->netns == ns) {
				sub[m] = tg[k];
				idx[m++] = k;
			}
		if (m == 0)
			continue;
		if (ns > 0 && (fd = netns_open(&l->nets.v[ns], &why)) < 0) {
			for (size_t j = 0; j < m; j++)
				views[which[idx[j]]].why_not =
				    "its network namespace went away";
			free(why);
			continue;
		}
		po->netns_fd = fd;
		po->budget_ms = left > 50 ? left : 50;
		if (probe_run_isolated(sub, m, po, sres, &why) < 0) {
			if (ns == 0) {
				*cause = why;
				rc = -1;
			} else {
				for (size_t j = 0; j < m; j++)
					views[which[idx[j]]].why_not = geteuid() ?
					    "in another network namespace: "
					    "probing it needs root" :
					    "its network namespace could not be "
					    "entered";
				free(why);
			}
		} else {
			for (size_t j = 0; j < m; j++)
				res[idx[j]] = sres[j];
		}
		if (fd >= 0)
			close(fd);
		po->netns_fd = -1;
		if (rc < 0)
			break;
	}
	free(sub);
	free(sres);
	free(idx);
	return rc;
}

int
probe_listing(const struct listing *l, const struct rules *r,
    int budget_ms, struct probe_view *views, char **cause)
{
	struct probe_target *tg = xcalloc(l->nviews + 1, sizeof(*tg));
	struct probe_result *res = xcalloc(l->nviews + 1, sizeof(*res));
	size_t *which = xcalloc(l->nviews + 1, sizeof(*which));
	struct probe_opts po;
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < l->nviews; i++) {
		const struct sock_rec *s = l->views[i].s;

		memset(&views[i], 0, sizeof(views[i]));
		if (!((s->proto == PROTO_TCP && s->state == ST_LISTEN) ||
		    ((s->proto == PROTO_UDP || s->proto == PROTO_UDPLITE) &&
		    s->state == ST_CLOSE))) {
			views[i].why_not = "not a listening socket";
			continue;
		}
		if (target_of(s, &tg[n], &views[i].why_not) < 0)
			continue;
		which[n++] = i;
	}
	probe_opts_default(&po, r);
	rc = probe_by_netns(l, tg, which, n, &po, budget_ms, res, views, cause);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		struct probe_view *pv = &views[which[k]];
		const struct sock_view *v = &l->views[which[k]];
		const struct proc_rec *p = NULL;
		const char *reg = NULL, *base = NULL, *fcomm = NULL;
		const struct fwd_target *behind = NULL;
		char proto[8];

		if (pv->why_not)	/* its namespace could not be probed */
			continue;
		pv->probed = res[k].state != PS_UNPROBED;
		if (!pv->probed)
			pv->why_not = "the time budget ran out";
		pv->r = res[k];
		if (v->nowners)
			p = &l->ps.procs[l->ps.owners[view_owner(l, v, 0)].proc];
		/* a forwarder answers with what is behind it: the process
		 * that listens there is the one the wire must agree with */
		if (l->fwd && forwards_at(l->fwd, which[k])->n > 0 &&
		    !forwards_at(l->fwd, which[k])->self) {
			const struct fwd_target *ft =
			    &forwards_at(l->fwd, which[k])->t[0];

			p = NULL;
			behind = ft->behind_pid > 0 ? ft : NULL;
		}
		if (p && p->exe)
			base = strrchr(p->exe, '/') ? strrchr(p->exe, '/') + 1 :
			    p->exe;
		if (v->svc)
			reg = v->svc->name[0] ? v->svc->name :
			    v->svc->desc;
		snprintf(proto, sizeof(proto), "%s", tg[k].udp ? "udp" : "tcp");
		if (behind) {
			fcomm = behind->behind_comm;
			base = behind->behind_exe[0] ? behind->behind_exe : NULL;
		}
		pv->verdict = verdict_compute(r, reg, p ? p->comm : fcomm, base,
		    &pv->r, v->s->lport, proto, pv->reasons,
		    sizeof(pv->reasons));
	}
	free(tg);
	free(res);
	free(which);
	return rc;
}
