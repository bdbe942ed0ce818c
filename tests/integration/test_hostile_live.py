#!/usr/bin/python3
"""Live hostile cases in a network namespace made here.

usage: test_hostile_live.py PORTSLEUTH TESTS_DIR

- a socat listening as uid 4242, which has no user name: --why, explain
  and audit once crashed on it;
- churn: listeners that live for milliseconds; a socket whose process
  exited before the fd walk reached it must not be called a kernel
  socket; a socket held by no process at all (in flight in a unix
  socket message) still is;
- audit run as nobody says what it could not see, as root it sees it;
- a recording without the UDP tables replayed: nothing of this system's
  /proc/net mixed in;
- probing peers that break TLS after their hello (a 2 MB certificate)
  and that reset after reading a probe, and a probe run to a full disk.
Needs root; exits 77 (skipped) without it.  Every process it starts is
stopped by PID and the namespace is deleted.
"""
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
from pstest import (check, json_keys, man_json_fields,  # noqa: E402
                    summary)

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
DATA = os.path.join(TESTS, "..", "data")
PY = "/usr/bin/python3"
NS = f"psh{os.getpid() % 100000}"
procs = []

if os.geteuid() != 0:
    print("SKIP: needs root for network namespaces")
    sys.exit(77)
SOCAT = shutil.which("socat")
if SOCAT is None:
    print("SKIP: socat is not installed")
    sys.exit(77)


def sh(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *args], check=True,
                          capture_output=True, timeout=60, **kw)


def start(*args):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(p)
    return p


def wait_port(port, proto="tcp", timeout=10):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        if want in sh("cat", f"/proc/net/{proto}").stdout.decode():
            return True
        time.sleep(0.05)
    return False


