/* libFuzzer harness: the baseline reader, the policy reader, and the
 * diff and policy check of what they read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "drift/baseline.h"
#include "drift/diff.h"
#include "drift/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b;
	struct policy p;
	char *cause = NULL;

	if (baseline_parse((const char *)data, size, &b, &cause) == 0) {
		struct changes c;
		struct drift_set empty = { 0 };

		/* against itself: nothing may change; against nothing: all
		 * gone */
		drift_diff(&b.set, &b.set, &c);
		if (c.n != 0)
			abort();
		changes_release(&c);
		drift_diff(&b.set, &empty, &c);
		if (c.count[CH_GONE] != b.set.n)
			abort();
		changes_release(&c);
		baseline_release(&b);
	} else {
		free(cause);
	}
	cause = NULL;
	if (policy_parse((const char *)data, size, &p, &cause) == 0) {
		struct violations v;
		struct drift_set one = { 0 };
		struct drift_rec *r = drift_add(&one);

		drift_set_field(r, DF_NETNS, "host");
		drift_set_field(r, DF_PORT, "22");
		drift_set_field(r, DF_EXPOSURE, "all");
		policy_check(&p, &one, &v);
		violations_release(&v);
		drift_set_release(&one);
		policy_release(&p);
	} else {
		free(cause);
	}
	return 0;
}
