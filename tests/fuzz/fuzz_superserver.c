/* libFuzzer harness: inetd.conf and xinetd configuration parsers (the
 * first byte picks one), and the other boot-time sources' parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "why/persist.h"
#include "why/superserver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ss_conf c;
	char *p;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof(c));
	if (data[0] & 1) {
		xinetd_parse(&c, (const char *)data + 1, size - 1, "/f");
		xinetd_finish(&c);
	} else {
		inetd_parse(&c, (const char *)data + 1, size - 1, "/f");
	}
	for (size_t i = 0; i < c.n; i++)
		(void)ss_entry_l4(&c.v[i]);
	ss_conf_release(&c);
	/* and as the other boot-time sources: rc.local, crontabs (system
	 * and a user's), at jobs, udev rules, ld.so.preload */
	{
		struct persist_set ps = { 0 };

		for (int k = 0; k < PK_USER_UNIT; k++)
			persist_parse_lines((enum persist_kind)k, "/f",
			    (const char *)data + 1, size - 1,
			    data[0] & 4 ? "alice" : NULL, &ps);
		persist_release(&ps);
	}
	p = ss_config_from_argv(data[0] & 2 ? SS_XINETD : SS_INETD,
	    (const char *)data + 1, size - 1);
	free(p);
	return 0;
}
