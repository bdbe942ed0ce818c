/*
 * sock.c - names of protocols and states, and the list of socket records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sock.h"
#include "util/xmalloc.h"
#include "util/banned.h"

const char *
proto_name(enum ps_proto p)
{
	static const char *names[PROTO_COUNT] = {
		"tcp", "udp", "udplite", "raw", "sctp"
	};

	return (unsigned)p < PROTO_COUNT ? names[p] : "?";
}

const char *
state_name(enum ps_state s)
{
	static const char *names[ST_MAX] = {
		"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
		"FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK",
		"LISTEN", "CLOSING", "NEW-SYN-RECV", "BOUND-INACTIVE"
	};

	return (unsigned)s < ST_MAX ? names[s] : "UNKNOWN";
}

struct sock_rec *
socklist_add(struct socklist *list)
{
	struct sock_rec *r;

	xgrow((void **)&list->v, &list->cap, list->n + 1, sizeof(*list->v));
	r = &list->v[list->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

void
socklist_append(struct socklist *out, struct socklist *more)
{
	if (out->n == 0) {
		free(out->v);
		*out = *more;
		memset(more, 0, sizeof(*more));
		return;
	}
	if (out->n + more->n > out->cap) {
		out->cap = out->n + more->n;
		out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
	}
	if (more->n)
		memcpy(out->v + out->n, more->v, more->n * sizeof(*out->v));
	out->n += more->n;
	socklist_release(more);
}

void
socklist_release(struct socklist *list)
{
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* A set of (inode, protocol, family) keys, open addressing. */
static uint64_t
sock_key_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

size_t
socklist_dedup(struct socklist *list)
{
	size_t cap = 16, i, out = 0, dropped = 0;
	const struct sock_rec **slots;

	while (cap < list->n * 2)
		cap <<= 1;
	slots = xcalloc(cap, sizeof(*slots));
	for (i = 0; i < list->n; i++) {
		const struct sock_rec *r = &list->v[i];
		size_t h = 0;
		int dup = 0;

		if (r->inode != 0) {
			h = sock_key_hash(r->inode ^ ((uint64_t)r->proto << 56) ^
			    ((uint64_t)r->family << 48)) & (cap - 1);
			for (; slots[h]; h = (h + 1) & (cap - 1)) {
				const struct sock_rec *o = slots[h];

				if (o->inode == r->inode && o->proto == r->proto &&
				    o->family == r->family) {
					dup = 1;
					break;
				}
			}
		}
		if (dup) {
			dropped++;
			continue;
		}
		if (out != i)
			list->v[out] = *r;
		/* the slot points at the record's final place */
		if (r->inode != 0)
			slots[h] = &list->v[out];
		out++;
	}
	free(slots);
	list->n = out;
	return dropped;
}
