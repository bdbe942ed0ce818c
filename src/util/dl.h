/*
 * dl.h - a shared library opened the first time it is needed.
 *
 * OpenSSL, librpm, libnftables, libnftnl and libbpf serve a few commands
 * each (probing, --why, the firewall, the BPF fallback) but, linked, are
 * mapped, relocated and initialised by every run: 4 MiB of resident
 * memory and 5 ms at start, more than the listing of a small host costs.
 * Each module that uses one keeps a table of the functions it calls
 * (typed by the library's own header: DL_SYM) and loads it before the
 * first call; a library that cannot be opened, or lacks a function, is
 * an error the module turns into its own reason or note.
 */
#ifndef PS_UTIL_DL_H
#define PS_UTIL_DL_H

#include <stddef.h>

struct dl_sym {
	const char	*name;
	void		*slot;	/* a function pointer to fill */
};

/* {"f", &tab.f}: tab.f declared as __typeof__(f) *f */
#define DL_SYM(tab, f)	{ #f, &(tab).f }

struct dl_lib {
	const char		*soname;	/* "libssl.so.3" */
	const struct dl_sym	*syms;
	size_t			 nsyms;
	/* set by dl_load */
	int			 state;		/* 0 untried, 1 loaded, -1 failed */
	char			*error;
};

/* static struct dl_lib lib = DL_LIB("libssl.so.3", syms); */
#define DL_LIB(soname, syms) \
	{ (soname), (syms), sizeof(syms) / sizeof((syms)[0]), 0, NULL }

/*
 * Open lib->soname (once, thread-safe) and fill every slot: 0, or -1
 * with *cause (may be NULL), the same reason on every later call.
 */
int dl_load(struct dl_lib *lib, char **cause);

#endif
