/*
 * libFuzzer harness: the reader of the BPF iterator's records
 * (kernel/bpfiter.c), whatever bytes a read of the iterator returns.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/bpfiter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_scan s;
	char why[128];

	if (bpfiter_parse(data, size, &s, why, sizeof(why)) == 0) {
		/* every descriptor follows a record of its own process */
		for (size_t i = 0; i < s.nfds; i++)
			if (s.fds[i].kind > BPF_SOCKFD_NETNS)
				__builtin_trap();
		bpfiter_release(&s);
	} else if (s.fds != NULL || s.procs != NULL || why[0] == '\0') {
		__builtin_trap();
	}
	return 0;
}
