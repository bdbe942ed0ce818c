/* libFuzzer harness: systemd unit file parser and Listen matching. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "why/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit u;

	memset(&u, 0, sizeof(u));
	unit_parse(&u, (const char *)data, size, "/x.socket");
	(void)unit_get(&u, "Service.ExecStart");
	(void)unit_listen_match(&u, "tcp", "0.0.0.0", 22);
	(void)unit_listen_match(&u, "udp", "::", 53);
	(void)unit_listen_match(&u, "tcp", "127.0.0.1", 631);
	unit_release(&u);
	return 0;
}