def ps(*args, user=None, stdout=subprocess.PIPE):
    pre = ["setpriv", "--reuid=nobody", "--regid=nogroup",
           "--clear-groups"] if user == "nobody" else []
    cmd = ["ip", "netns", "exec", NS, *pre, EXE]
    if args and args[0] in ("explain", "audit", "probe"):
        cmd.append(args[0])
        args = args[1:]
    cmd += ["--iana", os.path.join(DATA, "iana-ports.tsv")]
    if cmd[-3] != "probe":
        cmd += ["--kb", os.path.join(DATA, "daemons.kb")]
    p = subprocess.run(cmd + list(args), stdout=stdout,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout or b"", p.stderr.decode("utf-8", "replace")


def ps_probe(*args, stdout=subprocess.PIPE):
    p = subprocess.run(["ip", "netns", "exec", NS, EXE, "probe", *args],
                       stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout or b"", p.stderr.decode("utf-8", "replace")


subprocess.run(["ip", "netns", "add", NS], check=True)
tmp = tempfile.mkdtemp(prefix="ps-hostile-live-")
os.chmod(tmp, 0o755)
try:
    sh("ip", "link", "set", "lo", "up")

    # --- a uid with no user name -------------------------------------------
    start("setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", SOCAT,
          "TCP-LISTEN:7411,bind=127.0.0.1,reuseaddr,fork", "OPEN:/dev/null")
    check(wait_port(7411), "socat as uid 4242 listens")
    rc, out, err = ps("--why", "-p", "7411")
    check(rc == 0, f"--why over a nameless uid exits 0 (was 139): {rc} {err}")
    check(b" 4242 " in out, f"the table shows the uid: {out[-300:]!r}")
    rc, out, err = ps("explain", "7411")
    check(rc == 0 and "4242 (no user name for this uid)" in out.decode(),
          f"explain names the uid: {rc} {out[:400]!r}")
    rc, out, err = ps("audit", "--json")
    check(rc == 0, f"audit exits 0: {rc} {err[-200:]}")

    # --- a socket in flight: no process holds it, and it stays ------------
    inflight = os.path.join(tmp, "inflight.py")
    with open(inflight, "w") as f:
        f.write("import socket, array, time\n"
                "a, b = socket.socketpair(socket.AF_UNIX)\n"
                "l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, "
                "socket.SO_REUSEADDR, 1)\n"
                "l.bind(('127.0.0.1', 7412)); l.listen()\n"
                "a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,"
                " array.array('i', [l.fileno()]))])\n"
                "l.close(); a.close()\n"
                "time.sleep(600)\n")
    start(PY, inflight)
    check(wait_port(7412), "the in-flight listener exists")
    time.sleep(0.3)
    rc, out, err = ps("-p", "7412", "--json")
    d = json.loads(out)
    check([s["owner_note"] for s in d["sockets"]] == ["kernel"],
          f"a socket no process holds, still there: 'kernel': "
          f"{[s['owner_note'] for s in d['sockets']]}")

    # --- churn: listeners that live a few milliseconds ----------------------
    churn = os.path.join(tmp, "churn.py")
    with open(churn, "w") as f:
        f.write("import os, socket, time\n"
                "end = time.time() + 30\n"
                "port = 0\n"
                "while time.time() < end:\n"
                "    pid = os.fork()\n"
                "    if pid == 0:\n"
                "        s = socket.socket()\n"
                "        s.setsockopt(socket.SOL_SOCKET, "
                "socket.SO_REUSEADDR, 1)\n"
                "        s.bind(('127.0.0.1', 20000 + port))\n"
                "        s.listen()\n"
                "        time.sleep(0.004)\n"
                "        os._exit(0)\n"
                "    os.waitpid(pid, 0)\n"
                "    port = (port + 1) % 200\n")
    churner = start(PY, churn)
    time.sleep(0.5)
    labels = {}
    for _ in range(40):
        rc, out, err = ps("-p", "20000-20199", "--json")
        if out:
            for s in json.loads(out)["sockets"]:
                if not s["owners"]:
                    labels[s["owner_note"]] = labels.get(
                        s["owner_note"], 0) + 1
    churner.kill()
    churner.wait()
    check(labels.get("kernel", 0) == 0,
          f"no churned socket called a kernel socket: {labels}")
    print(f"churn: unattributed sockets by label over 40 runs: {labels}")

    # --- audit as nobody ---------------------------------------------------
    start(SOCAT, "TCP-LISTEN:7413,bind=0.0.0.0,reuseaddr", "OPEN:/dev/null")
    check(wait_port(7413), "a root socat listens")
    rc, out, err = ps("audit", "--json", user="nobody")
    d = json.loads(out) if out else {}
    check(rc == 0 and d.get("privileged") is False,
          f"audit as nobody: privileged false: {rc} {err[-200:]}")
    unknown = [x for x in d.get("configured", []) if x["listening"] is None]
    check(all(x.get("listening_unknown") == "not_root" for x in unknown),
          "every unknown listening state says why")
    check(not any(x["listening"] == [] and x["running"] is not False and
                  x["enabled"] for x in d.get("configured", [])),
          "as nobody, no running service is said to listen on nothing")
    rc, out, err = ps("audit", user="nobody")
    if unknown:
        check("LISTENING ?: not running as root" in out.decode(),
              f"the table says why LISTENING is '?': {out[-300:]!r}")
    rc, out, err = ps("audit", "--json")
    d = json.loads(out)
    check(d["privileged"] is True and not any(
          x["listening"] is None for x in d["configured"]),
          "as root every listening state is known")

    # --- a replay never reads this system's tables --------------------------
    rec = os.path.join(tmp, "tcp-only.psnl")
    rc, out, err = ps("-t", "-4", "--record", rec)
    check(rc == 0 and os.path.exists(rec), f"a tcp4-only recording: {err}")
    start(SOCAT, "UDP-RECVFROM:7414,bind=127.0.0.1,fork", "OPEN:/dev/null")
    check(wait_port(7414, "udp"), "a live UDP socket exists")
    rc, out, err = ps("--replay", rec, "-u", "-4", "--json")
    d = json.loads(out)
    check(d["sources"]["udp4"] == "unavailable (not in the recording)",
          f"udp4 not taken from this system: {d['sources']['udp4']}")
    check(not any(s["local_port"] == 7414 for s in d["sockets"]),
          "the live UDP socket is not mixed into the replay")

    # --- probing: TLS broken after the hello, reset after reading ----------
    peers = os.path.join(TESTS, "helpers", "hostile.py")
    start(PY, peers, "bigcert", "7421")
    start(PY, peers, "reset-after-read", "7422")
    check(wait_port(7421) and wait_port(7422), "the hostile peers listen")
    rc, out, err = ps_probe("127.0.0.1", "-p", "7421,7422", "--json")
    d = json.loads(out) if out else {}
    res = {r["port"]: r for r in d.get("ports", [])}
    big = res.get(7421, {}).get("probe", {})
    check(big.get("state") == "error" and "excessive message size" in
          (big.get("info") or ""), f"a 2 MB certificate: an error that says "
          f"so, not silence: {big}")
    rst = res.get(7422, {}).get("probe", {})
    check(rst.get("state") == "reset", f"reset after reading: 'reset': {rst}")
    man = open(os.path.join(TESTS, "..", "man", "portsleuth.1")).read()
    documented = (man_json_fields(man, ".SH ACTIVE PROBING") |
                  man_json_fields(man))
    missing = json_keys(d) - documented
    check(not missing, f"probe --json fields not documented: {missing}")
    # a certificate whose CN holds U+009B (a C1 control sequence
    # introducer), probed without root: nothing raw reaches the terminal
    key, crt = os.path.join(tmp, "c1.key"), os.path.join(tmp, "c1.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", crt, "-days", "30",
                    "-utf8", "-subj", "/CN=evil\u009b2J\u202eX"],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o644)
    # a threaded TLS server (openssl s_server serves one connection at a
    # time, and the prober opens several at once)
    tls_srv = os.path.join(tmp, "tls_srv.py")
    with open(tls_srv, "w") as f:
        f.write("import socket, ssl, sys, threading\n"
                "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
                "ctx.load_cert_chain(sys.argv[1], sys.argv[2])\n"
                "l = socket.socket()\n"
                "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                "l.bind(('127.0.0.1', 7423)); l.listen(64)\n"
                "def serve(c):\n"
                "    try:\n"
                "        t = ctx.wrap_socket(c, server_side=True)\n"
                "        t.recv(1024)\n"
                "        t.sendall(b'HTTP/1.0 200 OK\\r\\n\\r\\n')\n"
                "    except Exception:\n"
                "        pass\n"
                "    c.close()\n"
                "while True:\n"
                "    c, _ = l.accept()\n"
                "    threading.Thread(target=serve, args=(c,), "
                "daemon=True).start()\n")
    start(PY, tls_srv, crt, key)
    check(wait_port(7423), "the TLS server with the hostile CN listens")
    for who in ("nobody", "root"):
        pre = ["setpriv", "--reuid=nobody", "--regid=nogroup",
               "--clear-groups"] if who == "nobody" else []
        p = subprocess.run(["ip", "netns", "exec", NS, *pre, EXE, "probe",
                            "127.0.0.1", "-p", "7423"],
                           capture_output=True, timeout=60)
        check(p.returncode == 0 and b"TLS" in p.stdout,
              f"probed as {who}: {p.returncode} {p.stdout[-300:]!r}")
        check(b"\x9b" not in p.stdout and b"\xe2\x80\xae" not in p.stdout,
              f"as {who}: no C1 or bidi control reaches the terminal: "
              f"{p.stdout[-300:]!r}")
        check(b"CN=evil" in p.stdout or b"CN = evil" in p.stdout,
              f"as {who}: the subject is still shown: {p.stdout[-300:]!r}")
    with open("/dev/full", "wb") as full:
        rc, out, err = ps_probe("127.0.0.1", "-p", "7422", stdout=full)
    check(rc == 2 and "cannot write output" in err,
          f"probe to a full disk: exit 2, said: {rc} {err[-200:]}")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    subprocess.run(["ip", "netns", "delete", NS])
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
