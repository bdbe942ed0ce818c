/*
 * packetdiag.h - the sockets that see packets without a port: AF_PACKET
 * sockets (a sniffer, or a backdoor waiting for a magic packet, listens
 * on no port a listing shows), read with packet_diag over sock_diag,
 * with the interface each is bound to, its protocol, the multicast
 * memberships it holds, and the classic BPF filter attached to it (the
 * filter needs CAP_NET_ADMIN); and the multicast groups joined per
 * interface (/proc/net/igmp, igmp6).
 */
#ifndef PS_KERNEL_PACKETDIAG_H
#define PS_KERNEL_PACKETDIAG_H

#include <stddef.h>
#include <stdint.h>

struct nlio;

#define PD_FILTER_MAX	4096	/* BPF_MAXINSNS */

struct bpf_insn_rec {
	uint16_t	code;
	uint8_t		jt, jf;
	uint32_t	k;
};

struct packet_sock {
	uint64_t		 inode;
	uint8_t			 type;		/* SOCK_RAW, SOCK_DGRAM */
	uint16_t		 protocol;	/* ETH_P_*, host order; 0: none */
	uint32_t		 ifindex;	/* 0: every interface */
	uint32_t		 uid;
	int			 have_uid, have_info;
	int			 filter_known;	/* the filter could be read
						   (with none: nfilter 0) */
	struct bpf_insn_rec	*filter;	/* NULL: none attached */
	size_t			 nfilter;
	unsigned int		 nmc;		/* multicast memberships */
	uint32_t		 netns;		/* index, set by the caller */
};

struct packet_socks {
	struct packet_sock	*v;
	size_t			 n, cap;
	unsigned int		 malformed;
	char			*error;		/* the dump failed: why */
};

/* Dump the AF_PACKET sockets of io's namespace into out (appended). */
void packetdiag_collect(struct nlio *io, struct packet_socks *out);
void packet_socks_release(struct packet_socks *s);
/* Pure: decode one reply; 0, or -1 when malformed.  For tests and
 * fuzzing. */
struct nlmsghdr;
int packetdiag_parse_msg(const struct nlmsghdr *nlh, struct packet_sock *out);
/* "all", "ip", "ipv6", "arp", "802.1q", or "0x88cc". */
const char *ethertype_name(uint16_t proto, char *buf, size_t n);

struct mc_group {
	char		 ifname[32];
	int		 family;	/* AF_INET, AF_INET6 */
	uint8_t		 addr[16];
	unsigned int	 users;
};

struct mc_groups {
	struct mc_group	*v;
	size_t		 n, cap;
};

/* Pure: /proc/net/igmp and igmp6 text into out. */
void mc_parse_igmp(const char *text, size_t len, struct mc_groups *out);
void mc_parse_igmp6(const char *text, size_t len, struct mc_groups *out);
/* Read dir/igmp and dir/igmp6 (dir: "/proc/net", /proc/PID/net). */
void mc_read(const char *dir, struct mc_groups *out);
void mc_groups_release(struct mc_groups *g);

/*
 * One classic BPF instruction in words, as tcpdump -d prints them:
 * "ldh [12]", "jeq #0x800 jt 1 jf 5" (targets absolute, from pc), "ret
 * #65535"; an unknown opcode as "code 0xNN".  Into buf (n bytes).
 */
const char *bpf_insn_text(const struct bpf_insn_rec *in, size_t pc,
    char *buf, size_t n);

#endif
