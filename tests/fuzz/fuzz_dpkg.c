/* libFuzzer harness: dpkg's status, diversions and md5sums parsers.
 * The first byte picks the parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "why/dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpkg db;
	char hex[33];

	if (size < 1)
		return 0;
	memset(&db, 0, sizeof(db));
	switch (data[0] % 3) {
	case 0:
		dpkg_parse_status(&db, (const char *)data + 1, size - 1);
		(void)dpkg_find(&db, "openssh-server");
		for (size_t i = 0; i < db.npkgs; i++)
			(void)dpkg_find(&db, db.pkgs[i].name);
		break;
	case 1:
		dpkg_parse_diversions(&db, (const char *)data + 1, size - 1);
		break;
	default:
		(void)dpkg_md5sums_find((const char *)data + 1, size - 1,
		    "/usr/sbin/sshd", hex);
		break;
	}
	dpkg_release(&db);
	return 0;
}
