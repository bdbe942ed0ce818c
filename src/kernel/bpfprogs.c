/*
 * bpfprogs.c - listing loaded BPF programs (see bpfprogs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "kernel/bpfprogs.h"
#include "util/xmalloc.h"
#include "util/banned.h"

static long
sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

long
bpf_progs_list(struct bpf_prog_rec **out, size_t max, char **cause)
{
	union bpf_attr a;
	uint32_t id = 0;
	size_t n = 0, cap = 0;

	*out = NULL;
	*cause = NULL;
	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a) != 0) {
			if (errno == ENOENT)
				break;
			*cause = xasprintf("cannot list BPF programs: %s",
			    strerror(errno));
			free(*out);
			*out = NULL;
			return -1;
		}
		id = a.next_id;
		if (n >= max)
			break;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		if ((fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a)) < 0)
			continue;	/* unloaded since */
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (uint32_t)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0) {
			struct bpf_prog_rec *r;

			xgrow((void **)out, &cap, n + 1, sizeof(**out));
			r = &(*out)[n++];
			memset(r, 0, sizeof(*r));
			r->id = info.id;
			r->type = info.type;
			r->uid = info.created_by_uid;
			memcpy(r->name, info.name, sizeof(info.name) <
			    sizeof(r->name) ? sizeof(info.name) :
			    sizeof(r->name) - 1);
			r->name[sizeof(r->name) - 1] = '\0';
		}
		close(fd);
	}
	return (long)n;
}

const char *
bpf_prog_type_name(uint32_t type, char *buf, size_t n)
{
	static const struct { uint32_t t; const char *name; } names[] = {
		{ BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter" },
		{ BPF_PROG_TYPE_KPROBE, "kprobe" },
		{ BPF_PROG_TYPE_SCHED_CLS, "sched_cls" },
		{ BPF_PROG_TYPE_SCHED_ACT, "sched_act" },
		{ BPF_PROG_TYPE_TRACEPOINT, "tracepoint" },
		{ BPF_PROG_TYPE_XDP, "xdp" },
		{ BPF_PROG_TYPE_PERF_EVENT, "perf_event" },
		{ BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb" },
		{ BPF_PROG_TYPE_CGROUP_SOCK, "cgroup_sock" },
		{ BPF_PROG_TYPE_LWT_IN, "lwt_in" },
		{ BPF_PROG_TYPE_SOCK_OPS, "sock_ops" },
		{ BPF_PROG_TYPE_SK_SKB, "sk_skb" },
		{ BPF_PROG_TYPE_CGROUP_DEVICE, "cgroup_device" },
		{ BPF_PROG_TYPE_SK_MSG, "sk_msg" },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint" },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup_sock_addr" },
		{ BPF_PROG_TYPE_LIRC_MODE2, "lirc_mode2" },
		{ BPF_PROG_TYPE_SK_REUSEPORT, "sk_reuseport" },
		{ BPF_PROG_TYPE_FLOW_DISSECTOR, "flow_dissector" },
		{ BPF_PROG_TYPE_CGROUP_SYSCTL, "cgroup_sysctl" },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE,
		  "raw_tracepoint_writable" },
		{ BPF_PROG_TYPE_CGROUP_SOCKOPT, "cgroup_sockopt" },
		{ BPF_PROG_TYPE_TRACING, "tracing" },
		{ BPF_PROG_TYPE_STRUCT_OPS, "struct_ops" },
		{ BPF_PROG_TYPE_EXT, "ext" },
		{ BPF_PROG_TYPE_LSM, "lsm" },
		{ BPF_PROG_TYPE_SK_LOOKUP, "sk_lookup" },
		{ BPF_PROG_TYPE_SYSCALL, "syscall" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].name;
	snprintf(buf, n, "type %u", type);
	return buf;
}

int
bpf_prog_type_can_falsify(uint32_t type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_EXT:
	case BPF_PROG_TYPE_STRUCT_OPS:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_SK_LOOKUP:
	case BPF_PROG_TYPE_SYSCALL:
		return 1;
	default:
		return 0;
	}
}
