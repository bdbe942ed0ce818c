/* libFuzzer harness: the probe rule file parser and compiler. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probe/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules r;
	struct match_out m;
	pcre2_match_data *md;

	memset(&r, 0, sizeof(r));
	rules_parse(&r, (const char *)data, size);
	md = pcre2_match_data_create(10, NULL);
	(void)rules_match(&r, "null", data, size < 256 ? size : 256, md, &m);
	(void)rules_family_registered(&r, "http");
	(void)rules_family_program(&r, "sshd");
	pcre2_match_data_free(md);
	rules_release(&r);
	return 0;
}
