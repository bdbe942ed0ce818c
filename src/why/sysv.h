/*
 * sysv.h - SysV init scripts: /etc/init.d, their LSB headers, and the
 * /etc/rcN.d links that start them (what update-rc.d and chkconfig
 * manage).
 */
#ifndef PS_SYSV_H
#define PS_SYSV_H

#include <stddef.h>

struct sysv_script {
	char	*name;		/* file name in /etc/init.d */
	char	*daemon;	/* DAEMON= or --exec path, or NULL */
	char	*provides;	/* LSB Provides, or NULL */
	char	*short_desc;	/* LSB Short-Description, or NULL */
	char	*start_links;	/* "rc2.d/S01ssh rc3.d/S01ssh", or NULL */
};

struct sysv {
	struct sysv_script	*v;
	size_t			 n, cap;
	int			 runlevel;	/* default runlevel */
	unsigned int		 malformed;
};

/* Read every script in /etc/init.d and the rc links (under the root). */
void sysv_load(struct sysv *s);
void sysv_release(struct sysv *s);
/* The script whose daemon is exe (or named name), or NULL. */
const struct sysv_script *sysv_find(const struct sysv *s, const char *exe,
    const char *name);

/* Parse a script's text (pure): fills daemon, provides, short_desc. */
void sysv_parse_script(struct sysv_script *sc, const char *buf, size_t len);
/* The default runlevel from /etc/inittab text; 2 (Debian's) if none. */
int sysv_parse_inittab(const char *buf, size_t len);

#endif
