/*
 * cmd-list.c - `portsleuth [list]`: every socket, its owners and its
 * exposure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "fw/nat.h"
#include "why/dossier.h"
#include "model/listing.h"
#include "model/forward.h"
#include "probe/verdict.h"
#include "render/render.h"
#include "util/num.h"
#include "util/sysroot.h"
#include "util/xmalloc.h"
#include "util/banned.h"


/* The listing's own long options (the shared ones are cmd/options.h's). */
enum { OPT_PID = 256, OPT_COLOR, OPT_THREADS, OPT_UDPLITE, OPT_SCTP,
	OPT_FIREWALL, OPT_FROM };

static const struct option long_opts[] = {
	{ "listening", no_argument, NULL, 'l' },
	{ "all", no_argument, NULL, 'a' },
	{ "tcp", no_argument, NULL, 't' },
	{ "udp", no_argument, NULL, 'u' },
	{ "raw", no_argument, NULL, 'w' },
	{ "udplite", no_argument, NULL, OPT_UDPLITE },
	{ "sctp", no_argument, NULL, OPT_SCTP },
	{ "ipv4", no_argument, NULL, '4' },
	{ "ipv6", no_argument, NULL, '6' },
	{ "port", required_argument, NULL, 'p' },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "command", required_argument, NULL, 'c' },
	{ "user", required_argument, NULL, 'U' },
	{ "exposed", no_argument, NULL, 'e' },
	{ "wide", no_argument, NULL, 'W' },
	{ "why", no_argument, NULL, 'x' },
	{ "firewall", no_argument, NULL, OPT_FIREWALL },
	{ "from", required_argument, NULL, OPT_FROM },
	CMDOPT_SOURCES,
	CMDOPT_PROBE,
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "color", optional_argument, NULL, OPT_COLOR },
	{ "colour", optional_argument, NULL, OPT_COLOR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_list_usage(FILE *out)
{
	fputs(
"usage: portsleuth [list] [options]\n"
"       portsleuth explain [options] TARGET\n"
"       portsleuth audit [options]\n"
"       portsleuth probe [options] HOST\n"
"       portsleuth baseline [options] [FILE]\n"
"       portsleuth diff [--json] [--policy FILE] [FILE]\n"
"       portsleuth metrics [options]\n"
"       portsleuth check [options]\n"
"       portsleuth hidden [options]\n"
"       portsleuth watch [options]\n"
"       portsleuth packet [options]\n"
"       portsleuth firewall [options]\n"
"\n"
"List sockets with the processes that hold them, the registered name of\n"
"each port and how exposed each socket is.  Default: listening sockets.\n"
"\n"
"Selection:\n"
"  -l, --listening      listening (TCP, SCTP) and unconnected (UDP, raw)\n"
"                       sockets only (the default)\n"
"  -a, --all            sockets in every state\n"
"  -t, --tcp  -u, --udp  -w, --raw  --udplite  --sctp\n"
"                       only these protocols (default: all of them)\n"
"  -4, --ipv4  -6, --ipv6\n"
"                       only this address family\n"
"  -p, --port LIST      ports or ranges: 22 | 1-1023 | 22,80,8000-8100\n"
"      --pid PID        sockets held by this process\n"
"  -c, --command NAME   sockets held by processes with this name\n"
"                       (command name or executable base name)\n"
"  -U, --user USER      sockets held by processes of this user (name/uid)\n"
"  -e, --exposed        everything that is not loopback-only\n"
"\n"
"Output:\n"
"  -j, --json           one JSON document (fields: portsleuth(1))\n"
"  -W, --wide           add the full command line, and do not fit the\n"
"                       table to the terminal's width\n"
"  -x, --why            add why each process runs: ORIGIN (systemd unit,\n"
"                       inetd line, container, ...), PACKAGE and\n"
"                       INTEGRITY; in JSON also purpose and how to\n"
"                       turn it off (see 'portsleuth explain')\n"
"      --firewall       add FIREWALL: what the packet filter does with a\n"
"                       new connection (TCP) or datagram (UDP) from\n"
"                       outside, per interface and family: open,\n"
"                       filtered, rejected, redirected or undecided;\n"
"                       the deciding rule in JSON and in explain\n"
"      --from ADDR[%IFACE]\n"
"                       with --firewall: for this source (and input\n"
"                       interface) instead of anyone\n"
"      --probe          talk to each listener (at its own address, from\n"
"                       this network namespace): WIRE is the protocol,\n"
"                       product and version found, VERDICT says whether\n"
"                       the registered name, the process and the wire\n"
"                       agree; as root the probing runs unprivileged\n"
"      --probe-timeout MS\n"
"                       time budget of the probing (default 8000)\n"
"      --color[=WHEN]   colour: auto (default: on a terminal, unless\n"
"                       NO_COLOR is set), always, never (also --colour)\n"
"  -v, --verbose        say where each table came from and what was skipped\n"
"\n"
"Sources (for tests and offline analysis):\n"
"      --root DIR       read /proc, /etc and /sys under DIR\n"
"      --record FILE    save every netlink reply to FILE\n"
"      --replay FILE    answer netlink requests from FILE\n"
"      --netns SPEC     which network namespaces: all, host, self, an ip\n"
"                       netns name, a PID, a path, net:[INODE] (default:\n"
"                       all from the host's namespace, else its own)\n"
"      --no-bpf         find the sockets' owners by walking /proc, not with a\n"
"                       BPF iterator (-v says which ran and why)\n"
"      --iana FILE      IANA port table (default: the installed one)\n"
"      --kb FILE        daemon knowledge base (default: the installed one)\n"
"      --rules FILE     probe and match rules (default: the installed one)\n"
"      --threads N      threads for the process scan, 1-8 (default: one\n"
"                       per CPU, at most 8)\n"
"\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Exit status: 0 sockets listed, 1 nothing matched the selection,\n"
"2 usage or fatal error.\n", out);
}








int
cmd_list_exec(int argc, char **argv)
{
	struct listing_opts lo;
	struct render_opts ro;
	struct listing l;
	const char *color = "auto", *user = NULL;
	struct cmd_opts co;
	struct dossiers why;
	struct rules rules;
	struct probe_view *pviews = NULL;
	struct forwards *fwds = NULL;
	int rules_loaded = 0, taken;
	struct cmd_pf pf;
	struct fw_from from;
	char *cause;
	int ch, rc, json_failed = 0;
	double t0;
	uint64_t v;

	memset(&lo, 0, sizeof(lo));
	memset(&ro, 0, sizeof(ro));
	memset(&from, 0, sizeof(from));
	cmd_opts_init(&co, "");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "latuw46p:c:U:ejWxvhV", long_opts,
	    NULL)) != -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case 'l':
			lo.filter.all_states = 0;
			break;
		case 'a':
			lo.filter.all_states = 1;
			break;
		case 't':
			lo.filter.protos |= PROTO_BIT(PROTO_TCP);
			break;
		case 'u':
			lo.filter.protos |= PROTO_BIT(PROTO_UDP);
			break;
		case 'w':
			lo.filter.protos |= PROTO_BIT(PROTO_RAW);
			break;
		case OPT_UDPLITE:
			lo.filter.protos |= PROTO_BIT(PROTO_UDPLITE);
			break;
		case OPT_SCTP:
			lo.filter.protos |= PROTO_BIT(PROTO_SCTP);
			break;
		case '4':
			lo.filter.want4 = 1;
			break;
		case '6':
			lo.filter.want6 = 1;
			break;
		case 'p':
			switch (filter_parse_ports(&lo.filter, optarg)) {
			case 0:
				break;
			case ERANGE:
				return cmd_usage(&co, "port list '%s' is out of "
				    "range (0-65535, low-high, at most 64 "
				    "items)", optarg);
			default:
				return cmd_usage(&co, "port list '%s' is not "
				    "valid (example: 22,80,1000-2000)", optarg);
			}
			break;
		case OPT_PID:
			if (num_parse_str(optarg, 1, INT32_MAX, &v) != 0)
				return cmd_usage(&co, "'%s' is not a PID", optarg);
			lo.filter.pid = (pid_t)v;
			break;
		case 'c':
			lo.filter.name = optarg;
			break;
		case 'U':
			user = optarg;
			break;
		case 'e':
			lo.filter.exposed_only = 1;
			break;
		case 'W':
			ro.wide = 1;
			break;
		case 'x':
			ro.why = 1;
			break;
		case OPT_FIREWALL:
			ro.firewall = 1;
			break;
		case OPT_FROM:
			if (fw_parse_from(optarg, &from, &cause) < 0) {
				rc = cmd_usage(&co, "%s", cause);
				free(cause);
				return rc;
			}
			break;
		case OPT_COLOR:
			color = optarg ? optarg : "always";
			if (strcmp(color, "auto") && strcmp(color, "always") &&
			    strcmp(color, "never"))
				return cmd_usage(&co, "--color takes auto, always "
				    "or never, not '%s'", color);
			break;
		case 'v':
			ro.verbose = 1;
			break;
		case OPT_THREADS:
			if (num_parse_str(optarg, 1, 8, &v) != 0)
				return cmd_usage(&co, "--threads takes 1 to 8, "
				    "not '%s'", optarg);
			lo.threads = (int)v;
			break;
		case 'h':
			cmd_list_usage(stdout);
			return 0;
		case 'V':
			printf("portsleuth %s\n", PORTSLEUTH_VERSION);
			return 0;
		default:
			return cmd_try_help(&co);
		}
	}
	if (optind < argc)
		return cmd_usage(&co, "unexpected argument '%s'", argv[optind]);
	if (cmd_opts_finish(&co) < 0)
		return EXIT_USAGE;
	if (from.set && !ro.firewall)
		return cmd_usage(&co, "--from goes with --firewall");
	ro.probe = co.probe;
	lo.netns = co.netns;
	lo.iana_path = co.iana ? co.iana : cmd_find_data("iana-ports.tsv");
	if (user) {
		struct users *u = users_load();
		uid_t uid;

		if (num_parse_str(user, 0, UINT32_MAX - 1, &v) == 0)
			uid = (uid_t)v;
		else if (users_uid(u, user, &uid) != 0) {
			users_free(u);
			return cmd_usage(&co, "no such user '%s'", user);
		}
		users_free(u);
		lo.filter.have_uid = 1;
		lo.filter.uid = uid;
	}
	/* JSON: the environment too, for a trusted port's authbind */
	lo.need = co.json ? PS_NEED_CMDLINE | PS_NEED_CGROUP |
	    PS_NEED_ENVIRON : ro.wide ? PS_NEED_CMDLINE : 0;
	if (ro.why)
		lo.need |= PS_NEED_CGROUP | PS_NEED_ENVIRON;
	ro.all_states = lo.filter.all_states;
	/* On a terminal, fit the table to its width unless --wide. */
	if (!ro.wide && isatty(STDOUT_FILENO)) {
		struct winsize ws;

		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			ro.max_width = ws.ws_col;
	}
	/* NO_COLOR (no-color.org) turns off the default; an explicit
	 * --color=always still wins, as that convention asks */
	ro.color = strcmp(color, "always") == 0 ||
	    (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO) &&
	    (getenv("NO_COLOR") == NULL || getenv("NO_COLOR")[0] == '\0'));

	cmd_pf_begin(&pf, !co.root && !co.replay, ro.firewall);
	if (cmd_collect(&l, &lo, co.root, co.replay, co.record) < 0) {
		cmd_pf_release(&l, &pf);
		return EXIT_USAGE;
	}
	ro.netns = l.nentered > 1 || (co.netns && strcmp(co.netns, "self"));
	cmd_read_pf(&l, &pf, !co.root && !co.replay, ro.firewall,
	    from.set ? &from : NULL);
	if (ro.verbose && pf.have_fw)
		cmd_warn("time: firewall: rules read %.1f ms (%.1f ms of it "
		    "beside the listing), evaluated %.1f ms (%u evaluations)\n",
		    pf.ms_read, pf.ms_beside, pf.ms_firewall,
		    pf.fw.evaluations);
	if (ro.why || ro.probe) {
		fwds = forward_listing(&l);
		l.fwd = fwds;
		for (size_t i = 0; i < fwds->n; i++)
			ro.forwards |= fwds->v[i].n > 0 || fwds->v[i].self;
	}
	if (ro.why) {
		dossiers_build(&why, &l, co.kb ? co.kb :
		    cmd_find_data("daemons.kb"));
		l.why = &why;
	}
	if (ro.probe) {
		t0 = now_ms();
		l.probe = pviews = cmd_probe_listing(&l, co.rules,
		    co.probe_budget, &rules, &rules_loaded);
		if (ro.verbose)
			cmd_warn("time: probing %.1f ms\n",
			    now_ms() - t0);
		if (pviews == NULL)
			ro.probe = 0;
	}
	if (ro.verbose)
		cmd_report_verbose(&l);
	cmd_report_listing(&l);
	if (ro.why)
		cmd_report_why(&why, &l, ro.verbose);
	t0 = now_ms();
	if (co.json) {
		if (render_json(stdout, &l, &ro, &cause) < 0) {
			cmd_warn("%s\n", cause);
			free(cause);
			json_failed = 1;
		}
	} else if (l.nviews)
		render_table(stdout, &l, &ro);
	fflush(stdout);
	if (ro.verbose)
		cmd_warn("time: sockets %.1f ms, processes "
		    "%.1f ms, annotations %.1f ms, output %.1f ms\n",
		    l.ms_sockets, l.ms_processes, l.ms_annotate, now_ms() - t0);
	if (ro.verbose && ro.why)
		cmd_warn("time: origin, package and "
		    "integrity %.1f ms (databases %.1f, origins %.1f, "
		    "package lists %.1f, digests and purpose %.1f)\n", why.ms,
		    why.ms_open, why.ms_origin, why.ms_packages, why.ms_check);
	rc = json_failed ? EXIT_USAGE : l.nviews ? 0 : EXIT_NOMATCH;
	if (ro.why)
		dossiers_release(&why);
	free(pviews);
	forwards_free(fwds);
	if (rules_loaded)
		rules_release(&rules);
	cmd_pf_release(&l, &pf);
	listing_release(&l);
	return cmd_finish(rc);
}
