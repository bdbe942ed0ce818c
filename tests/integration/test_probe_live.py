#!/usr/bin/python3
"""Live test of active probing, with real daemons and hostile peers.

usage: test_probe_live.py PORTSLEUTH TESTS_DIR

In a network namespace made here it starts the daemons of
tests/helpers/daemons.py (sshd on 24 and 443, nginx on 22 with and
without TLS, exim, dovecot, redis, memcached, dnsmasq, vsftpd,
mosquitto, inetd's internal services, rsync, snmpd, chronyd, python's
http.server and a silent socat), talks to some of them, and checks what
`portsleuth probe` and `portsleuth --probe` find: protocol, product, TLS
facts and the mismatch verdict.  Then hostile peers (tarpit, endless
stream, reset, garbage after a ClientHello, a 1 MB line, a trickle):
each must be bounded in time and memory.  A peer that reports the uid
of the connecting socket shows that the probing runs unprivileged.
Needs root; exits 77 (skipped) without it or without the daemons.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "..", "helpers"))
from pstest import check, summary  # noqa: E402
import daemons  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
DATA = os.path.join(TESTS, "..", "data")
HOSTILE = os.path.join(TESTS, "helpers", "hostile.py")
NS = f"psp{os.getpid() % 100000}"
PY = "/usr/bin/python3"


def ps(*args, timed=False):
    pre = ["/usr/bin/time", "-f", "%e %M"] if timed else []
    p = subprocess.run(["ip", "netns", "exec", NS, *pre, EXE, *args[:1],
                        "--rules", os.path.join(DATA, "probes.rules"),
                        *args[1:]] if args[0] == "probe" else
                       ["ip", "netns", "exec", NS, *pre, EXE, *args,
                        "--rules", os.path.join(DATA, "probes.rules"),
                        "--iana", os.path.join(DATA, "iana-ports.tsv")],
                       capture_output=True, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    wall = rss = None
    if timed:
        last = err.strip().splitlines()[-1].split()
        wall, rss = float(last[0]), int(last[1])
    return p.returncode, p.stdout, err, wall, rss


def client(code):
    return subprocess.run(["ip", "netns", "exec", NS, PY, "-c", code],
                          capture_output=True, timeout=30).stdout.decode()


def greets(port, want, timeout=15):
    """Wait until the daemon on port says its greeting: listening is not
    being ready (dovecot's login processes start after its listener)."""
    code = (f"import socket\ntry:\n s=socket.create_connection(('127.0.0.1',"
            f"{port}),3); s.settimeout(3); print(s.recv(100).decode().strip())"
            f"\nexcept OSError: print('')\n")
    end = time.time() + timeout
    out = ""
    while time.time() < end:
        out = client(code)
        if out.startswith(want):
            break
        time.sleep(0.2)
    return out


def talk():
    out = greets(143, "* OK")
    check(out.startswith("* OK") and "Dovecot" in out,
          f"dovecot's IMAP greets: {out!r}")
    out = greets(110, "+OK")
    check(out.startswith("+OK") and "Dovecot" in out,
          f"dovecot's POP3 greets: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "24),5); print(s.recv(100).decode().strip())")
    check(out.startswith("SSH-2.0-OpenSSH"), f"sshd on 24 answers: {out!r}")
    out = client("import urllib.request; print(urllib.request.urlopen("
                 "'http://127.0.0.1:22/',timeout=5).read().decode())")
    check(out.strip() == "plain", f"nginx on 22 serves HTTP: {out!r}")
    out = client("import ssl,urllib.request; c=ssl._create_unverified_"
                 "context(); print(urllib.request.urlopen('https://127.0.0"
                 ".1:8443/',context=c,timeout=5).read().decode())")
    check(out.strip() == "tls", f"nginx on 8443 serves HTTPS: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "6379),5); s.sendall(b'PING\\r\\n'); print(s.recv(100)"
                 ".decode().strip())")
    check(out.strip() == "+PONG", f"redis answers PING: {out!r}")
    out = client("import socket; s=socket.create_connection(('127.0.0.1',"
                 "25),5); print(s.recv(200).decode().strip())")
    check(out.startswith("220") and "Exim" in out, f"exim greets: {out!r}")


