#!/usr/bin/python3
"""portsleuth watch, live, in a network namespace made here.

usage: test_watch_live.py PORTSLEUTH TESTS_DIR

watch runs on the namespace; the test opens a listener (socat), closes
it, and then opens and closes 1,000 short-lived listeners in a burst.
Each of the first two must be said with its owner; every port of the
burst must be said (opened, or closed as having come and gone between
two looks), or watch must say it lost events.  How long each took and
how much CPU watch used while idle are printed, not asserted (the
machines are shared).  Without root it must say it has no kernel events
and still see a listener.  Needs root; exits 77 without it.
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
NS = f"pswt{os.getpid() % 100000}"
PY = "/usr/bin/python3"
procs = []

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


class Watch:
    """watch --json in the background, its lines collected as they come."""

    def __init__(self, *args, user=None):
        pre = ["setpriv", "--reuid=nobody", "--regid=nogroup",
               "--clear-groups"] if user else []
        self.p = subprocess.Popen(pre + [EXE, "watch", "--json", *args],
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        procs.append(self.p)
        self.lines, self.times = [], []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.err = self.p.stderr.readline().decode()   # "watching ..."

    def _read(self):
        for ln in self.p.stdout:
            self.times.append(time.time())
            self.lines.append(json.loads(ln))

    def wait_for(self, pred, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.lines):
                if pred(e):
                    return e, self.times[i]
            time.sleep(0.01)
        return None, None

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=10)
        self.t.join(timeout=10)
        return self.p.stderr.read().decode()


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


try:
    subprocess.run(["ip", "netns", "add", NS], check=True)
    subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"], check=True)
    w = Watch("--netns", NS)
    check("destroy events" in w.err and "exec events" in w.err,
          f"as root it listens to the kernel's events: {w.err.strip()}")

    # idle: how much CPU does it use?
    c0, t0 = cpu_of(w.p.pid), time.time()
    time.sleep(3)
    idle = (cpu_of(w.p.pid) - c0) / (time.time() - t0) * 100
    print(f"INFO: watch used {idle:.2f}% of a CPU while idle (3 s)")

    # a listener opened, then closed
    t_open = time.time()
    s = subprocess.Popen(["ip", "netns", "exec", NS, "socat",
                          "TCP-LISTEN:7601,reuseaddr", "OPEN:/dev/null"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(s)
    e, t = w.wait_for(lambda e: e["event"] == "opened" and
                      e["local_port"] == 7601)
    check(e and e["pid"] == s.pid and e["command"] == "socat" and
          e["exe"] == "/usr/bin/socat" and e["user"] == "root" and
          e["origin"], f"opened, with its owner and origin: {e}")
    if t:
        print(f"INFO: the opening was said {t - t_open:.3f} s after socat "
              f"was started")
    t_close = time.time()
    s.kill()
    s.wait()
    e, t = w.wait_for(lambda e: e["event"] == "closed" and
                      e["local_port"] == 7601)
    check(e and e["pid"] == s.pid and not e["unseen"],
          f"closed, with its owner: {e}")
    if t:
        print(f"INFO: the closing was said {t - t_close:.3f} s after it")

    # a burst of 1,000 short-lived listeners
    burst = ("import socket\n"
             "for i in range(1000):\n"
             "    s = socket.socket()\n"
             "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
             "    s.bind(('127.0.0.1', 20000 + i)); s.listen(); s.close()\n")
    t_burst = time.time()
    subprocess.run(["ip", "netns", "exec", NS, PY, "-c", burst], check=True,
                   timeout=60)
    took = time.time() - t_burst
    seen = set()
    end = time.time() + 10
    while time.time() < end and len(seen) < 1000:
        seen = {e["local_port"] for e in list(w.lines)
                if 20000 <= e.get("local_port", 0) < 21000}
        lost = [e for e in list(w.lines) if e["event"] == "lost"]
        if lost:
            break
        time.sleep(0.1)
    print(f"INFO: the burst of 1,000 listeners took {took:.2f} s "
          f"({1000 / took:.0f} a second); watch said {len(seen)} of them")
    check(len(seen) == 1000 or lost,
          f"every listener of the burst was said, or the loss was said: "
          f"{len(seen)} said, lost: {lost[:1]}")
    err = w.stop()
    check(w.p.returncode == 0, f"it stops on SIGTERM with 0: "
          f"{w.p.returncode} {err[-200:]}")

    # without root: no events, a look every interval
    w = Watch("--netns", "self", "--interval", "200", user="nobody")
    second = w.p.stderr.readline().decode()
    check("no kernel events (not root)" in second,
          f"without root it says it has no kernel events: {second.strip()}")
    s = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup",
                          "--clear-groups", "socat",
                          "TCP-LISTEN:7602,bind=127.0.0.1,reuseaddr",
                          "OPEN:/dev/null"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(s)
    e, t = w.wait_for(lambda e: e["event"] == "opened" and
                      e["local_port"] == 7602)
    check(e and e["pid"] == s.pid and e["user"] == "nobody",
          f"without root, a look every interval still sees it: {e}")
    s.kill()
    s.wait()
    err = w.stop()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True)

sys.exit(summary())
