/*
 * main.c - options that choose a subcommand, and dispatch.
 *
 * `portsleuth` alone, or followed by options, runs `list`.  Later
 * subcommands (explain, audit, probe, diff) join cmd_table.
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/banned.h"

const struct cmd_entry cmd_table[] = {
	{ "list", "list sockets, owners and exposure", cmd_list_exec },
	{ "explain", "everything about a port, a process or a program",
	    cmd_explain_exec },
	{ "audit", "every daemon configured to start, and advice",
	    cmd_audit_exec },
	{ "probe", "identify the services of a host by talking to them",
	    cmd_probe_exec },
	{ "baseline", "save what listens now, to compare with later",
	    cmd_baseline_exec },
	{ "diff", "what changed since the baseline; what a policy forbids",
	    cmd_diff_exec },
	{ "metrics", "listeners, drift and policy as Prometheus metrics",
	    cmd_metrics_exec },
	{ "check", "a monitoring plugin: baseline and policy, for Nagios "
	    "and Icinga", cmd_check_exec },
	{ "hidden", "what is hidden from the usual tools",
	    cmd_hidden_exec },
	{ "watch", "listeners opened and closed, as it happens",
	    cmd_watch_exec },
	{ "packet", "listeners without a port: packet sockets, multicast",
	    cmd_packet_exec },
	{ "firewall", "the rules' side: holes, ports open against the rules, "
	    "who made each accept", cmd_firewall_exec },
	{ NULL, NULL, NULL }
};

int
main(int argc, char **argv)
{
	const struct cmd_entry *c;

	/*
	 * Blocks of 128 KiB and more (the socket tables, the views, the
	 * iterator's records) are mapped alone and unmapped when freed.
	 * glibc's default raises that threshold after the first such free,
	 * and the next large arrays then come from the heap and stay
	 * resident after they are freed: 2.3 MiB more at the peak of a
	 * 100,000-socket listing.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (argc > 1 && argv[1][0] != '-') {
		for (c = cmd_table; c->name != NULL; c++)
			if (strcmp(argv[1], c->name) == 0)
				return c->exec(argc - 1, argv + 1);
		fprintf(stderr, "portsleuth: unknown command '%s'\n"
		    "Try 'portsleuth --help'.\n", argv[1]);
		return EXIT_USAGE;
	}
	return cmd_list_exec(argc, argv);
}
