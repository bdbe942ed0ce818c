/*
 * probe.c - a probe result as a JSON object and as one short phrase, for
 * `probe HOST`, `--probe` and `explain --probe` alike.
 */
#include <stdio.h>
#include <string.h>

#include "render/probe.h"
#include "render/jsonw.h"
#include "util/banned.h"

void
probe_result_json(struct strbuf *sb, const struct probe_result *r)
{
	char shown[48];
	int f = 1;

	strbuf_addch(sb, '{');
	json_key_str(sb, &f, "state", probe_state_key(r->state));
	json_key_str(sb, &f, "service", r->service[0] ?
	    probe_service_shown(r, shown, sizeof(shown)) : NULL);
	json_key_str(sb, &f, "protocol", r->service[0] ? r->service : NULL);
	json_key_str(sb, &f, "product", r->product[0] ? r->product : NULL);
	json_key_str(sb, &f, "version", r->version[0] ? r->version : NULL);
	json_key_str(sb, &f, "info", r->info[0] ? r->info : NULL);
	json_key_str(sb, &f, "matched_by", r->via_probe[0] ? r->via_probe :
	    NULL);
	json_key_bool(sb, &f, "tls", r->tls);
	if (r->tls) {
		json_key_str(sb, &f, "tls_version", r->tls_version);
		json_key_str(sb, &f, "tls_cipher", r->tls_cipher);
		json_key_str(sb, &f, "cert_subject", r->cert_subject);
		json_key_str(sb, &f, "cert_issuer", r->cert_issuer);
		json_key_str(sb, &f, "cert_sans", r->cert_sans);
		json_key_str(sb, &f, "cert_not_after", r->cert_not_after);
		json_key_bool(sb, &f, "cert_expired", r->cert_expired);
	}
	json_key_str(sb, &f, "evidence", r->evidence[0] ? r->evidence : NULL);
	json_key_int(sb, &f, "ms", r->ms);
	json_key_int(sb, &f, "connections", r->connections);
	strbuf_addch(sb, '}');
}

/* "OpenSSH 9.2p1", "nginx 1.22.1 (TLSv1.3)", "silent", ... */
void
probe_result_summary(const struct probe_result *r, char *buf, size_t sz)
{
	char shown[48];

	if (r->state == PS_HARD || r->state == PS_SOFT) {
		snprintf(buf, sz, "%s%s%s%s%s%s", probe_service_shown(r, shown,
		    sizeof(shown)), r->product[0] ? " " : "", r->product,
		    r->version[0] ? " " : "", r->version,
		    r->state == PS_SOFT ? "?" : "");
		return;
	}
	snprintf(buf, sz, "%s%s", r->tls ? "tls, " : "",
	    r->state == PS_UNRECOGNISED ? "unrecognised reply" :
	    r->state == PS_CLOSED_AT_ONCE ? "closed at once" :
	    r->state == PS_SILENT ? "silent" :
	    r->state == PS_RESET ? "reset" :
	    r->state == PS_REFUSED ? "closed" :
	    r->state == PS_TIMEOUT ? "no connection" :
	    r->state == PS_UNPROBED ? "not probed (time budget)" : "error");
}

