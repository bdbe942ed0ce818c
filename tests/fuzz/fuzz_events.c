/* libFuzzer harness: the kernel's event messages a watch reads (sock_diag
 * destroy groups, the proc connector). */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *arg, pid_t pid, enum proc_ev what)
{
	(void)pid;
	(void)what;
	(*(size_t *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct socklist l = { 0 };
	size_t n = 0;

	for (int g = 0; g < EV_DESTROY_GROUPS; g++)
		(void)destroy_parse(data, size, g, &l);
	socklist_release(&l);
	(void)proc_events_parse(data, size, count, &n);
	return 0;
}
