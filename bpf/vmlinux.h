/*
 * vmlinux.h - the few kernel types the BPF programs read, trimmed by hand.
 *
 * Every struct is marked preserve_access_index: the compiler records each
 * field access as a CO-RE relocation, and libbpf moves it to the running
 * kernel's offsets from /sys/kernel/btf/vmlinux when the program is
 * loaded.  Only the fields named here exist for the programs; their order
 * and the padding do not matter.  The iterator context (bpf_iter__*) is the
 * kernel's fixed layout.
 */
#ifndef PS_BPF_VMLINUX_H
#define PS_BPF_VMLINUX_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;
typedef __u32 u32;
typedef __u64 u64;
typedef _Bool bool;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

enum bpf_map_type { BPF_MAP_TYPE_UNSPEC = 0 };

#pragma clang attribute push (__attribute__((preserve_access_index)), \
    apply_to = record)

struct seq_file { int dummy; };

struct proc_ns_operations { int type; };

/* ns_common: the namespace's type moved from its operations
 * (ops->type) into it (ns_type, Linux 6.18); the program asks which of
 * the two the running kernel has */
struct ns_common {
	const struct proc_ns_operations	*ops;
	unsigned int			 inum;
};

struct ns_common___typed {
	unsigned int			 ns_type;
};

struct super_block { unsigned long s_magic; };

struct socket;

struct inode {
	unsigned short		 i_mode;
	unsigned long		 i_ino;
	struct super_block	*i_sb;
	void			*i_private;
};

struct file {
	struct inode	*f_inode;
};

typedef struct { int val; } kuid_t;
typedef struct { int val; } kgid_t;
/* 64 bits either way: one u64 (Linux 6.3 on) or two u32 */
typedef struct { __u64 val; } kernel_cap_t;

struct cred {
	kuid_t		 uid, euid;
	kgid_t		 gid, egid;
	kernel_cap_t	 cap_effective;
};

struct upid { int nr; void *ns; };

struct pid {
	unsigned int	 level;
	struct upid	 numbers[1];
};

struct tty_driver {
	int		 major;
	int		 minor_start;
};

struct tty_struct {
	struct tty_driver	*driver;
	int			 index;
};

struct signal_struct { struct tty_struct *tty; };

struct task_struct {
	int			 pid;
	int			 tgid;
	struct task_struct	*real_parent;
	const struct cred	*real_cred;
	struct pid		*thread_pid;
	struct signal_struct	*signal;
	__u64			 start_boottime;
	char			 comm[16];
};

struct bpf_iter_meta {
	struct seq_file	*seq;
	__u64		 session_id;
	__u64		 seq_num;
};

struct bpf_iter__task_file {
	union { struct bpf_iter_meta *meta; };
	union { struct task_struct *task; };
	__u32 fd;
	union { struct file *file; };
};

#pragma clang attribute pop

#endif
