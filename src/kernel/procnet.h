/*
 * procnet.h - socket tables from /proc/net/{tcp,udp,udplite,raw}{,6}.
 *
 * The fallback when sock_diag has no handler for a protocol; for SCTP the
 * listening endpoints of /proc/net/sctp/eps.  These files carry no bound
 * device and no IPV6_V6ONLY flag; records from here have v6only = -1 and
 * bound_if = 0.
 */
#ifndef PS_PROCNET_H
#define PS_PROCNET_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/sock.h"

/* File name under /proc/net for proto and family (4 or 6), or NULL. */
const char *procnet_file(enum ps_proto proto, int v6);

/*
 * Parse the text of one such table (len bytes) and append the rows whose
 * state is in the states mask.  Malformed lines are skipped and counted in
 * *malformed.  Returns the number of rows added.
 */
size_t procnet_parse(const char *text, size_t len, enum ps_proto proto,
    int v6, uint32_t states, struct socklist *out, unsigned int *malformed);

/*
 * Read DIR/FILE (dir "/proc/net", or /proc/PID/net for another network
 * namespace) for proto and family under the system root.  Returns 0, or
 * -1 with errno set when the file cannot be read.
 */
int procnet_read(const char *dir, enum ps_proto proto, int v6,
    uint32_t states, struct socklist *out, unsigned int *malformed);

/*
 * The socket inodes of a table of another layout (/proc/net/unix,
 * netlink, packet, sctp/eps: whitespace-separated columns after a
 * header line): column col (1-based) of every line, into *out (caller
 * frees), *n of them.  Lines without such a number are skipped.
 */
void procnet_parse_inodes(const char *text, size_t len, int col,
    uint64_t **out, size_t *n);

#endif
