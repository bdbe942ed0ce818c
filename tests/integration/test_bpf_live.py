#!/usr/bin/python3
"""The BPF path and the /proc path find the same owners.

usage: test_bpf_live.py PORTSLEUTH TESTS_DIR

A synthetic host (bench/synth.c: 300 processes, each with listeners,
UDP sockets, established connections and plain files) in a network
namespace made here, a second namespace with a socat in it, and a
namespace that only an open descriptor keeps (no process in it, no
mount).  portsleuth lists every state of every namespace twice: once
as root as it chooses (the BPF iterator: -v must say so, which also
shows the program loads and passes the verifier on this kernel), once
with --no-bpf (the walk of /proc/PID/fd).  The (socket, pid, fds) sets
must be equal, socket for socket, and so must every owner's details
(parent, ids, name, executable, start time, command line, cgroup: the
BPF path takes the identity from the iterator, the walk from stat and
status), and both must list the namespace held only by a descriptor.
A socat started on a terminal (script(1)) must come out "started by
hand on pts/N" both ways (the terminal: from the iterator, or from
stat).  The processes the iterator did not visit (kernel threads have
no files) are walked: -v counts at least the kernel threads.  With
bpf(2) refused by a seccomp filter (tests/helpers/nobpf.c, as the
packaged services' sandbox does), it walks /proc, says why, and finds
the same owners.  The program is loaded from a light skeleton (the
kernel relocates it, Linux 5.17 and later); with only BPF_PROG_RUN
refused (the loader program cannot run), libbpf loads it instead, -v
says why, and the owners are the same; with libbpf missing as well
(an empty file over it in a private mount namespace), the walk of
/proc, said, with the same owners.  Nothing
may stay loaded after the run.  Needs root; exits 77 without it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import Netns, check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
SYNTH = os.path.join(TESTS, "..", "bench", "synth.c")
NOBPF = os.path.join(TESTS, "helpers", "nobpf.c")
NS1, NS2 = f"psbf{os.getpid() % 100000}", f"psbg{os.getpid() % 100000}"
NS3 = f"psbh{os.getpid() % 100000}"

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


def owners(doc, whole=False):
    """{(netns inode, proto, local port, socket inode): {(pid, fds)}},
    or with whole each owner's every field"""
    out = {}
    for s in doc.get("sockets", []):
        ns = (s.get("netns") or {}).get("inode")
        key = (ns, s.get("proto"), s.get("local_port"), s.get("inode"))
        own = out.setdefault(key, set())
        for o in s.get("owners") or []:
            own.add(json.dumps(o, sort_keys=True) if whole else
                    (o.get("pid"), tuple(sorted(o.get("fds") or []))))
    return out


def kernel_threads():
    """processes with no executable and no descriptors (kernel threads)"""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            os.readlink(f"/proc/{pid}/exe")
        except FileNotFoundError:
            try:
                if not os.listdir(f"/proc/{pid}/fd"):
                    n += 1
            except OSError:
                pass
        except OSError:
            pass
    return n


def prog_ids():
    r = subprocess.run(["bpftool", "prog", "show", "-j"],
                       capture_output=True, text=True)
    try:
        return {p["id"] for p in json.loads(r.stdout or "[]")
                if p.get("name") == "sockfds"}
    except ValueError:
        return set()


