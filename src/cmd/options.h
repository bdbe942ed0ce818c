/*
 * options.h - the options the subcommands share, parsed and checked in
 * one place so that `--root`, `--probe-timeout` or `--iana` mean the same
 * and fail with the same words in every command.
 *
 * A command lists the shared long options it accepts (the CMDOPT_*
 * macros) in its own getopt_long table, hands every option it does not
 * know to cmd_opts_take(), and calls cmd_opts_finish() after the loop.
 */
#ifndef PS_CMD_OPTIONS_H
#define PS_CMD_OPTIONS_H

#include <getopt.h>

/* getopt_long values of the shared long options (above any char). */
enum {
	OPT_ROOT = 300, OPT_REPLAY, OPT_RECORD, OPT_IANA, OPT_KB,
	OPT_PROBE, OPT_PROBE_TIMEOUT, OPT_RULES, OPT_TIMEOUT, OPT_NETNS, OPT_NO_BPF,
	OPT_SHARED_END
};

/* What is read: --root, --replay, --iana, --kb, --netns (and -j). */
#define CMDOPT_SOURCES \
	{ "json", no_argument, NULL, 'j' }, \
	{ "root", required_argument, NULL, OPT_ROOT }, \
	{ "replay", required_argument, NULL, OPT_REPLAY }, \
	{ "iana", required_argument, NULL, OPT_IANA }, \
	{ "kb", required_argument, NULL, OPT_KB }, \
	{ "netns", required_argument, NULL, OPT_NETNS }, \
	{ "no-bpf", no_argument, NULL, OPT_NO_BPF }
/* Probing the listeners: --probe, --probe-timeout, --rules. */
#define CMDOPT_PROBE \
	{ "probe", no_argument, NULL, OPT_PROBE }, \
	{ "probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT }, \
	{ "rules", required_argument, NULL, OPT_RULES }

#define PROBE_BUDGET_DEFAULT	8000	/* ms */

struct cmd_opts {
	const char	*cmd;		/* "explain"; "" for the listing */
	const char	*root, *replay, *record, *iana, *kb, *rules;
	const char	*netns;		/* --netns SPEC */
	int		 json;
	int		 probe;
	int		 probe_budget;	/* ms */
};

void cmd_opts_init(struct cmd_opts *o, const char *cmd);
/*
 * One option from getopt_long: 1 when it was a shared one (taken), 0
 * when it is the command's own, -1 after a usage error was said.
 */
int cmd_opts_take(struct cmd_opts *o, int ch, const char *arg);
/*
 * The checks after the options, the same for every command: --root must
 * be a readable directory (then it is the system root), --probe and
 * --record need the live kernel.  0, or -1 after saying why.
 */
int cmd_opts_finish(struct cmd_opts *o);
/* A time budget in ms (100 to 600000) given to option: 0, or -1 said. */
int cmd_opts_budget(const struct cmd_opts *o, const char *option,
    const char *arg, int *ms);
/* After getopt_long's own message: how to get help.  EXIT_USAGE. */
int cmd_try_help(const struct cmd_opts *o);
/* Say a usage error (printf format) and how to get help: EXIT_USAGE. */
int cmd_usage(const struct cmd_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
