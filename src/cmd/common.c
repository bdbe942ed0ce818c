/*
 * common.c - what every subcommand shares: collecting the listing,
 * probing it, the warnings about what could not be seen, the run's
 * notes, and finishing the output.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "kernel/netns.h"
#include "fw/nat.h"
#include "why/container.h"
#include "why/dossier.h"
#include "model/listing.h"
#include "probe/verdict.h"
#include "render/jsonw.h"
#include "util/escape.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"

#ifndef PS_DATADIR
#define PS_DATADIR "/usr/local/share/portsleuth"
#endif

const char *
cmd_find_data(const char *name)
{
	static char found[4096];
	const char *dirs[] = {
		PS_DATADIR,
#ifdef PS_SRC_DATADIR
		PS_SRC_DATADIR,
#endif
	};
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(found, sizeof(found), "%s/%s", dirs[i], name);
		if (access(found, R_OK) == 0)
			return found;
	}
	return NULL;
}

void
cmd_report_verbose(const struct listing *l)
{
	int p, f;

	for (p = 0; p < PROTO_COUNT; p++)
		for (f = 0; f < 2; f++)
			if (l->rep.source[p][f])
				cmd_warn("%s%s: %s\n",
				    proto_name(p), f ? "6" : "4",
				    l->rep.source[p][f]);
	for (size_t i = 0; i < l->nets.n; i++) {
		char label[64];

		if (!l->nsv[i].wanted)
			continue;
		netns_label(&l->nets.v[i], label, sizeof(label));
		if (l->nsv[i].entered)
			cmd_warn("netns %s (%s, %s): %u sockets\n", label,
			    netns_kind_key(l->nets.v[i].kind),
			    l->nets.v[i].path, l->nsv[i].nsockets);
		else
			cmd_warn("netns %s (%s, %s): not read: %s\n", label,
			    netns_kind_key(l->nets.v[i].kind),
			    l->nets.v[i].path, l->nsv[i].error ?
			    l->nsv[i].error : "?");
	}
	cmd_warn("interfaces: %s (%zu links, %zu "
	    "addresses)\n", l->ifs.source ? l->ifs.source : "-",
	    l->ifs.nlinks, l->ifs.naddrs);
	if (l->ps.path && strcmp(l->ps.path, "bpf") == 0)
		cmd_warn("descriptors: one pass of a BPF iterator "
		    "(iter/task_file; loaded by %s) over every process's "
		    "files, the owners' identities from it (load %.1f ms, "
		    "run and read %.1f ms, waited for %.1f ms); %u "
		    "owners read in /proc while it ran; %u "
		    "processes it did not visit walked in /proc\n",
		    l->ps.bpf_loader, l->ps.bpf_ms_load, l->ps.bpf_ms_read,
		    l->ps.bpf_ms_wait, l->ps.early, l->ps.unvisited);
	else if (l->ps.path)
		cmd_warn("descriptors: the walk of /proc/PID/fd (BPF iterator "
		    "not used: %s)\n", l->ps.path_why[0] ? l->ps.path_why :
		    "-");
	cmd_warn("processes: %u scanned, %u with "
	    "unreadable descriptors, %u exited during the scan, %u PID "
	    "reuses caught\n", l->ps.scanned, l->ps.denied, l->ps.vanished,
	    l->ps.reused);
	cmd_warn("skipped malformed records: %u socket, "
	    "%u process, %u interface, %u /etc/services, %u IANA; %u "
	    "interrupted dumps retried\n", l->rep.malformed, l->ps.malformed,
	    l->ifs.malformed, l->reg.etc.malformed, l->reg.iana.malformed,
	    l->rep.retries);
	if (l->rep.duplicates)
		cmd_warn("%u repeated sockets dropped (the "
		    "same inode listed twice)\n", l->rep.duplicates);
	if (l->closed_after_walk)
		cmd_warn("%u sockets without a holder were "
		    "gone when asked again: their processes exited\n",
		    l->closed_after_walk);
	if (l->reg.iana_error)
		cmd_warn("%s\n", l->reg.iana_error);
}

void
cmd_report_listing(const struct listing *l)
{
	size_t missed = 0, denied = 0;

	for (size_t i = 0; i < l->nets.n; i++)
		if (l->nsv[i].wanted && !l->nsv[i].entered) {
			missed++;
			denied += l->nsv[i].error &&
			    strncmp(l->nsv[i].error, "not root", 8) == 0;
		}
	if (denied)
		cmd_warn("not running as root: %zu other "
		    "network namespaces (containers, ip netns) cannot be "
		    "entered, so their sockets are not listed\n", denied);
	if (missed > denied)
		cmd_warn("%zu network namespaces could not "
		    "be read (they went away, or cannot be opened; -v "
		    "names them)\n", missed - denied);
	if (!l->privileged && l->ps.denied)
		cmd_warn("not running as root: the "
		    "descriptors of %u processes of other users cannot be "
		    "read, so their sockets show no owner\n", l->ps.denied);
	else if (!l->privileged && l->unowned[OWNER_NOT_ROOT])
		cmd_warn("not running as root: the processes "
		    "of other users are hidden from this user (/proc mounted "
		    "with hidepid?), so their sockets show no owner\n");
	if (l->reg.etc_error)
		cmd_warn("%s\n", l->reg.etc_error);
}

void
cmd_report_why(const struct dossiers *d, const struct listing *l,
    int verbose)
{
	if (d->db.error)
		cmd_warn("%s: packages and integrity are "
		    "not checked\n", d->db.error);
	if (d->kb.problems && verbose)
		cmd_warn("knowledge base: %s", d->kb.problems);
	if (!l->privileged && d->env_denied)
		cmd_warn("not running as root: the "
		    "environment of %u processes cannot be read, so "
		    "LD_PRELOAD and SSH_CONNECTION are not checked for them\n",
		    d->env_denied);
	if (verbose) {
		struct pkgdb_stats st;

		pkgdb_stats(&d->db, &st);
		cmd_warn("package database: %s, %zu "
		    "packages, %zu diversions, %u file lists read, %u "
		    "malformed records\n", pkg_manager_name(d->db.pm),
		    st.npkgs, st.ndivs, st.lists_read, st.malformed);
	}
}

int
cmd_collect(struct listing *l, const struct listing_opts *lo,
    const char *root, const char *replay, const char *record)
{
	struct listing_opts o = *lo;
	struct nlio *io;
	char *cause = NULL;

	/* a recording holds one namespace, a fixture tree describes one */
	if (replay || root || record) {
		if (lo->netns && strcmp(lo->netns, "self") != 0) {
			cmd_warn("--netns reads live "
			    "namespaces: not with --replay, --root or "
			    "--record\n");
			return -1;
		}
		o.own_netns_only = 1;
	}
	/* a namespace of a container is named after it, before --netns
	 * picks one (podman:web, docker:ID) */
	o.name_netns = container_label_netns;
	if (replay && root == NULL)
		notes_add("--replay without --root: the recording holds the "
		    "kernel's tables only; processes are this system's "
		    "/proc");
	if (replay)
		io = nlio_open_replay(replay, &cause);
	else if (root)
		io = nlio_open_none();
	else
		io = nlio_open_live(record, &cause);
	if (io == NULL) {
		cmd_warn("%s\n", cause);
		free(cause);
		return -1;
	}
	listing_build(l, io, &o);
	if (l->netns_error) {
		cmd_warn("--netns: %s\n", l->netns_error);
		nlio_close(io, NULL);
		listing_release(l);
		return -1;
	}
	if (nlio_close(io, &cause) != 0) {
		cmd_warn("%s\n", cause);
		free(cause);
		listing_release(l);
		return -1;
	}
	return 0;
}

