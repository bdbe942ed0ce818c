/*
 * dl.c - libraries opened on first need (see dl.h).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "util/dl.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static char *
open_all(struct dl_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (h == NULL) {
		e = dlerror();
		return xasprintf("cannot load %s: %s", lib->soname,
		    e ? e : "unknown error");
	}
	for (size_t i = 0; i < lib->nsyms; i++) {
		void *p;

		(void)dlerror();
		p = dlsym(h, lib->syms[i].name);
		if (p == NULL) {
			void *none = NULL;
			char *why;

			e = dlerror();
			why = xasprintf("%s has no %s%s%s", lib->soname,
			    lib->syms[i].name, e ? ": " : "", e ? e : "");
			/* the slots filled so far would point into h */
			for (size_t k = 0; k < i; k++)
				memcpy(lib->syms[k].slot, &none, sizeof(none));
			dlclose(h);
			return why;
		}
		/* POSIX: an object pointer from dlsym holds a function's */
		memcpy(lib->syms[i].slot, &p, sizeof(p));
	}
	return NULL;	/* h stays open for the rest of the run */
}

int
dl_load(struct dl_lib *lib, char **cause)
{
	int state;

	if ((state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE)) == 0) {
		pthread_mutex_lock(&dl_lock);
		if ((state = lib->state) == 0) {
			lib->error = open_all(lib);
			state = lib->error ? -1 : 1;
			__atomic_store_n(&lib->state, state, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&dl_lock);
	}
	if (state < 0 && cause)
		*cause = xstrdup(lib->error);
	return state > 0 ? 0 : -1;
}
