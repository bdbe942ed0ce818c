#!/usr/bin/python3
"""Growth with the size of the host: portsleuth against ss at 10,000,
100,000 and 1,000,000 sockets.

usage: scale.py PORTSLEUTH [RUNS] [SIZES...]

For each size, a synthetic host (bench/synth.c) in a network namespace
made for it: processes of 99 sockets each (3 TCP listeners, 2 UDP
sockets, 47 established loopback connections, both ends held) and 10
descriptors of /dev/null; the listeners' ports stay below the ephemeral
range the connections take theirs from.  Then, interleaved, RUNS times
each, all inside that namespace: portsleuth -a --netns self (every
socket of every state, with owners; the BPF iterator as root),
portsleuth -a --netns self --no-bpf (the walk of /proc), and ss -tuapn.  Printed: the
median time, the peak memory (maximum resident set), time per socket,
and how each grows from one size to the next (1.00 is linear).  A tool
whose warm-up run took longer than PS_SCALE_ONCE seconds (default 60) is
not run again, and its figure is marked as one run.  Needs root.
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
PER_PROC = 99
NS = f"psscale{os.getpid() % 100000}"

IN_NS = ["ip", "netns", "exec", NS]
TOOLS = [
    ("portsleuth -a", IN_NS + [PS, "-a", "--netns", "self"]),
    ("portsleuth -a --no-bpf", IN_NS + [PS, "-a", "--netns", "self",
                                        "--no-bpf"]),
    ("ss -tuapn", IN_NS + ["ss", "-tuapn"]),
]


# ss's time grows faster than linearly (7 s at 100,000 sockets here): a
# run past this is cut and said so
CAP = float(os.environ.get("PS_SCALE_CAP", "900"))
# a tool whose warm-up run took longer than this is not run again: that
# run is its figure, and the table says so (ss takes some 12 minutes at a
# million sockets)
ONCE = float(os.environ.get("PS_SCALE_ONCE", "60"))


def once(cmd):
    """(wall seconds, peak KiB, stdout lines); None for a cut run"""
    try:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=CAP)
    except subprocess.TimeoutExpired:
        return None
    wall, kib = p.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), int(kib), p.stdout.count(b"\n")


def host(nprocs, synth):
    subprocess.run(["ip", "netns", "add", NS], check=True)
    subprocess.run(["ip", "netns", "exec", NS, "ip", "link", "set", "lo",
                    "up"], check=True)
    p = subprocess.Popen(["ip", "netns", "exec", NS, synth, str(nprocs),
                          "3", "2", "47", "10", "1024"],
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
    single = set()
    for size in SIZES:
        nprocs = -(-size // PER_PROC)
        p = host(nprocs, synth)
        try:
            res = {n: [] for n, _ in TOOLS}
            cut = set()
            for name, cmd in TOOLS:       # warm
                r = once(cmd)
                if r is None:
                    cut.add(name)
                elif r[0] > ONCE:
                    res[name].append(r)
                    single.add((size, name))
            for _ in range(RUNS):
                for name, cmd in TOOLS:
                    if name in cut or (size, name) in single:
                        continue
                    r = once(cmd)
                    if r is None:
                        cut.add(name)
                    else:
                        res[name].append(r)
        finally:
            p.stdin.close()
            p.wait(timeout=300)
            subprocess.run(["ip", "netns", "del", NS])
        for name, _ in TOOLS:
            if not res[name]:
                print(f"{size:>9} sockets {nprocs:>6} processes  {name:24} "
                      f"> {CAP:.0f} s: cut", flush=True)
                rows.append((size, nprocs, name, None, None, 0))
                continue
            wall = statistics.median(w for w, _, _ in res[name])
            kib = max(k for _, k, _ in res[name])
            lines = max(n for _, _, n in res[name])
            rows.append((size, nprocs, name, wall, kib, lines))
            print(f"{size:>9} sockets {nprocs:>6} processes  {name:24} "
                  f"{wall:8.3f} s {kib / 1024:8.1f} MiB {lines:>9} lines"
                  f"{'  (one run: over %.0f s)' % ONCE if (size, name) in single else ''}",
                  flush=True)
    print(f"\n{'sockets':>9} {'processes':>9} {'tool':24} {'median s':>9} "
          f"{'peak MiB':>9} {'us/socket':>10} {'time growth':>12} "
          f"{'memory growth':>14}")
    prev = {}
    for size, nprocs, name, wall, kib, _ in rows:
        if wall is None:
            print(f"{size:>9} {nprocs:>9} {name:24} {'> ' + str(int(CAP)):>9}"
                  f" {'-':>9}")
            continue
        g = m = ""
        if name in prev:
            ps, pw, pk = prev[name]
            g = f"{(wall / pw) / (size / ps):.2f}"
            m = f"{(kib / pk) / (size / ps):.2f}"
        print(f"{size:>9} {nprocs:>9} {name:24} {wall:9.3f} "
              f"{kib / 1024:9.1f} {wall / size * 1e6:10.2f} {g:>12} {m:>14}"
              f"{'  one run' if (size, name) in single else ''}")
        prev[name] = (size, wall, kib)
    for size in SIZES:
        got = {r[2]: r for r in rows if r[0] == size}
        ours, ss = got["portsleuth -a"], got["ss -tuapn"]
        if ours[3] is None or ss[3] is None:
            print(f"{size} sockets: ss -tuapn took more than {CAP:.0f} s")
            continue
        print(f"{size} sockets: portsleuth -a {ss[3] / ours[3]:.1f}x faster "
              f"than ss -tuapn, peak memory {ours[4] / ss[4]:.2f}x ss's "
              f"(goal <= 1x): {'met' if ours[4] <= ss[4] else 'NOT met'}")


main()