def check_probe(chronyd):
    truth = [t for t in daemons.TRUTH if chronyd or t[1] != 123]
    tcp = ",".join(str(t[1]) for t in truth if t[0] == "tcp")
    udp = ",".join(str(t[1]) for t in truth if t[0] == "udp")
    rc, out, err, wall, rss = ps("probe", "127.0.0.1", "-t", "-u", "-p",
                                 f"{tcp},{udp}", "--json", timed=True)
    check(rc == 0, f"probe: exit 0 ({err[-300:]})")
    try:
        doc = json.loads(out)
    except ValueError:
        check(False, f"probe --json is valid JSON: {out[:200]!r}")
        return
    got = {(p["proto"], p["port"]): p["probe"] for p in doc["ports"]}
    for proto, port, protocol, product, tls, _ in truth:
        r = got.get((proto, port), {})
        if protocol == "silent":
            check(r.get("state") == "silent",
                  f"{port}/{proto}: silent ({r.get('state')})")
            continue
        check(r.get("protocol") == protocol and r.get("state") == "hard",
              f"{port}/{proto}: protocol {r.get('protocol')} "
              f"({r.get('state')}) == {protocol}")
        if product:
            check(r.get("product") == product,
                  f"{port}/{proto}: product {r.get('product')} == {product}")
        check(bool(r.get("tls")) == tls, f"{port}/{proto}: tls {tls}")
    r = got.get(("tcp", 8443), {})
    check(r.get("service") == "https" and r.get("tls_version", "")
          .startswith("TLSv1") and r.get("tls_cipher"),
          f"8443: https, version and cipher: {r}")
    check("CN=probe.test" in r.get("cert_subject", "") and
          "O=portsleuth tests" in r.get("cert_issuer", ""),
          "8443: certificate subject and issuer")
    check(r.get("cert_sans") == "DNS:probe.test,IP:127.0.0.1",
          f"8443: SANs {r.get('cert_sans')}")
    na = r.get("cert_not_after", "")
    exp = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * 86400))
    check(na.startswith(exp) and r.get("cert_expired") is False,
          f"8443: expires in 30 days ({na})")
    for port, version in ((24, r"^\d+\.\d+p\d+$"), (6379, r"^\d+\.\d+"),
                          (25, r"^\d+\.\d+"), (11211, r"^\d+\.\d+")):
        v = got.get(("tcp", port), {}).get("version") or ""
        check(re.match(version, v) is not None,
              f"{port}: a version ({v!r})")
    # the same versions as the packages installed
    for port, pkg in ((6379, "redis-server"), (11211, "memcached")):
        v = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True).stdout
        got_v = got.get(("tcp", port), {}).get("version") or "?"
        check(got_v in v, f"{port}: version {got_v} is {pkg}'s {v}")
    check(wall is not None and wall < 8, f"probe took {wall} s")
    # nginx with TLS on port 22 of another loopback address
    rc, out, err, *_ = ps("probe", "127.0.0.2", "-p", "22", "--json")
    r = json.loads(out)["ports"][0]["probe"] if rc == 0 else {}
    check(r.get("service") == "https" and r.get("product") == "nginx" and
          "CN=probe.test" in r.get("cert_subject", ""),
          f"127.0.0.2:22: nginx over TLS on ssh's port: {r}")
    # a silent UDP port where WireGuard's port is: open or filtered, the
    # port's name only a hint (a closed port whose ICMP was dropped is
    # silent too), never an identification
    rc, out, err, *_ = ps("probe", "127.0.0.1", "-u", "-p", "51820",
                          "--json", "-a")
    doc = json.loads(out) if out.strip() else {}
    r = doc["ports"][0]["probe"] if doc.get("ports") else {}
    check(r.get("state") == "silent" and r.get("protocol") is None and
          "open or filtered" in (r.get("info") or "") and
          "wireguard" in (r.get("info") or ""),
          f"51820/udp: silent, wireguard only a hint: {r}")
    rc, out, err, *_ = ps("probe", "127.0.0.1", "-u", "-p", "51820")
    out = out.decode() if isinstance(out, bytes) else out
    check("1 UDP open or filtered (no answer) not shown: -a lists them"
          in out, f"the table says what it left out: {out[-300:]!r}")
    print(f"probe of {len(truth)} services: {wall} s, peak {rss} KiB")


