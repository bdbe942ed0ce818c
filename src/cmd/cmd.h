/*
 * cmd.h - subcommands.  Each parses its own options and returns the exit
 * status: 0 ok, 1 the selection matched nothing, 2 usage or fatal error.
 */
#ifndef PS_CMD_H
#define PS_CMD_H

#include <stdio.h>

#define EXIT_NOMATCH	1
#define EXIT_USAGE	2

struct cmd_entry {
	const char	*name;
	const char	*summary;
	int		(*exec)(int argc, char **argv);
};

int cmd_list_exec(int argc, char **argv);
void cmd_list_usage(FILE *out);
int cmd_explain_exec(int argc, char **argv);
void cmd_explain_usage(FILE *out);
int cmd_audit_exec(int argc, char **argv);
void cmd_audit_usage(FILE *out);
int cmd_probe_exec(int argc, char **argv);
void cmd_probe_usage(FILE *out);
int cmd_baseline_exec(int argc, char **argv);
void cmd_baseline_usage(FILE *out);
int cmd_diff_exec(int argc, char **argv);
void cmd_diff_usage(FILE *out);
int cmd_metrics_exec(int argc, char **argv);
void cmd_metrics_usage(FILE *out);
int cmd_check_exec(int argc, char **argv);
void cmd_check_usage(FILE *out);
int cmd_hidden_exec(int argc, char **argv);
void cmd_hidden_usage(FILE *out);

extern const struct cmd_entry cmd_table[];

/* An installed data file (or the source tree's, in a build); NULL if
 * none.  The returned buffer is reused by the next call. */
const char *cmd_find_data(const char *name);

struct dossiers;
struct listing;
struct listing_opts;
struct probe_view;
struct rules;

/* Build the listing from the live kernel (recording to record), a
 * recording, or a --root tree; 0, or -1 after saying why. */
int cmd_collect(struct listing *l, const struct listing_opts *lo,
    const char *root, const char *replay, const char *record);
/* --probe: load the rules and probe the listing's listeners; NULL
 * after saying why.  *loaded: rules must be released. */
struct probe_view *cmd_probe_listing(const struct listing *l,
    const char *rules_path, int budget_ms, struct rules *rules,
    int *loaded);
/* Warnings about what the listing could not see (not root, ...). */
void cmd_report_listing(const struct listing *l);
/* Warnings about what the dossiers could not see. */
void cmd_report_why(const struct dossiers *d, const struct listing *l,
    int verbose);
/* -v: where each table came from, counts of what was skipped. */
void cmd_report_verbose(const struct listing *l);
/*
 * A message on stderr, "portsleuth: " and the printf text, every line of
 * it escaped for the terminal (a continuation line is indented).
 */
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The run's notes (util/notes.h) on stderr, escaped. */
void cmd_report_notes(void);
/*
 * End of a command: print the notes, then check that everything written
 * to stdout reached it (a full disk, a closed pipe).  Returns rc, or
 * EXIT_USAGE after saying why the output could not be written.
 */
int cmd_finish(int rc);
/*
 * The packet filter of a listing: each namespace's ruleset read once
 * (fw/nftread), the DNAT rules joined to the listeners they lead to
 * (l->nat: with root and more than one namespace read live), and with
 * firewall the verdict of every listener (l->fw; from: --from or NULL).
 * Release with cmd_pf_release whatever was read.
 */
#include "fw/firewall.h"
#include "fw/nat.h"
#include "fw/nftread.h"
struct cmd_pf {
	struct fw_sources src;
	struct nat_links nat;
	struct firewall	 fw;
	int		 have_src, have_nat, have_fw;
	double		 ms_read, ms_firewall;	/* for -v and the benchmark */
	double		 ms_beside;	/* of ms_read, spent beside the listing */
	struct nft_prefetch pre;	/* its thread writes here: never copied */
};
/*
 * Begin the command's packet filter read: before cmd_collect, so that a
 * live --firewall's rules are read on a thread while the listing is
 * made.  cmd_read_pf then reads the rest; cmd_pf_release ends it (also
 * when cmd_read_pf was never reached).
 */
void cmd_pf_begin(struct cmd_pf *pf, int live, int firewall);
void cmd_read_pf(struct listing *l, struct cmd_pf *pf, int live,
    int firewall, const struct fw_from *from);
void cmd_pf_release(struct listing *l, struct cmd_pf *pf);
struct jw;
/* The finished document of w to out, or why it could not be: 0, or
 * -1 after saying why. */
int cmd_emit_json(struct jw *w, FILE *out);
/* A data file named on the command line (--iana FILE) must be readable:
 * 0, or -1 after saying why not. */
int cmd_check_data_option(const char *option, const char *path);
/* The ephemeral port range of portsleuth's namespace (clients' ports):
 * net.ipv4.ip_local_port_range, 32768-60999 when it cannot be read. */
void cmd_ephemeral_range(int *lo, int *hi);
/*
 * The namespaces a live command reads (watch, packet): found, named
 * after their containers, and spec (--netns, or NULL) resolved as the
 * listing does: *all, or the one at *idx.  0, or -1 with *cause.
 */
struct netns_set;
int cmd_pick_namespaces(const char *spec, struct netns_set *nets,
    size_t *idx, int *all, char **cause);
int cmd_watch_exec(int argc, char **argv);
void cmd_watch_usage(FILE *out);
int cmd_packet_exec(int argc, char **argv);
void cmd_packet_usage(FILE *out);
int cmd_firewall_exec(int argc, char **argv);
void cmd_firewall_usage(FILE *out);

#endif
