/*
 * libFuzzer harness: parsers of per-process and per-host text files:
 * /proc/PID/stat, status, cgroup, /proc/net/if_inet6 and /etc/passwd.
 * The first byte picks the parser.
 */
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/ifaces.h"
#include "proc/procscan.h"
#include "proc/users.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	struct proc_rec p;
	struct ifaces ifs;
	struct users *u;
	char *s = NULL;
	int ppid, tty;
	uint64_t st;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		if (procscan_parse_stat(text, len, &s, &ppid, &st, &tty) == 0)
			free(s);
		break;
	case 1:
		memset(&p, 0, sizeof(p));
		(void)procscan_parse_status(text, len, &p);
		break;
	case 2:
		free(procscan_parse_cgroup(text, len));
		break;
	case 3:
		memset(&ifs, 0, sizeof(ifs));
		(void)ifaces_parse_if_inet6(text, len, &ifs);
		ifaces_release(&ifs);
		break;
	case 4:
		u = users_new();
		users_parse(u, text, len);
		(void)users_name(u, 0);
		users_free(u);
		break;
	}
	return 0;
}
