/*
 * bpfprogs.h - the BPF programs loaded on the host, through the bpf(2)
 * system call (BPF_PROG_GET_NEXT_ID, then each program's info), read
 * only: a program's descriptor is opened for its info and closed.
 * Needs CAP_SYS_ADMIN.
 */
#ifndef PS_KERNEL_BPFPROGS_H
#define PS_KERNEL_BPFPROGS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_prog_rec {
	uint32_t	 id, type, uid;
	char		 name[20];	/* BPF_OBJ_NAME_LEN, NUL-terminated */
};

/*
 * Every loaded program into *out (caller frees), at most max.  The count,
 * or -1 with *cause (caller frees).
 */
long bpf_progs_list(struct bpf_prog_rec **out, size_t max, char **cause);
/* "kprobe", "tracing", "lsm", ... for a program type. */
const char *bpf_prog_type_name(uint32_t type, char *buf, size_t n);
/*
 * Can a program of this type change what a reader of the kernel's
 * tables is told (hooks on functions, syscalls and security checks,
 * steering of binds and lookups)?
 */
int bpf_prog_type_can_falsify(uint32_t type);

#endif
