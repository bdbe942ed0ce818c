/* libFuzzer harness: DNAT rules from a libnftables JSON ruleset, an xt
 * NAT target blob, a docker-proxy command line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fw/nat.h"
#include "fw/xtnat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nat_set s = { 0 };
	char *cause = NULL;
	uint8_t addr[16];
	uint16_t port;

	/* the same bytes as an xt NAT target's argument blob */
	if (size > 0)
		(void)xt_nat_decode(data[0] & 1 ? 2 : 10, (data[0] >> 1) & 3,
		    data + 1, size - 1, addr, &port);
	/* and as a docker-proxy command line */
	{
		int proto, hf, tf;
		uint8_t hip[16], tip[16];
		uint16_t hp, tp;

		(void)nat_parse_docker_proxy((const char *)data, size, &proto,
		    &hf, hip, &hp, &tf, tip, &tp);
	}
	(void)nat_parse_json((const char *)data, size, 1, NULL, 0, &s, &cause);
	for (size_t i = 0; i < s.n; i++)
		(void)nat_target_port(&s.v[i], s.v[i].dport_lo);
	free(cause);
	nat_set_release(&s);
	return 0;
}
