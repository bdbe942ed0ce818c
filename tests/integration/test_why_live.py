#!/usr/bin/python3
"""Live test of origin, package and integrity with real daemons.

usage: test_why_live.py PORTSLEUTH TESTS_DIR

In a network namespace made here it runs Debian's openbsd-inetd and
xinetd (xinetd from its .deb, unpacked by ./dev: the two packages
conflict, so only one can be installed) with configurations written
here, OpenSSH's sshd, a socat copied to /tmp, a socat copy whose file
is deleted and replaced while it runs, and a socat started with
LD_PRELOAD.  It talks to every service, then checks that portsleuth
names the exact config file and line, the real package (checked against
dpkg -S) with integrity "ok" (checked against md5sum and the package's
md5sums file), and flags the copies.  Needs root; exits 77 (skipped)
without it.  Every process it starts is stopped by PID and the
namespace is deleted.
"""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
DATA = os.path.join(TESTS, "..", "data")
PY = "/usr/bin/python3"
NS = f"psw{os.getpid() % 100000}"
procs = []


def sh(*args, ns=NS, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60,
                          **kw)


def start(*args, env=None):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    procs.append(p)
    return p


def wait_port(proto, port, timeout=10):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        for t in ("tcp", "tcp6") if proto == "tcp" else ("udp", "udp6"):
            if want in sh("cat", f"/proc/net/{t}").stdout.decode():
                return True
        time.sleep(0.1)
    return False


def client(code):
    return sh(PY, "-c", code).stdout.decode()


def portsleuth(*args):
    p = subprocess.run(["ip", "netns", "exec", NS, EXE, "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb"), *args]
                       if args[0] not in ("explain", "audit") else
                       ["ip", "netns", "exec", NS, EXE, args[0], "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb"), *args[1:]],
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def find_xinetd():
    if "PS_XINETD" in os.environ:
        # named: that one or none (a test of the skip sets it to nothing)
        c = os.environ["PS_XINETD"]
        return os.path.abspath(c) if c and os.access(c, os.X_OK) else None
    for c in (shutil.which("xinetd"),
              os.path.join(TESTS, "..", ".cache", "debs", "xinetd", "usr",
                           "sbin", "xinetd")):
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def owner_at(doc, port, proto="tcp", state=None):
    for s in doc["sockets"]:
        if s["local_port"] == port and s["proto"] == proto and \
                (state is None or s["state"] == state) and s["owners"]:
            return s["owners"][0]
    return None


def dpkg_owner(path):
    """The independent answer: dpkg -S, and the recorded md5."""
    out = subprocess.run(["dpkg", "-S", path], capture_output=True,
                         text=True).stdout
    if not out:
        real = os.path.realpath(path)
        alias = real[4:] if real.startswith("/usr/") else "/usr" + real
        out = subprocess.run(["dpkg", "-S", alias], capture_output=True,
                             text=True).stdout
    pkg = out.split(":")[0].strip() if out else None
    return pkg


