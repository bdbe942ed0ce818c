#!/usr/bin/python3
"""Probing speed and accuracy: portsleuth against nmap -sV, on the same
daemons, in the same run.

usage: probe_bench.py PORTSLEUTH [RUNS]     (as root; ./dev bench probe)

Starts the daemons of tests/helpers/daemons.py in a network namespace
made for the purpose, then times `portsleuth probe` and `nmap -sV` on
the same ports of 127.0.0.1 (TCP and UDP), and scores both answers
against the truth the daemons' table holds: the protocol, and the
product where the truth names one.  Prints one table; every process it
starts is stopped by PID and the namespace is deleted.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "helpers"))
import daemons  # noqa: E402

PS = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
NS = f"psbp{os.getpid() % 100000}"
DATA = os.path.join(HERE, "..", "data")

# nmap's service names for the same protocols
NMAP_NAMES = {
    "dns": {"domain"}, "http": {"http", "ssl/http", "https"},
    "memcached": {"memcache", "memcached"}, "mqtt": {"mqtt"},
    "imap": {"imap"}, "pop3": {"pop3"}, "smtp": {"smtp"},
    "ftp": {"ftp"}, "ssh": {"ssh"}, "redis": {"redis"},
    "echo": {"echo"}, "daytime": {"daytime"}, "chargen": {"chargen"},
    "time": {"time"}, "rsync": {"rsync"}, "snmp": {"snmp"},
    "ntp": {"ntp"}, "mysql": {"mysql"}, "silent": set(),
}
# words that name the product in nmap's answer
NMAP_PRODUCT = {
    "OpenSSH": "openssh", "nginx": "nginx", "Exim": "exim",
    "Dovecot": "dovecot", "Redis": "redis", "memcached": "memcached",
    "dnsmasq": "dnsmasq", "vsftpd": "vsftpd", "Mosquitto": "mosquitto",
    "Python http.server": "simplehttp", "MariaDB": "mariadb",
    "HAProxy": "haproxy", "net-snmp": "net-snmp",
}


def in_ns(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *args],
                          capture_output=True, **kw)


def run_portsleuth(tcp, udp):
    t0 = time.perf_counter()
    p = in_ns(PS, "probe", "127.0.0.1", "-t", "-u", "-p", f"{tcp},{udp}",
              "--json", "--rules", os.path.join(DATA, "probes.rules"),
              timeout=300)
    wall = time.perf_counter() - t0
    doc = json.loads(p.stdout)
    ans = {}
    for e in doc["ports"]:
        r = e["probe"]
        if r["state"] == "silent":
            ans[(e["proto"], e["port"])] = ("silent", None)
        else:
            ans[(e["proto"], e["port"])] = (r.get("protocol"),
                                            r.get("product"))
    return wall, ans


def run_nmap(tcp, udp, out_xml):
    t0 = time.perf_counter()
    in_ns("nmap", "-sV", "-sS", "-sU", "-Pn", "-n", "-p",
          f"T:{tcp},U:{udp}", "-oX", out_xml, "127.0.0.1", timeout=3600)
    wall = time.perf_counter() - t0
    ans = {}
    root = ET.parse(out_xml).getroot()
    for port in root.iter("port"):
        st = port.find("state").get("state")
        svc = port.find("service")
        name = svc.get("name") if svc is not None else ""
        if svc is not None and svc.get("tunnel") == "ssl":
            name = "ssl/" + name
        prod = " ".join(x for x in ((svc.get("product") or "") if svc
                                    is not None else "",) if x)
        guessed = svc is not None and svc.get("method") == "table"
        ans[(port.get("protocol"), int(port.get("portid")))] = (
            name, prod, st, guessed)
    return wall, ans


def score_ps(truth, ans):
    proto_ok = prod_ok = prod_n = 0
    misses = []
    for proto, port, protocol, product, _, _ in truth:
        got = ans.get((proto, port), (None, None))
        if got[0] == protocol:
            proto_ok += 1
        else:
            misses.append(f"{port}/{proto}: {got[0]} (truth {protocol})")
        if product:
            prod_n += 1
            if got[1] == product:
                prod_ok += 1
            else:
                misses.append(f"{port}/{proto} product: {got[1]} "
                              f"(truth {product})")
    return proto_ok, prod_ok, prod_n, misses


def score_nmap(truth, ans):
    proto_ok = prod_ok = prod_n = 0
    misses = []
    for proto, port, protocol, product, _, _ in truth:
        name, prod, st, guessed = ans.get((proto, port),
                                          ("", "", "none", False))
        ok = (name in NMAP_NAMES.get(protocol, {protocol}) or
              # nmap sometimes puts a product in the name ("mosquitto
              # version 2.0.11" for MQTT): it knew the protocol
              (protocol == "mqtt" and name.startswith("mosquitto"))) \
            and not guessed
        if protocol == "silent":
            # nmap guesses a name from the port table for a silent port
            ok = guessed or name.endswith("?") or name in ("", "unknown",
                                                           "tcpwrapped")
        if ok:
            proto_ok += 1
        else:
            misses.append(f"{port}/{proto}: {name}"
                          f"{' (port table guess)' if guessed else ''} "
                          f"(truth {protocol})")
        if product:
            prod_n += 1
            if NMAP_PRODUCT.get(product, product.lower()) in \
                    (prod + " " + name).lower():
                prod_ok += 1
            else:
                misses.append(f"{port}/{proto} product: {prod or '-'} "
                              f"(truth {product})")
    return proto_ok, prod_ok, prod_n, misses


def main():
    if os.geteuid() != 0:
        sys.exit("probe bench: needs root (network namespace)")
    chronyd = daemons.find_chronyd(os.path.join(HERE, "..", "tests"))
    truth = [t for t in daemons.TRUTH if chronyd or t[1] != 123]
    tcp = ",".join(str(t[1]) for t in truth if t[0] == "tcp")
    udp = ",".join(str(t[1]) for t in truth if t[0] == "udp")
    tmp = tempfile.mkdtemp(prefix="psbp-", dir="/tmp")
    daemons.netns_up(NS)
    d = daemons.Daemons(NS, tmp, chronyd)
    try:
        d.up()
        walls = []
        for _ in range(RUNS):
            w, ps_ans = run_portsleuth(tcp, udp)
            walls.append(w)
        ps_wall = statistics.median(walls)
        nm_wall, nm_ans = run_nmap(tcp, udp, os.path.join(tmp, "nmap.xml"))
    finally:
        d.down()
        daemons.netns_down(NS)
        subprocess.run(["rm", "-rf", tmp])
    n = len(truth)
    p1, p2, pn, pmiss = score_ps(truth, ps_ans)
    n1, n2, nn, nmiss = score_nmap(truth, nm_ans)
    print(f"{n} services ({tcp.count(',') + 1} TCP, {udp.count(',') + 1} "
          f"UDP) from real daemons, probed on 127.0.0.1\n")
    print(f"{'tool':28} {'wall s':>8} {'protocol':>10} {'product':>9}")
    print(f"{'portsleuth probe':28} {ps_wall:8.2f} {p1:>5}/{n:<4} "
          f"{p2:>4}/{pn}")
    print(f"{'nmap -sV -sS -sU':28} {nm_wall:8.2f} {n1:>5}/{n:<4} "
          f"{n2:>4}/{nn}")
    ratio = nm_wall / ps_wall
    print(f"\nportsleuth is {ratio:.0f}x faster than nmap -sV (goal >= 20x): "
          f"{'met' if ratio >= 20 else 'NOT met'}")
    acc = p1 >= n1 and p2 >= n2
    print(f"accuracy: protocol {p1} vs {n1}, product {p2} vs {n2} "
          f"(goal: at least nmap's): {'met' if acc else 'NOT met'}")
    if pmiss:
        print("portsleuth misses: " + "; ".join(pmiss))
    if nmiss:
        print("nmap misses: " + "; ".join(nmiss))
    return 0 if ratio >= 20 and acc else 1


if __name__ == "__main__":
    sys.exit(main())
