/*
 * notes.h - what a run could not read or had to cut short, said once.
 *
 * Any layer may add a note (a file that is not a regular file, a table
 * over its size cap, a configuration with more entries than are read);
 * the command layer prints them on stderr and the JSON writers put them
 * in "sources": {"notes": [...]}.  Thread-safe; identical texts are kept
 * once; after NOTES_MAX distinct notes the rest are only counted.
 */
#ifndef PS_NOTES_H
#define PS_NOTES_H

#include <stddef.h>

#define NOTES_MAX	64

/* Add a note (printf format; the text is escaped by whoever shows it). */
void notes_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Number of notes kept, and the i-th (valid until notes_reset). */
size_t notes_count(void);
const char *notes_get(size_t i);
/* Notes that were not kept because NOTES_MAX was reached. */
size_t notes_dropped(void);
/* Forget every note (frees them). */
void notes_reset(void);

#endif
