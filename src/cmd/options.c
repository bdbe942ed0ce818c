/*
 * options.c - shared option parsing and checks for the subcommands.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "proc/procscan.h"
#include "util/num.h"
#include "util/sysroot.h"
#include "util/banned.h"

void
cmd_opts_init(struct cmd_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->probe_budget = PROBE_BUDGET_DEFAULT;
}

int
cmd_try_help(const struct cmd_opts *o)
{
	fprintf(stderr, "Try 'portsleuth %s%s--help'.\n", o->cmd,
	    o->cmd[0] ? " " : "");
	return EXIT_USAGE;
}

int
cmd_usage(const struct cmd_opts *o, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cmd_warn("%s", buf);
	return cmd_try_help(o);
}

int
cmd_opts_budget(const struct cmd_opts *o, const char *option,
    const char *arg, int *ms)
{
	uint64_t v;

	if (num_parse_str(arg, 100, 600000, &v) != 0) {
		cmd_usage(o, "%s takes 100 to 600000 ms, not '%s'", option,
		    arg);
		return -1;
	}
	*ms = (int)v;
	return 0;
}

int
cmd_opts_take(struct cmd_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'j':
		o->json = 1;
		return 1;
	case OPT_ROOT:
		o->root = arg;
		return 1;
	case OPT_REPLAY:
		o->replay = arg;
		return 1;
	case OPT_RECORD:
		o->record = arg;
		return 1;
	case OPT_IANA:
		if (cmd_check_data_option("--iana", arg) < 0)
			return -1;
		o->iana = arg;
		return 1;
	case OPT_KB:
		o->kb = arg;
		return 1;
	case OPT_PROBE:
		o->probe = 1;
		return 1;
	case OPT_PROBE_TIMEOUT:
		return cmd_opts_budget(o, "--probe-timeout", arg,
		    &o->probe_budget) < 0 ? -1 : 1;
	case OPT_TIMEOUT:
		return cmd_opts_budget(o, "--timeout", arg,
		    &o->probe_budget) < 0 ? -1 : 1;
	case OPT_RULES:
		o->rules = arg;
		return 1;
	case OPT_NETNS:
		o->netns = arg;
		return 1;
	case OPT_NO_BPF:
		procscan_set_no_bpf(1);
		return 1;
	default:
		return 0;
	}
}

int
cmd_opts_finish(struct cmd_opts *o)
{
	struct stat st;

	if (o->probe && (o->replay || o->root)) {
		cmd_usage(o, "--probe talks to live listeners: not with "
		    "--replay or --root");
		return -1;
	}
	if (o->record && (o->replay || o->root)) {
		cmd_usage(o, "--record needs the live kernel: not with "
		    "--replay or --root");
		return -1;
	}
	if (o->root) {
		if (stat(o->root, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    access(o->root, R_OK | X_OK) != 0) {
			cmd_usage(o, "cannot use --root '%s': not a readable "
			    "directory", o->root);
			return -1;
		}
		sysroot_set(o->root);
	}
	return 0;
}
