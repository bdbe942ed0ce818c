/*
 * libFuzzer harness: `portsleuth explain` end to end over a fixture root
 * whose /proc/net/tcp is the input.
 *
 * The root (made once, in a temporary directory) has one process, PID
 * 100, holding sockets 1001-1004 on fds 3-6; the input is the tcp table,
 * so the fuzzer controls how many lines name those inodes (repeats
 * included: a repeated socket once overflowed explain's owner array),
 * their states and ports.  The first byte picks the table or the JSON
 * form.  Output goes to /dev/null.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];
static char tcp_path[128];
static char empty[128];

static void
put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if ((f = fopen(p, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static void
dir(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[256], t[32];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/fuzz-explain-XXXXXX");
	if (mkdtemp(root) == NULL)
		abort();
	dir("proc");
	dir("proc/net");
	dir("proc/100");
	dir("proc/100/fd");
	dir("etc");
	put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	put("etc/services", "ssh 22/tcp\n");
	put("proc/stat", "cpu 0 0 0 0\nbtime 1700000000\n");
	put("proc/100/stat", "100 (fuzzd) S 1 100 100 0 -1 0 0 0 0 0 0 0 0 "
	    "0 20 0 1 0 1900 1000 100 0\n");
	put("proc/100/status", "Name:\tfuzzd\nPid:\t100\nPPid:\t1\n"
	    "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	put("proc/100/comm", "fuzzd\n");
	put("proc/100/cmdline", "fuzzd");
	put("proc/100/cgroup", "0::/system.slice/fuzzd.service\n");
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/proc/100/fd/%d", root, 3 + i);
		snprintf(t, sizeof(t), "socket:[%d]", 1001 + i);
		if (symlink(t, p) != 0)
			abort();
	}
	put("empty", "");
	snprintf(empty, sizeof(empty), "%s/empty", root);
	snprintf(tcp_path, sizeof(tcp_path), "%s/proc/net/tcp", root);
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a0[] = "explain", a1[] = "--root", a3[] = "--iana", a5[] = "--kb",
	    a7[] = "--json", a8[] = "pid:100";
	char *args[] = { a0, a1, root, a3, empty, a5, empty, a7, a8, NULL };
	int fd;

	if (size < 1 || size > 1u << 16)
		return 0;
	fd = open(tcp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	close(fd);
	if (data[0] & 1) {
		/* the table form: drop --json */
		args[7] = args[8];
		args[8] = NULL;
	}
	(void)cmd_explain_exec(data[0] & 1 ? 8 : 9, args);
	return 0;
}
