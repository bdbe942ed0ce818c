#!/usr/bin/python3
"""Forwarding listeners: where they send their connections, from their
own configuration or command line, joined with the listener behind.

usage: test_forward_live.py PORTSLEUTH TESTS_DIR

In a network namespace made here: OpenSSH's sshd on 127.0.0.1:22 and a
Python http.server on 127.0.0.1:8000, and in front of them haproxy
(a frontend and a backend, from a file given with -f), nginx (a stream
server with an upstream, an http server with proxy_pass, its upstream
in an included file), socat, and ssh -L through that sshd.  The truth is
a real connection through each forwarder: the SSH banner, or the HTTP
server's Server header.  portsleuth must then name each target with the
file and line (or the command line) it came from, the process behind it,
and judge the wire against that process: an ssh answer behind haproxy is
consistent, not "haproxy serves http".  Needs root; exits 77 without it.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import Netns, check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
NS = f"psfw{os.getpid() % 100000}"
STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"
NEEDS = ("/usr/sbin/sshd", "/usr/bin/ssh", "/usr/sbin/haproxy",
         "/usr/sbin/nginx", STREAM_MODULE)

if os.geteuid() != 0 or not all(os.path.exists(p) for p in NEEDS):
    print("SKIP: needs root, openssh, haproxy, nginx and its stream module")
    sys.exit(77)

# ports IANA has not assigned: the registered name says nothing here
P_HAPROXY, P_STREAM, P_HTTP, P_SOCAT, P_SSH = 20021, 20022, 20023, 20024, \
    20025

HAPROXY = """global
  maxconn 64
defaults
  mode tcp
  timeout connect 2s
  timeout client 20s
  timeout server 20s
frontend ssh_in
  bind 0.0.0.0:{p}
  default_backend sshd
backend sshd
  server s1 127.0.0.1:22
