/* Unit tests for model/forward.c: the forwarders' command lines and
 * configurations, parsed as text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "model/forward.h"

static struct forward f;

static void
t_socat(void **state)
{
	const char *a[] = { "/usr/bin/socat", "-d", "-d",
	    "TCP-LISTEN:2222,fork,reuseaddr", "TCP:127.0.0.1:22" };
	const char *b[] = { "socat", "UDP4-RECVFROM:5353,fork",
	    "UDP4-SENDTO:10.0.0.2:53" };
	const char *c[] = { "socat", "TCP-LISTEN:9998,fork", "SYSTEM:sleep 120" };
	const char *d[] = { "socat", "TCP6-LISTEN:8080,ipv6only=0",
	    "UNIX-CONNECT:/run/app.sock" };

	(void)state;
	assert_int_equal(forward_from_argv(a, 5, 2222, 0, &f), 1);
	assert_string_equal(f.via, "socat");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.t[0].to, "127.0.0.1:22");
	assert_int_equal(f.t[0].family, AF_INET);
	assert_int_equal(f.t[0].port, 22);
	assert_string_equal(f.t[0].where, "command line");
	/* another port of the same socat: not this address */
	assert_int_equal(forward_from_argv(a, 5, 2223, 0, &f), 1);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.note, "no socat address"));
	assert_int_equal(forward_from_argv(b, 3, 5353, 1, &f), 1);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.t[0].udp, 1);
	assert_int_equal(f.t[0].port, 53);
	assert_int_equal(forward_from_argv(c, 3, 9998, 0, &f), 1);
	assert_string_equal(f.t[0].to, "SYSTEM:sleep 120");
	assert_int_equal(f.t[0].family, 0);
	assert_non_null(strstr(f.note, "program"));
	assert_int_equal(forward_from_argv(d, 3, 8080, 0, &f), 1);
	assert_string_equal(f.t[0].to, "unix:/run/app.sock");
	/* not a forwarder */
	assert_int_equal(forward_from_argv((const char *[]){ "sshd" }, 1, 22,
	    0, &f), 0);
}

static void
t_ssh(void **state)
{
	const char *a[] = { "ssh", "-N", "-o", "ExitOnForwardFailure=yes",
	    "-L", "127.0.0.1:20022:127.0.0.1:22", "-i", "/k", "root@db1" };
	const char *b[] = { "ssh", "-fNL8080:[::1]:80", "gw" };
	const char *c[] = { "ssh", "-L", "3306:db:3306", "-L",
	    "5432:db:5432", "jump" };

	(void)state;
	assert_int_equal(forward_from_argv(a, 9, 20022, 0, &f), 1);
	assert_string_equal(f.via, "ssh -L");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.t[0].to, "127.0.0.1:22");
	assert_non_null(strstr(f.note, "root@db1"));
	assert_int_equal(forward_from_argv(b, 3, 8080, 0, &f), 1);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.t[0].to, "[::1]:80");
	assert_int_equal(f.t[0].family, AF_INET6);
	assert_int_equal(forward_from_argv(c, 6, 5432, 0, &f), 1);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.t[0].to, "db:5432");
	assert_int_equal(f.t[0].family, 0);	/* a name: not resolved */
	assert_non_null(strstr(f.note, "jump"));
	assert_int_equal(forward_from_argv(c, 6, 1234, 0, &f), 1);
	assert_int_equal(f.n, 0);
}

static void
t_docker_proxy(void **state)
{
	const char *a[] = { "/usr/bin/docker-proxy", "-proto", "tcp",
	    "-host-ip", "0.0.0.0", "-host-port", "8080", "-container-ip",
	    "172.17.0.2", "-container-port", "80" };

	(void)state;
	assert_int_equal(forward_from_argv(a, 11, 8080, 0, &f), 1);
	assert_string_equal(f.t[0].to, "172.17.0.2:80");
	assert_int_equal(f.t[0].port, 80);
}

