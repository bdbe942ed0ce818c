/*
 * hidden.c - `portsleuth hidden`: the views of the sockets compared in
 * every namespace, and what falsifies the tools (model/hidden).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "model/hidden.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "util/notes.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "why/container.h"
#include "util/banned.h"

enum { OPT_BIND = OPT_SHARED_END };

static const struct option hidden_opts[] = {
	CMDOPT_SOURCES,
	{ "bind", no_argument, NULL, OPT_BIND },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_hidden_usage(FILE *out)
{
	fputs(
"usage: portsleuth hidden [options]\n"
"\n"
"Compare, in every network namespace, the independent views of the\n"
"sockets: sock_diag (what ss reads), /proc/net (what netstat and lsof\n"
"read), the sockets processes hold (each one no table lists is asked what\n"
"it is), and with --bind a bind of every TCP and UDP port.  A disagreement\n"
"is looked at twice before it is reported.  Also: /etc/ld.so.preload, a\n"
"library preloaded into portsleuth itself, deleted or world-writable\n"
"libraries of listening processes, and loaded BPF programs of the types\n"
"that can rewrite what the kernel answers.\n"
"\n"
"Options:\n"
"  -j, --json           one JSON document\n"
"      --netns SPEC     which network namespaces (default: all from the\n"
"                       host's namespace, else its own)\n"
"      --bind           also bind every TCP and UDP port of the wildcard\n"
"                       addresses, once (about a second per namespace;\n"
"                       a program binding a port at that very moment may\n"
"                       see it in use)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"      --iana FILE      IANA port table (default: the installed one)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 nothing found, 1 something hidden or falsifying, 2 usage\n"
"or fatal error.\n", out);
}

static void
where(const struct hidden_finding *f, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "*";
	int v6 = f->family == AF_INET6;

	if (f->family)
		inet_ntop(f->family, f->addr, a, sizeof(a));
	snprintf(buf, n, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "",
	    f->port);
}

static const char *
ns_label(const struct hidden_report *r, long i, char *buf, size_t n)
{
	if (i < 0)
		return "-";
	if (r->l.nets.n == 0)
		return "self";
	return netns_label(&r->l.nets.v[i], buf, n);
}

static int
is_socket(const struct hidden_finding *f)
{
	return f->kind <= HK_PORT_UNLISTED;
}

static void
print_table(const struct hidden_report *r)
{
	static const size_t vw[] = { 18, 12, 12, 12, 0 };
	static const size_t fw[] = { 26, 16, 5, 22, 10, 18, 0 };
	static const char *const vh[] = { "NETNS", "SOCK_DIAG", "PROC_NET",
	    "DESCRIPTORS", "BIND_PROBE" };
	static const char *const fh[] = { "FOUND", "NETNS", "PROTO", "LOCAL",
	    "INODE", "PROCESS", "DETAIL" };
	size_t nn = r->l.nets.n ? r->l.nets.n : 1;
	char label[96], cells[HV_COUNT][64], ep[96], ino[24], who[64];
	struct strbuf sb;
	size_t found = 0;

	strbuf_init(&sb, 1u << 16);
	text_row(stdout, vw, 5, vh);
	for (size_t i = 0; i < nn; i++) {
		const char *row[5];

		if (r->l.nets.n && !r->l.nsv[i].wanted)
			continue;
		row[0] = ns_label(r, (long)i, label, sizeof(label));
		for (int k = 0; k < HV_COUNT; k++) {
			const struct hidden_view *v = &r->views[i][k];

			if (v->looked)
				snprintf(cells[k], sizeof(cells[k]), "%u%s",
				    v->n, v->why_not ? " (part)" : "");
			else
				snprintf(cells[k], sizeof(cells[k]),
				    "not looked");
			row[1 + k] = cells[k];
		}
		text_row(stdout, vw, 5, row);
	}
	for (size_t i = 0; i < nn; i++)
		for (int k = 0; k < HV_COUNT; k++)
			if (r->views[i][k].why_not && k != HV_BIND) {
				strbuf_reset(&sb);
				strbuf_addf(&sb, "%s, %s: %s", ns_label(r,
				    (long)i, label, sizeof(label)),
				    hidden_view_key(k), r->views[i][k].why_not);
				text_line(stdout, strbuf_str(&sb));
			}
	if (r->n) {
		text_line(stdout, "");
		text_row(stdout, fw, 7, fh);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct hidden_finding *f = &r->f[i];
		const char *row[7];

		where(f, ep, sizeof(ep));
		snprintf(ino, sizeof(ino), "%llu", (unsigned long long)f->inode);
		if (f->pid)
			snprintf(who, sizeof(who), "%.40s (%d)", f->comm ?
			    f->comm : "?", (int)f->pid);
		row[0] = hidden_kind_key(f->kind);
		row[1] = ns_label(r, f->netns, label, sizeof(label));
		row[2] = is_socket(f) ? proto_name(f->proto) : "-";
		row[3] = is_socket(f) ? ep : "-";
		row[4] = f->inode ? ino : "-";
		row[5] = f->pid ? who : "-";
		row[6] = f->detail ? f->detail : "";
		text_row(stdout, fw, 7, row);
		found++;
	}
	strbuf_reset(&sb);
	if (r->bpf_why)
		strbuf_addf(&sb, "BPF programs: not listed (%s)", r->bpf_why);
	else {
		strbuf_addf(&sb, "BPF programs that could rewrite what the "
		    "kernel answers: %zu of %u loaded", r->nbpf, r->bpf_total);
		for (size_t i = 0; i < r->nbpf && i < 8; i++)
			strbuf_addf(&sb, "%s%s %s (id %u, uid %u)", i ? "; " :
			    ": ", r->bpf[i].type_name, r->bpf[i].name[0] ?
			    r->bpf[i].name : "-", r->bpf[i].id, r->bpf[i].uid);
	}
	text_line(stdout, strbuf_str(&sb));
	if (r->held_unasked) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%u held sockets no table lists could not be "
		    "asked what they are (%s)", r->held_unasked,
		    r->held_why ? r->held_why : "?");
		text_line(stdout, strbuf_str(&sb));
	}
	strbuf_reset(&sb);
	if (found)
		strbuf_addf(&sb, "%zu found", found);
	else
		strbuf_addstr(&sb, "nothing hidden found");
	text_line(stdout, strbuf_str(&sb));
	strbuf_release(&sb);
}

static int
print_json(const struct hidden_report *r)
{
	size_t nn = r->l.nets.n ? r->l.nets.n : 1;
	char label[96], ep[INET6_ADDRSTRLEN];
	struct strbuf sb;
	struct jw w;
	int rc;

	strbuf_init(&sb, 64u << 20);
	jw_init(&w, &sb, 1);
	jw_object(&w, NULL);
	jw_str(&w, "portsleuth", PORTSLEUTH_VERSION);
	jw_int(&w, "schema", 1);
	jw_bool(&w, "privileged", r->l.privileged);
	jw_array(&w, "namespaces");
	for (size_t i = 0; i < nn; i++) {
		if (r->l.nets.n && !r->l.nsv[i].wanted)
			continue;
		jw_object(&w, NULL);
		jw_str(&w, "label", ns_label(r, (long)i, label, sizeof(label)));
		jw_int(&w, "inode", r->l.nets.n ?
		    (int64_t)r->l.nets.v[i].inode : 0);
		jw_object(&w, "views");
		for (int k = 0; k < HV_COUNT; k++) {
			const struct hidden_view *v = &r->views[i][k];

			jw_object(&w, hidden_view_key(k));
			jw_bool(&w, "looked", v->looked);
			if (v->looked)
				jw_int(&w, "count", v->n);
			else
				jw_null(&w, "count");
			jw_str(&w, "not_looked", v->why_not);
			jw_end(&w);
		}
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_array(&w, "findings");
	for (size_t i = 0; i < r->n; i++) {
		const struct hidden_finding *f = &r->f[i];

		jw_object(&w, NULL);
		jw_str(&w, "finding", hidden_kind_key(f->kind));
		jw_str(&w, "netns", f->netns < 0 ? NULL : ns_label(r, f->netns,
		    label, sizeof(label)));
		if (is_socket(f)) {
			jw_str(&w, "proto", proto_name(f->proto));
			if (f->family) {
				inet_ntop(f->family, f->addr, ep, sizeof(ep));
				jw_str(&w, "local_address", ep);
			} else {
				jw_null(&w, "local_address");
			}
			jw_int(&w, "local_port", f->port);
		} else {
			jw_null(&w, "proto");
			jw_null(&w, "local_address");
			jw_null(&w, "local_port");
		}
		if (f->inode)
			jw_int(&w, "inode", (int64_t)f->inode);
		else
			jw_null(&w, "inode");
		if (f->pid)
			jw_int(&w, "pid", f->pid);
		else
			jw_null(&w, "pid");
		jw_str(&w, "command", f->comm);
		jw_str(&w, "detail", f->detail);
		jw_bool(&w, "rechecked", f->rechecked);
		jw_end(&w);
	}
	jw_end(&w);
	jw_object(&w, "bpf");
	jw_str(&w, "not_listed", r->bpf_why);
	if (r->bpf_why)
		jw_null(&w, "loaded");
	else
		jw_int(&w, "loaded", r->bpf_total);
	jw_array(&w, "programs");
	for (size_t i = 0; i < r->nbpf; i++) {
		jw_object(&w, NULL);
		jw_int(&w, "id", r->bpf[i].id);
		jw_str(&w, "type", r->bpf[i].type_name);
		jw_str(&w, "name", r->bpf[i].name[0] ? r->bpf[i].name : NULL);
		jw_int(&w, "uid", r->bpf[i].uid);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	jw_object(&w, "summary");
	jw_int(&w, "findings", (int64_t)r->n);
	jw_int(&w, "held_other", r->held_other);
	jw_int(&w, "held_not_asked", r->held_unasked);
	jw_str(&w, "held_not_asked_why", r->held_why);
	jw_end(&w);
	jw_object(&w, "sources");
	jw_notes(&w);
	jw_end(&w);
	jw_end(&w);
	rc = cmd_emit_json(&w, stdout);
	strbuf_release(&sb);
	return rc;
}

int
cmd_hidden_exec(int argc, char **argv)
{
	struct cmd_opts co;
	struct hidden_opts ho;
	struct hidden_report r;
	struct nlio *io;
	char *cause = NULL;
	int ch, taken, rc;

	memset(&ho, 0, sizeof(ho));
	cmd_opts_init(&co, "hidden");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "jh", hidden_opts, NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case OPT_BIND:
			ho.bind_probe = 1;
			break;
		case 'h':
			cmd_hidden_usage(stdout);
			return 0;
		default:
			return cmd_try_help(&co);
		}
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (co.root || co.replay)
		return cmd_usage(&co, "hidden compares the live kernel's views: "
		    "not with --root or --replay");
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	ho.netns = co.netns;
	ho.name_netns = container_label_netns;
	if ((io = nlio_open_live(NULL, &cause)) == NULL) {
		cmd_warn("%s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	hidden_run(&r, io, &ho);
	nlio_close(io, NULL);
	if (r.l.netns_error) {
		cmd_warn("--netns: %s\n", r.l.netns_error);
		hidden_release(&r);
		return cmd_finish(EXIT_USAGE);
	}
	cmd_report_listing(&r.l);
	if (co.json)
		rc = print_json(&r) < 0 ? EXIT_USAGE : r.n > 0;
	else {
		print_table(&r);
		rc = r.n > 0;
	}
	hidden_release(&r);
	return cmd_finish(rc);
}
