#!/usr/bin/python3
"""Every network namespace in one run, live.

usage: test_netns_live.py PORTSLEUTH TESTS_DIR

Made here: two `ip netns` namespaces with the same port bound in each
(one on 0.0.0.0, one on 127.0.0.1), joined to a peer namespace over veth
pairs; a namespace kept only by a bind mount on a file (not under
/run/netns), whose one listener is held by a process that entered it,
opened the socket and went back; a namespace kept only by a descriptor
(its mount taken away), with a listener in it; and a namespace with no
process at all.
portsleuth, run from the host's namespace (where it lists them all by
default), must find each one, name it, attribute each socket to the
process holding it, and its exposure must agree with a real connection
attempt from the peer.  Run as nobody it must say the namespaces it
could not enter.  Needs root; exits 77 without it.  Everything made is
removed; every process started is stopped by PID.
"""
import ctypes
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
TAG = os.getpid() % 100000
NS_A, NS_B, PEER = f"psna{TAG}", f"psnb{TAG}", f"psnp{TAG}"
ROUTER, CTR = f"psnr{TAG}", f"psnc{TAG}"
PORT = 7611
procs = []
made = []

if os.geteuid() != 0 or shutil.which("unshare") is None:
    print("SKIP: needs root and unshare(1)")
    sys.exit(77)
if os.readlink("/proc/self/ns/net") != "net:[4026531833]":
    print("SKIP: not run from the host's network namespace")
    sys.exit(77)


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True,
                   timeout=30)


