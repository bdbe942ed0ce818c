/* libFuzzer harness: a libnftables JSON ruleset into the evaluator's
 * ruleset, then new flows (TCP, UDP, an established ACK, an IPv6
 * neighbour solicitation) followed through it; the same bytes as
 * compat argument blobs and as /proc/net/ip_tables_names. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw/eval.h"
#include "fw/nftread.h"
#include "fw/ruleset.h"
#include "fw/xtnat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_local(const void *ctx, int family, fw_u128 a)
{
	(void)ctx;
	return family == 4 ? a == 0x0a000001u : a == 1;
}

static const char *
oif(const void *ctx, int family, fw_u128 a)
{
	(void)ctx;
	(void)family;
	return (a & 1) ? "eth1" : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "conntrack", "multiport",
	    "addrtype", "mark", "state", "REJECT", "DNAT", "MARK" };
	struct fw_ruleset rs;
	struct xt_blob b[8];
	char tables[8][32], *cause = NULL;
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	(void)legacy_parse_names((const char *)data, size, tables, 8);
	/* every compat name over the same bytes, on both rules' handles */
	memset(b, 0, sizeof(b));
	for (int i = 0; i < 8; i++) {
		b[i].family = i & 1 ? 10 : 2;
		strcpy(b[i].table, "filter");
		strcpy(b[i].chain, "INPUT");
		b[i].handle = (uint64_t)(i % 3);
		b[i].seq = (uint16_t)(i / 3);
		b[i].target = i >= 5;
		strcpy(b[i].name, names[i]);
		b[i].rev = size ? data[0] % 4 : 0;
		b[i].info = copy;
		b[i].len = (uint16_t)(size < 1024 ? size : 1024);
	}
	xt_blobs_sort(b, 8);
	if (fw_ruleset_parse((const char *)data, size, b, 8, &rs, &cause) == 0) {
		struct fw_env env = { &rs, is_local, oif, NULL };

		for (int k = 0; k < 6; k++) {
			struct fw_packet p;
			struct fw_result r;

			memset(&p, 0, sizeof(p));
			p.family = k & 1 ? 6 : 4;
			p.l4proto = k < 2 ? 6 : k < 4 ? 17 : 58;
			p.icmp_type = 135;
			p.saddr = size > 4 ? data[size - 1] * 0x01010101u : 7;
			p.daddr = p.family == 4 ? 0x0a000001u : 1;
			p.dport = size > 2 ? (uint16_t)(data[1] << 8 | data[2]) : 22;
			p.iifname = "eth0";
			p.established = k == 1;
			p.dnat = k == 1;
			p.dnat_daddr = 0x0a000003u;
			p.dnat_dport = 80;
			fw_eval(&env, &p, &r);
		}
		fw_ruleset_release(&rs);
	}
	free(cause);
	free(copy);
	return 0;
}
