/* libFuzzer harness: the forwarders' parsers.  The first byte picks one:
 * a command line (NUL-separated words: socat, ssh, docker-proxy), an
 * haproxy configuration, or an nginx configuration whose every include
 * is the input itself again (bounded by the include depth). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/forward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fwd_file self;

static size_t
again(void *ctx, const char *pattern, struct fwd_file *out, size_t max)
{
	(void)ctx;
	(void)pattern;
	if (max < 2)
		return 0;
	out[0] = self;
	out[1] = self;
	return 2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct forward f;
	unsigned int port;

	if (size < 3)
		return 0;
	port = (unsigned int)data[1] << 8 | data[2];
	if (data[0] % 3 == 0) {
		const char *argv[64];
		char *buf = malloc(size - 2);
		size_t argc = 0;

		memcpy(buf, data + 3, size - 3);
		buf[size - 3] = '\0';
		for (size_t i = 0; i < size - 3 && argc < 64;) {
			argv[argc++] = buf + i;
			i += strlen(buf + i) + 1;
		}
		(void)forward_from_argv(argv, argc, port, data[0] & 8, &f);
		free(buf);
	} else if (data[0] % 3 == 1) {
		struct fwd_file file = { "/f", (const char *)data + 3,
		    size - 3 };

		forward_haproxy(&file, 1, port, data[0] & 8, &f);
	} else {
		self.path = "/f";
		self.text = (const char *)data + 3;
		self.len = size - 3;
		forward_nginx(&self, again, NULL, port, data[0] & 8, &f);
	}
	return 0;
}