static void
t_haproxy(void **state)
{
	static const char cfg[] =
	    "global\n  maxconn 100\n"
	    "defaults\n  mode tcp\n  timeout client 5s\n"
	    "frontend ssh_in # comment\n"
	    "  bind 10.200.0.1:2222,127.0.0.1:2222\n"
	    "  use_backend alt if { src 10.0.0.0/8 }\n"
	    "  default_backend sshd\n"
	    "backend sshd\n"
	    "  server s1 127.0.0.1:22 check\n"
	    "backend alt\n"
	    "  server a1 ipv4@10.0.0.5\n"
	    "listen web\n"
	    "  bind :8000-8010\n"
	    "  server w1 [::1]:9000\n"
	    "listen stats\n"
	    "  bind *:8404\n"
	    "  mode http\n"
	    "  stats enable\n";
	struct fwd_file file = { "/etc/haproxy/haproxy.cfg", cfg,
	    sizeof(cfg) - 1 };

	(void)state;
	forward_haproxy(&file, 1, 2222, 0, &f);
	assert_string_equal(f.via, "haproxy");
	assert_int_equal(f.n, 2);
	assert_string_equal(f.t[0].to, "10.0.0.5");
	assert_int_equal(f.t[0].port, 2222);	/* no port: the client's */
	assert_non_null(strstr(f.t[0].cond, "use_backend alt if"));
	assert_string_equal(f.t[1].to, "127.0.0.1:22");
	assert_string_equal(f.t[1].where, "/etc/haproxy/haproxy.cfg:11");
	forward_haproxy(&file, 1, 8005, 0, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.t[0].family, AF_INET6);
	assert_int_equal(f.t[0].port, 9000);
	forward_haproxy(&file, 1, 8404, 0, &f);
	assert_int_equal(f.self, 1);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.note, "statistics"));
	forward_haproxy(&file, 1, 9999, 0, &f);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.note, "binds this port"));
	forward_haproxy(NULL, 0, 2222, 0, &f);
	assert_int_equal(f.n, 0);
}

/* The includes a test configuration names. */
static size_t
incs(void *ctx, const char *pattern, struct fwd_file *out, size_t max)
{
	static const char up[] =
	    "upstream app { server 127.0.0.1:8001; server 127.0.0.1:8002; }\n";
	static const char loop[] = "include /etc/nginx/loop.conf;\n";

	(*(int *)ctx)++;
	if (max < 1)
		return 0;
	if (strcmp(pattern, "conf.d/*.conf") == 0) {
		out[0] = (struct fwd_file){ "/etc/nginx/conf.d/up.conf", up,
		    sizeof(up) - 1 };
		return 1;
	}
	if (strcmp(pattern, "/etc/nginx/loop.conf") == 0) {
		out[0] = (struct fwd_file){ "/etc/nginx/loop.conf", loop,
		    sizeof(loop) - 1 };
		return 1;
	}
	return 0;
}

static void
t_nginx(void **state)
{
	static const char conf[] =
	    "user www-data;\nevents { worker_connections 64; }\n"
	    "stream {\n"
	    "  upstream ssh { server 127.0.0.1:22; }\n"
	    "  server { listen 2222; proxy_pass ssh; }\n"
	    "  server { listen 127.0.0.1:5353 udp; proxy_pass 10.0.0.2:53; }\n"
	    "}\n"
	    "http {\n"
	    "  include conf.d/*.conf;\n"
	    "  include /etc/nginx/loop.conf;\n"
	    "  server {\n"
	    "    listen [::]:8080 default_server;\n"
	    "    location / { proxy_pass http://app; }\n"
	    "    location ~ \\.php$ { fastcgi_pass unix:/run/php/fpm.sock; }\n"
	    "    location /api { proxy_pass \"http://127.0.0.1:9000/v1\"; }\n"
	    "    grpc_pass 127.0.0.1:50051;\n"
	    "  }\n"
	    "  server { listen 81; root /var/www; }\n"
	    "}\n";
	struct fwd_file main = { "/etc/nginx/nginx.conf", conf,
	    sizeof(conf) - 1 };
	int calls = 0;

	(void)state;
	forward_nginx(&main, incs, &calls, 2222, 0, &f);
	assert_string_equal(f.via, "nginx");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.t[0].to, "127.0.0.1:22");
	assert_string_equal(f.t[0].where, "/etc/nginx/nginx.conf:4");
	assert_non_null(strstr(f.t[0].cond, "upstream ssh"));
	forward_nginx(&main, incs, &calls, 5353, 1, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.t[0].udp, 1);
	forward_nginx(&main, incs, &calls, 5353, 0, &f);
	assert_int_equal(f.n, 0);	/* the udp listener only */
	forward_nginx(&main, incs, &calls, 8080, 0, &f);
	assert_string_equal(f.t[0].to, "127.0.0.1:8001");
	assert_string_equal(f.t[0].where, "/etc/nginx/conf.d/up.conf:1");
	assert_non_null(strstr(f.t[0].cond, "location /"));
	assert_string_equal(f.t[2].to, "unix:/run/php/fpm.sock");
	assert_string_equal(f.t[3].to, "http://127.0.0.1:9000/v1");
	assert_int_equal(f.t[3].port, 9000);
	/* after the locations, at the server's level: no location */
	assert_int_equal(f.n, 5);
	assert_string_equal(f.t[4].to, "127.0.0.1:50051");
	assert_string_equal(f.t[4].cond, "");
	/* the include that includes itself stops at the depth limit */
	assert_true(calls < 40);
	forward_nginx(&main, incs, &calls, 81, 0, &f);
	assert_int_equal(f.n, 0);
	assert_non_null(strstr(f.note, "itself"));
	forward_nginx(&main, NULL, NULL, 9, 0, &f);
	assert_non_null(strstr(f.note, "no server block"));
}

