/*
 * libFuzzer harness: the reader of the BPF iterator's records
 * (kernel/bpfiter.c), whatever bytes a read of the iterator returns:
 * parsed whole, and handed out record by record from a stream, which
 * must agree with the parse.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/bpfiter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *arg, const struct bpf_sockfd *h, const unsigned char *rec)
{
	(void)h;
	(void)rec;
	(*(size_t *)arg)++;
}

/* The bytes through a stream, in pieces of up to 97 bytes: the records
 * handed out, and the stream's answer. */
static int
streamed(const uint8_t *data, size_t size, size_t *n, size_t *off)
{
	struct bpf_stream st;
	size_t at = 0;
	int rc;

	bpfiter_stream_init(&st);
	while (at < size) {
		size_t piece = 1 + data[at] % 97;

		if (piece > size - at)
			piece = size - at;
		(void)bpfiter_stream_put(&st, data + at, piece);
		at += piece;
	}
	bpfiter_stream_end(&st);
	*n = *off = 0;
	while ((rc = bpfiter_stream_next(&st, off, count, n)) > 0)
		;
	bpfiter_stream_release(&st);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_scan s;
	char why[128];
	size_t handed, off;
	int rc = streamed(data, size, &handed, &off);

	if (off > size)
		__builtin_trap();
	if (bpfiter_parse(data, size, &s, why, sizeof(why)) == 0) {
		/* what parses whole is handed out whole, every record */
		if (rc != 0 || off != size ||
		    handed != s.nfds + s.nnsfds + s.nprocs)
			__builtin_trap();
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
