/*
 * cmd-probe.c - `portsleuth probe HOST [-p PORTS]`: identify the
 * services of a host the user names, with the same engine --probe uses
 * on local listeners.  Only the host and ports given are contacted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cmd/cmd.h"
#include "cmd/options.h"
#include "model/filter.h"
#include "model/listing.h"
#include "probe/engine.h"
#include "probe/rules.h"
#include "render/probe.h"
#include "render/jsonw.h"
#include "render/text.h"
#include "render/why.h"
#include "model/services.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static const struct option probe_opts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "udp", no_argument, NULL, 'u' },
	{ "tcp", no_argument, NULL, 't' },
	{ "all", no_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

void
cmd_probe_usage(FILE *out)
{
	fputs(
"usage: portsleuth probe [options] HOST\n"
"\n"
"Identify the services on HOST (a name or an address) by talking to\n"
"them: the protocol on the wire, product and version where the service\n"
"tells, TLS facts (version, cipher, certificate), and how sure the\n"
"answer is.  Only HOST and the ports asked for are contacted.\n"
"\n"
"Options:\n"
"  -p, --port LIST      ports or ranges: 22 | 1-1023 | 22,80,8000-8100\n"
"                       (default: the ports the probe rules name)\n"
"  -t, --tcp            TCP (the default unless -u is given)\n"
"  -u, --udp            UDP (with -t: both)\n"
"  -a, --all            also list closed ports\n"
"  -j, --json           one JSON document\n"
"      --timeout MS     the whole run's time budget (default 8000)\n"
"      --rules FILE     probe and match rules (default: the installed one)\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 some port answered, 1 none did, 2 usage or fatal error.\n",
	    out);
}

/* Every port any probe of this protocol names, in order, once. */
static size_t
default_ports(const struct rules *r, enum rule_proto proto, uint16_t *out,
    size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nprobes; i++) {
		const struct probe_def *p = &r->probes[i];

		if (p->proto != proto)
			continue;
		for (size_t k = 0; k < p->nports && n < max; k++) {
			size_t j;

			for (j = 0; j < n && out[j] != p->ports[k]; j++)
				;
			if (j == n)
				out[n++] = p->ports[k];
		}
	}
	/* the null probe names none: add the server-first classics */
	if (proto == RP_TCP) {
		static const uint16_t extra[] = { 21, 22, 23, 25, 110, 143,
			465, 587, 873, 993, 995, 3306, 5900, 13, 19, 37 };
		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]) &&
		    n < max; k++) {
			size_t j;

			for (j = 0; j < n && out[j] != extra[k]; j++)
				;
			if (j == n)
				out[n++] = extra[k];
		}
	}
	return n;
}

#define CHUNK	4096	/* ports probed per prober run */

/* What the table leaves out without -a, counted for its last line. */
struct left_out {
	size_t	unprobed, closed, udp_silent;
};

static int
shown_row(const struct probe_target *t, const struct probe_result *r,
    int all, int table, struct left_out *lo)
{
	if (all)
		return 1;
	if (r->state == PS_REFUSED) {
		lo->closed++;
		return 0;
	}
	if (r->state == PS_SILENT && t->udp) {
		lo->udp_silent++;
		return 0;
	}
	/* a whole-range run the budget cut short: one line, not 64,000 */
	if (r->state == PS_UNPROBED && table) {
		lo->unprobed++;
		return 0;
	}
	return 1;
}

static const size_t probe_widths[] = { 9, 15, 23, 0 };

/* Write the rows of one chunk, as JSON elements or table lines; the JSON
 * of a chunk is flushed as soon as it is written. */
