#!/usr/bin/python3
"""Live integration test: real daemons in network namespaces made here.

usage: test_live.py PORTSLEUTH TESTS_DIR

Creates two network namespaces joined by a veth pair, starts real
listeners in the first (socat TCP and UDP, python3's http.server, OpenSSH's
sshd on port 24, a socket shared by a parent and its forked child, a
process with a hostile name, a listener run as nobody, one whose
executable was deleted), talks to each of them, then checks portsleuth's
JSON and table, as root and as nobody.  Needs root, ip(8), socat, sshd;
exits 77 (skipped) without them.  Every process it starts is stopped by
PID, and both namespaces are deleted.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import (check, rows_of_json, rows_of_table,  # noqa: E402
                    summary, table_rows)

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
IANA = os.path.join(TESTS, "..", "data", "iana-ports.tsv")
LISTENER = os.path.join(TESTS, "helpers", "listener.py")
PY = "/usr/bin/python3"

TAG = f"ps{os.getpid() % 100000}"
NS, PEER = f"{TAG}a", f"{TAG}b"
VA, VB = f"{TAG}va", f"{TAG}vb"
ADDR_A, ADDR_B = "10.213.7.1", "10.213.7.2"
EVIL = "\x1b[2J\nevil"

procs = []


def sh(*args, ns=None, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60,
                          **kw)


def start(*args, ns=NS, stdout=subprocess.DEVNULL, **kw):
    p = subprocess.Popen(["ip", "netns", "exec", ns, *args],
                         stdin=subprocess.DEVNULL, stdout=stdout,
                         stderr=subprocess.DEVNULL, **kw)
    procs.append(p)
    return p


def client(code, ns=NS):
    """Run a small python client in a namespace; returns its stdout."""
    return sh(PY, "-c", code, ns=ns).stdout.decode()


def wait_port(proto, port, ns=NS, timeout=10):
    table = "/proc/net/tcp" if proto == "tcp" else "/proc/net/udp"
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        for t in (table, table + "6"):
            if want in sh("cat", t, ns=ns).stdout.decode():
                return True
        time.sleep(0.1)
    return False


def wait_file(path, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            with open(path) as f:
                return [int(x) for x in f.read().split()]
        time.sleep(0.05)
    raise RuntimeError(f"{path} never appeared")


def expected_service(proto, port):
    """An independent oracle: /etc/services first, then the IANA table."""
    try:
        with open("/etc/services") as f:
            for line in f:
                w = line.split("#")[0].split()
                if len(w) >= 2 and w[1] == f"{port}/{proto}":
                    return w[0], "/etc/services"
    except OSError:
        pass
    with open(IANA) as f:
        for line in f:
            if line.startswith("#"):
                continue
            lo, hi, pr, name, desc = line.rstrip("\n").split("\t")
            if pr == proto and int(lo) <= port <= int(hi):
                return (name or None), "iana"
    return None, None


def setup(tmp):
    sh("ip", "netns", "add", NS)
    sh("ip", "netns", "add", PEER)
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    sh("ip", "-n", PEER, "link", "set", "lo", "up")
    sh("ip", "link", "add", VA, "netns", NS, "type", "veth", "peer", "name",
       VB, "netns", PEER)
    sh("ip", "-n", NS, "addr", "add", f"{ADDR_A}/24", "dev", VA)
    sh("ip", "-n", PEER, "addr", "add", f"{ADDR_B}/24", "dev", VB)
    sh("ip", "-n", NS, "link", "set", VA, "up")
    sh("ip", "-n", PEER, "link", "set", VB, "up")

    pids = {}
    pids["socat-tcp"] = start("socat", f"TCP-LISTEN:8080,bind={ADDR_A},"
                              "reuseaddr,fork", "SYSTEM:echo hello-socat").pid
    pids["socat-udp"] = start("socat", "-u", "UDP-RECV:5353",
                              "OPEN:/dev/null").pid
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("portsleuth test page\n")
    pids["http"] = start(PY, "-m", "http.server", "--bind", "127.0.0.1",
                         "8000", cwd=www).pid
    key = os.path.join(tmp, "hostkey")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key],
                   check=True, timeout=60)
    cfg = os.path.join(tmp, "sshd_config")
    with open(cfg, "w") as f:
        f.write(f"Port 24\nListenAddress 0.0.0.0\nHostKey {key}\n"
                f"PidFile {tmp}/sshd.pid\nUsePAM no\n")
    os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    pids["sshd"] = start("/usr/sbin/sshd", "-D", "-e", "-f", cfg).pid
    ready = os.path.join(tmp, "shared.ready")
    start(PY, LISTENER, "tcp", "::", "9000", "--v6only", "1", "--fork",
          "--ready", ready)
    pids["shared"] = wait_file(ready)
    ready = os.path.join(tmp, "evil.ready")
    start(PY, LISTENER, "tcp", "127.0.0.1", "6000", "--name", EVIL,
          "--ready", ready)
    pids["evil"] = wait_file(ready)[0]
    pids["nobody"] = start("setpriv", "--reuid=nobody", "--regid=nogroup",
                           "--clear-groups", "socat",
                           "TCP-LISTEN:7000,bind=127.0.0.1,reuseaddr",
                           "OPEN:/dev/null").pid
    # a command line longer than the read cap (argv padding after "--")
    pids["longcmd"] = start(PY, "-c", "import socket,time; s=socket.socket();"
                            "s.bind(('127.0.0.1',7200)); s.listen(); "
                            "time.sleep(600)", "--", "x" * 40000).pid
    copy = os.path.join(tmp, "socat-copy")
    shutil.copy2(shutil.which("socat"), copy)
    pids["deleted"] = start(copy, "TCP-LISTEN:7100,reuseaddr",
                            "OPEN:/dev/null").pid
    for proto, port in (("tcp", 8080), ("udp", 5353), ("tcp", 8000),
                        ("tcp", 24), ("tcp", 9000), ("tcp", 6000),
                        ("tcp", 7000), ("tcp", 7100), ("tcp", 7200)):
        if not wait_port(proto, port):
            raise RuntimeError(f"{port}/{proto} never listened")
    os.unlink(copy)
    return pids


def talk():
    """Speak to each daemon for real before inspecting them."""
    out = client(f"import socket; s=socket.create_connection(('{ADDR_A}',"
                 "8080),5); print(s.recv(100).decode().strip())", ns=PEER)
    check(out.strip() == "hello-socat", "socat answers across the veth")
    client(f"import socket; s=socket.socket(socket.AF_INET,"
           f"socket.SOCK_DGRAM); s.sendto(b'ping',('{ADDR_A}',5353))",
           ns=PEER)
    out = client("import urllib.request; print(urllib.request.urlopen("
                 "'http://127.0.0.1:8000/index.html',timeout=5).read()"
                 ".decode().strip())")
    check(out.strip() == "portsleuth test page", "http.server serves a page")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "24),5); print(s.recv(100).decode().strip())")
    check(out.startswith("SSH-2.0-OpenSSH"), f"sshd on 24 answers: {out!r}")
    out = client("import socket; s=socket.create_connection(('::1',9000),5);"
                 " print('ok')")
    check(out.strip() == "ok", "the shared IPv6 listener accepts")


def portsleuth(*args, user=None, exe=EXE, iana=IANA):
    pre = []
    if user:
        pre = ["setpriv", f"--reuid={user}", "--regid=nogroup",
               "--clear-groups"]
    p = subprocess.run(["ip", "netns", "exec", NS, *pre, exe, "--iana", iana,
                        *args], capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def find(doc, proto, port):
    s = [s for s in doc["sockets"]
         if s["proto"] == proto and s["local_port"] == port]
    return s[0] if s else None



def check_root(pids):
    rc, out, err = portsleuth("--json")
    check(rc == 0, f"exit 0 as root ({err})")
    doc = json.loads(out)
    check(doc["privileged"] is True, "privileged run")
    check(doc["summary"]["unattributed"] == 0,
          "as root every listener has an owner")
    cases = [
        ("tcp", 8080, [pids["socat-tcp"]], "root", "/usr/bin/socat",
         "address", VA),
        ("udp", 5353, [pids["socat-udp"]], "root", "/usr/bin/socat",
         "all", None),
        ("tcp", 8000, [pids["http"]], "root", os.path.realpath(PY),
         "loopback", None),
        ("tcp", 24, [pids["sshd"]], "root", "/usr/sbin/sshd", "all", None),
        ("tcp", 9000, sorted(pids["shared"]), "root", os.path.realpath(PY),
         "all", None),
        ("tcp", 6000, [pids["evil"]], "root", os.path.realpath(PY),
         "loopback", None),
        ("tcp", 7000, [pids["nobody"]], "nobody", "/usr/bin/socat",
         "loopback", None),
    ]
    for proto, port, want_pids, user, exe, scope, ifname in cases:
        s = find(doc, proto, port)
        if s is None:
            check(False, f"{port}/{proto} listed")
            continue
        got = sorted(o["pid"] for o in s["owners"])
        check(got == want_pids, f"{port}/{proto} owners {got} == {want_pids}")
        check(all(o["user"] == user for o in s["owners"]),
              f"{port}/{proto} user {user}")
        check(all(o["exe"] == exe for o in s["owners"]),
              f"{port}/{proto} exe {exe}: "
              f"{[o['exe'] for o in s['owners']]}")
        check(s["exposure_scope"] == scope,
              f"{port}/{proto} exposure {s['exposure_scope']} == {scope}")
        if ifname:
            check(s["exposure_interface"] == ifname,
                  f"{port}/{proto} interface {ifname}")
        name, source = expected_service(proto, port)
        check(s["service"] == name and s["service_source"] == source,
              f"{port}/{proto} registered as {name} by {source}: "
              f"{s['service']} by {s['service_source']}")
    s = find(doc, "tcp", 24)
    check(s and s["service_description"] == "any private mail system",
          "sshd on 24: registered to 'any private mail system' (IANA)")
    s = find(doc, "tcp", 9000)
    check(s and s["v6only"] is True and s["family"] == "ipv6" and
          s["exposure"] == "all interfaces (IPv6 only)", ":: with v6only")
    if s and len(s["owners"]) == 2:
        parent, child = sorted(s["owners"], key=lambda o: o["pid"])
        check(child["ppid"] == parent["pid"], "forked child's parent")
        check(parent["fds"] == child["fds"], "shared fd numbers")
    s = find(doc, "tcp", 6000)
    check(s and s["owners"][0]["command"] == EVIL[:15],
          "hostile comm kept exactly in JSON")
    s = find(doc, "tcp", 7100)
    check(s and s["owners"][0]["exe_deleted"] is True and
          s["owners"][0]["exe"].endswith("/socat-copy"),
          "a deleted executable is flagged")
    s = find(doc, "tcp", 24)
    check(s and "sshd" in (s["owners"][0]["cmdline"] or "") and
          s["owners"][0]["cmdline_truncated"] is False, "cmdline")
    s = find(doc, "tcp", 7200)
    check(s and len(s["owners"][0]["cmdline"]) == 32 * 1024 and
          s["owners"][0]["cmdline_truncated"] is True,
          "a 40 KiB command line is capped at 32 KiB and said to be")

    # The table shows the same rows, escaped.
    rc, out, err = portsleuth("--wide")
    check(rc == 0 and b"\x1b" not in out, "table: no raw escape bytes")
    rows = table_rows(out)
    want, got = rows_of_json(doc), rows_of_table(rows)
    check(got == want, f"table rows == JSON rows:\n{got}\n{want}")
    check(any(r["COMMAND"].startswith("\\e[2J\\nevil") for r in rows),
          "hostile name escaped in the table")
    check(any("(deleted)" in r.get("EXE", "") for r in rows),
          "table marks the deleted executable")
    check(any(r.get("CMDLINE", "").endswith("x [truncated]") for r in rows),
          "table marks the truncated command line")

    rc, out, err = portsleuth("--json", "-p", "24")
    d = json.loads(out)
    check(rc == 0 and [s["local_port"] for s in d["sockets"]] == [24], "-p 24")
    rc, out, err = portsleuth("--json", "-e")
    d = json.loads(out)
    check(sorted(s["local_port"] for s in d["sockets"]) == [24, 5353, 7100,
          8080, 9000], "--exposed")
    rc, out, err = portsleuth("-p", "4444")
    check(rc == 1 and out == b"", "nothing on 4444: exit 1")

    # Established connections with -a, seen from both ends.
    holder = start(PY, "-c", "import socket,time; s=socket.create_connection("
                   "('127.0.0.1',24),5); s.recv(100); print('up',flush=True);"
                   " time.sleep(60)", stdout=subprocess.PIPE)
    holder.stdout.readline()
    rc, out, err = portsleuth("--json", "-a", "-t", "-p", "24")
    d = json.loads(out)
    est = [s for s in d["sockets"] if s["state"] == "ESTAB"]
    check(rc == 0 and len(est) == 1 and est[0]["remote_address"] == "127.0.0.1"
          and est[0]["owners"] and est[0]["owners"][0]["exe"] == "/usr/sbin/sshd",
          "-a: sshd's side of an established connection")
    rc, out, err = portsleuth("--json", "-a", "-t", "--pid", str(holder.pid))
    d = json.loads(out)
    check(rc == 0 and [(s["state"], s["remote_port"]) for s in d["sockets"]]
          == [("ESTAB", 24)], "-a: the client's side, by --pid")
    rc, out, err = portsleuth("-a", "-t", "-p", "24")
    check(b"PEER" in out and b"127.0.0.1:24" in out, "-a table has peers")
    holder.kill()
    holder.wait()


def check_nobody(tmp, pids):
    # A copy nobody can reach: the build tree may sit under a private dir.
    pub = tempfile.mkdtemp(prefix="portsleuth-pub-")
    os.chmod(pub, 0o755)
    exe = os.path.join(pub, "portsleuth")
    iana = os.path.join(pub, "iana-ports.tsv")
    shutil.copy2(EXE, exe)
    shutil.copy2(IANA, iana)
    os.chmod(iana, 0o644)
    try:
        rc, out, err = portsleuth("--json", user="nobody", exe=exe, iana=iana)
        check(rc == 0, f"exit 0 as nobody ({err})")
        doc = json.loads(out)
        check(doc["privileged"] is False, "unprivileged run says so")
        check("not running as root" in err, "stderr explains the limit")
        n = len(doc["sockets"])
        check(n == 9, f"nobody still sees every socket ({n})")
        own = find(doc, "tcp", 7000)
        check(own and [o["pid"] for o in own["owners"]] == [pids["nobody"]],
              "nobody's own listener is attributed")
        others = [s for s in doc["sockets"] if s["local_port"] != 7000]
        check(all(s["owners"] == [] and s["owner_note"] == "not_root"
                  for s in others), "others: owner not visible, not root")
        check(doc["summary"]["unattributed_reasons"]["not_root"] == n - 1,
              "summary counts the not-root sockets")
        rc, out, err = portsleuth(user="nobody", exe=exe, iana=iana)
        last = out.decode().splitlines()[-1]
        check(last.startswith(f"{n - 1} sockets without a visible owner: "
                              f"{n - 1} owner not visible: not root"),
              f"table's final line counts them: {last!r}")
    finally:
        shutil.rmtree(pub)


def teardown():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for ns in (NS, PEER):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def main():
    if os.geteuid() != 0:
        print("skipped: needs root to create network namespaces")
        return 77
    for tool in ("ip", "socat", "setpriv", "ssh-keygen"):
        if shutil.which(tool) is None:
            print(f"skipped: {tool} is not installed")
            return 77
    if not os.path.exists("/usr/sbin/sshd"):
        print("skipped: sshd is not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="portsleuth-it-")
    try:
        pids = setup(tmp)
        talk()
        check_root(pids)
        check_nobody(tmp, pids)
    finally:
        teardown()
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
