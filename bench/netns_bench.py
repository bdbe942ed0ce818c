#!/usr/bin/python3
"""Many network namespaces: portsleuth against the ways people list them
today.  usage: netns_bench.py PORTSLEUTH [NAMESPACES] [RUNS]

Makes NAMESPACES (default 100) `ip netns` namespaces, each with one
process holding 50 TCP listeners and 50 UDP sockets (bench/synth.c), then
times, interleaved, on that same state:
  - portsleuth -t -u from the host's namespace (every namespace, one run);
  - portsleuth -t -u --netns self (the host's namespace alone);
  - a shell loop of `ip netns exec NS ss -tulpn` over the namespaces;
  - portsleuth inside one namespace holding the same processes and
    sockets (the single-namespace listing to compare with);
(lsfd from Debian 12's util-linux 2.38 shows no socket descriptors at
all, so it is not compared.)
and prints medians and ratios, and checks that portsleuth found every
bench socket with its owner.  Needs root, from the host's namespace.
Everything made is removed.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PS = os.path.abspath(sys.argv[1])
NNS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
TAG = f"psbn{os.getpid() % 10000}x"
names = [f"{TAG}{i}" for i in range(NNS)]
procs = []


def once(cmd, shell=False):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, shell=shell, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {cmd} failed ({p.returncode})")
    return time.perf_counter() - t0


def main():
    if os.geteuid() != 0:
        sys.exit("bench: needs root (network namespaces)")
    tmp = tempfile.mkdtemp(prefix="ps-nsbench-")
    try:
        synth = os.path.join(tmp, "synth")
        subprocess.run(["cc", "-O2", "-o", synth, os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "synth.c")],
            check=True)
        for n in names:
            subprocess.run(["ip", "netns", "add", n], check=True)
            subprocess.run(["ip", "-n", n, "link", "set", "lo", "up"],
                           check=True)
            p = subprocess.Popen(["ip", "netns", "exec", n, synth, "1", "50",
                                  "50", "0", "0", "20000"],
                                 stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE)
            procs.append(p)
        for p in procs:
            if p.stdout.readline().split() != [b"ready", b"1"]:
                sys.exit("bench: a synthetic namespace failed")
        loop = os.path.join(tmp, "loop.sh")
        with open(loop, "w") as f:
            f.write("#!/bin/sh\nfor ns in " + " ".join(names) +
                    "; do ip netns exec $ns ss -tulpn; done\n")
        os.chmod(loop, 0o755)
        tools = [
            ("portsleuth -t -u (every namespace)", [PS, "-t", "-u"]),
            ("portsleuth -t -u --netns self", [PS, "-t", "-u", "--netns",
                                               "self"]),
            (f"ip netns exec NS ss -tulpn x{NNS}", [loop]),
        ]
        # correctness first: every bench socket, in its namespace, owned
        d = json.loads(subprocess.run([PS, "-t", "-u", "--json"],
                                      capture_output=True).stdout)
        label = {n["inode"]: n["label"] for n in d["namespaces"]}
        mine = [s for s in d["sockets"]
                if label.get(s["netns"]["inode"], "").startswith(TAG)]
        owned = sum(1 for s in mine if s["owners"])
        print(f"namespaces listed: {len(d['namespaces'])}; bench sockets: "
              f"{len(mine)} of {NNS * 100}, {owned} with their owner")
        times = {t[0]: [] for t in tools}
        for _ in range(RUNS + 1):
            for name, cmd in tools:
                times[name].append(once(cmd))
        # then the same processes and sockets in one namespace alone
        for p in procs:
            p.stdin.close()
            p.wait(timeout=30)
        procs.clear()
        # the same processes and sockets in one namespace, to compare
        # the cost of spreading them over NNS
        one_ns = f"{TAG}one"
        subprocess.run(["ip", "netns", "add", one_ns], check=True)
        names.append(one_ns)
        subprocess.run(["ip", "-n", one_ns, "link", "set", "lo", "up"],
                       check=True)
        p = subprocess.Popen(["ip", "netns", "exec", one_ns, synth,
                              str(NNS), "50", "50", "0", "0", "20000"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        procs.append(p)
        if p.stdout.readline().split() != [b"ready", str(NNS).encode()]:
            sys.exit("bench: the one-namespace host failed")
        one = (f"portsleuth -t -u, the same in 1 namespace",
               ["ip", "netns", "exec", one_ns, PS, "-t", "-u"])
        tools.insert(1, one)
        times[one[0]] = [once(one[1]) for _ in range(RUNS + 1)]
        base = statistics.median(times[tools[0][0]][1:])
        print(f"{'tool':42} {'median s':>9} {'min s':>8}  time / portsleuth")
        for name, _ in tools:
            t = times[name][1:]
            print(f"{name:42} {statistics.median(t):9.3f} {min(t):8.3f}"
                  f"  {statistics.median(t) / base:15.2f}x")
        loop_t = statistics.median(times[tools[3][0]][1:])
        one_t = statistics.median(times[tools[1][0]][1:])
        r = loop_t / base
        print(f"portsleuth is {r:.1f}x faster than the ip netns exec ss "
              f"loop (goal >= 10x): {'met' if r >= 10 else 'NOT met'}")
        r = base / one_t
        print(f"{NNS} namespaces cost {r:.2f}x the same processes and "
              f"sockets in one (goal <= 2x): {'met' if r <= 2 else 'NOT met'}")
        ok = len(mine) == NNS * 100 and owned == len(mine)
        print("bench sockets all found and attributed:",
              "yes" if ok else "NO")
        return 0 if ok else 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.stdin.close()
                p.wait(timeout=30)
        for n in names:
            subprocess.run(["ip", "netns", "delete", n],
                           capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