static void
emit(const struct probe_target *tg, const struct probe_result *res,
    size_t m, struct jw *w, int all, struct registry *reg,
    size_t *answered, struct left_out *lo)
{
	for (size_t i = 0; i < m; i++) {
		const struct probe_result *r = &res[i];
		char port[16], svc[160], shown[48], details[1024];

		if (r->state != PS_REFUSED && r->state != PS_UNPROBED)
			(*answered)++;
		if (!shown_row(&tg[i], r, all, w == NULL, lo))
			continue;
		if (w) {
			struct service_match sm = registry_lookup(reg,
			    tg[i].udp ? PROTO_UDP : PROTO_TCP, tg[i].port);

			jw_object(w, NULL);
			jw_int(w, "port", tg[i].port);
			jw_str(w, "proto", tg[i].udp ? "udp" : "tcp");
			jw_str(w, "registered", sm.ent && sm.ent->name[0] ?
			    sm.ent->name : NULL);
			probe_result_json(w, "probe", r);
			jw_end(w);
			continue;
		}
		snprintf(port, sizeof(port), "%u/%s", tg[i].port,
		    tg[i].udp ? "udp" : "tcp");
		probe_result_summary(r, svc, sizeof(svc));
		const char *row[] = { port, probe_state_key(r->state),
		    r->service[0] ? probe_service_shown(r, shown,
		    sizeof(shown)) : "-", svc };
		text_row(stdout, probe_widths, 4, row);
		details[0] = '\0';
		if (r->tls)
			snprintf(details, sizeof(details), "%s %s; cert %s; "
			    "expires %s%s", r->tls_version, r->tls_cipher,
			    r->cert_subject, r->cert_not_after,
			    r->cert_expired ? " (EXPIRED)" : "");
		if (r->info[0]) {
			size_t n = strlen(details);

			snprintf(details + n, sizeof(details) - n, "%s%s",
			    n ? "; " : "", r->info);
		}
		if (details[0]) {
			const char *more[] = { "", "", "", details };

			text_row(stdout, probe_widths, 4, more);
		}
	}
	if (w) {
		fwrite(w->sb->buf, 1, w->sb->len, stdout);
		strbuf_reset(w->sb);
	}
}

