/* libFuzzer harness: lookups in a bbolt file (podman's state database)
 * and the container metadata parsed out of it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/bolt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = {
		"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
		"0000000000000000000000000000000000000000000000000000000000000001",
		"", "zzzz"
	};
	struct bolt b;
	char *cause = NULL;

	if (bolt_open(&b, data, size, &cause) < 0) {
		free(cause);
		return 0;
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *path[] = { "ctr", ids[i], "config" };
		const char *pod[] = { "pod", ids[i], "config" };
		const unsigned char *v;
		size_t vl;
		volatile unsigned char sink = 0;

		if (bolt_path(&b, path, 3, &v, &vl))
			for (size_t k = 0; k < vl; k++)
				sink ^= v[k];	/* every byte must be inside */
		if (bolt_path(&b, pod, 3, &v, &vl) && vl)
			sink ^= v[vl - 1];
		(void)sink;
	}
	return 0;
}
