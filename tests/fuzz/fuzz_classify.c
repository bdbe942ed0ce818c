/* libFuzzer harness: classifying a reply from a probed service (bytes
 * an attacker controls) with the shipped rules, the verdict, and the
 * sanitizing of results read back from the prober child.  The first
 * byte picks the probe the reply answers. */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe/engine.h"
#include "probe/rules.h"
#include "probe/verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rules rules;
static pcre2_match_data *md;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct match_out m;
	struct probe_result r;
	char reasons[320];
	const char *probe = "null";

	if (md == NULL) {
		char *cause = NULL;

		if (rules_load(&rules, PS_SRC_DATADIR "/probes.rules",
		    &cause) < 0)
			abort();	/* the shipped rules must load */
		md = pcre2_match_data_create(10, NULL);
	}
	if (size < 1)
		return 0;
	if (rules.nprobes)
		probe = rules.probes[data[0] % rules.nprobes].name;
	memset(&r, 0, sizeof(r));
	if (rules_match(&rules, probe, data + 1, size - 1, md, &m)) {
		r.state = m.rule->hard ? PS_HARD : PS_SOFT;
		snprintf(r.service, sizeof(r.service), "%s", m.rule->service);
		snprintf(r.product, sizeof(r.product), "%s", m.product);
		(void)verdict_compute(&rules, "ssh", "sshd", "sshd", &r, 22,
		    "tcp", reasons, sizeof(reasons));
	}
	/* a result as the child might send it: any bytes at all */
	memset(&r, 0, sizeof(r));
	memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
	probe_result_sanitize(&r);
	return 0;
}
