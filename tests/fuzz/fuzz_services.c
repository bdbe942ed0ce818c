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
	struct services s = { 0 };
	unsigned int port;

	if (size < 1)
		return 0;
	services_parse(&s, fmts[data[0] % 3], (const char *)data + 1,
	    size - 1);
	services_finish(&s);
	for (port = 0; port < 65536; port += 97)
		(void)services_lookup(&s, (enum svc_proto)(port % 6),
		    (uint16_t)port);
	services_release(&s);
	return 0;
}
