/*
 * words.c - space-separated word lists.
 */
#include <string.h>

#include "util/words.h"
#include "util/banned.h"

int
words_has(const char *list, const char *word, size_t n)
{
	const char *p = list;

	if (list == NULL || n == 0)
		return 0;
	while (*p) {
		size_t k = strcspn(p, " ");

		if (k == n && memcmp(p, word, n) == 0)
			return 1;
		p += k;
		while (*p == ' ')
			p++;
	}
	return 0;
}

int
strv_has(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}
