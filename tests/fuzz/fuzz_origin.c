/* libFuzzer harness: the small parsers of the origin and purpose
 * layers: cgroup paths, init scripts, inittab, man page NAME sections,
 * process environments and the knowledge base.  The first byte picks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "why/dossier.h"
#include "why/manpage.h"
#include "why/kb.h"
#include "why/origin.h"
#include "why/sysv.h"
#include "why/integrity.h"
#include "proc/procscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *t = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0: {
		struct cgroup_info ci;
		char *s = strndup(t, n);

		cgroup_classify(s, &ci);
		cgroup_info_release(&ci);
		free(s);
		break;
	}
	case 1: {
		struct sysv_script sc;

		memset(&sc, 0, sizeof(sc));
		sysv_parse_script(&sc, t, n);
		free(sc.daemon);
		free(sc.provides);
		free(sc.short_desc);
		break;
	}
	case 2:
		(void)sysv_parse_inittab(t, n);
		break;
	case 3:
		free(manpage_parse_whatis(t, n));
		break;
	case 4: {
		struct proc_env env;

		procscan_parse_environ(t, n, &env);
		proc_env_release(&env);
		break;
	}
	default: {
		struct kb kb;

		memset(&kb, 0, sizeof(kb));
		kb_parse(&kb, t, n);
		(void)kb_lookup(&kb, "sshd", "/usr/sbin/sshd", "openssh-server",
		    "ssh.service");
		kb_release(&kb);
		break;
	}
	}
	return 0;
}
