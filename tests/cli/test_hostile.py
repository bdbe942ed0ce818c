#!/usr/bin/python3
"""Hostile fixture trees: each case once crashed, hung, overflowed or hid a
limit.  usage: test_hostile.py PORTSLEUTH TESTS_DIR

Every case copies tests/fixtures/host-b (or host-a) to a temporary
directory, breaks one thing the way a real host or an attacker can, and
runs portsleuth over it with a deadline: a crash (exit 139), a hang (the
deadline) or a silent loss (no note) fails the case.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = sys.argv[1]
TESTS = sys.argv[2]
HOST_B = os.path.join(TESTS, "fixtures", "host-b", "root")
HOST_A = os.path.join(TESTS, "fixtures", "host-a", "root")
DATA = os.path.join(TESTS, "..", "data")
IANA = os.path.join(DATA, "iana-ports.tsv")
KB = os.path.join(DATA, "daemons.kb")
DEADLINE = 30


def run(root, *args, stdout=subprocess.PIPE):
    """portsleuth over root; (rc, stdout bytes, stderr text).  A run past
    the deadline is a failed check (a hang), reported as rc None."""
    cmd = [EXE]
    if args and args[0] in ("explain", "audit"):
        cmd.append(args[0])
        args = args[1:]
    cmd += ["--root", root, "--iana", IANA, "--kb", KB, *args]
    try:
        p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE,
                           timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        check(False, f"{args} finished within {DEADLINE} s (it hung)")
        return None, b"", ""
    return p.returncode, p.stdout or b"", p.stderr.decode("utf-8", "replace")


def copy_tree(src):
    tmp = tempfile.mkdtemp(prefix="ps-hostile-")
    dst = os.path.join(tmp, "root")
    shutil.copytree(src, dst, symlinks=True)
    return tmp, dst


def jdoc(out, what):
    try:
        return json.loads(out)
    except ValueError as ex:
        check(False, f"{what}: valid JSON ({ex}): {out[:200]!r}")
        return {}


# --- 1. a uid with no user name (a container's, an NSS outage) ------------
tmp, root = copy_tree(HOST_B)
with open(root + "/etc/passwd") as f:
    lines = [ln for ln in f if not ln.startswith("alice:")]
with open(root + "/etc/passwd", "w") as f:
    f.writelines(lines)
rc, out, err = run(root, "--why", "-t")
check(rc == 0, f"--why with a nameless uid exits 0 (was a crash): {rc} {err}")
rc, out, err = run(root, "--why", "--json", "-t")
d = jdoc(out, "--why --json, nameless uid")
bd = [o for s in d.get("sockets", []) for o in s["owners"] if o["pid"] == 900]
check(bd and bd[0]["user"] is None and bd[0]["uid"] == 1000,
      f"JSON: no user name, the uid: {bd[:1]}")
check(bd and bd[0]["origin"]["login_user"] == "1000",
      f"the login origin names the uid: {bd and bd[0]['origin']}")
rc, out, err = run(root, "explain", "31337")
text = out.decode()
check(rc == 0, f"explain with a nameless uid exits 0: {rc} {err}")
check("user        1000 (no user name for this uid)" in text,
      "explain shows the uid, not '(null)'")
check("(null)" not in text, "no '(null)' anywhere in explain")
check("started by hand by 1000" in text, "origin by the uid")
rc, out, err = run(root, "explain", "8081")
check(rc == 0 and "systemd --user myapp.service (1000)" in out.decode(),
      f"a user unit of a nameless uid: {rc} {out.decode()[:400]}")
rc, out, err = run(root, "audit")
check(rc == 0, f"audit with a nameless uid exits 0: {rc} {err}")
shutil.rmtree(tmp)

# --- 2. a socket table that repeats a line ---------------------------------
tmp, root = copy_tree(HOST_B)
with open(root + "/proc/net/tcp") as f:
    tcp = f.read().splitlines(True)
line631 = [ln for ln in tcp if ":0277 " in ln][0]
with open(root + "/proc/net/tcp", "a") as f:
    f.write(line631 * 200)
rc, out, err = run(root, "explain", "631")
check(rc == 0, f"explain over 201 copies of one socket exits 0: {rc} {err}")
check(out.decode().count("631/tcp on 127.0.0.1") == 1,
      "the repeated socket is shown once")
rc, out, err = run(root, "explain", "--json", "631")
d = jdoc(out, "explain --json, repeated socket")
socks = [s for p in d.get("processes", []) for s in p.get("sockets", [])]
check(len(socks) == 1, f"one socket in the explain JSON: {len(socks)}")
rc, out, err = run(root, "-p", "631", "--json", "-v")
d = jdoc(out, "list, repeated socket")
check(len(d.get("sockets", [])) == 1, "the listing has it once")
check("200 repeated sockets dropped" in err, f"-v counts them: {err}")
shutil.rmtree(tmp)

# --- 3. FIFOs where files should be: nothing blocks, each is named --------
tmp, root = copy_tree(HOST_B)
fifos = ["/etc/services", "/etc/inetd.conf", "/var/lib/dpkg/status",
         "/etc/xinetd.d/time", "/etc/init.d/legacyd",
         "/etc/systemd/system/ssh.service.d/fifo.conf"]
for p in fifos:
    if os.path.lexists(root + p):
        os.unlink(root + p)
    os.mkfifo(root + p)
for args in (("--why",), ("--why", "--json"), ("explain", "22"),
             ("audit",), ("audit", "--json")):
    rc, out, err = run(root, *args)
    check(rc == 0, f"{args} with FIFOs finishes, exit 0: {rc} {err[-300:]}")
    if "--json" in args:
        notes = jdoc(out, f"{args} with FIFOs").get("sources", {}).get(
            "notes", [])
        check(any("/var/lib/dpkg/status' is a FIFO" in n for n in notes),
              f"{args}: JSON sources.notes names the FIFO: {notes}")
    else:
        check("/etc/services' is a FIFO, not a regular file: not read"
              in err, f"{args}: stderr names /etc/services: {err[-400:]}")
# a data file given on the command line
fifo = os.path.join(tmp, "kb.fifo")
os.mkfifo(fifo)
p = subprocess.run([EXE, "--root", root, "--iana", IANA, "--why", "--kb",
                    fifo], capture_output=True, timeout=DEADLINE)
check(p.returncode == 0 and b"not a regular file" in p.stderr,
      f"--kb FIFO: said, not waited on: {p.stderr[-300:]}")
shutil.rmtree(tmp)

# --- 4. explain 0: nothing is on port 0, and PID 0 is no process ----------
rc, out, err = run(HOST_B, "explain", "0")
check(rc == 1 and "nothing matches '0'" in err and out == b"",
      f"explain 0 matches nothing: {rc} {out[:100]!r}")
rc, out, err = run(HOST_B, "explain", "22")
check(rc == 0, "explain 22 still matches")

# --- silent limits said -----------------------------------------------------
tmp, root = copy_tree(HOST_B)
with open(root + "/etc/inetd.conf") as f:
    conf = f.read()
filler = "".join(f"svc{i}\tstream\ttcp\tnowait\troot\t/bin/true\ttrue\n"
                 for i in range(5000))
with open(root + "/etc/inetd.conf", "w") as f:
    f.write(filler + conf)
rc, out, err = run(root, "explain", "23")
check(rc == 0 and "more than 4096 super-server entries" in err,
      f"inetd.conf past 4096 entries is said: {err[-300:]}")
rc, out, err = run(root, "audit", "--json")
notes = jdoc(out, "audit, long inetd.conf").get("sources", {}).get(
    "notes", [])
check(any("super-server entries" in n for n in notes),
      f"and in audit's JSON notes: {notes}")
dd = root + "/etc/systemd/system/ssh.service.d"
for i in range(70):
    with open(f"{dd}/{i:03d}-x.conf", "w") as f:
        f.write("[Service]\n")
rc, out, err = run(root, "audit")
check("ssh.service has 71 drop-in files: only the first 64" in err,
      f"more than 64 drop-ins is said: {err[-300:]}")
shutil.rmtree(tmp)

rc, out, err = run(HOST_B, "--iana", "/nonexistent/iana.tsv")
check(rc == 2 and "--iana '/nonexistent/iana.tsv'" in err,
      f"--iana naming a missing file is an error: {rc} {err}")
with tempfile.NamedTemporaryFile("w", suffix=".kb") as g:
    g.write("\x00garbage\x01 not a knowledge base\n" * 20)
    g.flush()
    p = subprocess.run([EXE, "--root", HOST_B, "--iana", IANA, "--why",
                        "--kb", g.name], capture_output=True,
                       timeout=DEADLINE)
    check(p.returncode == 0 and b"holds no knowledge base entry" in
          p.stderr, f"--kb naming garbage is said: {p.stderr[-300:]}")

# a socket table over its cap: a sparse 600 MiB /proc/net/tcp
tmp, root = copy_tree(HOST_A)
with open(root + "/proc/net/tcp", "r+b") as f:
    f.truncate(600 << 20)
rc, out, err = run(root, "-t", "-4", "--json")
notes = jdoc(out, "over-cap tcp table").get("sources", {}).get("notes", [])
check(any("/proc/net/tcp' is longer than 536870912 bytes" in n
          for n in notes), f"a table over its cap is said: {notes}")
shutil.rmtree(tmp)

# a full disk: every command says it could not write
for args in (("explain", "22"), ("audit",), ("audit", "--json"),
             ("-t",), ("--json",)):
    with open("/dev/full", "wb") as full:
        rc, out, err = run(HOST_B, *args, stdout=full)
    check(rc == 2 and "cannot write output" in err,
          f"{args} > /dev/full: exit 2 and said: {rc} {err[-200:]}")

# messages on stderr are escaped too: a hostile path in an error
p = subprocess.run([EXE, "--root", HOST_B, "--iana", "/nonexistent\x1b[2J\u202e.tsv"],
                   capture_output=True, timeout=DEADLINE)
check(p.returncode == 2 and b"\x1b" not in p.stderr and
      b"\xe2\x80\xae" not in p.stderr and b"\\e[2J\\u202e" in p.stderr,
      f"an error naming a hostile path is escaped: {p.stderr!r}")
p = subprocess.run([EXE, "explain", "--root", HOST_B, "x\x1b]0;pwned\x07"],
                   capture_output=True, timeout=DEADLINE)
check(b"\x1b" not in p.stderr and b"\x07" not in p.stderr,
      f"and a hostile TARGET: {p.stderr!r}")

# bidirectional controls in a process name reach the table escaped
tmp, root = copy_tree(HOST_B)
with open(root + "/proc/900/stat") as f:
    st = f.read()
with open(root + "/proc/900/stat", "w") as f:
    f.write(st.replace("(backdoor)", "(bd\u202egnp.exe\u2066x)"))
rc, out, err = run(root, "-p", "31337")
text = out.decode()
check("\u202e" not in text and "\u2066" not in text and
      "bd\\u202egnp.exe\\u2066x" in text,
      f"bidi controls escaped in the table: {text[-200:]!r}")
shutil.rmtree(tmp)

sys.exit(summary())