struct probe_view *
cmd_probe_listing(const struct listing *l, const char *rules_path,
    int budget_ms, struct rules *rules, int *loaded)
{
	struct probe_view *pv;
	char *cause = NULL;

	*loaded = 1;
	if (rules_load(rules, rules_path ? rules_path :
	    cmd_find_data("probes.rules"), &cause) < 0) {
		cmd_warn("%s: nothing probed\n", cause);
		free(cause);
		return NULL;
	}
	if (rules->problems)
		cmd_warn("probe rules: %s", rules->problems);
	pv = xcalloc(l->nviews + 1, sizeof(*pv));
	if (probe_listing(l, rules, budget_ms, pv, &cause) < 0) {
		cmd_warn("%s: nothing probed\n", cause);
		free(cause);
		free(pv);
		return NULL;
	}
	return pv;
}

void
cmd_report_notes(void)
{
	struct strbuf sb;
	size_t i, n = notes_count();

	strbuf_init(&sb, 1u << 16);
	for (i = 0; i < n; i++) {
		const char *t = notes_get(i);

		strbuf_reset(&sb);
		escape_terminal(&sb, t, strlen(t));
		fprintf(stderr, "portsleuth: note: %s\n", strbuf_str(&sb));
	}
	if (notes_dropped())
		cmd_warn("note: %zu more notes not shown\n",
		    notes_dropped());
	strbuf_release(&sb);
}

int
cmd_finish(int rc)
{
	cmd_report_notes();
	notes_reset();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_warn("cannot write output: %s\n",
		    strerror(errno ? errno : EIO));
		return EXIT_USAGE;
	}
	return rc;
}

