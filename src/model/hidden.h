/*
 * hidden.h - what is hidden from the usual tools: the independent views
 * of the sockets of every namespace, compared.
 *
 *   sock_diag    the kernel's netlink dump (what ss reads)
 *   /proc/net    the text tables (what netstat, lsof and most scripts
 *                read), by the path they use
 *   descriptors  the fd walk: every socket a process holds; one no
 *                table lists is asked what it is (pidfd_getfd)
 *   bind probe   (opt-in) every TCP and UDP port bound once on the
 *                wildcard addresses: EADDRINUSE where no view shows a
 *                socket
 *
 * A disagreement is looked at again before it is reported (a socket
 * that came or went between two reads is not hidden), and what could
 * not be looked at is said apart from what was found.  Also what
 * falsifies the tools themselves: /etc/ld.so.preload, a library
 * preloaded into portsleuth, libraries listening processes map from
 * deleted files or world-writable directories, and loaded BPF programs
 * of the types that can rewrite what the kernel answers.
 */
#ifndef PS_MODEL_HIDDEN_H
#define PS_MODEL_HIDDEN_H

#include <stddef.h>
#include <stdint.h>

#include "model/listing.h"

enum hidden_kind {
	HK_NOT_IN_PROCNET,	/* sock_diag shows it, /proc/net does not */
	HK_NOT_IN_SOCKDIAG,	/* /proc/net shows it, sock_diag does not */
	HK_IN_NO_TABLE,		/* a process holds an inet socket no table has */
	HK_PORT_UNLISTED,	/* the bind probe: in use, in no view */
	HK_PRELOAD_FILE,	/* /etc/ld.so.preload is in use */
	HK_PRELOADED_SELF,	/* a library preloaded into portsleuth */
	HK_LIB_DELETED,		/* a listener maps a deleted library */
	HK_LIB_WRITABLE,	/* ... or one from a world-writable directory */
	HK_COUNT
};

enum hidden_view_id { HV_SOCKDIAG, HV_PROCNET, HV_HELD, HV_BIND, HV_COUNT };

struct hidden_finding {
	enum hidden_kind kind;
	long		 netns;		/* index into the listing's, -1: none */
	uint8_t		 proto, family;	/* a socket's */
	uint8_t		 addr[16];
	uint16_t	 port;
	uint64_t	 inode;
	pid_t		 pid;		/* a process concerned, 0: none */
	char		*comm;
	char		*detail;	/* what was seen, in words */
	int		 rechecked;	/* seen again on a second look */
};

struct hidden_view {
	int		 looked;
	unsigned int	 n;		/* sockets (ports) it showed */
	char		*why_not;	/* when not looked at, or only in part */
};

struct bpf_prog_seen {
	unsigned int	 id, type, uid;
	char		 name[20];
	char		 type_name[24];
};

struct hidden_opts {
	const char	*netns;		/* --netns SPEC */
	int		 bind_probe;
	void		(*name_netns)(struct netns_set *);
};

struct hidden_report {
	struct listing		 l;	/* the sock_diag view and the fd walk */
	struct hidden_view	(*views)[HV_COUNT];	/* per namespace */
	struct hidden_finding	*f;
	size_t			 n, cap;
	unsigned int		 count[HK_COUNT];
	/* descriptors: held sockets of other families, and those that
	 * could not be asked */
	unsigned int		 held_other, held_unasked;
	char			*held_why;
	struct bpf_prog_seen	*bpf;	/* the programs that could falsify */
	size_t			 nbpf;
	unsigned int		 bpf_total;	/* loaded, of every type */
	char			*bpf_why;	/* when they could not be listed */
};

/* Look; never fails as a whole (what could not be read is said). */
void hidden_run(struct hidden_report *r, struct nlio *io,
    const struct hidden_opts *o);
void hidden_release(struct hidden_report *r);
/* "not_in_proc_net", ... */
const char *hidden_kind_key(enum hidden_kind k);
const char *hidden_view_key(enum hidden_view_id v);

#endif