static void
t_bad(void **state)
{
	static const char junk[] = "stream { server { listen 2222; proxy_pass"
	    " \"unterminated ; } } } } {{{{ include";
	struct fwd_file file = { "x", junk, sizeof(junk) - 1 };
	struct fwd_target t;

	(void)state;
	forward_nginx(&file, NULL, NULL, 2222, 0, &f);
	forward_haproxy(&file, 1, 2222, 0, &f);
	assert_int_equal(forward_parse_addr("[::1", 0, &t), -1);
	assert_int_equal(forward_parse_addr("host:99999", 0, &t), -1);
	assert_int_equal(forward_parse_addr("127.0.0.1", 0, &t), -1);
	assert_int_equal(forward_parse_addr("localhost:22", 0, &t), 0);
	assert_int_equal(t.family, AF_INET);
}

/* A configuration of many forwards: the first FWD_MAX are kept, the
 * rest counted without a lookup each (a lookup reads the whole file). */
static void
t_many(void **state)
{
	size_t n = 30000;
	size_t cap = n * 40 + 4096;
	char *ngx = malloc(cap), *hap = malloc(cap);
	size_t o = 0, h = 0;
	struct fwd_file fn, fh;

	(void)state;
	o += (size_t)snprintf(ngx + o, cap - o, "stream { upstream up { "
	    "server 127.0.0.1:22; }\nserver { listen 2222;\n");
	h += (size_t)snprintf(hap + h, cap - h, "frontend f\n bind :2222\n");
	for (size_t i = 0; i < n; i++) {
		o += (size_t)snprintf(ngx + o, cap - o, "proxy_pass up;\n");
		h += (size_t)snprintf(hap + h, cap - h, " use_backend b\n");
	}
	o += (size_t)snprintf(ngx + o, cap - o, "} }\n");
	h += (size_t)snprintf(hap + h, cap - h, "backend b\n server s "
	    "127.0.0.1:22\n");
	fn = (struct fwd_file){ "/n", ngx, o };
	fh = (struct fwd_file){ "/h", hap, h };
	forward_nginx(&fn, NULL, NULL, 2222, 0, &f);
	assert_int_equal(f.n, FWD_MAX);
	assert_int_equal(f.more, n - FWD_MAX);
	forward_haproxy(&fh, 1, 2222, 0, &f);
	assert_int_equal(f.n, FWD_MAX);
	assert_int_equal(f.more, n - FWD_MAX);
	free(ngx);
	free(hap);
}

/* A listing's forwards: a slot per view, the forwarders in full; a view
 * without one reads as a forward with nothing in it. */
static void
t_forwards_at(void **state)
{
	struct forward v[2];
	uint32_t slot[4] = { 0, 2, 0, 1 };
	struct forwards fs = { slot, 4, v, 2 };
	const struct forward *none;

	(void)state;
	memset(v, 0, sizeof(v));
	v[0].via = "socat";
	v[1].via = "haproxy";
	v[1].n = 1;
	assert_string_equal(forwards_at(&fs, 1)->via, "haproxy");
	assert_int_equal(forwards_at(&fs, 1)->n, 1);
	assert_string_equal(forwards_at(&fs, 3)->via, "socat");
	none = forwards_at(&fs, 0);
	assert_null(none->via);
	assert_int_equal(none->n + none->self + none->more, 0);
	assert_int_equal(none->note[0], 0);
	assert_ptr_equal(forwards_at(&fs, 2), none);
	assert_ptr_equal(forwards_at(&fs, 4), none);	/* past the views */
	assert_ptr_equal(forwards_at(NULL, 0), none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_socat),
		cmocka_unit_test(t_forwards_at),
		cmocka_unit_test(t_ssh),
		cmocka_unit_test(t_docker_proxy),
		cmocka_unit_test(t_haproxy),
		cmocka_unit_test(t_nginx),
		cmocka_unit_test(t_bad),
		cmocka_unit_test(t_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
