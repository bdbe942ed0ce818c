#!/usr/bin/python3
"""Time portsleuth and its peers on the current host (run in the bench
namespace by bench/run.sh).  usage: measure.py PORTSLEUTH RUNS"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PS, RUNS = sys.argv[1], int(sys.argv[2])
BASE = os.path.join(tempfile.mkdtemp(prefix="ps-bench-"), "base.json")
TOOLS = [
    ("portsleuth -t -u", [PS, "-t", "-u"]),
    ("portsleuth -t -u --threads 1", [PS, "-t", "-u", "--threads", "1"]),
    ("portsleuth -t -u --no-bpf", [PS, "-t", "-u", "--no-bpf"]),
    ("portsleuth -a", [PS, "-a"]),
    ("portsleuth -a --no-bpf", [PS, "-a", "--no-bpf"]),
    ("portsleuth -t -u --why", [PS, "-t", "-u", "--why"]),
    ("portsleuth diff (of -t -u)", [PS, "diff", BASE]),
    ("ss -tulpn", ["ss", "-tulpn"]),
    ("ss -tuapn", ["ss", "-tuapn"]),
    ("netstat -tulpn", ["netstat", "-tulpn"]),
    ("lsof -nP -i", ["lsof", "-nP", "-i"]),
]


def once(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} failed: {p.stderr[-300:]!r}")
    kib = int(p.stderr.decode().strip().splitlines()[-1])
    return wall, kib


def sockets_and_fds():
    socks = fds = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                fds += 1
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                        socks += 1
                except OSError:
                    pass
        except OSError:
            pass
    return socks, fds


def same_pairs():
    doc = json.loads(subprocess.run([PS, "-t", "-u", "--json"],
                                    capture_output=True).stdout)
    ours = {(s["inode"], o["pid"]) for s in doc["sockets"] for o in s["owners"]}
    out = subprocess.run(["ss", "-tulpnHe"], capture_output=True).stdout.decode()
    theirs = set()
    for line in out.splitlines():
        ino = re.search(r"\bino:(\d+)", line)
        for pid in re.findall(r"pid=(\d+)", line):
            theirs.add((int(ino.group(1)), int(pid)))
    return ours, theirs, len(doc["sockets"])


def main():
    socks, fds = sockets_and_fds()
    print(f"host: {socks} socket descriptors, {fds - socks} other descriptors")
    # the baseline diff compares with: this same host, -t -u
    subprocess.run([PS, "baseline", "-t", "-u", BASE], check=True,
                   stderr=subprocess.DEVNULL)
    for _, cmd in TOOLS:          # warm caches once for everyone
        once(cmd)
    res = {name: [] for name, _ in TOOLS}
    for _ in range(RUNS):         # interleaved, so noise hits all alike
        for name, cmd in TOOLS:
            res[name].append(once(cmd))
    base = statistics.median(w for w, _ in res[TOOLS[0][0]])
    base_mem = max(k for _, k in res[TOOLS[0][0]])
    print(f"\n{'tool':32} {'median s':>9} {'min s':>8} {'peak MiB':>9}"
          f" {'time / portsleuth':>18}")
    for name, _ in TOOLS:
        walls = [w for w, _ in res[name]]
        mem = max(k for _, k in res[name])
        print(f"{name:32} {statistics.median(walls):9.3f} {min(walls):8.3f}"
              f" {mem / 1024:9.1f} {statistics.median(walls) / base:17.2f}x")
    ss_wall = statistics.median(w for w, _ in res["ss -tulpn"])
    ss_mem = max(k for _, k in res["ss -tulpn"])
    speed = ss_wall / base
    memr = base_mem / ss_mem
    print(f"\nportsleuth is {speed:.2f}x faster than ss -tulpn "
          f"(goal >= 3x): {'met' if speed >= 3 else 'NOT met'}")
    walk = statistics.median(w for w, _ in res["portsleuth -t -u --no-bpf"])
    print(f"the BPF iterator: {walk / base:.2f}x faster than the /proc walk "
          f"(-t -u)")
    all_ps = statistics.median(w for w, _ in res["portsleuth -a"])
    all_walk = statistics.median(w for w, _ in res["portsleuth -a --no-bpf"])
    all_ss = statistics.median(w for w, _ in res["ss -tuapn"])
    print(f"listeners: {speed:.2f}x faster than ss -tulpn (issue goal with "
          f"BPF >= 10x): {'met' if speed >= 10 else 'NOT met'}")
    print(f"-a: {all_ss / all_ps:.2f}x faster than ss -tuapn (goal >= 5x): "
          f"{'met' if all_ss / all_ps >= 5 else 'NOT met'}; without BPF "
          f"{all_ss / all_walk:.2f}x")
    print(f"portsleuth peak memory is {memr:.2f}x ss's "
          f"(goal <= 2x): {'met' if memr <= 2 else 'NOT met'}")
    why = statistics.median(w for w, _ in res["portsleuth -t -u --why"])
    added = (why - base) / base
    print(f"--why (origin, package, integrity) adds {added * 100:.0f}% to "
          f"the plain listing (goal < 30%): "
          f"{'met' if added < 0.30 else 'NOT met'}")
    dif = statistics.median(w for w, _ in res["portsleuth diff (of -t -u)"])
    print(f"diff against a baseline costs {dif / base:.2f}x the plain "
          f"listing (goal <= 1.2x): {'met' if dif / base <= 1.2 else 'NOT met'}"
          f"; {dif / why:.2f}x the --why listing it is made of")
    # hidden: ten runs on this busy host must find nothing
    found, walls = 0, []
    for _ in range(10):
        t0 = time.perf_counter()
        p = subprocess.run([PS, "hidden", "--json"], capture_output=True)
        walls.append(time.perf_counter() - t0)
        found += len(json.loads(p.stdout).get("findings", []))
    print(f"hidden on this host: {found} findings in 10 runs (goal 0), "
          f"median {statistics.median(walls):.3f} s: "
          f"{'met' if found == 0 else 'NOT met'}")
    ours, theirs, nsock = same_pairs()
    print(f"(socket, pid) pairs: portsleuth {len(ours)}, ss {len(theirs)}, "
          f"{nsock} sockets: {'identical' if ours == theirs else 'DIFFERENT'}")
    if ours != theirs:
        print(f"  only portsleuth: {sorted(ours - theirs)[:10]}")
        print(f"  only ss: {sorted(theirs - ours)[:10]}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        shutil.rmtree(os.path.dirname(BASE), ignore_errors=True)
    sys.exit(rc)
