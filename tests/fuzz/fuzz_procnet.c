/* libFuzzer harness: /proc/net/{tcp,udp,raw}{,6} table parser, and the
 * inode column of the other tables (unix, netlink, packet, sctp). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernel/procnet.h"
#include "kernel/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socklist l = { 0 };
	unsigned int bad = 0;

	if (size < 1)
		return 0;
	procnet_parse((const char *)data + 1, size - 1,
	    (enum ps_proto)(data[0] % PROTO_COUNT), data[0] & 0x80,
	    STATES_ALL, &l, &bad);
	socklist_release(&l);
	/* and as a table of another layout, its inode column */
	{
		uint64_t *v;
		size_t n;

		procnet_parse_inodes((const char *)data + 1, size - 1,
		    1 + data[0] % 12, &v, &n);
		free(v);
	}
	return 0;
}
