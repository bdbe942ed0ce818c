/*
 * persist.h - the other ways a program comes back at boot, besides
 * units, inetd and SysV scripts (which audit reads elsewhere): each with
 * its file and line.
 *
 *   rc.local        /etc/rc.local, run at boot when executable
 *   cron @reboot    /etc/crontab, /etc/cron.d/ (with a user field) and
 *                   the users' crontabs in /var/spool/cron/crontabs/
 *   at              jobs waiting in /var/spool/cron/atjobs/
 *   udev            RUN+= of the local rules in /etc/udev/rules.d/
 *   ld.so.preload   every library of /etc/ld.so.preload (loaded into
 *                   every program)
 *   user unit       the enabled units of users whose manager lingers
 *                   (/var/lib/systemd/linger/USER): they start at boot
 *
 * Every file is untrusted: regular files only, read capped, lines cut,
 * a directory read to a bound; all under --root.
 */
#ifndef PS_WHY_PERSIST_H
#define PS_WHY_PERSIST_H

#include <stddef.h>

enum persist_kind {
	PK_RC_LOCAL, PK_CRON_REBOOT, PK_AT, PK_UDEV, PK_PRELOAD,
	PK_USER_UNIT, PK_COUNT
};

struct persist_item {
	enum persist_kind kind;
	char	*file;
	int	 line;		/* 0: the file as a whole */
	char	*command;	/* what runs (escaped when shown) */
	char	*program;	/* its first word, when a path */
	char	*user;		/* who it runs as, when the entry says */
	int	 enabled;	/* 0: present but not run (rc.local not
				   executable) */
};

struct persist_set {
	struct persist_item *v;
	size_t		     n, cap;
};

/* Read every source above (under the system root). */
void persist_collect(struct persist_set *s);
void persist_release(struct persist_set *s);
/* "rc.local", "cron", "at", "udev", "ld.so.preload", "user-unit". */
const char *persist_kind_key(enum persist_kind k);

/* Pure parsers, for the collector, the tests and fuzzing.  user: the
 * crontab's owner, or NULL for a system crontab (a user field). */
void persist_parse_lines(enum persist_kind k, const char *file,
    const char *text, size_t len, const char *user, struct persist_set *s);

#endif
