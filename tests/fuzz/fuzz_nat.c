/* libFuzzer harness: DNAT rules from a libnftables JSON ruleset. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fw/nat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nat_set s = { 0 };
	char *cause = NULL;

	(void)nat_parse_json((const char *)data, size, 1, &s, &cause);
	for (size_t i = 0; i < s.n; i++)
		(void)nat_target_port(&s.v[i], s.v[i].dport_lo);
	free(cause);
	nat_set_release(&s);
	return 0;
}