def setup(tmp, xinetd):
    sh("ip", "netns", "add", NS, ns=None)
    sh("ip", "-n", NS, "link", "set", "lo", "up", ns=None)
    pids = {}

    inetd_conf = os.path.join(tmp, "inetd.conf")
    with open(inetd_conf, "w") as f:
        f.write("# written by the test\n"
                "echo\tstream\ttcp\tnowait\troot\tinternal\n"
                "#<off># chargen\tstream\ttcp\tnowait\troot\tinternal\n"
                "daytime\tstream\ttcp\tnowait\troot\tinternal\n"
                "discard\tdgram\tudp\twait\troot\tinternal\n"
                "2323\tstream\ttcp\tnowait\tnobody\t/bin/cat\tcat\n")
    pids["inetd"] = start("/usr/sbin/inetd", "-i", inetd_conf).pid

    if xinetd:
        xdir = os.path.join(tmp, "xinetd.d")
        os.makedirs(xdir)
        xconf = os.path.join(tmp, "xinetd.conf")
        with open(xconf, "w") as f:
            f.write("defaults\n{\n\tinstances = 10\n}\n"
                    f"includedir {xdir}\n")
        with open(os.path.join(xdir, "time"), "w") as f:
            f.write("service time\n{\n\tdisable = no\n\ttype = INTERNAL\n"
                    "\tid = time-stream\n\tsocket_type = stream\n"
                    "\tprotocol = tcp\n\tuser = root\n\twait = no\n}\n")
        with open(os.path.join(xdir, "myecho"), "w") as f:
            f.write("# an echo through cat\nservice myecho\n{\n"
                    "\ttype = UNLISTED\n\tport = 7777\n"
                    "\tsocket_type = stream\n\tprotocol = tcp\n"
                    "\twait = no\n\tuser = nobody\n\tserver = /bin/cat\n}\n")
        with open(os.path.join(xdir, "off"), "w") as f:
            f.write("service off\n{\n\tdisable = yes\n\ttype = UNLISTED\n"
                    "\tport = 7778\n\tsocket_type = stream\n"
                    "\twait = no\n\tuser = nobody\n\tserver = /bin/cat\n}\n")
        pids["xinetd"] = start(xinetd, "-dontfork", "-f", xconf,
                               "-pidfile", os.path.join(tmp, "x.pid")).pid

    key = os.path.join(tmp, "hostkey")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                   check=True, timeout=60)
    cfg = os.path.join(tmp, "sshd_config")
    with open(cfg, "w") as f:
        f.write(f"Port 2222\nListenAddress 127.0.0.1\nHostKey {key}\n"
                f"PidFile {tmp}/sshd.pid\nUsePAM no\n")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    pids["sshd"] = start("/usr/sbin/sshd", "-D", "-e", "-f", cfg).pid

    socat = shutil.which("socat")
    copy = os.path.join(tmp, "socat-copy")
    shutil.copy2(socat, copy)
    pids["copy"] = start(copy, "TCP-LISTEN:7300,bind=127.0.0.1,reuseaddr",
                         "OPEN:/dev/null").pid
    swapped = os.path.join(tmp, "socat-swapped")
    shutil.copy2(socat, swapped)
    pids["swapped"] = start(swapped, "TCP-LISTEN:7301,bind=127.0.0.1,"
                            "reuseaddr", "OPEN:/dev/null").pid
    pids["nobody"] = start("setpriv", "--reuid=nobody", "--regid=nogroup",
                           "--clear-groups", socat,
                           "TCP-LISTEN:7303,bind=127.0.0.1,reuseaddr",
                           "OPEN:/dev/null").pid
    env = dict(os.environ, LD_PRELOAD="libm.so.6")
    pids["preload"] = start(socat, "TCP-LISTEN:7302,bind=127.0.0.1,"
                            "reuseaddr", "OPEN:/dev/null", env=env).pid
    ports = [("tcp", 7), ("tcp", 13), ("udp", 9), ("tcp", 2323),
             ("tcp", 2222), ("tcp", 7300), ("tcp", 7301), ("tcp", 7302),
             ("tcp", 7303)]
    if xinetd:
        ports += [("tcp", 37), ("tcp", 7777)]
    for proto, port in ports:
        if not wait_port(proto, port):
            raise RuntimeError(f"{port}/{proto} never listened")
    # swap the executable under the running process
    os.unlink(swapped)
    with open(swapped, "w") as f:
        f.write("#!/bin/sh\necho not the original\n")
    return pids, socat


def talk(xinetd):
    out = client("import socket; s=socket.create_connection(('127.0.0.1',7),"
                 "5); s.sendall(b'ping\\n'); print(s.recv(100).decode())")
    check(out.strip() == "ping", f"inetd echo answers: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "13),5); print(s.recv(100).decode())")
    check(len(out.strip()) > 10, f"inetd daytime answers: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "2323),5); s.sendall(b'cat\\n'); print(s.recv(100).decode())")
    check(out.strip() == "cat", f"inetd runs cat on 2323: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "2222),5); print(s.recv(100).decode().strip())")
    check(out.startswith("SSH-2.0-OpenSSH"), f"sshd answers: {out!r}")
    if xinetd:
        out = client("import socket,struct; s=socket.create_connection(("
                     "'127.0.0.1',37),5); d=s.recv(4); "
                     "print(struct.unpack('!I',d)[0]-2208988800)")
        check(abs(int(out) - time.time()) < 300,
              f"xinetd time answers: {out!r}")
        out = client("import socket; s=socket.create_connection(("
                     "'127.0.0.1',7777),5); s.sendall(b'xin\\n'); "
                     "print(s.recv(100).decode())")
        check(out.strip() == "xin", f"xinetd runs cat on 7777: {out!r}")
        rc = subprocess.run(["ip", "netns", "exec", NS, PY, "-c",
                             "import socket; socket.create_connection(("
                             "'127.0.0.1',7778),2)"],
                            capture_output=True).returncode
        check(rc != 0, "xinetd's disabled service does not listen")


