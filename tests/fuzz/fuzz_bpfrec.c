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
		/* every descriptor kept has a process record, and the
		 * kept ones are never more than the bytes read allow */
		if ((s.nfds + s.nnsfds) * sizeof(struct bpf_sockfd) > size)
			__builtin_trap();
		for (size_t i = 0; i < s.nfds + s.nnsfds; i++) {
			const struct bpf_fd *f = i < s.nfds ? &s.fds[i] :
			    &s.nsfds[i - s.nfds];
			size_t k = 0;

			while (k < s.nprocs && s.procs[k].hdr.pid != f->pid)
				k++;
			if (k == s.nprocs)
				__builtin_trap();
		}
		bpfiter_release(&s);
	} else if (s.fds != NULL || s.nsfds != NULL || s.procs != NULL ||
	    why[0] == '\0') {
		__builtin_trap();
	}
	return 0;
}
