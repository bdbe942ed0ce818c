#!/usr/bin/python3
"""UDP probing through the kernel's ICMP rate limit: closed ports are
never reported as services.

usage: test_probe_udp_live.py PORTSLEUTH TESTS_DIR

Two namespaces made here, joined by a veth pair (the ICMP rate limit does
not apply on loopback): in the target, the kernel's default limits
(net.ipv4.icmp_ratelimit 1000 ms per peer, after a burst), one UDP
server that answers (a DNS-looking echo is not needed: socat echoing on
5353) and a hundred closed ports, 51800-51899 (WireGuard's 51820 and
51821 among them).  Probed from the peer, twice in a row (the second
run finds the limiter's tokens spent by the first):
  - no closed port gets a protocol, a service or a soft or hard state:
    each is closed (its ICMP came back) or silent, which for UDP means
    open or filtered, never a guess from the port's name;
  - 51820 and 51821, if silent, name WireGuard in their info as a hint;
  - the open port that answers is found both times;
  - the limiter really dropped answers: some closed ports are silent,
    and those not asked again within the budget say so;
  - with a budget long enough, each silent port is asked again a second
    apart (paced to the limiter): the 12 closed ones are then closed,
    and an open port that never answers stays open or filtered ("no
    answer, twice").
Needs root; exits 77 without it.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
RULES = os.path.join(TESTS, "..", "data", "probes.rules")
TAG = os.getpid() % 100000
TARGET, PEER = f"psut{TAG}", f"psup{TAG}"
SOCAT = shutil.which("socat") or "/usr/bin/socat"

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True,
                   timeout=30)


def sysctl(ns, key):
    return subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-n", key],
                          capture_output=True, timeout=30).stdout.decode().strip()


server = None
try:
    ip("netns", "add", TARGET)
    ip("netns", "add", PEER)
    ip("link", "add", f"psu{TAG}", "netns", TARGET, "type", "veth",
       "peer", "name", f"psv{TAG}", "netns", PEER)
    ip("-n", TARGET, "addr", "add", "10.79.9.1/24", "dev", f"psu{TAG}")
    ip("-n", PEER, "addr", "add", "10.79.9.2/24", "dev", f"psv{TAG}")
    for ns, dev in ((TARGET, f"psu{TAG}"), (PEER, f"psv{TAG}")):
        ip("-n", ns, "link", "set", dev, "up")
        ip("-n", ns, "link", "set", "lo", "up")
    # a new namespace has the kernel's defaults; say what they are
    print(f"target's icmp_ratelimit {sysctl(TARGET, 'net.ipv4.icmp_ratelimit')}"
          f" ms, icmp_msgs_per_sec "
          f"{sysctl(TARGET, 'net.ipv4.icmp_msgs_per_sec')}")
    server = subprocess.Popen(["ip", "netns", "exec", TARGET, SOCAT,
                               "UDP-RECVFROM:5353,fork", "SYSTEM:echo pong"],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    runs = []
    for _ in range(2):
        p = subprocess.run(["ip", "netns", "exec", PEER, EXE, "probe", "-u",
                            "-a", "-j", "--rules", RULES, "-p",
                            "5353,51800-51899", "10.79.9.1"],
                           capture_output=True, timeout=120)
        doc = json.loads(p.stdout) if p.stdout.strip() else {}
        runs.append({x["port"]: x["probe"] for x in doc.get("ports", [])})
    for i, res in enumerate(runs, 1):
        closed = {p: r for p, r in res.items() if p != 5353}
        guessed = {p: (r["state"], r["protocol"], r["service"])
                   for p, r in closed.items()
                   if r["state"] in ("hard", "soft") or r["protocol"] or
                   r["service"]}
        check(len(closed) == 100 and not guessed,
              f"run {i}: no closed port reported as a service: "
              f"{sorted(guessed.items())[:5]} ({len(closed)} ports)")
        states = {}
        for r in closed.values():
            states[r["state"]] = states.get(r["state"], 0) + 1
        check(set(states) <= {"refused", "silent"},
              f"run {i}: each closed port is closed or open|filtered: "
              f"{states}")
        wg = [closed.get(p, {}) for p in (51820, 51821)]
        check(all(r.get("state") == "refused" or (
            r.get("state") == "silent" and "WireGuard" in
            (r.get("info") or "").replace("wireguard", "WireGuard"))
            for r in wg), f"run {i}: WireGuard's ports: a hint at most: "
            f"{[(r.get('state'), r.get('info')) for r in wg]}")
        print(f"run {i}: closed ports: {states}")
        check(res.get(5353, {}).get("state") in ("unrecognised", "hard",
                                                 "soft"),
              f"run {i}: the open port answers: {res.get(5353)}")
    silent = sum(1 for res in runs for p, r in res.items()
                 if p != 5353 and r["state"] == "silent")
    check(silent > 0, "the rate limit dropped some ICMP answers (some "
          "closed ports were silent): else this test proves nothing")
    told = sum(1 for res in runs for p, r in res.items()
               if r["state"] == "silent" and "not asked again in time"
               in (r.get("info") or ""))
    check(told > 0, f"a silent port not asked again says so ({told})")

    # a budget long enough to ask each silent port again, a second
    # apart: the closed ones are found closed, the open one that never
    # answers stays open or filtered
    quiet = subprocess.Popen(["ip", "netns", "exec", TARGET,
                              "/usr/bin/python3", "-c",
                              "import socket, time\n"
                              "s = socket.socket(socket.AF_INET, "
                              "socket.SOCK_DGRAM)\n"
                              "s.bind(('0.0.0.0', 5400))\n"
                              "time.sleep(600)\n"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        t0 = time.time()
        p = subprocess.run(["ip", "netns", "exec", PEER, EXE, "probe", "-u",
                            "-a", "-j", "--rules", RULES, "--timeout",
                            "30000", "-p", "5400,51830-51841", "10.79.9.1"],
                           capture_output=True, timeout=120)
        took = time.time() - t0
        doc = json.loads(p.stdout) if p.stdout.strip() else {}
        res = {x["port"]: x["probe"] for x in doc.get("ports", [])}
    finally:
        quiet.kill()
        quiet.wait(timeout=10)
    states = {}
    for port, r in res.items():
        if port != 5400:
            states[r["state"]] = states.get(r["state"], 0) + 1
    print(f"12 closed ports, each asked again a second apart, in "
          f"{took:.1f} s: {states}")
    check(states == {"refused": 12}, f"asked again, every closed port is "
          f"found closed: {states}")
    q = res.get(5400, {})
    check(q.get("state") == "silent" and "twice" in (q.get("info") or ""),
          f"the open port that never answers: open or filtered, asked "
          f"twice: {q}")
finally:
    if server:
        server.kill()
        server.wait(timeout=10)
    for ns in (TARGET, PEER):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)

sys.exit(summary())
