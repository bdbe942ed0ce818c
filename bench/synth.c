/*
 * synth.c - a synthetic busy host for the benchmark.
 *
 * usage: synth NPROCS LISTEN UDP CONNS FILES BASEPORT
 *
 * Forks NPROCS processes.  Each binds LISTEN TCP listeners (half of all on
 * 127.0.0.1, half on 0.0.0.0), UDP unconnected sockets, opens CONNS
 * established loopback connections to its own first listener (two sockets
 * each, both held by the process) and FILES descriptors of /dev/null.
 * Prints "ready N" once every child is set up, then waits; SIGTERM or EOF
 * on standard input ends it and all children.  Run it inside a network
 * namespace made for the benchmark.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

static int
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000)
		errx(2, "bad number '%s'", s);
	return (int)v;
}

static int
bound(int type, uint32_t addr, int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, type, 0), one = 1;

	if (fd < 0)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		err(1, "bind %d", port);
	return fd;
}

static void
child(int idx, int nl, int nu, int nc, int nf, int base, int ready)
{
	struct rlimit rl = { 65536, 65536 };
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int i, first = -1;

	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < nl; i++) {
		int fd = bound(SOCK_STREAM, (idx * nl + i) % 2 ? INADDR_ANY :
		    INADDR_LOOPBACK,
		    base + idx * nl + i);

		if (listen(fd, 128) < 0)
			err(1, "listen");
		if (first < 0)
			first = fd;
	}
	for (i = 0; i < nu; i++)
		bound(SOCK_DGRAM, INADDR_LOOPBACK, base + 20000 + idx * nu + i);
	if (first >= 0)
		getsockname(first, (struct sockaddr *)&sin, &slen);
	for (i = 0; i < nc && first >= 0; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (c < 0 || connect(c, (struct sockaddr *)&sin, slen) < 0)
			err(1, "connect");
		if (accept(first, NULL, NULL) < 0)
			err(1, "accept");
	}
	for (i = 0; i < nf; i++)
		if (open("/dev/null", O_RDONLY) < 0)
			err(1, "open");
	if (write(ready, "x", 1) != 1)
		_exit(1);
	close(ready);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	int np, nl, nu, nc, nf, base, i, p[2], done = 0;
	pid_t *kids;
	char c;

	if (argc != 7)
		errx(2, "usage: synth NPROCS LISTEN UDP CONNS FILES BASEPORT");
	np = num(argv[1]);
	nl = num(argv[2]);
	nu = num(argv[3]);
	nc = num(argv[4]);
	nf = num(argv[5]);
	base = num(argv[6]);
	if (pipe(p) < 0)
		err(1, "pipe");
	kids = calloc((size_t)np, sizeof(*kids));
	if (kids == NULL)
		err(1, "calloc");
	for (i = 0; i < np; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			err(1, "fork");
		if (kids[i] == 0) {
			close(p[0]);
			signal(SIGTERM, SIG_DFL);
			/* never outlive the benchmark, however it ends */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(1);
			child(i, nl, nu, nc, nf, base, p[1]);
		}
	}
	close(p[1]);
	while (done < np && read(p[0], &c, 1) == 1)
		done++;
	printf("ready %d\n", done);
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	for (i = 0; i < np; i++)
		kill(kids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return done == np ? 0 : 1;
}
