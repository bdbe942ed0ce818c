/*
 * packet.c - `portsleuth packet`: the listeners that need no port, in
 * every namespace: AF_PACKET sockets with their owners, interface,
 * protocol and BPF filter, and the multicast groups joined per
 * interface.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "kernel/ifaces.h"
#include "kernel/netns.h"
#include "kernel/nlio.h"
#include "kernel/packetdiag.h"
#include "proc/procscan.h"
#include "proc/users.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const struct option packet_opts[] = {
	CMDOPT_SOURCES,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_packet_usage(FILE *out)
{
	fputs(
"usage: portsleuth packet [options]\n"
"\n"
"The listeners that need no port, in every network namespace: AF_PACKET\n"
"sockets (what sniffers and magic-packet backdoors use) with the process\n"
"holding each, its interface, protocol and attached BPF filter (read as\n"
"root), and the multicast groups joined per interface.\n"
"\n"
"Options:\n"
"  -j, --json           one JSON document\n"
"      --netns SPEC     which network namespaces (default: all from the\n"
"                       host's namespace, else its own)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 listed, 1 no packet socket, 2 usage or fatal error.\n",
	    out);
}

struct pns {
	struct ifaces		ifs;
	struct mc_groups	mc;
	int			read;
	char			*error;
};

static const char *
type_name(int t)
{
	return t == SOCK_RAW ? "raw" : t == SOCK_DGRAM ? "dgram" : "?";
}

int
cmd_packet_exec(int argc, char **argv)
{
	struct cmd_opts co;
	struct netns_set nets;
	struct packet_socks ps = { 0 };
	struct procscan scan;
	struct users *users;
	struct pns *pn;
	uint64_t *inodes;
	size_t idx = 0;
	int ch, taken, all = 0, root = geteuid() == 0, rc;
	char *cause = NULL;

	cmd_opts_init(&co, "packet");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", packet_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		if (ch == 'h') {
			cmd_packet_usage(stdout);
			return 0;
		}
		return cmd_try_help(&co);
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (co.root || co.replay)
		return cmd_usage(&co, "packet reads the live kernel: not with "
		    "--root or --replay");
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	if (cmd_pick_namespaces(co.netns, &nets, &idx, &all, &cause) < 0) {
		cmd_warn("--netns: %s\n", cause);
		free(cause);
		netns_set_release(&nets);
		return EXIT_USAGE;
	}
	pn = xcalloc(nets.n ? nets.n : 1, sizeof(*pn));
	for (size_t i = 0; i < nets.n; i++) {
		struct nlio *io = NULL;
		int fd = -1;
		size_t first = ps.n;
		char dir[64];

		if (!(all || i == idx))
			continue;
		if (nets.v[i].self)
			io = nlio_open_live(NULL, &pn[i].error);
		else if (!root)
			pn[i].error = xstrdup("not root: entering a network "
			    "namespace needs CAP_SYS_ADMIN");
		else if ((fd = netns_open(&nets.v[i], &pn[i].error)) >= 0)
			io = nlio_open_live_netns(fd, &pn[i].error);
		if (fd >= 0)
			close(fd);
		if (io == NULL)
			continue;
		ifaces_collect(io, &pn[i].ifs);
		packetdiag_collect(io, &ps);
		if (ps.error && pn[i].error == NULL) {
			pn[i].error = ps.error;
			ps.error = NULL;
		}
		for (size_t k = first; k < ps.n; k++)
			ps.v[k].netns = (uint32_t)i;
		pn[i].read = 1;
		nlio_close(io, NULL);
		if (nets.v[i].self)
			mc_read("/proc/net", &pn[i].mc);
		else if (nets.v[i].pid > 0) {
			snprintf(dir, sizeof(dir), "/proc/%d/net",
			    (int)nets.v[i].pid);
			mc_read(dir, &pn[i].mc);
		}
	}
	/* the owners: one walk of /proc */
	inodes = xcalloc(ps.n ? ps.n : 1, sizeof(*inodes));
	for (size_t k = 0; k < ps.n; k++)
		inodes[k] = ps.v[k].inode;
	procscan_run(inodes, ps.n, 0, 0, &scan);
	users = users_load();

	if (co.json) {
		struct strbuf sb;
		struct jw w;
		char label[96], b[24], a[INET6_ADDRSTRLEN];

		strbuf_init(&sb, 64u << 20);
		jw_init(&w, &sb, 1);
		jw_object(&w, NULL);
		jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
		jw_int(&w, "schema", 1);
		jw_bool(&w, "privileged", root);
		jw_array(&w, "namespaces");
		for (size_t i = 0; i < nets.n; i++) {
			if (!(all || i == idx))
				continue;
			jw_object(&w, NULL);
			jw_str(&w, "label", netns_label(&nets.v[i], label,
			    sizeof(label)));
			jw_int(&w, "inode", (int64_t)nets.v[i].inode);
			jw_bool(&w, "entered", pn[i].read);
			jw_str(&w, "error", pn[i].error);
			jw_array(&w, "multicast");
			for (size_t k = 0; k < pn[i].mc.n; k++) {
				const struct mc_group *m = &pn[i].mc.v[k];

				inet_ntop(m->family, m->addr, a, sizeof(a));
				jw_object(&w, NULL);
				jw_str(&w, "interface", m->ifname);
				jw_str(&w, "group", a);
				jw_int(&w, "users", m->users);
				jw_end(&w);
			}
			jw_end(&w);
			jw_end(&w);
		}
		jw_end(&w);
		jw_array(&w, "packet_sockets");
		for (size_t k = 0; k < ps.n; k++) {
			const struct packet_sock *p = &ps.v[k];
			size_t f, n = procscan_owners_of(&scan, p->inode, &f);

			jw_object(&w, NULL);
			jw_str(&w, "netns", netns_label(&nets.v[p->netns], label,
			    sizeof(label)));
			jw_int(&w, "inode", (int64_t)p->inode);
			jw_str(&w, "type", type_name(p->type));
			jw_str(&w, "protocol", ethertype_name(p->protocol, b,
			    sizeof(b)));
			jw_str(&w, "interface", p->ifindex ? ifaces_name(
			    &pn[p->netns].ifs, p->ifindex) : "*");
			jw_int(&w, "multicast_memberships", p->nmc);
			if (!p->filter_known)
				jw_null(&w, "filter");
			else {
				jw_array(&w, "filter");
				for (size_t q = 0; q < p->nfilter; q++) {
					jw_object(&w, NULL);
					jw_int(&w, "code", p->filter[q].code);
					jw_int(&w, "jt", p->filter[q].jt);
					jw_int(&w, "jf", p->filter[q].jf);
					jw_int(&w, "k", p->filter[q].k);
					jw_end(&w);
				}
				jw_end(&w);
			}
			/* the same in words, as tcpdump -d prints them */
			if (!p->filter_known)
				jw_null(&w, "filter_text");
			else {
				char ib[64];

				jw_array(&w, "filter_text");
				for (size_t q = 0; q < p->nfilter; q++)
					jw_str(&w, NULL, bpf_insn_text(
					    &p->filter[q], q, ib, sizeof(ib)));
				jw_end(&w);
			}
			jw_array(&w, "owners");
			for (size_t q = f; n && q < f + n; q++) {
				const struct proc_rec *r =
				    &scan.procs[scan.owners[q].proc];
				char *u = r->ids_known ? users_label(users,
				    r->euid) : NULL;

				jw_object(&w, NULL);
				jw_int(&w, "pid", r->pid);
				jw_str(&w, "command", r->comm);
				jw_str(&w, "exe", r->exe);
				jw_str(&w, "user", u);
				jw_end(&w);
				free(u);
			}
			jw_end(&w);
			jw_end(&w);
		}
		jw_end(&w);
		jw_end(&w);
		rc = cmd_emit_json(&w, stdout) < 0 ? EXIT_USAGE : ps.n ? 0 :
		    EXIT_NOMATCH;
		strbuf_release(&sb);
	} else {
		static const size_t wd[] = { 18, 6, 8, 12, 24, 8, 10, 12, 0 };
		static const char *const head[] = { "NETNS", "TYPE", "PROTO",
		    "INTERFACE", "FILTER", "PID", "USER", "COMMAND", "EXE" };
		char label[96], b[24], filt[48], pid[16];

		text_row(stdout, wd, 9, head);
		for (size_t k = 0; k < ps.n; k++) {
			const struct packet_sock *p = &ps.v[k];
			size_t f, n = procscan_owners_of(&scan, p->inode, &f);
			const struct proc_rec *r = n ?
			    &scan.procs[scan.owners[f].proc] : NULL;
			char *u = r && r->ids_known ? users_label(users,
			    r->euid) : NULL;
			const char *cells[9];

			if (!p->filter_known)
				snprintf(filt, sizeof(filt), "%s", root ?
				    "?" : "? (not root)");
			else if (p->nfilter == 0)
				snprintf(filt, sizeof(filt), "none: every "
				    "packet");
			else
				snprintf(filt, sizeof(filt), "%zu BPF "
				    "instructions", p->nfilter);
			snprintf(pid, sizeof(pid), "%d", r ? (int)r->pid : 0);
			cells[0] = netns_label(&nets.v[p->netns], label,
			    sizeof(label));
			cells[1] = type_name(p->type);
			cells[2] = ethertype_name(p->protocol, b, sizeof(b));
			cells[3] = p->ifindex ? ifaces_name(&pn[p->netns].ifs,
			    p->ifindex) : "*";
			if (cells[3] == NULL)
				cells[3] = "?";
			cells[4] = filt;
			cells[5] = r ? pid : "-";
			cells[6] = u ? u : "-";
			cells[7] = r ? r->comm : "-";
			cells[8] = r && r->exe ? r->exe : "-";
			text_row(stdout, wd, 9, cells);
			free(u);
		}
		for (size_t i = 0; i < nets.n; i++)
			if ((all || i == idx) && pn[i].error) {
				char line[512];

				snprintf(line, sizeof(line), "%s: %s",
				    netns_label(&nets.v[i], label,
				    sizeof(label)), pn[i].error);
				text_line(stdout, line);
			}
		rc = ps.n ? 0 : EXIT_NOMATCH;
	}
	users_free(users);
	procscan_release(&scan);
	free(inodes);
	for (size_t i = 0; i < nets.n; i++) {
		ifaces_release(&pn[i].ifs);
		mc_groups_release(&pn[i].mc);
		free(pn[i].error);
	}
	free(pn);
	packet_socks_release(&ps);
	netns_set_release(&nets);
	return cmd_finish(rc);
}
