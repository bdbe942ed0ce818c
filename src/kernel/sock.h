/*
 * sock.h - the socket record, as the kernel's tables give it.
 *
 * The kernel layer (sockdiag, procnet) fills these records; every layer
 * above reads them.  The process that holds a socket is proc/proc.h's
 * concern, the joined view model/listing.h's.
 */
#ifndef PS_KERNEL_SOCK_H
#define PS_KERNEL_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ps_proto {
	PROTO_TCP,
	PROTO_UDP,
	PROTO_UDPLITE,
	PROTO_RAW,
	PROTO_SCTP,
	PROTO_COUNT
};

#define PROTO_BIT(p)	(1u << (p))
#define PROTO_ALL	((1u << PROTO_COUNT) - 1)

/* Kernel socket states (include/net/tcp_states.h). */
enum ps_state {
	ST_UNKNOWN = 0,
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,		/* an unconnected UDP/raw socket: "UNCONN" */
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING,
	ST_NEW_SYN_RECV,
	ST_BOUND_INACTIVE,
	ST_MAX
};

#define STATE_BIT(s)	(1u << (s))
#define STATES_ALL	((1u << ST_MAX) - 2)

/* Where a socket record came from. */
enum sock_source {
	SRC_NETLINK,
	SRC_PROCFS
};

/* Why a socket has no visible owner. */
enum owner_note {
	OWNER_FOUND = 0,
	OWNER_NOT_ROOT,		/* other users' fds unreadable */
	OWNER_EXITED,		/* a process vanished during the scan */
	OWNER_KERNEL,		/* no fd anywhere: kernel-held socket */
	OWNER_TIMEWAIT,		/* inode 0: no file, kernel keeps it */
	OWNER_NOT_SCANNED	/* process attribution was not requested */
};

struct sock_rec {
	uint8_t		 proto;		/* enum ps_proto */
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 state;		/* enum ps_state */
	int8_t		 v6only;	/* 0, 1, or -1 when unknown */
	uint8_t		 source;	/* enum sock_source */
	uint8_t		 owner_note;	/* enum owner_note */
	uint16_t	 lport, rport;
	uint8_t		 laddr[16], raddr[16];	/* IPv4 in the first 4 bytes */
	uint32_t	 bound_if;	/* SO_BINDTODEVICE ifindex, 0 = none */
	uint32_t	 uid;		/* socket owner uid from the kernel */
	uint32_t	 rqueue, wqueue;
	uint32_t	 netns;		/* index into the listing's namespaces */
	uint64_t	 inode;
};

struct socklist {
	struct sock_rec	*v;
	size_t		 n, cap;
};

const char *proto_name(enum ps_proto p);
const char *state_name(enum ps_state s);

/* Append to list; returns the new record (zeroed). */
struct sock_rec *socklist_add(struct socklist *list);
/*
 * Drop repeated sockets (the same inode of the same protocol and family:
 * a replayed recording or a fixture table can repeat a line, and the
 * kernel never does).  Keeps the first of each, in order; returns how
 * many were dropped.  Sockets with inode 0 (TIME-WAIT) are kept.
 */
size_t socklist_dedup(struct socklist *list);
/* Move more's records to the end of out, and empty more: taken whole
 * when out is empty (never held twice), else out grows to their sum. */
void socklist_append(struct socklist *out, struct socklist *more);
void socklist_release(struct socklist *list);

#endif