def main():
    tmp = tempfile.mkdtemp(prefix="psbf")
    synth = os.path.join(tmp, "synth")
    subprocess.run(["cc", "-O2", "-o", synth, SYNTH], check=True)
    nobpf = os.path.join(tmp, "nobpf")
    subprocess.run(["cc", "-O2", "-o", nobpf, NOBPF], check=True)
    a, b = Netns(NS1), Netns(NS2)
    subprocess.run(["ip", "netns", "add", NS3], check=True)
    keeper = None
    try:
        # 1,000 files each: an iterator run long enough that the
        # listings read the owners while it still runs (see r6s)
        p = subprocess.Popen(["ip", "netns", "exec", NS1, synth, "300",
                              "2", "1", "1", "1000", "30000"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
        a.procs.append(p)
        line = p.stdout.readline()
        check(line.startswith("ready"), f"synthetic host up: {line!r}")
        b.start("socat", "TCP-LISTEN:2024,fork,reuseaddr", "OPEN:/dev/null")
        check(b.listening(2024), "socat in the second namespace")
        # one on a terminal: its controlling tty is a pty of script's
        b.start("script", "-qfec", "exec socat TCP-LISTEN:2026,fork,"
                "reuseaddr OPEN:/dev/null", "/dev/null")
        check(b.listening(2026), "socat on a terminal in the second "
              "namespace")
        # a namespace only a descriptor keeps: open it, then unmount it
        keeper = subprocess.Popen(["sh", "-c", f"exec 9</run/netns/{NS3}; "
                                   f"umount -l /run/netns/{NS3} 2>/dev/null; "
                                   f"rm -f /run/netns/{NS3}; exec sleep 60"])
        before = prog_ids()
        r1 = subprocess.run([EXE, "-a", "--json", "-v", "--threads", "2"],
                            capture_output=True, text=True, timeout=120)
        r2 = subprocess.run([EXE, "-a", "--json", "-v", "--no-bpf",
                             "--threads", "2"],
                            capture_output=True, text=True, timeout=120)
        r3 = subprocess.run([nobpf, EXE, "-a", "--json", "-v", "--threads",
                             "2"], capture_output=True, text=True,
                            timeout=120)
        r4 = subprocess.run([nobpf, "-c", "10", EXE, "-a", "--json", "-v",
                             "--threads", "2"], capture_output=True,
                            text=True, timeout=120)
        # ... and with libbpf not there either (an empty file over it,
        # in a mount namespace of this run's own): the walk, and why
        libbpf = next((ln.split(" => ")[1].strip() for ln in
                       subprocess.run(["ldconfig", "-p"], capture_output=True,
                                      text=True).stdout.splitlines()
                       if ln.strip().startswith("libbpf.so.")), None)
        empty = os.path.join(tmp, "empty")
        open(empty, "w").close()
        r5 = subprocess.run(["unshare", "-m", "sh", "-c",
                             'mount --bind "$1" "$2" && shift 2 && '
                             'exec "$@"', "sh", empty,
                             os.path.realpath(libbpf or "/nonexistent"),
                             nobpf, "-c", "10", EXE, "-a", "--json", "-v",
                             "--threads", "2"], capture_output=True,
                            text=True, timeout=120)
        # one namespace's listeners: a single walk (the host's run above
        # walks twice, for the namespace only a descriptor keeps), its
        # sockets read before the iterator ends, so that the owners it
        # has written are read while it runs.  That is a race the
        # iterator may win on a loaded machine: up to five tries.
        r6s = []
        for _ in range(5):
            r6s.append(subprocess.run([EXE, "-t", "-u", "--json", "-v",
                                       "--netns", NS1], capture_output=True,
                                      text=True, timeout=120))
            if re.search(r"; [1-9]\d* owners read in /proc while it ran",
                         r6s[-1].stderr):
                break
        # in a PID namespace of its own (the host's /proc still mounted)
        # the iterator walks that namespace's tasks only, under their
        # global PIDs: the check fails, and the listing is the walk's,
        # with nothing of the iterator's pass left in it
        r7 = subprocess.run(["unshare", "-p", "-f", EXE, "-t", "-u",
                             "--json", "-v", "--netns", NS1],
                            capture_output=True, text=True, timeout=120)
        r8 = subprocess.run([EXE, "-t", "-u", "--json", "-v", "--no-bpf",
                             "--netns", NS1], capture_output=True,
                            text=True, timeout=120)
        kthreads = kernel_threads()
        w1 = subprocess.run([EXE, "-t", "--why", "--json", "-v", "--netns",
                             NS2], capture_output=True, text=True,
                            timeout=120)
        w2 = subprocess.run([EXE, "-t", "--why", "--json", "--no-bpf",
                             "--netns", NS2], capture_output=True,
                            text=True, timeout=120)
        after = prog_ids()
        why = [ln for ln in r1.stderr.splitlines()
               if "BPF iterator not used" in ln]
        if why and not os.environ.get("PS_REQUIRE_BPF"):
            # a kernel without BTF or BPF iterators: the other path is
            # the whole of it there; said, not hidden
            print(f"SKIP: this kernel cannot run the iterator: {why[0]}")
            sys.exit(77)
        check(r1.returncode == 0 and r2.returncode == 0,
              f"both runs exit 0 ({r1.stderr[-300:]} {r2.stderr[-300:]})")
        check("descriptors: one pass of a BPF iterator" in r1.stderr,
              "the first run took the BPF path: "
              f"{[ln for ln in r1.stderr.splitlines() if 'descr' in ln]}")
        check("descriptors: the walk of /proc/PID/fd (BPF iterator not "
              "used: --no-bpf)" in r2.stderr, "--no-bpf walks /proc")
        check(after == before, f"nothing stays loaded: {after - before}")
        d1, d2 = json.loads(r1.stdout), json.loads(r2.stdout)
        o1, o2 = owners(d1), owners(d2)
        # sockets that came or went between the two runs (this test's
        # own, a daemon of the host) are not the paths' difference
        common = set(o1) & set(o2)
        check(len(common) > 1000, f"{len(common)} sockets in both runs")
        diff = [k for k in common if o1[k] != o2[k]]
        # a socket the host opened or closed between the runs may differ
        # in its owner too; the synthetic host's must not
        synth_diff = [k for k in diff if k[2] and 30000 <= k[2] < 31000]
        check(not synth_diff, f"the synthetic host's owners agree "
              f"({len(synth_diff)} differ: {synth_diff[:3]})")
        check(len(diff) <= 3, f"the same (socket, pid, fds) for all but "
              f"the host's churn: {len(diff)} of {len(common)}: {diff[:3]}")
        owned = sum(1 for k in common if o1[k])
        check(owned > 1000, f"{owned} sockets with owners")
        # every detail of every owner, not only who: the synthetic
        # host's are started before both runs and live through them
        f1, f2 = owners(d1, True), owners(d2, True)
        synth = [k for k in common if k[2] and 30000 <= k[2] < 31000]
        detail_diff = [k for k in synth if f1[k] != f2[k]]
        check(len(synth) > 500 and not detail_diff,
              f"the owners' details agree on {len(synth)} sockets "
              f"({len(detail_diff)} differ: "
              f"{[(f1[k], f2[k]) for k in detail_diff[:1]]})")
        rel = tuple(int(x) for x in
                    os.uname().release.split("-")[0].split(".")[:2])
        if rel >= (5, 17):
            check("loaded by the kernel from a light skeleton" in r1.stderr,
                  "the light skeleton, relocated by the kernel: "
                  f"{[ln for ln in r1.stderr.splitlines() if 'descr' in ln]}")
        # the other ways: -v says which and why, the owners are the same
        for r, said, what in (
                (r3, "BPF iterator not used: the kernel refused the "
                 "program: Operation not permitted",
                 "bpf(2) refused: the walk"),
                (r4, "loaded by libbpf, the light skeleton refused: "
                 "Operation not permitted",
                 "BPF_PROG_RUN refused: libbpf loads it"),
                (r5, "BPF iterator not used: the kernel refused the light "
                 "skeleton (Operation not permitted), and cannot load "
                 "libbpf.so.", "BPF_PROG_RUN refused and no libbpf: the "
                 "walk")):
            descr = [ln for ln in r.stderr.splitlines() if "descr" in ln]
            check(r.returncode == 0 and said in r.stderr,
                  f"{what}, and why: {descr}")
            o = owners(json.loads(r.stdout or "{}"))
            odiff = [k for k in synth if o.get(k) != o1[k]]
            check(not odiff, f"{what}: the same owners of the {len(synth)} "
                  f"synthetic sockets ({len(odiff)} differ)")
        # the owners are read from /proc as the iterator writes them,
        # not after it: the synthetic host's 300 among them
        early = [re.search(r"; (\d+) owners read in /proc while it ran",
                           r.stderr) for r in r6s]
        counts = [int(m.group(1)) if m else None for m in early]
        print(f"owners read while the iterator ran, by try: {counts}")
        check(all(r.returncode == 0 for r in r6s) and
              None not in counts and max(counts) > 0,
              f"owners read while the iterator ran, in {len(r6s)} tries: "
              f"{counts}")
        for r in r6s:
            f6 = owners(json.loads(r.stdout or "{}"), True)
            s6 = [k for k in synth if k in f6]
            d6 = [k for k in s6 if f6[k] != f1[k]]
            check(len(s6) >= 300 and not d6, f"read while it ran or after, "
                  f"the same owners and details of the synthetic host's "
                  f"{len(s6)} listeners ({len(d6)} differ)")
        check(r7.returncode == 0 and "BPF iterator not used: the kernel's "
              "PIDs or ids are not this namespace's" in r7.stderr,
              f"in a PID namespace of its own: the walk, and why "
              f"({[ln for ln in r7.stderr.splitlines() if 'descr' in ln]})")
        scanned = [re.search(r"processes: (\d+) scanned", r.stderr)
                   for r in (r7, r8)]
        n7, n8 = (int(m.group(1)) if m else -1 for m in scanned)
        check(n8 > 300 and abs(n7 - n8) <= 5, f"the iterator's pass "
              f"dropped whole: {n7} processes scanned, {n8} by --no-bpf")
        f7, f8 = (owners(json.loads(r.stdout or "{}"), True)
                  for r in (r7, r8))
        s7 = [k for k in synth if k in f8]
        d7 = [k for k in s7 if f7.get(k) != f8[k]]
        check(len(s7) >= 300 and not d7, f"and the owners are the walk's: "
              f"{len(s7)} synthetic listeners, {len(d7)} differ")
        unv = [ln for ln in r1.stderr.splitlines()
               if "processes it did not visit walked" in ln]
        n_unv = int(unv[0].split(";")[-1].split()[0]) if unv else -1
        check(n_unv >= kthreads > 0, f"the processes the iterator did not "
              f"visit are walked: {n_unv}, kernel threads {kthreads}")
        check(w1.returncode == 0 and w2.returncode == 0 and
              "descriptors: one pass of a BPF iterator" in w1.stderr,
              f"--why both ways ({w1.stderr[-300:]} {w2.stderr[-300:]})")
        t1, t2 = owners(json.loads(w1.stdout or "{}"), True), \
            owners(json.loads(w2.stdout or "{}"), True)
        tty = [json.loads(o) for k, v in t1.items() if k[2] == 2026
               for o in v]
        tty_origin = (tty[0].get("origin") or {}) if tty else {}
        check(str(tty_origin.get("tty", "")).startswith("pts/") and
              tty_origin.get("kind") == "login",
              f"the socat on a terminal was started by hand on a pty: "
              f"{tty_origin.get('summary')}")
        check(t1 == t2 and len(t1) >= 2, f"--why: the same owners and "
              f"origins both ways ({len(t1)} sockets; "
              f"{[(t1.get(k), t2.get(k)) for k in t1 if t1.get(k) != t2.get(k)][:1]})")
        ino3 = int(subprocess.run(["stat", "-L", "-c", "%i",
                                   f"/proc/{keeper.pid}/fd/9"],
                                  capture_output=True, text=True)
                   .stdout.strip() or 0)
        for name, d in (("bpf", d1), ("proc", d2)):
            inodes = {n.get("inode") for n in d.get("namespaces", [])}
            check(ino3 in inodes, f"{name}: the namespace held only by a "
                  f"descriptor is listed ({ino3})")
    finally:
        if keeper:
            keeper.kill()
            keeper.wait()
        a.down()
        b.down()
        subprocess.run(["ip", "netns", "del", NS3], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


main()
sys.exit(summary())
