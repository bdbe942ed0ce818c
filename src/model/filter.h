/*
 * filter.h - the user's selection: ports, protocols, families, states,
 * processes and exposure.
 */
#ifndef PS_FILTER_H
#define PS_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel/sock.h"
#include "proc/proc.h"

#define FILTER_MAX_RANGES	64

struct port_range {
	uint16_t	lo, hi;
};

struct filter {
	unsigned int		 protos;	/* PROTO_BIT mask; 0 = all */
	int			 want4, want6;
	int			 all_states;	/* -a */
	int			 exposed_only;
	struct port_range	 ports[FILTER_MAX_RANGES];
	size_t			 nports;	/* 0 = any port */
	pid_t			 pid;		/* 0 = any */
	const char		*name;		/* NULL = any */
	int			 have_uid;
	uid_t			 uid;
};

/*
 * Parse a port list such as "22", "1-1023" or "22,80,8000-8100" into f.
 * Returns 0, or EINVAL (not a number, empty item), ERANGE (a port past
 * 65535, a reversed range, too many items).
 */
int filter_parse_ports(struct filter *f, const char *spec);
int filter_port_match(const struct filter *f, uint16_t port);
/* Whether a process selection (pid, name, user) is active. */
int filter_has_process(const struct filter *f);

#endif