def check_listing():
    rc, out, err, *_ = ps("--probe", "--json")
    check(rc == 0, f"--probe --json: exit 0 ({err[-300:]})")
    doc = json.loads(out) if rc == 0 else {"sockets": []}
    verdict, udp, six = {}, {}, {}
    for s in doc["sockets"]:
        if s["family"] == "ipv4" and s["proto"] == "tcp":
            verdict[s["local_port"]] = s.get("probe", {})
        elif s["family"] == "ipv4" and s["proto"] == "udp":
            udp[s["local_port"]] = s.get("probe", {})
        elif s["family"] == "ipv6" and s["proto"] == "tcp":
            six[s["local_port"]] = s.get("probe", {})
    for proto, port, protocol, _, _, mismatch in daemons.TRUTH:
        if protocol in ("silent",) or (proto, port) in (("udp", 123),
                                                        ("udp", 11211)):
            continue
        p = (verdict if proto == "tcp" else udp).get(port, {})
        want = "mismatch" if mismatch else "consistent"
        check(p.get("verdict") == want,
              f"--probe {port}/{proto}: verdict {p.get('verdict')} == "
              f"{want} ({p.get('reasons') or p})")
    check("registered as mdns, but it speaks dns" in
          (udp.get(5353, {}).get("reasons") or ""),
          f"5353/udp: unicast DNS on the mDNS port: {udp.get(5353)}")
    # mosquitto's IPv4 and IPv6 sockets, probed at once, both say the
    # broker's version (one client identifier for both once made the
    # broker drop one session)
    v4, v6 = verdict.get(1883, {}), six.get(1883, {})
    check(v4.get("product") == "Mosquitto" and v4.get("version") and
          v6.get("product") == "Mosquitto" and
          v6.get("version") == v4.get("version"),
          f"1883: the version on both twins: {v4.get('version')!r}, "
          f"{v6.get('version')!r}")
    check("registered as ssh, but it speaks http" in
          (verdict.get(22, {}).get("reasons") or ""), "22: the reason")
    check("registered as any private mail system, but it speaks ssh" in
          (verdict.get(24, {}).get("reasons") or ""), "24: the reason")
    rc, out, err, *_ = ps("explain", "--probe", "24")
    t = out.decode()
    check(rc == 0 and "wire        24/tcp on 0.0.0.0: ssh OpenSSH" in t and
          "MISMATCH    port 24/tcp is registered as any private mail" in t,
          f"explain --probe 24: wire and mismatch ({t[-400:]!r} {err})")
    rc, out, err, *_ = ps("explain", "--probe", "--json", "8443")
    try:
        sk = json.loads(out)["processes"][0]["sockets"]
        pr = [x["probe"] for x in sk if x["local_port"] == 8443][0]
    except (ValueError, KeyError, IndexError):
        pr = {}
    check(pr.get("service") == "https" and pr.get("verdict") ==
          "consistent", f"explain --probe --json 8443: {pr}")
    rc, out, err, *_ = ps("--probe", "-t", "-4", "-p", "22,24,8443")
    lines = out.decode().splitlines()
    head = lines[0].split() if lines else []
    check("WIRE" in head and "VERDICT" in head, "table: WIRE, VERDICT")
    tls22 = [s for s in doc["sockets"] if s["local_port"] == 22 and
             s["local_address"] == "127.0.0.2"]
    p22 = tls22[0].get("probe", {}) if tls22 else {}
    check(p22.get("service") == "https" and p22.get("verdict") ==
          "mismatch", f"--probe 127.0.0.2:22: https, mismatch ({p22})")
    check(sum("MISMATCH" in ln for ln in lines) >= 2 and
          any("https nginx" in ln for ln in lines),
          "table: MISMATCH rows, https nginx")


def check_hostile(tmp):
    modes = ["tarpit", "infinite", "reset", "tlsgarbage", "bigline",
             "trickle", "whoami"]
    procs = []
    for i, mode in enumerate(modes):
        ready = os.path.join(tmp, f"h{i}.ready")
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", NS, PY, HOSTILE, mode, str(7500 + i),
             ready], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
        end = time.time() + 10
        while not os.path.exists(ready) and time.time() < end:
            time.sleep(0.05)
    try:
        ports = ",".join(str(7500 + i) for i in range(len(modes)))
        rc, out, err, wall, rss = ps("probe", "127.0.0.1", "-p", ports,
                                     "--json", "--timeout", "3000",
                                     timed=True)
        check(rc in (0, 1), f"hostile peers: no crash ({rc}, {err[-300:]})")
        check(wall is not None and wall < 3.0 + 3.0,
              f"hostile peers: bounded in time ({wall} s, budget 3 s)")
        check(rss is not None and rss < 128 * 1024,
              f"hostile peers: bounded in memory ({rss} KiB)")
        doc = json.loads(out) if rc in (0, 1) else {"ports": []}
        got = {p["port"]: p["probe"] for p in doc["ports"]}
        st = {m: got.get(7500 + i, {}) for i, m in enumerate(modes)}
        check(st["tarpit"].get("state") == "silent", "tarpit: silent")
        check(st["infinite"].get("state") == "unrecognised",
              f"infinite: unrecognised ({st['infinite'].get('state')})")
        check(st["reset"].get("state") in ("reset", "closed_at_once"),
              f"reset: {st['reset'].get('state')}")
        check(st["tlsgarbage"].get("tls") is False,
              "garbage after ClientHello: not TLS")
        check(st["bigline"].get("state") == "unrecognised" and
              len(st["bigline"].get("evidence", "")) < 100,
              "1 MB line: capped evidence")
        check(st["trickle"].get("state") in ("unrecognised", "silent"),
              f"trickle: {st['trickle'].get('state')}")
        ev = st["whoami"].get("evidence", "")
        check("UID 65534" in ev,
              f"the prober connects as nobody, not root: {ev!r}")
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)


def main():
    if os.geteuid() != 0 or not daemons.have_all():
        print("skipped: needs root and the daemons (./dev test installs "
              "them)")
        return 77
    chronyd = daemons.find_chronyd(TESTS)
    tmp = tempfile.mkdtemp(prefix="psp-", dir="/tmp")
    daemons.netns_up(NS)
    d = daemons.Daemons(NS, tmp, chronyd)
    try:
        d.up()
        talk()
        check_probe(chronyd)
        check_listing()
        check_hostile(tmp)
    finally:
        d.down()
        daemons.netns_down(NS)
        subprocess.run(["rm", "-rf", tmp])
    return summary([] if chronyd else [
        "chronyd not found (NTP on 123/udp): ./dev test unpacks it from "
        "its package, or set PS_CHRONYD"])


if __name__ == "__main__":
    sys.exit(main())