def hold_connection():
    """Keep a connection to inetd's 2323 open: a cat child serves it."""
    code = ("import socket,sys,time; s=socket.create_connection(("
            "'127.0.0.1',2323),5); s.sendall(b'x\\n'); s.recv(10); "
            "sys.stdout.write('up\\n'); sys.stdout.flush(); time.sleep(60)")
    p = subprocess.Popen(["ip", "netns", "exec", NS, PY, "-c", code],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    procs.append(p)
    check(p.stdout.readline().strip() == b"up", "held connection is up")
    return p


def checks(tmp, pids, socat, xinetd):
    inetd_conf = os.path.join(tmp, "inetd.conf")
    rc, out, err = portsleuth("--why", "--json", "-a")
    check(rc == 0, f"--why --json exit 0 ({err[-300:]})")
    d = json.loads(out)

    o = owner_at(d, 7)
    check(o and o["pid"] == pids["inetd"], "7/tcp held by inetd")
    check(o and o["origin"]["kind"] == "inetd" and
          o["origin"]["config_file"] == inetd_conf and
          o["origin"]["config_line"] == 2, "echo: inetd.conf line 2")
    o = owner_at(d, 13)
    check(o and o["origin"]["config_line"] == 4, "daytime: line 4")
    o = owner_at(d, 9, "udp")
    check(o and o["origin"]["config_line"] == 5 and
          o["origin"]["config_wait"] == "wait", "discard/udp: line 5, wait")
    o = owner_at(d, 2323)
    check(o and o["origin"]["config_line"] == 6 and
          o["origin"]["config_program"] == "/bin/cat" and
          o["origin"]["config_user"] == "nobody", "2323: line 6, cat, nobody")
    check(not [s for s in d["sockets"] if s["local_port"] == 19],
          "chargen (#<off>#) has no socket")
    o = owner_at(d, 2323, state="ESTAB")
    check(o and o["command"] == "cat" and o["origin"]["kind"] == "inetd" and
          o["origin"]["config_line"] == 6,
          "the cat child serving a connection: inetd line 6")
    inetd_pkg = dpkg_owner("/usr/sbin/inetd")
    o = owner_at(d, 7)
    check(o and o["package"]["name"] == inetd_pkg == "openbsd-inetd",
          f"inetd's package: {o and o['package']} vs dpkg -S {inetd_pkg}")
    check(o and o["integrity"]["verdict"] == "ok", "inetd binary intact")

    if xinetd:
        xdir = os.path.join(tmp, "xinetd.d")
        o = owner_at(d, 37)
        check(o and o["pid"] == pids["xinetd"] and
              o["origin"]["kind"] == "xinetd" and
              o["origin"]["config_file"] == os.path.join(xdir, "time") and
              o["origin"]["config_line"] == 1, "37: xinetd.d/time line 1")
        o = owner_at(d, 7777)
        check(o and o["origin"]["config_file"] ==
              os.path.join(xdir, "myecho") and
              o["origin"]["config_line"] == 2 and
              o["origin"]["config_program"] == "/bin/cat",
              "7777: xinetd.d/myecho, numeric port")
        check(o and "disable = yes" in o["origin"]["disable"][0],
              "xinetd: how to turn it off")

    sshd_pkg = dpkg_owner("/usr/sbin/sshd")
    o = owner_at(d, 2222)
    check(o and o["pid"] == pids["sshd"], "2222: sshd")
    check(o and o["package"]["name"] == sshd_pkg == "openssh-server",
          f"sshd's package {o and o['package']} vs dpkg -S {sshd_pkg}")
    with open("/usr/sbin/sshd", "rb") as f:
        md5 = hashlib.md5(f.read()).hexdigest()
    with open("/var/lib/dpkg/info/openssh-server.md5sums") as f:
        recorded = [ln.split()[0] for ln in f if ln.rstrip().endswith(
            "usr/sbin/sshd")]
    check(recorded and o and o["integrity"]["digest"] == md5 ==
          o["integrity"]["package_digest"] == recorded[0] and
          o["integrity"]["digest_algorithm"] == "md5" and
          o["integrity"]["verdict"] == "ok",
          "sshd: digest equals md5sum's and the package's: ok")
    check(o and o["purpose"]["daemon"] == "sshd", "sshd: knowledge base")

    o = owner_at(d, 7300)
    check(o and o["integrity"]["verdict"] == "suspect" and
          {"temp_dir", "no_package"} <= set(o["integrity"]["flags"]),
          f"copy in /tmp flagged: {o and o['integrity']}")
    check(o and o["package"].get("name") is None, "copy: no package")
    o = owner_at(d, 7301)
    check(o and {"deleted", "replaced"} <= set(o["integrity"]["flags"]),
          f"deleted and replaced: {o and o['integrity']}")
    o = owner_at(d, 7302)
    check(o and "ld_preload" in o["integrity"]["flags"] and
          o["integrity"]["loader_variables"] == "LD_PRELOAD=libm.so.6",
          f"LD_PRELOAD flagged: {o and o['integrity']}")
    socat_pkg = dpkg_owner(socat)
    check(o and o["package"]["name"] == socat_pkg,
          f"socat's package {o and o['package']} vs {socat_pkg}")

    # unprivileged: its own process in full, the others said, not guessed
    p = subprocess.run(["ip", "netns", "exec", NS, "setpriv",
                        "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        EXE, "--why", "--json", "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb")],
                       capture_output=True, timeout=60)
    err = p.stderr.decode()
    nd = json.loads(p.stdout) if p.returncode == 0 else {"sockets": []}
    o = owner_at(nd, 7303)
    check(o and o["pid"] == pids["nobody"] and
          o["package"]["name"] == socat_pkg and
          o["integrity"]["verdict"] == "ok",
          f"as nobody: its own socat, package and digest: {o}")
    s22 = [s for s in nd["sockets"] if s["local_port"] == 2222]
    check(s22 and s22[0]["owners"] == [] and
          s22[0]["owner_note"] == "not_root",
          "as nobody: root's sshd is not guessed")
    check("not running as root" in err, f"as nobody: said on stderr: {err}")

    # the table
    rc, out, err = portsleuth("--why", "-t", "-p", "7,2222,7300")
    t = out.decode()
    check(rc == 0 and f"inetd {inetd_conf}:2 (echo)" in t and
          "openssh-server" in t and "suspect" in t, "--why table")

    # explain and audit
    rc, out, err = portsleuth("explain", "2323")
    t = out.decode()
    check(rc == 0 and f"{inetd_conf}:6: 2323, program /bin/cat, user "
          "nobody, nowait" in t and f"kill -HUP {pids['inetd']}" in t,
          "explain 2323: the entry and how to turn it off")
    rc, out, err = portsleuth("explain", "7301")
    check(rc == 0 and "another file now at its path" in out.decode(),
          "explain: the swapped binary")
    rc, out, err = portsleuth("audit", "--json", "--all")
    a = json.loads(out) if rc == 0 else {"configured": []}
    items = {(i["type"], i["name"]): i for i in a["configured"]}
    i = items.get(("inetd", "echo/tcp"), {})
    check(i.get("running") is True and "0.0.0.0:7/tcp" in
          i.get("listening", []) and i.get("source") ==
          f"{inetd_conf}:2", "audit: the running inetd's own config")
    i = items.get(("inetd", "chargen/tcp"), {})
    check(i.get("enabled") is False, "audit --all: chargen is off")
    if xinetd:
        i = items.get(("xinetd", "myecho/tcp"), {})
        # xinetd binds the IPv6 wildcard when the host has IPv6
        check(i.get("running") is True and i.get("listening") in
              (["0.0.0.0:7777/tcp"], ["[::]:7777/tcp"]),
              f"audit: xinetd myecho {i}")


def main():
    if os.geteuid() != 0 or not shutil.which("ip") or \
            not os.path.exists("/usr/sbin/inetd"):
        print("skipped: needs root, ip(8) and openbsd-inetd")
        return 77
    xinetd = find_xinetd()
    tmp = tempfile.mkdtemp(prefix="psw-", dir="/tmp")
    try:
        pids, socat = setup(tmp, xinetd)
        talk(xinetd)
        hold_connection()
        checks(tmp, pids, socat, xinetd)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return summary([] if xinetd else [
        "xinetd not found (its origins and audit lines): ./dev test "
        "unpacks it from its package, or set PS_XINETD"])


if __name__ == "__main__":
    sys.exit(main())