"""

NGINX = """load_module {mod};
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 64; }}
stream {{
  upstream sshd {{ server 127.0.0.1:22; }}
  server {{ listen {ps}; proxy_pass sshd; }}
}}
http {{
  access_log off;
  client_body_temp_path {d}/nb; proxy_temp_path {d}/np;
  fastcgi_temp_path {d}/nf; uwsgi_temp_path {d}/nu; scgi_temp_path {d}/ns;
  include {d}/conf.d/*.conf;
  server {{
    listen 127.0.0.1:{ph};
    location / {{ proxy_pass http://web; }}
  }}
}}
"""
UPSTREAM = "upstream web {\n  server 127.0.0.1:8000;\n}\n"


def line_of(text, needle):
    for i, ln in enumerate(text.splitlines(), 1):
        if needle in ln:
            return i
    return 0


def ps(*args):
    r = ns.sh(EXE, *args, check=False, timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def first_bytes(port, send=b""):
    r = ns.sh("python3", "-c",
              "import socket,sys; s=socket.create_connection(('127.0.0.1',"
              f"{port}),5); s.settimeout(3); s.sendall({send!r}); "
              "b=s.recv(300)\n"
              f"while {send!r} and len(b) < 8192:\n"
              "    c=s.recv(4096)\n"
              "    if not c: break\n"
              "    b+=c\n"
              "sys.stdout.buffer.write(b)", check=False)
    return r.stdout.decode("latin-1") or r.stderr.decode()[-200:]


def main():
    d = tempfile.mkdtemp(prefix="psfw")
    os.chmod(d, 0o755)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    f"{d}/hostkey"], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    f"{d}/userkey"], check=True)
    shutil.copy(f"{d}/userkey.pub", f"{d}/authorized_keys")
    with open(f"{d}/sshd_config", "w") as f:
        f.write(f"ListenAddress 127.0.0.1:22\nHostKey {d}/hostkey\n"
                "PidFile none\nUsePAM no\nPermitRootLogin yes\n"
                f"AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\n"
                "AllowTcpForwarding yes\n")
    hap = HAPROXY.format(p=P_HAPROXY)
    with open(f"{d}/haproxy.cfg", "w") as f:
        f.write(hap)
    os.makedirs(f"{d}/conf.d")
    with open(f"{d}/conf.d/web.conf", "w") as f:
        f.write(UPSTREAM)
    ngx = NGINX.format(mod=STREAM_MODULE, d=d, ps=P_STREAM, ph=P_HTTP)
    with open(f"{d}/nginx.conf", "w") as f:
        f.write(ngx)
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    try:
        sshd = ns.start("/usr/sbin/sshd", "-D", "-e", "-f",
                        f"{d}/sshd_config")
        os.makedirs(f"{d}/www")
        ns.start("python3", "-m", "http.server", "--bind", "127.0.0.1",
                 "8000", cwd=f"{d}/www")
        check(ns.listening(22) and ns.listening(8000), "sshd and http up")
        # haproxy relative to its working directory: read through
        # /proc/PID/cwd
        ns.start("/usr/sbin/haproxy", "-db", "-f", "haproxy.cfg", cwd=d)
        ns.start("/usr/sbin/nginx", "-c", f"{d}/nginx.conf")
        ns.start("socat", f"TCP-LISTEN:{P_SOCAT},fork,reuseaddr",
                 "TCP:127.0.0.1:22")
        ns.start("ssh", "-N", "-o", "StrictHostKeyChecking=no", "-o",
                 "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                 "-o", "ExitOnForwardFailure=yes", "-i", f"{d}/userkey",
                 "-L", f"127.0.0.1:{P_SSH}:127.0.0.1:22", "root@127.0.0.1")
        for p in (P_HAPROXY, P_STREAM, P_HTTP, P_SOCAT, P_SSH):
            check(ns.listening(p), f"{p} listens")
        # ip netns exec execs sshd: the PID is sshd's own
        sshd_pid = sshd.pid
        check_truth()
        check_listing(d, hap, sshd_pid)
        check_probe()
        check_explain(d, hap, sshd_pid)
    finally:
        ns.down()
        shutil.rmtree(d, ignore_errors=True)


def check_truth():
    # a real connection through each forwarder reaches what is behind
    for p in (P_HAPROXY, P_STREAM, P_SOCAT, P_SSH):
        b = first_bytes(p)
        check(b.startswith("SSH-2.0-OpenSSH"), f"{p}: sshd answers through "
              f"the forwarder: {b[:40]!r}")
    b = first_bytes(P_HTTP, b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
    # nginx puts its own Server header on it; the page is the server's
    check("Directory listing for /" in b, f"{P_HTTP}: the http.server "
          f"answers through nginx: {b[:300]!r}")


def forwards_by_port(doc):
    got = {}
    for s in doc.get("sockets", []):
        if s.get("proto") == "tcp" and s.get("family") == "ipv4":
            got.setdefault(s["local_port"], s.get("forwards"))
    return got


def check_listing(d, hap, sshd_pid):
    rc, out, err = ps("--why", "--json")
    check(rc == 0, f"--why --json: exit 0 ({err[-200:]})")
    fw = forwards_by_port(json.loads(out) if rc == 0 else {})
    want = {
        P_HAPROXY: ("haproxy", "127.0.0.1:22",
                    f"{d}/haproxy.cfg:{line_of(hap, 'server s1')}"),
        P_STREAM: ("nginx", "127.0.0.1:22",
                   f"{d}/nginx.conf:{line_of(NGINX, 'upstream sshd')}"),
        P_HTTP: ("nginx", "127.0.0.1:8000", f"{d}/conf.d/web.conf:2"),
        P_SOCAT: ("socat", "127.0.0.1:22", "command line"),
        P_SSH: ("ssh -L", "127.0.0.1:22", "command line"),
    }
    for port, (via, to, where) in want.items():
        f = fw.get(port) or {}
        t = (f.get("targets") or [{}])[0]
        check(f.get("via") == via and t.get("to") == to and
              t.get("where") == where,
              f"{port}: {via} forwards to {to} from {where}: {f}")
        behind = t.get("behind") or {}
        cmd = "python3" if port == P_HTTP else "sshd"
        check(behind.get("command") == cmd, f"{port}: behind it {cmd}: "
              f"{behind}")
        if cmd == "sshd":
            check(behind.get("pid") == sshd_pid,
                  f"{port}: sshd's pid {sshd_pid}: {behind}")
    f = fw.get(P_SSH) or {}
    check("root@127.0.0.1" in (f.get("note") or ""),
          f"ssh -L: through which connection: {f.get('note')}")
    check(fw.get(22) is None and fw.get(8000) is None,
          "the listeners behind forward nothing")
    # the table's FORWARDS column
    rc, out, err = ps("--why", "-t")
    rows = [ln for ln in out.splitlines() if f":{P_HAPROXY} " in ln]
    check(out.splitlines()[0].split().count("FORWARDS") == 1 and rows and
          "127.0.0.1:22 (sshd)" in rows[0],
          f"the table shows it: {rows[:1]}")


def check_probe():
    rc, out, err = ps("--probe", "--json", "-t")
    check(rc == 0, f"--probe: exit 0 ({err[-200:]})")
    doc = json.loads(out) if rc == 0 else {}
    got = {}
    for s in doc.get("sockets", []):
        if s.get("family") == "ipv4":
            got.setdefault(s["local_port"], s.get("probe") or {})
    for port in (P_HAPROXY, P_STREAM, P_SOCAT, P_SSH):
        p = got.get(port, {})
        check(p.get("protocol") == "ssh" and p.get("verdict") ==
              "consistent", f"{port}: the wire says ssh, consistent with "
              f"sshd behind it: {p.get('protocol')} {p.get('verdict')} "
              f"{p.get('reasons')}")
    p = got.get(P_HTTP, {})
    check(p.get("protocol") == "http" and p.get("verdict") == "consistent",
          f"{P_HTTP}: http through nginx: {p.get('verdict')} "
          f"{p.get('reasons')}")


def check_explain(d, hap, sshd_pid):
    # explain selects one port: the listener behind is not in its
    # selection, its owner is still found
    rc, out, err = ps("explain", str(P_HAPROXY))
    want = (f"haproxy forwards to 127.0.0.1:22 (sshd pid {sshd_pid}, "
            f"{d}/haproxy.cfg:{line_of(hap, 'server s1')})")
    check(rc == 0 and want in out, f"explain: {want!r} in {out[:600]!r}")
    rc, out, err = ps("explain", "--json", str(P_SOCAT))
    doc = json.loads(out) if rc == 0 else {}
    socks = [s for p in doc.get("processes", [])
             for s in p.get("sockets", [])]
    f = socks[0].get("forwards") if socks else None
    check(f and f["targets"][0]["behind"]["command"] == "sshd",
          f"explain --json: socat's target joined: {f}")


ns = Netns(NS)
try:
    main()
finally:
    ns.down()
sys.exit(summary())
