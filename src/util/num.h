/*
 * num.h - strict number parsing in the spirit of OpenBSD strtonum(3).
 */
#ifndef PS_NUM_H
#define PS_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse all of the n bytes at s as a decimal (base 10) or hexadecimal
 * (base 16, no prefix) unsigned number within [min, max].  Returns 0 and
 * stores *out, or an errno value: EINVAL for empty or non-digit input,
 * ERANGE for a value outside the bounds.
 */
int num_parse_u64(const char *s, size_t n, int base, uint64_t min,
    uint64_t max, uint64_t *out);
/* The same for a NUL-terminated string. */
int num_parse_str(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
