/*
 * num.c - bounded unsigned number parsing without strtol's pitfalls
 * (leading blanks, signs, silent wrap-around).
 */
#include <errno.h>
#include <string.h>

#include "util/num.h"
#include "util/banned.h"

static int
digit_value(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
num_parse_u64(const char *s, size_t n, int base, uint64_t min, uint64_t max,
    uint64_t *out)
{
	uint64_t v = 0;
	int overflow = 0;
	size_t i;

	if (n == 0 || (base != 10 && base != 16))
		return EINVAL;
	for (i = 0; i < n; i++) {
		int d = digit_value(s[i], base);

		if (d < 0)
			return EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		else
			v = v * (uint64_t)base + (uint64_t)d;
	}
	if (overflow || v < min || v > max)
		return ERANGE;
	*out = v;
	return 0;
}

int
num_parse_str(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), 10, min, max, out);
}
