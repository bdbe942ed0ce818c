/* libFuzzer harness: netlink replies (chains, sets, set elements,
 * rules) read back into the evaluator's ruleset, then new flows
 * followed through it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fw/eval.h"
#include "fw/nftnl.h"
#include "fw/ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_local(const void *ctx, int family, fw_u128 a)
{
	(void)ctx;
	return family == 4 ? a == 0x0a000001u : a == 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_ruleset rs;
	struct fw_env env = { &rs, is_local, NULL, NULL };

	fw_ruleset_from_netlink(data, size, &rs);
	for (int k = 0; k < 4; k++) {
		struct fw_packet p;
		struct fw_result r;

		memset(&p, 0, sizeof(p));
		p.family = k & 1 ? 6 : 4;
		p.l4proto = k < 2 ? 6 : 17;
		p.daddr = p.family == 4 ? 0x0a000001u : 1;
		p.dport = (uint16_t)(size * 7 + 22);
		p.iifname = "eth0";
		p.iif = 2;
		p.established = k == 2;
		fw_eval(&env, &p, &r);
	}
	fw_ruleset_release(&rs);
	return 0;
}