int
cmd_check_data_option(const char *option, const char *path)
{
	int fd = open_regular_at(AT_FDCWD, path, 0);

	if (fd < 0) {
		cmd_warn("%s '%s': %s\n", option, path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int
cmd_emit_json(struct jw *w, FILE *out)
{
	char *cause;

	if (jw_emit(w, out, &cause) == 0)
		return 0;
	cmd_warn("%s\n", cause);
	free(cause);
	return -1;
}

void
cmd_pf_begin(struct cmd_pf *pf, int live, int firewall)
{
	memset(pf, 0, sizeof(*pf));
	if (live && firewall)
		nft_prefetch_start(&pf->pre, NFT_WANT_RULES);
}

void
cmd_read_pf(struct listing *l, struct cmd_pf *pf, int live, int firewall,
    const struct fw_from *from)
{
	if (!live) {
		if (firewall)
			notes_add("the packet filter is read only from the live "
			    "system (not from a recording or a --root tree): "
			    "no firewall verdicts");
		return;
	}
	if (!firewall && (!l->privileged || l->nentered < 2))
		return;
	{
		double t0 = now_ms();

		int pre = pf->pre.started;

		fw_sources_read(&pf->src, l, (l->privileged && l->nentered >= 2 ?
		    NFT_WANT_JSON : 0) | (firewall ? NFT_WANT_RULES : 0),
		    &pf->pre);
		pf->ms_read = now_ms() - t0;
		if (pre && pf->pre.ms >= pf->pre.waited) {
			/* the prefetch's own time counts, not the wait */
			pf->ms_beside = pf->pre.ms - pf->pre.waited;
			pf->ms_read += pf->ms_beside;
		}
	}
	pf->have_src = 1;
	if (pf->src.first_error)
		notes_add("the packet filter of %u network namespaces could not "
		    "be read (%s): what it publishes%s is not shown",
		    pf->src.failed, pf->src.first_error, firewall ?
		    " and lets in" : "");
	if (l->privileged && l->nentered >= 2) {
		struct nat_links *nl = &pf->nat;

		nat_links_build(nl, l, &pf->src);
		pf->have_nat = 1;
		if (nl->rules.xt_dnat)
			notes_add("%u DNAT rules are iptables-nft compat targets "
			    "whose addresses could not be read: what they "
			    "publish is not shown", nl->rules.xt_dnat);
		if (nl->rules.skipped > nl->rules.xt_dnat)
			notes_add("%u DNAT rules were not understood (named sets, "
			    "maps, prefixes): what they publish is not shown",
			    nl->rules.skipped - nl->rules.xt_dnat);
		l->nat = nl;
	}
	if (firewall) {
		double t0 = now_ms();

		firewall_build(&pf->fw, l, pf->have_nat ? &pf->nat : NULL,
		    &pf->src, from);
		pf->ms_firewall = now_ms() - t0;
		pf->have_fw = 1;
		if (pf->fw.skipped)
			notes_add("%u items of the rulesets were not understood "
			    "(rules of chains not listed, malformed parts): the "
			    "verdicts leave them out", pf->fw.skipped);
		l->fw = &pf->fw;
	}
}

void
cmd_pf_release(struct listing *l, struct cmd_pf *pf)
{
	nft_prefetch_drop(&pf->pre);
	if (pf->have_fw)
		firewall_release(&pf->fw);
	if (pf->have_nat)
		nat_links_release(&pf->nat);
	if (pf->have_src)
		fw_sources_release(&pf->src);
	l->fw = NULL;
	l->nat = NULL;
	memset(pf, 0, sizeof(*pf));
}

void
cmd_warn(const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	char *text;
	const char *p, *nl;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	/* one place for what reaches the terminal from here: every line
	 * escaped (a path, a name, a file's line may hold anything) */
	strbuf_init(&sb, 1u << 20);
	for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		strbuf_reset(&sb);
		escape_terminal(&sb, p, nl ? (size_t)(nl - p) : strlen(p));
		fprintf(stderr, "%s%s\n", p == text ? "portsleuth: " : "  ",
		    strbuf_str(&sb));
		if (nl == NULL)
			break;
	}
	strbuf_release(&sb);
	free(text);
}

void
cmd_ephemeral_range(int *lo, int *hi)
{
	struct strbuf sb;
	const char *p;
	char *end;

	*lo = 32768;
	*hi = 60999;
	strbuf_init(&sb, 128);
	if (sysroot_read("/proc/sys/net/ipv4/ip_local_port_range", 128,
	    &sb) == 0) {
		long a = strtol(p = strbuf_str(&sb), &end, 10), b;

		if (end != p) {
			b = strtol(end, &end, 10);
			if (a > 0 && b >= a && b <= 65535) {
				*lo = (int)a;
				*hi = (int)b;
			}
		}
	}
	strbuf_release(&sb);
}

int
cmd_pick_namespaces(const char *spec, struct netns_set *nets, size_t *idx,
    int *all, char **cause)
{
	*idx = 0;
	*all = 0;
	netns_discover(nets, spec != NULL || netns_self_is_host());
	container_label_netns(nets);
	if (spec)
		return netns_select(nets, spec, idx, all, cause);
	/* the listing's rule: every one from the host's, else its own */
	*all = nets->n > 0 && nets->v[0].kind == NETNS_HOST;
	return 0;
}
