#!/usr/bin/python3
"""baseline and diff on real daemons, in a network namespace made here.

usage: test_drift_live.py PORTSLEUTH TESTS_DIR

Daemons: socat listeners (one on 127.0.0.1, one from a copy of socat's
executable, one to restart, one whose port moves) and openbsd-inetd with
a config written here.  A baseline is taken inside the namespace, then
real changes: the first listener comes back on 0.0.0.0, the copy is
replaced by a copy that differs, a daemon is restarted (new PID, new
socket: must not show), one moves its port, an inetd line gets other
arguments, a new daemon starts.  diff must name each, and nothing else.
Then `baseline` is killed with SIGKILL at random moments over an
existing baseline: the file must always be the old or the new one,
whole.  Needs root; exits 77 without it.
"""
import json
import os
import random
import shutil
import signal
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
NS = f"psdr{os.getpid() % 100000}"
SOCAT = shutil.which("socat") or "/usr/bin/socat"
procs = {}

if os.geteuid() != 0 or not os.path.exists("/usr/sbin/inetd"):
    print("SKIP: needs root and openbsd-inetd")
    sys.exit(77)


def sh(*args, ns=NS):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def start(name, *args):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs[name] = p
    return p


def stop(name):
    p = procs.pop(name)
    p.kill()
    p.wait(timeout=10)


def listening(port, addr=None, timeout=10):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        text = sh("cat", "/proc/net/tcp").stdout.decode()
        for ln in text.splitlines():
            if want in ln and " 0A " in ln and (
                    addr is None or ln.split()[1].startswith(addr)):
                return True
        time.sleep(0.05)
    return False


def socat(name, port, bind="0.0.0.0", exe=SOCAT):
    start(name, exe, f"TCP-LISTEN:{port},bind={bind},reuseaddr,fork",
          "OPEN:/dev/null")


def ps(*args):
    p = subprocess.run(["ip", "netns", "exec", NS, EXE, args[0], "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb"), *args[1:]],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


tmp = tempfile.mkdtemp(prefix="ps-drift-live-")
base = os.path.join(tmp, "base.json")
copy = os.path.join(tmp, "bin", "daemon-b")
inetd_conf = os.path.join(tmp, "inetd.conf")


def write_inetd(args):
    with open(inetd_conf, "w") as f:
        f.write("# written by the test\n"
                f"7705\tstream\ttcp\tnowait\tnobody\t/bin/cat\t{args}\n")


