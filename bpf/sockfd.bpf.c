/*
 * sockfd.bpf.c - one pass over every descriptor of every process: the
 * socket ones, as (process, descriptor, socket inode), the network
 * namespaces held open as files (nsfs: "net:[N]", or a bind-mounted
 * namespace), as (process, descriptor, namespace inode), and, before a
 * process's first file, that process as /proc/PID/stat and status would
 * describe it (parent, ids, capabilities, start time, terminal, name).
 *
 * An iter/task_file program: the kernel calls it once per open file of
 * each thread group (threads sharing a descriptor table are skipped), and
 * what it writes with bpf_seq_write() is what a read() of the iterator
 * returns.  It reads and writes nothing else.
 *
 * Cost: it runs for every file on the host (about 100,000 on the
 * benchmark's host), so fields are read by direct, verifier-checked
 * loads of the kernel's typed pointers (a plain load each), not through
 * bpf_probe_read_kernel() calls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define PS_NSFS_MAGIC	0x6e736673
#define PS_CLONE_NEWNET	0x40000000

/* kernel/bpfiter.h's struct bpf_sockfd, byte for byte */
struct rec {
	__u32 pid;
	__u32 fd;
	__u64 ino;
	__u32 zero;
	__u32 kind;	/* 0 a socket, 1 a network namespace, 2 a process */
};

/* kernel/bpfiter.h's struct bpf_procrec, byte for byte: what /proc/PID/stat
 * and status would say of the process (its executable is read there) */
struct procrec {
	struct rec hdr;		/* kind 2 */
	__u64 start_ns;		/* start_boottime */
	__u64 cap_eff;
	__u32 ppid;
	__u32 uid, euid, gid, egid;
	__u32 ns_pid;		/* in its own PID namespace; 0: the initial */
	__u32 tty_nr;		/* as stat's field 7 */
	__u32 flags;		/* 1: no credentials read */
	char  comm[16];
};

static __u32 last_tgid;

static __u32
tty_nr(struct task_struct *task)
{
	struct tty_struct *tty;
	struct tty_driver *drv;
	__u32 major, minor;

	if (task->signal == (void *)0 || (tty = task->signal->tty) == (void *)0 ||
	    (drv = tty->driver) == (void *)0)
		return 0;
	/* MKDEV(major, minor_start) + index, as new_encode_dev() */
	major = (__u32)drv->major;
	minor = (__u32)drv->minor_start + (__u32)tty->index;
	major += minor >> 20;
	minor &= 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static long
emit_process(struct seq_file *seq, struct task_struct *task)
{
	const struct cred *cred = task->real_cred;
	struct task_struct *parent = task->real_parent;
	struct procrec p = {};
	struct pid *pid;
	unsigned int level = 0;

	p.hdr.pid = task->tgid;
	p.hdr.kind = 2;
	p.start_ns = task->start_boottime;
	p.ppid = parent ? parent->tgid : 0;
	if (cred) {
		p.uid = cred->uid.val;
		p.euid = cred->euid.val;
		p.gid = cred->gid.val;
		p.egid = cred->egid.val;
		bpf_probe_read_kernel(&p.cap_eff, 8, &cred->cap_effective);
	} else {
		p.flags = 1;
	}
	/* its PID inside its own PID namespace, when that is not the
	 * initial one (the reader's: the caller checks) */
	pid = BPF_CORE_READ(task, thread_pid);
	if (pid && bpf_core_read(&level, sizeof(level), &pid->level) == 0 &&
	    level > 0 && level < 64) {
		int nr = 0;

		bpf_probe_read_kernel(&nr, sizeof(nr), (char *)pid +
		    bpf_core_field_offset(struct pid, numbers) +
		    (__u64)level * sizeof(struct upid));
		p.ns_pid = (__u32)nr;
	}
	p.tty_nr = tty_nr(task);
	bpf_probe_read_kernel(p.comm, sizeof(p.comm), task->comm);
	return bpf_seq_write(seq, &p, sizeof(p));
}

SEC("iter/task_file")
int sockfds(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct rec r = {};
	struct inode *inode;

	if (task == (void *)0 || file == (void *)0)
		return 0;
	inode = file->f_inode;
	if (inode == (void *)0)
		return 0;
	r.pid = task->tgid;
	r.fd = ctx->fd;
	r.ino = inode->i_ino;
	/* every process with a file is described once, before its
	 * descriptors (the reader also learns which processes the
	 * iterator visited).  A call whose writes overflow the read's
	 * buffer is undone whole and made again at the next read: the
	 * process is then described again. */
	if (r.pid != last_tgid && emit_process(seq, task) == 0)
		last_tgid = r.pid;
	if (bpf_sock_from_file(file) == (void *)0) {
		struct ns_common *ns;

		if (inode->i_sb == (void *)0 ||
		    inode->i_sb->s_magic != PS_NSFS_MAGIC)
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
	}
	/* a socket's network namespace is not read: the socket's inode
	 * names it host-wide, and the namespace's dump has it (reading
	 * it here cost a quarter of the pass: a cache miss per socket) */
	if (bpf_seq_write(seq, &r, sizeof(r)) < 0)
		last_tgid = 0;
	return 0;
}
