/*
 * sockfd.bpf.c - one pass over every descriptor of every process: the
 * socket ones, as (process, descriptor, socket inode, network namespace),
 * and the network namespaces held open as files (nsfs: "net:[N]", or a
 * bind-mounted namespace), as (process, descriptor, namespace inode).
 *
 * An iter/task_file program: the kernel calls it once per open file of
 * each thread group (threads sharing a descriptor table are skipped), and
 * what it writes with bpf_seq_write() is what a read() of the iterator
 * returns.  It reads and writes nothing else.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define PS_S_IFMT	00170000
#define PS_S_IFSOCK	0140000
#define PS_NSFS_MAGIC	0x6e736673
#define PS_CLONE_NEWNET	0x40000000

/* kernel/bpfiter.h's struct bpf_sockfd, byte for byte */
struct rec {
	__u32 pid;
	__u32 fd;
	__u64 ino;
	__u32 netns;
	__u32 kind;	/* 0 a socket, 1 a network namespace */
};

SEC("iter/task_file")
int sockfds(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct rec r = {};
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;

	if (task == (void *)0 || file == (void *)0)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (inode == (void *)0)
		return 0;
	r.pid = BPF_CORE_READ(task, tgid);
	r.fd = ctx->fd;
	r.ino = BPF_CORE_READ(inode, i_ino);
	if ((BPF_CORE_READ(inode, i_mode) & PS_S_IFMT) != PS_S_IFSOCK) {
		struct ns_common *ns;

		if (BPF_CORE_READ(inode, i_sb, s_magic) != PS_NSFS_MAGIC)
			return 0;
		ns = BPF_CORE_READ(inode, i_private);
		if (ns == (void *)0)
			return 0;
		if (bpf_core_field_exists(struct ns_common___typed, ns_type)) {
			if (BPF_CORE_READ((struct ns_common___typed *)ns,
			    ns_type) != PS_CLONE_NEWNET)
				return 0;
		} else if (BPF_CORE_READ(ns, ops, type) != PS_CLONE_NEWNET) {
			return 0;
		}
		r.kind = 1;
		bpf_seq_write(seq, &r, sizeof(r));
		return 0;
	}
	sock = BPF_CORE_READ(file, private_data);
	if (sock != (void *)0 && (sk = BPF_CORE_READ(sock, sk)) != (void *)0)
		r.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
