/*
 * nobpf.c - run a command with bpf(2) refused (EPERM) by a seccomp
 * filter, as a sandbox's system call filter does (systemd's
 * SystemCallFilter=@system-service with SystemCallErrorNumber=EPERM).
 *
 * usage: nobpf [-c CMD] COMMAND [ARG...]
 *
 * With -c, only bpf(2) calls of that command are refused (-c 10,
 * BPF_PROG_RUN: the light skeleton's loader program cannot run, every
 * other call goes through).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int
main(int argc, char **argv)
{
	unsigned int cmd = 0;
	int only = 0;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cmd = (unsigned int)strtoul(argv[2], NULL, 10);
		only = 1;
		argv += 2;
		argc -= 2;
	}
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 4),
		/* with -c: the command (the first argument's low word) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, cmd, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JA, only ? 1 : 0, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 2) {
		fprintf(stderr, "usage: nobpf [-c CMD] COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("nobpf: seccomp");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror("nobpf: exec");
	return 127;
}
