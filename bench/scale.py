#!/usr/bin/python3
"""Growth with the size of the host: portsleuth against ss at 10,000,
100,000 and 1,000,000 sockets.

usage: scale.py PORTSLEUTH [RUNS] [SIZES...]

For each size, a synthetic host (bench/synth.c) in a network namespace
made for it: processes of 100 sockets each (4 TCP listeners, 2 UDP
sockets, 47 established loopback connections, both ends held) and 10
descriptors of /dev/null.  Then, interleaved, RUNS times each: portsleuth
-a (every socket of every state, with owners; the BPF iterator as root),
portsleuth -a --no-bpf (the walk of /proc), and ss -tuapn.  Printed: the
median time, the peak memory (maximum resident set), time per socket,
and how each grows from one size to the next (1.00 is linear).  Needs
root.
"""
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PS = os.path.abspath(sys.argv[1])
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
SIZES = [int(x) for x in sys.argv[3:]] or [10000, 100000, 1000000]
PER_PROC = 100
NS = f"psscale{os.getpid() % 100000}"

TOOLS = [
    ("portsleuth -a", [PS, "-a"]),
    ("portsleuth -a --no-bpf", [PS, "-a", "--no-bpf"]),
    ("ss -tuapn", ["ss", "-tuapn"]),
]


def once(cmd):
    """(wall seconds, peak KiB, stdout lines)"""
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=900)
    wall, kib = p.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), int(kib), p.stdout.count(b"\n")


def host(nprocs, synth):
    subprocess.run(["ip", "netns", "add", NS], check=True)
    subprocess.run(["ip", "netns", "exec", NS, "ip", "link", "set", "lo",
                    "up"], check=True)
    # bigger backlogs and a wide ephemeral range for 470,000 connections
    for k, v in (("net.core.somaxconn", "4096"),
                 ("net.ipv4.ip_local_port_range", "10000 65000")):
        subprocess.run(["ip", "netns", "exec", NS, "sysctl", "-qw",
                        f"{k}={v}"], check=True)
    p = subprocess.Popen(["ip", "netns", "exec", NS, synth, str(nprocs),
                          "4", "2", "47", "10", "1024"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    if not line.startswith("ready"):
        raise RuntimeError(f"synthetic host failed: {line!r}")
    return p


def main():
    tmp = tempfile.mkdtemp(prefix="psscale")
    synth = os.path.join(tmp, "synth")
    subprocess.run(["cc", "-O2", "-o", synth,
                    os.path.join(HERE, "synth.c")], check=True)
    rows = []
    for size in SIZES:
        nprocs = size // PER_PROC
        p = host(nprocs, synth)
        try:
            res = {n: [] for n, _ in TOOLS}
            for _, cmd in TOOLS:
                once(cmd)                 # warm
            for _ in range(RUNS):
                for name, cmd in TOOLS:
                    res[name].append(once(cmd))
        finally:
            p.stdin.close()
            p.wait(timeout=300)
            subprocess.run(["ip", "netns", "del", NS])
        for name, _ in TOOLS:
            wall = statistics.median(w for w, _, _ in res[name])
            kib = max(k for _, k, _ in res[name])
            lines = max(n for _, _, n in res[name])
            rows.append((size, nprocs, name, wall, kib, lines))
            print(f"{size:>9} sockets {nprocs:>6} processes  {name:24} "
                  f"{wall:8.3f} s {kib / 1024:8.1f} MiB {lines:>9} lines",
                  flush=True)
    print(f"\n{'sockets':>9} {'processes':>9} {'tool':24} {'median s':>9} "
          f"{'peak MiB':>9} {'us/socket':>10} {'time growth':>12} "
          f"{'memory growth':>14}")
    prev = {}
    for size, nprocs, name, wall, kib, _ in rows:
        g = m = ""
        if name in prev:
            ps, pw, pk = prev[name]
            g = f"{(wall / pw) / (size / ps):.2f}"
            m = f"{(kib / pk) / (size / ps):.2f}"
        print(f"{size:>9} {nprocs:>9} {name:24} {wall:9.3f} "
              f"{kib / 1024:9.1f} {wall / size * 1e6:10.2f} {g:>12} {m:>14}")
        prev[name] = (size, wall, kib)
    for size in SIZES:
        got = {r[2]: r for r in rows if r[0] == size}
        ours, ss = got["portsleuth -a"], got["ss -tuapn"]
        print(f"{size} sockets: portsleuth -a {ss[3] / ours[3]:.1f}x faster "
              f"than ss -tuapn, peak memory {ours[4] / ss[4]:.2f}x ss's "
              f"(goal <= 1x): {'met' if ours[4] <= ss[4] else 'NOT met'}")


main()
