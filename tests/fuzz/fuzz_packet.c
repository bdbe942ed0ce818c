/* libFuzzer harness: packet_diag replies and /proc/net/igmp{,6}. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "kernel/packetdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_groups g = { 0 };

	/* as one netlink message: the length is the buffer's, as nlio
	 * checks before a callback sees it */
	if (size >= sizeof(struct nlmsghdr) && size < 1u << 20) {
		unsigned char *m = malloc(size);
		struct packet_sock p;
		struct nlmsghdr h;

		memcpy(m, data, size);
		memcpy(&h, m, sizeof(h));
		h.nlmsg_len = (uint32_t)size;
		memcpy(m, &h, sizeof(h));
		if (packetdiag_parse_msg((const struct nlmsghdr *)m, &p) == 0) {
			char b[64];

			for (size_t i = 0; i < p.nfilter; i++)
				(void)bpf_insn_text(&p.filter[i], i, b,
				    sizeof(b));
			free(p.filter);
		}
		free(m);
	}
	mc_parse_igmp((const char *)data, size, &g);
	mc_parse_igmp6((const char *)data, size, &g);
	mc_groups_release(&g);
	return 0;
}