try:
    sh("ip", "netns", "add", NS, ns=None)
    sh("ip", "-n", NS, "link", "set", "lo", "up", ns=None)
    os.makedirs(os.path.dirname(copy))
    shutil.copy(SOCAT, copy)
    socat("a", 7701, bind="127.0.0.1")
    socat("b", 7702, exe=copy)
    socat("c", 7703)
    socat("d", 7704)
    write_inetd("cat")
    start("inetd", "/usr/sbin/inetd", "-i", inetd_conf)
    check(all(listening(p) for p in (7701, 7702, 7703, 7704, 7705)),
          "the daemons listen")

    rc, out, err = ps("baseline", base)
    with open(base) as f:
        b = json.load(f)
    port = b["fields"].index("port")
    mine = sorted(x[port] for x in b["listeners"])
    # inetd listens on IPv4 and IPv6: two listeners
    check(rc == 0 and mine == [7701, 7702, 7703, 7704, 7705, 7705],
          f"baseline of the namespace: {mine} ({err.strip()[-120:]})")
    rc, out, err = ps("diff", base)
    check(rc == 0, f"no change yet: {out.strip()}")

    # the changes
    stop("a")
    socat("a", 7701, bind="0.0.0.0")
    stop("b")
    with open(copy, "ab") as f:
        f.write(b"\0a different build\n")
    socat("b", 7702, exe=copy)
    old_c = procs["c"].pid
    stop("c")
    socat("c", 7703)
    stop("d")
    socat("d", 7714)
    stop("inetd")
    write_inetd("cat -u")
    start("inetd", "/usr/sbin/inetd", "-i", inetd_conf)
    socat("e", 7706)
    check(listening(7701, addr="00000000") and
          all(listening(p) for p in (7702, 7703, 7714, 7705, 7706)) and
          procs["c"].pid != old_c, "the daemons came back, changed")
    rc, out, err = ps("diff", "--json", base)
    d = json.loads(out)
    got = sorted((c["change"], (c["after"] or c["before"])["port"],
                  tuple(c["fields"])) for c in d["changes"])
    want = sorted([
        ("changed", 7701, ("address", "exposure")),
        ("changed", 7702, ("digest",)),
        ("gone", 7704, ()),
        ("new", 7714, ()),
        ("changed", 7705, ("entry",)),
        ("changed", 7705, ("entry",)),
        ("new", 7706, ()),
    ])
    check(rc == 1 and got == want,
          f"each change named by its field, the restarted daemon not at "
          f"all: {got}")
    w = [c for c in d["changes"] if (c["after"] or {}).get("port") == 7701]
    check(w and w[0]["wider"] and w[0]["after"]["exposure"] == "all",
          f"127.0.0.1 -> 0.0.0.0 is wider: {w}")
    e = [c for c in d["changes"] if (c["after"] or {}).get("port") == 7705]
    check(e and e[0]["before"]["entry"] == "/bin/cat cat user nobody" and
          e[0]["after"]["entry"] == "/bin/cat cat -u user nobody",
          f"the inetd line's new arguments: {e and e[0]['after']['entry']}")

    # with --probe: what answers on the port is part of the record; an
    # HTTP server replaced by an SSH-looking banner on the same port is a
    # changed protocol and product
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    start("web", "/usr/bin/python3", "-m", "http.server", "--bind",
          "127.0.0.1", "7710", "--directory", www)
    check(listening(7710), "an http server on 7710")
    pbase = os.path.join(tmp, "probe.json")
    rc, out, err = ps("baseline", "--probe", "--probe-timeout", "4000",
                      pbase)
    with open(pbase) as f:
        pb = json.load(f)
    col = {k: i for i, k in enumerate(pb["fields"])}
    web = [x for x in pb["listeners"] if x[col["port"]] == 7710]
    check(rc == 0 and pb["options"]["probe"] and web and
          web[0][col["protocol"]] == "http",
          f"a baseline with --probe keeps the wire protocol: "
          f"{web and web[0][col['protocol']]} {err.strip()[-120:]}")
    stop("web")
    start("web", SOCAT, "TCP-LISTEN:7710,bind=127.0.0.1,reuseaddr,fork",
          "SYSTEM:echo SSH-2.0-OpenSSH_9.2p1")
    check(listening(7710), "an ssh-looking banner on 7710 now")
    rc, out, err = ps("diff", "--json", pbase)
    d = json.loads(out)
    c = [x for x in d["changes"] if (x["after"] or {}).get("port") == 7710]
    check(rc == 1 and c and "protocol" in c[0]["fields"] and
          c[0]["after"]["protocol"] == "ssh" and
          c[0]["before"]["protocol"] == "http",
          f"diff (probing again, as the baseline was taken): another wire "
          f"protocol: {c}")

    # the firewall's verdict: a baseline with --firewall, then a rule
    # change that opens 7703 again and closes 7702: diff names both, the
    # first "(opened)"
    sh("ip", "link", "add", "dr0", "type", "veth", "peer", "name", "dr1")
    sh("ip", "addr", "add", "10.79.0.1/24", "dev", "dr0")
    sh("ip", "link", "set", "dr0", "up")
    sh("ip", "link", "set", "dr1", "up")
    rules = ("flush ruleset\ntable inet f {\n chain in { type filter hook "
             "input priority 0; policy accept;\n tcp dport 7703 drop\n}\n}\n")
    subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"], check=True,
                   input=rules.encode())
    fbase = os.path.join(tmp, "fw.json")
    rc, out, err = ps("baseline", "-t", "--firewall", fbase)
    with open(fbase) as f:
        fb = json.load(f)
    col = {k: i for i, k in enumerate(fb["fields"])}
    by_port = {x[col["port"]]: x[col["firewall"]] for x in fb["listeners"]}
    check(rc == 0 and fb["options"]["firewall"] and
          by_port.get(7703) == "ipv4 dr0 filtered" and
          by_port.get(7702) == "ipv4 dr0 open" and
          by_port.get(7710) == "none from outside",
          f"a baseline with --firewall keeps each verdict: {by_port}")
    rc, out, err = ps("diff", fbase)
    check(rc == 0, f"nothing changed, nothing said: {out.strip()[-200:]}")
    subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"], check=True,
                   input=rules.replace("7703 drop", "7702 drop").encode())
    rc, out, err = ps("diff", "--json", fbase)
    d = json.loads(out)
    ch = {(x["after"] or {}).get("port"): x for x in d["changes"]}
    c3, c4 = ch.get(7703), ch.get(7702)
    check(rc == 1 and len(d["changes"]) == 2 and c3 and c4 and
          c3["fields"] == ["firewall"] and c3["opened"] and
          c3["after"]["firewall"] == "ipv4 dr0 open" and
          not c4["opened"] and c4["after"]["firewall"] == "ipv4 dr0 filtered",
          f"diff: 7703 opened, 7702 closed, nothing else: {d['changes']}")
    rc, out, err = ps("diff", fbase)
    check(rc == 1 and "firewall ipv4 dr0 filtered -> ipv4 dr0 open (opened)"
          in out, f"the text says it: {out.strip()[-300:]}")
    # a baseline taken without --firewall does not see the change
    rc, out, err = ps("diff", base)
    check("firewall" not in out, f"no firewall field without --firewall: "
          f"{out.strip()[-200:]}")
    sh("nft", "flush", "ruleset")

    # SIGKILL in the middle of baseline: the old file or the new one,
    # always whole
    rc, out, err = ps("baseline", base)
    with open(base, "rb") as f:
        before = f.read()
    kills, whole = 0, 0
    random.seed(7)
    for i in range(30):
        p = subprocess.Popen(["ip", "netns", "exec", NS, EXE, "baseline",
                              "--iana", os.path.join(DATA, "iana-ports.tsv"),
                              base], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(random.uniform(0, 0.12))
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait(timeout=30)
        with open(base, "rb") as f:
            data = f.read()
        try:
            doc = json.loads(data)
            whole += doc["kind"] == "baseline" and len(doc["listeners"]) == 8
        except ValueError:
            pass
    check(kills >= 5 and whole == 30,
          f"killed {kills} times during baseline: the file whole every "
          f"time ({whole}/30)")
    rc, out, err = ps("diff", base)
    check(rc == 0, f"and it still diffs cleanly: {out.strip()[-100:]}")
finally:
    for name in list(procs):
        stop(name)
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
