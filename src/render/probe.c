/*
 * probe.c - a probe result as a JSON object and as one short phrase, for
 * `probe HOST`, `--probe` and `explain --probe` alike.
 */
#include <stdio.h>
#include <string.h>

#include "render/probe.h"
#include "util/banned.h"

void
probe_result_fields(struct jw *w, const struct probe_result *r)
{
	char shown[48];

	jw_str(w, "state", probe_state_key(r->state));
	jw_str(w, "service", r->service[0] ? probe_service_shown(r, shown,
	    sizeof(shown)) : NULL);
	jw_str(w, "protocol", r->service[0] ? r->service : NULL);
	jw_str(w, "product", r->product[0] ? r->product : NULL);
	jw_str(w, "version", r->version[0] ? r->version : NULL);
	jw_str(w, "info", r->info[0] ? r->info : NULL);
	jw_str(w, "matched_by", r->via_probe[0] ? r->via_probe : NULL);
	jw_bool(w, "tls", r->tls);
	jw_str(w, "tls_version", r->tls ? r->tls_version : NULL);
	jw_str(w, "tls_cipher", r->tls ? r->tls_cipher : NULL);
	jw_str(w, "cert_subject", r->tls ? r->cert_subject : NULL);
	jw_str(w, "cert_issuer", r->tls ? r->cert_issuer : NULL);
	jw_str(w, "cert_sans", r->tls ? r->cert_sans : NULL);
	jw_str(w, "cert_not_after", r->tls ? r->cert_not_after : NULL);
	if (r->tls)
		jw_bool(w, "cert_expired", r->cert_expired);
	else
		jw_null(w, "cert_expired");
	jw_str(w, "evidence", r->evidence[0] ? r->evidence : NULL);
	jw_int(w, "ms", r->ms);
	jw_int(w, "connections", r->connections);
}

void
probe_result_json(struct jw *w, const char *key, const struct probe_result *r)
{
	jw_object(w, key);
	probe_result_fields(w, r);
	jw_end(w);
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

