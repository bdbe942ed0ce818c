/*
 * words.h - space-separated word lists, as the data files write them
 * ("sshd dropbear").
 */
#ifndef PS_WORDS_H
#define PS_WORDS_H

#include <stddef.h>

/* Is the n-byte word one of the words of list (NULL: none)? */
int words_has(const char *list, const char *word, size_t n);
/* Is s (NULL: never) one of the n strings of v? */
int strv_has(char *const *v, size_t n, const char *s);

#endif
