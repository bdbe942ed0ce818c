/*
 * libFuzzer harness: netlink recordings and every message parser behind
 * them (sock_diag for each protocol and family, RTM_NEWLINK, RTM_NEWADDR),
 * through the same nlio and libmnl path as a live dump.
 */
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/ifaces.h"
#include "kernel/nlio.h"
#include "kernel/sockdiag.h"
#include "util/sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockdiag_query q = { PROTO_ALL, 1, 1, STATES_ALL, STATES_ALL };
	struct sockdiag_report rep = { 0 };
	struct socklist l = { 0 };
	struct ifaces ifs = { 0 };
	char *cause = NULL;
	struct nlio *io;

	/* no /proc/net fallback: only the recording is exercised */
	sysroot_set("/nonexistent-fuzz-root");
	io = nlio_open_buffer((const char *)data, size, &cause);
	if (io == NULL) {
		free(cause);
		return 0;
	}
	ifaces_collect(io, &ifs);
	sockdiag_collect(io, &q, &l, &rep);
	sockdiag_report_release(&rep);
	socklist_release(&l);
	ifaces_release(&ifs);
	nlio_close(io, NULL);
	return 0;
}
