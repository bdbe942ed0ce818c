/*
 * notes.c - the run's notes: a small mutex-guarded list of strings.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/notes.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;
static char *notes[NOTES_MAX];
static size_t nnotes, ndropped;

void
notes_add(const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t i;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	pthread_mutex_lock(&notes_lock);
	for (i = 0; i < nnotes; i++)
		if (strcmp(notes[i], text) == 0)
			break;
	if (i < nnotes) {
		free(text);
	} else if (nnotes < NOTES_MAX) {
		notes[nnotes++] = text;
	} else {
		ndropped++;
		free(text);
	}
	pthread_mutex_unlock(&notes_lock);
}

size_t
notes_count(void)
{
	size_t n;

	pthread_mutex_lock(&notes_lock);
	n = nnotes;
	pthread_mutex_unlock(&notes_lock);
	return n;
}

const char *
notes_get(size_t i)
{
	const char *s;

	pthread_mutex_lock(&notes_lock);
	s = i < nnotes ? notes[i] : NULL;
	pthread_mutex_unlock(&notes_lock);
	return s;
}

size_t
notes_dropped(void)
{
	size_t n;

	pthread_mutex_lock(&notes_lock);
	n = ndropped;
	pthread_mutex_unlock(&notes_lock);
	return n;
}

void
notes_reset(void)
{
	size_t i;

	pthread_mutex_lock(&notes_lock);
	for (i = 0; i < nnotes; i++)
		free(notes[i]);
	nnotes = ndropped = 0;
	pthread_mutex_unlock(&notes_lock);
}