def start(ns, *args):
    p = subprocess.Popen((["ip", "netns", "exec", ns] if ns else []) +
                         list(args), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(p)
    return p


def listening(ns, port, timeout=10):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        with open(f"/proc/{ns_pid[ns]}/net/tcp") as f:
            if any(want in ln and " 0A " in ln for ln in f):
                return True
        time.sleep(0.05)
    return False


def portsleuth(*args, user=None):
    pre = ["setpriv", "--reuid=nobody", "--regid=nogroup",
           "--clear-groups"] if user else []
    p = subprocess.run(pre + [EXE, "--iana",
                              os.path.join(DATA, "iana-ports.tsv"), *args],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def connects(addr, port):
    """A TCP connection from the peer namespace."""
    code = (f"import socket; s=socket.socket(); s.settimeout(2)\n"
            f"try:\n s.connect(('{addr}', {port})); print('yes')\n"
            f"except OSError: print('no')\n")
    p = subprocess.run(["ip", "netns", "exec", PEER, PY, "-c", code],
                       capture_output=True, timeout=30)
    return p.stdout.decode().strip() == "yes"


tmp = tempfile.mkdtemp(prefix="ps-netns-")
ns_pid = {}
try:
    for ns in (NS_A, NS_B, PEER, ROUTER, CTR):
        ip("netns", "add", ns)
        ip("-n", ns, "link", "set", "lo", "up")
    # peer <-> A on 10.77.1.0/24, peer <-> B on 10.77.2.0/24
    for i, ns in ((1, NS_A), (2, NS_B)):
        ip("link", "add", f"psv{TAG}{i}", "netns", PEER, "type", "veth",
           "peer", "name", f"psw{TAG}{i}", "netns", ns)
        ip("-n", PEER, "addr", "add", f"10.77.{i}.2/24", "dev",
           f"psv{TAG}{i}")
        ip("-n", ns, "addr", "add", f"10.77.{i}.1/24", "dev",
           f"psw{TAG}{i}")
        ip("-n", PEER, "link", "set", f"psv{TAG}{i}", "up")
        ip("-n", ns, "link", "set", f"psw{TAG}{i}", "up")
    # a router publishing a "container" port with DNAT, as a container
    # runtime does on a host: peer 10.78.2.2 -> router 10.78.2.1:18080
    # -> container 10.78.1.2:8000
    for i, (x, y) in ((1, (ROUTER, CTR)), (2, (ROUTER, PEER))):
        ip("link", "add", f"psr{TAG}{i}", "netns", x, "type", "veth",
           "peer", "name", f"psc{TAG}{i}", "netns", y)
        ip("-n", x, "addr", "add", f"10.78.{i}.1/24", "dev", f"psr{TAG}{i}")
        ip("-n", y, "addr", "add", f"10.78.{i}.2/24", "dev", f"psc{TAG}{i}")
        ip("-n", x, "link", "set", f"psr{TAG}{i}", "up")
        ip("-n", y, "link", "set", f"psc{TAG}{i}", "up")
    ip("-n", CTR, "route", "add", "default", "via", "10.78.1.1")
    subprocess.run(["ip", "netns", "exec", ROUTER, "sysctl", "-qw",
                    "net.ipv4.ip_forward=1"], check=True)
    rules = os.path.join(tmp, "nat.nft")
    with open(rules, "w") as f:
        f.write("table ip pubnat {\n chain prerouting {\n"
                "  type nat hook prerouting priority dstnat;\n"
                "  tcp dport 18080 dnat to 10.78.1.2:8000 comment \"web\"\n"
                " }\n}\n")
    subprocess.run(["ip", "netns", "exec", ROUTER, "nft", "-f", rules],
                   check=True, timeout=30)
    # the same container port as a Kubernetes hostPort (the CNI portmap
    # plugin's chains) and a kube-proxy service endpoint would publish
    # it, written by iptables-nft as they write them
    ipt = [["-t", "nat", "-N", "CNI-HOSTPORT-DNAT"],
           ["-t", "nat", "-N", "CNI-DN-0123456789abcdef"],
           ["-t", "nat", "-A", "PREROUTING", "-m", "addrtype",
            "--dst-type", "LOCAL", "-j", "CNI-HOSTPORT-DNAT"],
           ["-t", "nat", "-A", "CNI-HOSTPORT-DNAT", "-p", "tcp", "--dport",
            "18090", "-j", "CNI-DN-0123456789abcdef"],
           ["-t", "nat", "-A", "CNI-DN-0123456789abcdef", "-p", "tcp",
            "--dport", "18090", "-j", "DNAT", "--to-destination",
            "10.78.1.2:8000"],
           # as kube-proxy chains a service: the port is matched two
           # jumps before the endpoint's DNAT
           ["-t", "nat", "-N", "KUBE-SERVICES"],
           ["-t", "nat", "-N", "KUBE-SVC-TESTSERVICE1"],
           ["-t", "nat", "-N", "KUBE-SEP-TESTENDPOINT1"],
           ["-t", "nat", "-A", "PREROUTING", "-j", "KUBE-SERVICES"],
           ["-t", "nat", "-A", "KUBE-SERVICES", "-p", "tcp", "--dport",
            "18091", "-j", "KUBE-SVC-TESTSERVICE1"],
           ["-t", "nat", "-A", "KUBE-SVC-TESTSERVICE1", "-j",
            "KUBE-SEP-TESTENDPOINT1"],
           ["-t", "nat", "-A", "KUBE-SEP-TESTENDPOINT1", "-p", "tcp", "-j",
            "DNAT", "--to-destination", "10.78.1.2:8000"]]
    for a in ipt:
        subprocess.run(["ip", "netns", "exec", ROUTER, "iptables-nft", *a],
                       check=True, timeout=30, capture_output=True)
    pub = start(CTR, "socat", "TCP-LISTEN:8000,reuseaddr,fork",
                "SYSTEM:echo published")
    unpub = start(CTR, "socat", "TCP-LISTEN:8001,reuseaddr,fork",
                  "SYSTEM:echo inside")
    a = start(NS_A, "socat", f"TCP-LISTEN:{PORT},bind=0.0.0.0,reuseaddr,"
              "fork", "OPEN:/dev/null")
    b = start(NS_B, "socat", f"TCP-LISTEN:{PORT},bind=127.0.0.1,reuseaddr,"
              "fork", "OPEN:/dev/null")
    ns_pid = {NS_A: a.pid, NS_B: b.pid, CTR: pub.pid}
    check(listening(NS_A, PORT) and listening(NS_B, PORT),
          "the same port listens in both namespaces")

    # a namespace kept only by a bind mount on a file, and a listener in
    # it held by a process that went back to the host's namespace
    bound = os.path.join(tmp, "held-ns")
    open(bound, "w").close()
    subprocess.run(["unshare", f"--net={bound}", "true"], check=True,
                   timeout=30)
    leaver = os.path.join(tmp, "leaver.py")
    with open(leaver, "w") as f:
        f.write("import ctypes, os, socket, sys, time\n"
                "libc = ctypes.CDLL(None, use_errno=True)\n"
                "home = os.open('/proc/self/ns/net', os.O_RDONLY)\n"
                "there = os.open(sys.argv[1], os.O_RDONLY)\n"
                "assert libc.setns(there, 0x40000000) == 0\n"
                "s = socket.socket()\n"
                "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                f"s.bind(('0.0.0.0', {PORT + 1})); s.listen()\n"
                "assert libc.setns(home, 0x40000000) == 0\n"
                "print('ready', flush=True)\n"
                "time.sleep(300)\n")
    lv = subprocess.Popen([PY, leaver, bound], stdout=subprocess.PIPE,
                          stdin=subprocess.DEVNULL)
    procs.append(lv)
    check(lv.stdout.readline().strip() == b"ready", "the leaver is ready")
    check(os.readlink(f"/proc/{lv.pid}/ns/net") == "net:[4026531833]",
          "the leaver is back in the host's namespace")
    bound_ino = os.stat(bound).st_ino
    # namespaces kept only by an open descriptor: the holder opens one's
    # file (its link reads "/" once the mount is detached), and the
    # other's /proc/thread-self/ns/net while inside it ("net:[N]");
    # makes a listener in each, goes back, and the mounts are taken
    # away: no process is in them, nothing names them
    fdns = [os.path.join(tmp, f"fd-ns{i}") for i in (0, 1)]
    for fn in fdns:
        open(fn, "w").close()
        subprocess.run(["unshare", f"--net={fn}", "true"], check=True,
                       timeout=30)
    fd_ino = [os.stat(fn).st_ino for fn in fdns]
    hold = os.path.join(tmp, "holder.py")
    with open(hold, "w") as f:
        f.write("import ctypes, os, socket, sys, time\n"
                "libc = ctypes.CDLL(None, use_errno=True)\n"
                "home = os.open('/proc/self/ns/net', os.O_RDONLY)\n"
                "fds, socks = [], []\n"
                "for i, path in enumerate(sys.argv[1:3]):\n"
                "    there = os.open(path, os.O_RDONLY)\n"
                "    assert libc.setns(there, 0x40000000) == 0\n"
                "    if i == 1:\n"
                "        os.close(there)\n"
                "        there = os.open('/proc/thread-self/ns/net',"
                " os.O_RDONLY)\n"
                "    s = socket.socket()\n"
                f"    s.bind(('127.0.0.1', {PORT + 4} + i)); s.listen()\n"
                "    socks.append(s); fds.append(there)\n"
                "    assert libc.setns(home, 0x40000000) == 0\n"
                "print(*fds, flush=True)\n"
                "time.sleep(300)\n")
    hd = subprocess.Popen([PY, hold, *fdns], stdout=subprocess.PIPE,
                          stdin=subprocess.DEVNULL)
    procs.append(hd)
    hd_fd = [int(x) for x in hd.stdout.readline().split()]
    for fn in fdns:
        subprocess.run(["umount", "-l", fn], check=True, timeout=30)
    check(len(hd_fd) == 2 and
          all(os.stat(fn).st_ino != i for fn, i in zip(fdns, fd_ino)) and
          os.readlink(f"/proc/{hd.pid}/fd/{hd_fd[0]}") == "/" and
          os.readlink(f"/proc/{hd.pid}/fd/{hd_fd[1]}") ==
          f"net:[{fd_ino[1]}]",
          "namespaces only a descriptor keeps: unmounted, still open")
    # a namespace no process is in and no socket: only the mount
    empty = os.path.join(tmp, "empty-ns")
    open(empty, "w").close()
    subprocess.run(["unshare", f"--net={empty}", "true"], check=True,
                   timeout=30)
    empty_ino = os.stat(empty).st_ino

    # trusted ports held by nobody: by the namespace's setting (as
    # container runtimes set it), and by the capability
    subprocess.run(["ip", "netns", "exec", NS_B, "sysctl", "-qw",
                    "net.ipv4.ip_unprivileged_port_start=0"], check=True)
    t23 = start(NS_B, "setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "socat", "TCP-LISTEN:23,reuseaddr,fork",
                "OPEN:/dev/null")
    t25 = start(NS_A, "setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--inh-caps=+net_bind_service",
                "--ambient-caps=+net_bind_service", "socat",
                "TCP-LISTEN:25,reuseaddr,fork", "OPEN:/dev/null")
    # and through authbind (its setuid helper binds what /etc/authbind
    # allows; the file is made here and removed)
    authbind = shutil.which("authbind")
    byport = "/etc/authbind/byport/21"
    t21 = None
    if authbind and not os.path.exists(byport):
        with open(byport, "w"):
            pass
        shutil.chown(byport, "nobody")
        os.chmod(byport, 0o500)
        made.append(byport)
        t21 = start(NS_A, "setpriv", "--reuid=nobody", "--regid=nogroup",
                    "--clear-groups", authbind, "socat",
                    "TCP-LISTEN:21,reuseaddr,fork", "OPEN:/dev/null")
    # a process in a PID namespace of its own, as in a container
    t26 = start(NS_A, "unshare", "--pid", "--fork", "--kill-child",
                "socat", f"TCP-LISTEN:{PORT + 2},reuseaddr,fork",
                "OPEN:/dev/null")
    check(listening(NS_B, 23) and listening(NS_A, 25) and
          listening(NS_A, PORT + 2) and (t21 is None or
                                         listening(NS_A, 21)),
          "the trusted-port listeners are up")
    # an HTTP server in B only, for probing from inside B
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    start(NS_B, PY, "-m", "http.server", "--bind", "127.0.0.1",
          str(PORT + 3), "--directory", www)
    check(listening(NS_B, PORT + 3), "the http server in B listens")

    # --- one run, every namespace -------------------------------------
    rc, out, err = portsleuth("-t", "--json")
    d = json.loads(out)
    nss = {n["inode"]: n for n in d["namespaces"]}
    ino_a = os.stat(f"/run/netns/{NS_A}").st_ino
    ino_b = os.stat(f"/run/netns/{NS_B}").st_ino
    check(rc == 0 and len(d["namespaces"]) >= 5,
          f"every namespace found: {[n['label'] for n in d['namespaces']]}")
    check(nss.get(ino_a, {}).get("label") == NS_A and
          nss[ino_a]["kind"] == "netns" and nss[ino_a]["entered"],
          f"{NS_A} by its ip netns name: {nss.get(ino_a)}")
    check(nss.get(bound_ino, {}).get("kind") == "mount" and
          nss[bound_ino]["path"] == bound and nss[bound_ino]["entered"],
          f"the namespace kept by a bind mount: {nss.get(bound_ino)}")
    check(nss.get(empty_ino, {}).get("entered") is True and
          nss[empty_ino]["sockets"] == 0,
          f"the empty one is read, and is empty: {nss.get(empty_ino)}")
    check(any(n["kind"] == "host" for n in d["namespaces"]),
          "the host's namespace is one of them")

    def rows(port):
        return [(s["netns"]["inode"], s["local_address"],
                 [o["pid"] for o in s["owners"]])
                for s in d["sockets"] if s["local_port"] == port]
    got = sorted(rows(PORT))
    check(got == sorted([(ino_a, "0.0.0.0", [a.pid]),
                         (ino_b, "127.0.0.1", [b.pid])]),
          f"the same port in two namespaces, each with its owner: {got}")
    got = rows(PORT + 1)
    check(got == [(bound_ino, "0.0.0.0", [lv.pid])],
          f"a socket in a namespace its holder left: {got}")
    for i in (0, 1):
        held = nss.get(fd_ino[i], {})
        check(held.get("kind") == "fd" and held.get("entered") and
              held.get("held_by") == hd.pid and
              held.get("path") == f"/proc/{hd.pid}/fd/{hd_fd[i]}" and
              held.get("label") == f"net:[{fd_ino[i]}]",
              f"a namespace only a descriptor keeps is found: {held}")
        got = rows(PORT + 4 + i)
        check(got == [(fd_ino[i], "127.0.0.1", [hd.pid])],
              f"and its socket, with its owner: {got}")

    # exposure against a real connection from the peer
    by = {s["netns"]["inode"]: s for s in d["sockets"]
          if s["local_port"] == PORT}
    check(by[ino_a]["exposure_scope"] == "all" and
          connects("10.77.1.1", PORT),
          f"{NS_A}: 'all interfaces', and the peer connects")
    check(by[ino_b]["exposure_scope"] == "loopback" and
          not connects("10.77.2.1", PORT),
          f"{NS_B}: 'loopback only', and the peer cannot connect")

    def owner(port):
        for s in d["sockets"]:
            if s["local_port"] == port and s["owners"]:
                return s["owners"][0]
        return {}
    o23, o25, o26 = owner(23), owner(25), owner(PORT + 2)
    check(o23.get("user") == "nobody" and o23.get("trusted_port") and
          o23["trusted_port"]["how"] == "unprivileged_port_start",
          f"nobody on 23: by the namespace's setting: {o23.get('trusted_port')}")
    check(o25.get("trusted_port") and
          o25["trusted_port"]["how"] == "cap_net_bind_service",
          f"nobody on 25: by CAP_NET_BIND_SERVICE: {o25.get('trusted_port')}")
    check(owner(PORT).get("trusted_port") is None,
          "root on a high port: nothing to say")
    if t21 is not None:
        o21 = owner(21)
        check(o21.get("user") == "nobody" and o21.get("trusted_port") and
              o21["trusted_port"]["how"] == "authbind",
              f"nobody on 21: through authbind: {o21.get('trusted_port')}")
    else:
        print("SKIP: authbind (not installed, or byport/21 exists)")
    check(o26.get("ns_pid") == 1 and o26.get("pid") != 1,
          f"a process in its own PID namespace: both PIDs: "
          f"{o26.get('pid')} / {o26.get('ns_pid')}")

    # --probe: each listener probed from inside its own namespace
    rc, out, err = portsleuth("-t", "--probe", "--probe-timeout", "4000",
                              "-p", f"{PORT},{PORT + 3}", "--json")
    dp = json.loads(out)
    pr = {(s["netns"]["inode"], s["local_port"]): s.get("probe") or {}
          for s in dp["sockets"]}
    web = pr.get((ino_b, PORT + 3), {})
    check(web.get("probed") and web.get("protocol") == "http" and
          web.get("product") == "Python http.server",
          f"http in namespace B, probed from inside it: {web}")
    a_l, b_l = pr.get((ino_a, PORT), {}), pr.get((ino_b, PORT), {})
    # socat writing /dev/null's end at once: accepted, then closed
    check(a_l.get("probed") and b_l.get("probed") and
          a_l.get("state") == "closed_at_once" and
          b_l.get("state") == "closed_at_once",
          f"the same port in A and B, each probed in its own: {a_l} {b_l}")

    # what the NAT rules publish, against real connections from the peer
    check(listening(CTR, 8000) and listening(CTR, 8001),
          "the container's listeners are up")
    rc, out, err = portsleuth("-t", "-p", "8000,8001", "--json")
    dn = json.loads(out)
    ino_c = os.stat(f"/run/netns/{CTR}").st_ino
    byp = {s["local_port"]: s for s in dn["sockets"]
           if s["netns"]["inode"] == ino_c}
    p8000 = byp.get(8000, {})
    pubs = p8000.get("published") or []
    pubd = {p["from"]: p for p in pubs}
    p18080 = pubd.get("*:18080/tcp", {})
    check(len(pubs) == 3 and p18080.get("netns") == ROUTER and
          p18080["to_address"] == "10.78.1.2" and
          p18080["to_port"] == 8000 and
          p18080["rule"] == "ip pubnat prerouting" and
          p18080["comment"] == "web" and p18080["by"] is None,
          f"8000 is published by the router's DNAT rule: {pubs}")
    hp, kp = pubd.get("*:18090/tcp", {}), pubd.get("*:18091/tcp", {})
    check(hp.get("by") == "CNI portmap (hostPort)" and
          hp.get("rule") == "ip nat CNI-DN-0123456789abcdef" and
          hp.get("to_port") == 8000,
          f"and as a hostPort by CNI portmap's chains: {hp}")
    check(kp.get("by") == "kube-proxy" and
          kp.get("rule") == "ip nat KUBE-SEP-TESTENDPOINT1",
          f"and by a kube-proxy endpoint chain, its port from the jumps "
          f"that lead to it: {kp}")
    check((p8000.get("exposure_outside") or "").startswith(
          f"published as {ROUTER} *:"),
          f"and its exposure says so: {p8000.get('exposure_outside')}")
    p8001 = byp.get(8001, {})
    check(p8001.get("published") == [] and
          p8001.get("exposure_outside", "") == f"inside {CTR}: all "
          f"interfaces (IPv4) at 10.78.1.2 on psc{TAG}1",
          f"8001 is not, and is reachable at its namespace's own address: "
          f"{p8001.get('exposure_outside')}")

    def peer_gets(addr, port):
        code = (f"import socket; s=socket.socket(); s.settimeout(3)\n"
                f"try:\n s.connect(('{addr}', {port}));"
                f" print(s.recv(64).decode().strip())\n"
                f"except OSError: print('no')\n")
        p = subprocess.run(["ip", "netns", "exec", PEER, PY, "-c", code],
                           capture_output=True, timeout=30)
        return p.stdout.decode().strip()
    check(peer_gets("10.78.2.1", 18080) == "published",
          "the peer reaches the published listener through the router")
    check(peer_gets("10.78.2.1", 18090) == "published" and
          peer_gets("10.78.2.1", 18091) == "published",
          "and through the hostPort and kube-proxy chains")
    check(peer_gets("10.78.1.2", 8001) == "no",
          "the peer cannot reach the unpublished one")

    # explain NETNS:PORT: the listener of that namespace only
    p = subprocess.run([EXE, "explain", "--iana", os.path.join(
        DATA, "iana-ports.tsv"), f"{NS_B}:{PORT}"], capture_output=True,
        timeout=60)
    text = p.stdout.decode()
    check(p.returncode == 0 and f"(pid {b.pid})" in text and
          f"(pid {a.pid})" not in text and "127.0.0.1" in text,
          f"explain {NS_B}:{PORT} is B's listener alone: {text[:300]}")
    p = subprocess.run([EXE, "explain", f"nosuch:{PORT}"],
                       capture_output=True, timeout=60)
    check(p.returncode == 1, "explain of an unknown namespace matches nothing")

    # the table: a NETNS column with the names
    rc, out, err = portsleuth("-t", "-p", str(PORT))
    lines = out.decode().splitlines()
    check(lines and lines[0].startswith("NETNS ") and
          any(ln.startswith(NS_A + " ") for ln in lines) and
          any(ln.startswith(NS_B + " ") for ln in lines),
          f"the NETNS column names each: {lines[:4]}")

    # --netns selects
    rc, out, err = portsleuth("-t", "--json", "--netns", NS_B)
    d2 = json.loads(out)
    check(rc == 0 and [n["inode"] for n in d2["namespaces"]] == [ino_b] and
          {s["netns"]["inode"] for s in d2["sockets"]} == {ino_b},
          "--netns NAME lists that one")
    rc, out, err = portsleuth("-t", "--json", "--netns", str(lv.pid))
    d3 = json.loads(out)
    check([n["kind"] for n in d3["namespaces"]] == ["host"],
          "--netns PID: the namespace the process is in now")
    rc, out, err = portsleuth("-t", "--json", "--netns", bound)
    d4 = json.loads(out)
    check([s["local_port"] for s in d4["sockets"]] == [PORT + 1],
          "--netns PATH: the bind-mounted one")
    rc, out, err = portsleuth("-t", "--netns", "nosuchns")
    check(rc == 2 and "--netns: no network namespace 'nosuchns'" in err,
          f"an unknown --netns is a usage error: {rc} {err}")
    rc, out, err = portsleuth("-t", "--netns", "self", "--json")
    check(rc in (0, 1) and len(json.loads(out)["namespaces"]) == 1,
          "--netns self: only its own")

    # run inside a namespace (ip netns exec), only that one by default
    p = subprocess.run(["ip", "netns", "exec", NS_A, EXE, "-t", "--json"],
                       capture_output=True, timeout=60)
    d5 = json.loads(p.stdout)
    check([n["inode"] for n in d5["namespaces"]] == [ino_a],
          "inside a namespace: that one")

    # without root: the others are said, not listed
    rc, out, err = portsleuth("-t", "--json", user="nobody")
    d6 = json.loads(out)
    entered = [n for n in d6["namespaces"] if n["entered"]]
    check(len(entered) == 1 and entered[0]["kind"] == "host",
          "as nobody only its own namespace is read")
    check(all(n["error"] and n["error"].startswith("not root")
              for n in d6["namespaces"] if not n["entered"]),
          "and each other one says why")
    rc, out, err = portsleuth("-t", user="nobody")
    check("other network namespaces (containers, ip netns) cannot be "
          "entered" in err, f"the table run says it: {err[-300:]}")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    for ns in (NS_A, NS_B, PEER, ROUTER, CTR):
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
    for f in made:
        os.unlink(f)
    for f in ("held-ns", "empty-ns"):
        subprocess.run(["umount", os.path.join(tmp, f)],
                       capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