int
cmd_probe_exec(int argc, char **argv)
{
	struct filter f;
	struct rules rules;
	struct probe_opts po;
	struct probe_target *tg;
	struct probe_result *res;
	struct addrinfo hints, *ai = NULL;
	struct registry reg;
	struct strbuf sb;
	struct jw jw;
	struct cmd_opts co;
	const char *host;
	double end;
	int failed = 0;
	char *cause = NULL;
	uint16_t *ports;
	size_t nports = 0, n = 0, answered = 0;
	struct left_out lo = { 0, 0, 0 };
	int ch, all = 0, tcp = 0, udp = 0, rc, taken;

	memset(&f, 0, sizeof(f));
	cmd_opts_init(&co, "probe");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:utajh", probe_opts, NULL)) !=
	    -1) {
		if ((taken = cmd_opts_take(&co, ch, optarg)) != 0) {
			if (taken < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case 'p':
			if (filter_parse_ports(&f, optarg) != 0)
				return cmd_usage(&co, "port list '%s' is not "
				    "valid (example: 22,80,1000-2000)", optarg);
			break;
		case 'u':
			udp = 1;
			break;
		case 't':
			tcp = 1;
			break;
		case 'a':
			all = 1;
			break;
		case 'h':
			cmd_probe_usage(stdout);
			return 0;
		default:
			return cmd_try_help(&co);
		}
	}
	if (optind + 1 != argc)
		return cmd_usage(&co, "probe takes one HOST");
	const char *rules_path = co.rules;
	int json = co.json, budget = co.probe_budget;

	if (!udp)
		tcp = 1;
	host = argv[optind];
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, NULL, &hints, &ai)) != 0) {
		cmd_warn("cannot resolve '%s': %s\n", host,
		    gai_strerror(rc));
		return EXIT_USAGE;
	}
	if (rules_load(&rules, rules_path ? rules_path :
	    cmd_find_data("probes.rules"), &cause) < 0 || rules.nprobes == 0) {
		cmd_warn("%s\n", cause ? cause :
		    "the probe rules define no probe");
		free(cause);
		rules_release(&rules);
		freeaddrinfo(ai);
		return EXIT_USAGE;
	}
	if (rules.problems)
		cmd_warn("probe rules: %s", rules.problems);

	/* the ports: asked for, or the rules' own */
	ports = xcalloc(65536 * 2, sizeof(*ports));
	tg = xcalloc(65536 * 2, sizeof(*tg));
	for (int proto = 0; proto < 2; proto++) {
		if ((proto == 0 && !tcp) || (proto == 1 && !udp))
			continue;
		nports = 0;
		if (f.nports) {
			for (unsigned int p = 1; p < 65536; p++)
				if (filter_port_match(&f, (uint16_t)p))
					ports[nports++] = (uint16_t)p;
		} else {
			nports = default_ports(&rules, proto ? RP_UDP : RP_TCP,
			    ports, 65536);
		}
		for (size_t i = 0; i < nports; i++) {
			struct probe_target *t = &tg[n++];

			memset(t, 0, sizeof(*t));
			t->family = (uint8_t)ai->ai_family;
			t->udp = (uint8_t)proto;
			t->port = ports[i];
			if (ai->ai_family == AF_INET)
				memcpy(t->addr, &((struct sockaddr_in *)
				    ai->ai_addr)->sin_addr, 4);
			else {
				memcpy(t->addr, &((struct sockaddr_in6 *)
				    ai->ai_addr)->sin6_addr, 16);
				t->scope = ((struct sockaddr_in6 *)
				    ai->ai_addr)->sin6_scope_id;
			}
		}
	}
	freeaddrinfo(ai);
	probe_opts_default(&po, &rules);
	/* ports nothing is known of: a silent UDP one is asked again */
	po.udp_reprobe = 1;
	registry_init(&reg, cmd_find_data("iana-ports.tsv"));
	/* In chunks: a whole-range scan keeps its memory small, and rows
	 * are written as their chunk is done. */
	res = xcalloc(CHUNK, sizeof(*res));
	end = now_ms() + budget;
	if (json) {
		strbuf_init(&sb, 64u << 20);
		jw_init(&jw, &sb, 1);
		jw_object(&jw, NULL);
		jw_str(&jw, "portsleuth", PORTSLEUTH_VERSION);
		jw_str(&jw, "host", host);
		jw_array(&jw, "ports");
	} else {
		const char *head[] = { "PORT", "STATE", "SERVICE", "DETAILS" };

		text_row(stdout, probe_widths, 4, head);
	}
	for (size_t off = 0; off < n; off += CHUNK) {
		size_t m = n - off < CHUNK ? n - off : CHUNK;
		double left = end - now_ms();

		memset(res, 0, CHUNK * sizeof(*res));	/* "unprobed" */
		if (left >= 50) {
			po.budget_ms = (int)left;
			if (probe_run_isolated(tg + off, m, &po, res,
			    &cause) < 0) {
				cmd_warn("%s\n", cause);
				free(cause);
				failed = 1;
				break;
			}
		}
		emit(tg + off, res, m, json ? &jw : NULL, all, &reg, &answered,
		    &lo);
	}
	if (!json && (lo.unprobed || lo.closed || lo.udp_silent)) {
		char line[320];
		int k = 0;

		if (lo.unprobed)
			k += snprintf(line + k, sizeof(line) - (size_t)k,
			    "%zu ports not probed: the time budget ran out "
			    "(--timeout)", lo.unprobed);
		if (lo.closed || lo.udp_silent)
			snprintf(line + k, sizeof(line) - (size_t)k,
			    "%s%zu closed and %zu UDP open or filtered (no "
			    "answer) not shown: -a lists them", k ? "; " : "",
			    lo.closed, lo.udp_silent);
		text_line(stdout, line);
	}
	if (json) {
		jw_end(&jw);
		jw_object(&jw, "sources");
		jw_notes(&jw);
		jw_end(&jw);
		jw_end(&jw);
		if (cmd_emit_json(&jw, stdout) < 0)
			failed = 1;
		strbuf_release(&sb);
	}
	rc = failed ? EXIT_USAGE : answered ? 0 : EXIT_NOMATCH;
	registry_release(&reg);
	free(res);
	free(tg);
	free(ports);
	rules_release(&rules);
	return cmd_finish(rc);
}
