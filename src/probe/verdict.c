/*
 * verdict.c - the rogue/mismatch verdict.
 *
 * Only a hard match on the wire counts as evidence.  The port's
 * registered name and the owning program are each mapped to a protocol
 * family (data/probes.rules, [family] stanzas); a family known on
 * either side that differs from the wire's is a mismatch: sshd on
 * 24/tcp (registered as priv-mail) speaks ssh, an HTTP server answers
 * on 22.
 */
#include <stdio.h>
#include <string.h>

#include "probe/verdict.h"
#include "util/banned.h"

const char *
verdict_key(enum verdict v)
{
	switch (v) {
	case VERDICT_CONSISTENT:
		return "consistent";
	case VERDICT_MISMATCH:
		return "mismatch";
	default:
		return "unknown";
	}
}

enum verdict
verdict_compute(const struct rules *r, const char *registered,
    const char *comm, const char *exe_base, const struct probe_result *w,
    unsigned int port, const char *proto, char *reasons, size_t sz)
{
	const struct family *fw, *fr, *fp;
	enum verdict v = VERDICT_CONSISTENT;
	size_t used = 0;
	char shown[48];

	reasons[0] = '\0';
	if (w->state != PS_HARD || w->service[0] == '\0')
		return VERDICT_UNKNOWN;
	probe_service_shown(w, shown, sizeof(shown));
	fw = rules_family_wire(r, w->service);
	fr = registered && *registered ?
	    rules_family_registered(r, registered) : NULL;
	fp = comm ? rules_family_program(r, comm) : NULL;
	if (fp == NULL && exe_base)
		fp = rules_family_program(r, exe_base);
	if (registered && *registered && (fr == NULL || fr != fw) &&
	    !(fr == NULL && fw == NULL) && strcmp(registered, w->service)) {
		/* a name with no family of ours that is not the wire's
		 * service itself is a mismatch too (priv-mail vs ssh) */
		used += (size_t)snprintf(reasons + used, sz - used,
		    "port %u/%s is registered as %s, but it speaks %s", port,
		    proto, registered, shown);
		v = VERDICT_MISMATCH;
	}
	if (fp && fp != fw && used < sz) {
		used += (size_t)snprintf(reasons + used, sz - used,
		    "%s%s serves %s, but the port speaks %s", used ? "; " : "",
		    comm ? comm : exe_base, fp->name, shown);
		v = VERDICT_MISMATCH;
	}
	return v;
}
