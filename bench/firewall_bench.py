#!/usr/bin/python3
"""The cost of --firewall.
usage: firewall_bench.py PORTSLEUTH [RULES] [RUNS] [PROCESSES]

In a network namespace made here (one veth, IPv4 and IPv6): 1,000 TCP
listeners held by PROCESSES processes (default 20; bench/synth.c, half
on 0.0.0.0, half on 127.0.0.1) and a ruleset of RULES (default 10,000) rules: an inet table
whose input chain (drop policy) accepts established flows, ICMPv6
neighbour discovery, then one port per rule, some by source prefix,
with a port set and a verdict map beside.  Times, interleaved, inside
that namespace:
  - portsleuth -t (the listing);
  - portsleuth -t --firewall (the same with every verdict);
  - ss -tln, for scale;
and prints medians, the cost of --firewall against the listing (the
goal: under the listing's own time), and how the cost splits (reading
the ruleset, parsing, evaluating) from portsleuth's -v.  Checks first
that the verdicts are what the ruleset says for a few ports.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PS = os.path.abspath(sys.argv[1])
NRULES = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 7
NPROCS = int(sys.argv[4]) if len(sys.argv) > 4 else 20
NS = f"psfb{os.getpid() % 10000}"


def once(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(["ip", "netns", "exec", NS, *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {cmd} failed ({p.returncode})")
    return time.perf_counter() - t0


def main():
    if os.geteuid() != 0:
        sys.exit("bench: needs root (a network namespace)")
    tmp = tempfile.mkdtemp(prefix="ps-fwbench-")
    synth = None
    try:
        exe = os.path.join(tmp, "synth")
        subprocess.run(["cc", "-O2", "-o", exe, os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "synth.c")],
            check=True)
        for args in (["netns", "add", NS],
                     ["-n", NS, "link", "set", "lo", "up"],
                     ["-n", NS, "link", "add", "fb0", "type", "veth",
                      "peer", "name", "fb1"],
                     ["-n", NS, "addr", "add", "10.66.0.1/24", "dev", "fb0"],
                     ["-n", NS, "addr", "add", "fd66::1/64", "dev", "fb0",
                      "nodad"],
                     ["-n", NS, "link", "set", "fb0", "up"],
                     ["-n", NS, "link", "set", "fb1", "up"]):
            subprocess.run(["ip", *args], check=True)
        synth = subprocess.Popen(["ip", "netns", "exec", NS, exe,
                                  str(NPROCS), str(1000 // NPROCS),
                                  "0", "0", "0", "30000"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if synth.stdout.readline().split()[:1] != [b"ready"]:
            sys.exit("bench: the synthetic listeners failed")
        lines = ["flush ruleset", "table inet bench {",
                 " set web { type inet_service; elements = { 80, 443, 8080 } }",
                 " map vm { type inet_service : verdict; elements = "
                 "{ 9001 : accept, 9002 : drop } }",
                 " chain input { type filter hook input priority 0; "
                 "policy drop;",
                 "  ct state established,related accept",
                 "  icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } "
                 "accept",
                 "  tcp dport @web accept",
                 "  tcp dport vmap @vm"]
        plain = {80, 443, 8080, 9001}
        for i in range(NRULES - 4):
            port = 30000 + (i * 7) % 35000
            if i % 10 != 3:
                plain.add(port)
            if i % 10 == 3:
                lines.append(f"  ip saddr 10.{i % 250}.0.0/16 tcp dport "
                             f"{port} accept")
            else:
                lines.append(f"  tcp dport {port} accept")
        lines += [" }", "}"]
        r = subprocess.run(["ip", "netns", "exec", NS, "nft", "-f", "-"],
                           input="\n".join(lines) + "\n", text=True,
                           capture_output=True)
        if r.returncode:
            sys.exit("bench: the ruleset did not load: " + r.stderr[:300])
        # correctness first: every wildcard listener's verdict for anyone
        # is what the ruleset says (open iff a rule without a source
        # names its port)
        d = json.loads(subprocess.run(["ip", "netns", "exec", NS, PS, "-t",
                                       "--firewall", "-j"],
                                      capture_output=True).stdout)
        wrong = nopen = 0
        for s in d["sockets"]:
            for p in s["firewall"]["paths"]:
                want = "open" if s["local_port"] in plain else "filtered"
                wrong += p["verdict"] != want
                nopen += want == "open"
        if wrong or nopen == 0:
            sys.exit(f"bench: {wrong} wrong verdicts")
        tools = [("portsleuth -t", [PS, "-t"]),
                 ("portsleuth -t --firewall", [PS, "-t", "--firewall"]),
                 ("ss -tln", ["ss", "-tln"])]
        times = {n: [] for n, _ in tools}
        for _ in range(RUNS):
            for n, cmd in tools:
                times[n].append(once(cmd))
        med = {n: statistics.median(v) for n, v in times.items()}
        nlisten = sum(1 for s in json.loads(subprocess.run(
            ["ip", "netns", "exec", NS, PS, "-t", "-j"],
            capture_output=True).stdout)["sockets"])
        print(f"{nlisten} TCP listeners in {NPROCS} processes, {NRULES} "
              f"rules, {RUNS} runs (medians):")
        for n, _ in tools:
            print(f"  {n:28s} {med[n]:.3f} s")
        cost = med["portsleuth -t --firewall"] - med["portsleuth -t"]
        print(f"  --firewall costs {cost:.3f} s: {cost / med['portsleuth -t']:.2f}x "
              "the listing's own time (goal: under 1.00x)")
        v = subprocess.run(["ip", "netns", "exec", NS, PS, "-t",
                            "--firewall", "-v"], capture_output=True,
                           text=True).stderr
        for line in v.splitlines():
            if "firewall" in line and "time" in line:
                print("  " + re.sub(r"^portsleuth: ", "", line))
    finally:
        if synth:
            synth.stdin.close()
            synth.wait()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


main()
