#!/usr/bin/python3
"""Probing at scale: a port's answer does not depend on how many other
ports are probed with it, nor on how few file descriptors the prober
has.

usage: test_probe_scale_live.py PORTSLEUTH TESTS_DIR

One process (tests/helpers/manyports.py) in a namespace made here serves
400 ports: a quarter each SSH and SMTP (server-first), HTTP (client-first:
it answers only a request) and silent.  Checked:
  - all 400 probed at once, with the prober's descriptors capped low
    (RLIMIT_NOFILE 100: a fraction of what 400 ports want at once): every
    SSH, SMTP and HTTP port is identified, with its product; no port
    that answers is "silent"; the silent ones are silent;
  - the same answers with the prober's own cap (256 connections) and
    no lower limit;
  - a sample of 40 ports probed one at a time gives, for each, the same
    state, protocol and product as the run with 400;
  - a budget too short for all of them: what was not probed, or cut
    short, says so ("not probed"), never "silent" for a port that
    answers.
Needs root; exits 77 without it.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
HELPER = os.path.join(TESTS, "helpers", "manyports.py")
RULES = os.path.join(TESTS, "..", "data", "probes.rules")
NS = f"pssc{os.getpid() % 100000}"
FIRST, COUNT = 21000, 400
KIND = {0: "ssh", 1: "http", 2: "smtp", 3: "silent"}

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


def probe(ports, budget_ms, nofile=None):
    """{port: probe object} of `portsleuth probe` on the namespace's
    loopback."""
    cmd = ["ip", "netns", "exec", NS]
    if nofile:
        cmd += ["prlimit", f"--nofile={nofile}:{nofile}"]
    cmd += [EXE, "probe", "-j", "--rules", RULES, "--timeout",
            str(budget_ms), "-p", ports, "127.0.0.1"]
    p = subprocess.run(cmd, capture_output=True, timeout=budget_ms / 1000
                       + 60)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        print(f"no JSON from {' '.join(cmd[-6:])}: {p.stderr[-300:]!r}")
        return {}
    return {x["port"]: x["probe"] for x in doc["ports"]}


def brief(pr):
    return (pr or {}).get("state"), (pr or {}).get("protocol"), \
        (pr or {}).get("product")


server = None
try:
    subprocess.run(["ip", "netns", "add", NS], check=True)
    subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"], check=True)
    server = subprocess.Popen(["ip", "netns", "exec", NS, "/usr/bin/python3",
                               HELPER, "127.0.0.1", str(FIRST), str(COUNT)],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    check(server.stdout.readline().strip() == b"ready",
          f"{COUNT} ports listen")
    span = f"{FIRST}-{FIRST + COUNT - 1}"

    t0 = time.time()
    many = probe(span, 120000, nofile=100)
    took = time.time() - t0
    print(f"{len(many)} ports probed at once (RLIMIT_NOFILE 100) in "
          f"{took:.1f} s")
    wrong = {}
    for i in range(COUNT):
        port, kind = FIRST + i, KIND[i % 4]
        st, proto, product = brief(many.get(port))
        ok = (st == "silent") if kind == "silent" else \
            (st == "hard" and proto == kind and product)
        if not ok:
            wrong[port] = (kind, st, proto, product)
    check(len(many) == COUNT and not wrong,
          f"every port identified at once: {len(wrong)} wrong, e.g. "
          f"{sorted(wrong.items())[:6]}")
    silent_answering = [p for p, (k, st, _, _) in wrong.items()
                        if k != "silent" and st == "silent"]
    check(not silent_answering, f"no answering port reported silent: "
          f"{silent_answering[:10]}")

    # and with the prober's own cap of connections (256), not the limit's
    t0 = time.time()
    free = probe(span, 120000)
    print(f"{len(free)} ports probed at once (no lower limit) in "
          f"{time.time() - t0:.1f} s")
    differ = [p for p in many if brief(many[p]) != brief(free.get(p))]
    check(len(free) == COUNT and not differ, f"the same answers without "
          f"the lower limit: {len(differ)} differ: {differ[:6]}")

    sample = [FIRST + i for i in range(0, COUNT, 10)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        alone = dict(zip(sample, pool.map(
            lambda p: probe(str(p), 20000).get(p), sample)))
    differ = {p: (brief(alone[p]), brief(many.get(p))) for p in sample
              if brief(alone[p]) != brief(many.get(p))}
    check(not differ, f"{len(sample)} ports alone answer as with "
          f"{COUNT}: {len(differ)} differ: {sorted(differ.items())[:5]}")

    short = probe(span, 1500, nofile=100)
    bad = [p for p, pr in short.items() if (p - FIRST) % 4 != 3 and
           pr["state"] == "silent"]
    cut = sum(1 for pr in short.values() if pr["state"] == "unprobed")
    print(f"a 1.5 s budget for {COUNT} ports: {cut} not probed")
    check(not bad and cut > 0, f"a short budget: no answering port "
          f"reported silent ({bad[:8]}), the rest not probed ({cut})")
    why = [pr["info"] for pr in short.values() if pr["state"] == "unprobed"
           and pr.get("info")]
    print(f"of them {len(why)} cut short after starting, e.g. "
          f"{why[:1]}")
    # the table: the ports not probed in one line, not one row each
    p = subprocess.run(["ip", "netns", "exec", NS, EXE, "probe", "--rules",
                        RULES, "--timeout", "1500", "-p", span,
                        "127.0.0.1"], capture_output=True, timeout=60)
    lines = p.stdout.decode().splitlines()
    summary_line = [ln for ln in lines if "ports not probed: the time "
                    "budget ran out" in ln]
    check(len(summary_line) == 1 and not any(
        "unprobed" in ln.split()[1:2] for ln in lines[1:] if ln.split()),
        f"the table sums up what was not probed in one line: "
        f"{summary_line} ({len(lines)} lines)")
finally:
    if server:
        server.kill()
        server.wait(timeout=10)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)

sys.exit(summary())
