/* libFuzzer harness: /etc/services, /etc/protocols and IANA table parsers. */
#include <stddef.h>
#include <stdint.h>

#include "model/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum services_format fmts[] = {
		SF_SERVICES, SF_PROTOCOLS, SF_IANA_TSV
	};
	static uint64_t want[3 * 65536 / 64];
	struct services s = { 0 };
	unsigned int port;

	if (size < 1)
		return 0;
	/* the high bit: only some ports' rows kept (the listing's way) */
	if (data[0] & 0x80) {
		for (port = 0; port < sizeof(want) / sizeof(want[0]); port++)
			want[port] = UINT64_C(0x0101010101010101) <<
			    ((port + data[0]) & 7);
		s.want = want;
	}
	services_parse(&s, fmts[data[0] % 3], (const char *)data + 1,
	    size - 1);
	services_finish(&s);
	for (port = 0; port < 65536; port += 97)
		(void)services_lookup(&s, (enum svc_proto)(port % 6),
		    (uint16_t)port);
	services_release(&s);
	return 0;
}
