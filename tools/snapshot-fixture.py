#!/usr/bin/python3
"""Snapshot the state portsleuth reads into a fixture tree for tests.

usage: snapshot-fixture.py PORTSLEUTH OUTDIR

Run it inside the network namespace to capture (ip netns exec NS ...).
Writes OUTDIR/netlink.psnl (every netlink reply, via --record) and, under
OUTDIR/root: proc/net tables, proc/stat's btime, /sys/class/net ifindex
files and, for each process holding a socket, its stat, status, cmdline,
cgroup, exe link and fd links.  /etc files are written by hand next to it.
"""
import json
import os
import subprocess
import sys


def copy(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(data)


def main():
    exe, out = sys.argv[1], sys.argv[2]
    root = os.path.join(out, "root")
    rec = os.path.join(out, "netlink.psnl")
    os.makedirs(out, exist_ok=True)
    doc = json.loads(subprocess.run([exe, "-a", "--json", "--record", rec],
                                    check=True, capture_output=True).stdout)
    pids = sorted({o["pid"] for s in doc["sockets"] for o in s["owners"]})
    for name in ("tcp", "tcp6", "udp", "udp6", "udplite", "udplite6",
                 "raw", "raw6", "if_inet6"):
        copy(f"/proc/net/{name}", f"{root}/proc/net/{name}")
    with open("/proc/stat") as f:
        btime = [l for l in f if l.startswith("btime ")]
    os.makedirs(f"{root}/proc", exist_ok=True)
    with open(f"{root}/proc/stat", "w") as f:
        f.write("cpu  1 2 3 4 5 6 7 0 0 0\n" + "".join(btime))
    for ifname in os.listdir("/sys/class/net"):
        copy(f"/sys/class/net/{ifname}/ifindex",
             f"{root}/sys/class/net/{ifname}/ifindex")
    for pid in pids:
        p = f"/proc/{pid}"
        d = f"{root}/proc/{pid}"
        for name in ("stat", "status", "cmdline"):
            copy(f"{p}/{name}", f"{d}/{name}")
        # the capturing host's cgroup layout is its own business
        with open(f"{d}/cgroup", "w") as f:
            f.write("0::/system.slice/portsleuth-fixture.service\n")
        os.symlink(os.readlink(f"{p}/exe"), f"{d}/exe")
        os.makedirs(f"{d}/fd")
        for fd in os.listdir(f"{p}/fd"):
            try:
                target = os.readlink(f"{p}/fd/{fd}")
            except FileNotFoundError:
                continue
            # keep socket/pipe links; files say nothing about this host
            if not target.startswith(("socket:", "pipe:", "anon_inode:")):
                target = "/dev/null"
            os.symlink(target, f"{d}/fd/{fd}")


if __name__ == "__main__":
    main()
