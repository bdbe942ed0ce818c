#!/usr/bin/python3
"""Command-line tests against the recorded fixture tests/fixtures/host-a.

usage: test_cli.py PORTSLEUTH TESTS_DIR

The fixture holds a netlink recording and a /proc, /etc and /sys tree
captured from a test namespace (see tools/snapshot-fixture.py), so every
answer here is known in advance and the run needs no privileges.
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
from pstest import (check, json_keys, man_json_fields,  # noqa: E402
                    rows_of_json, rows_of_table, summary, table_rows)

EXE = sys.argv[1]
TESTS = sys.argv[2]
FIX = os.path.join(TESTS, "fixtures", "host-a")
ROOT = os.path.join(FIX, "root")
REC = os.path.join(FIX, "netlink.psnl")
IANA = os.path.join(TESTS, "..", "data", "iana-ports.tsv")
MAN = os.path.join(TESTS, "..", "man", "portsleuth.1")
BASE = ["--root", ROOT, "--replay", REC, "--iana", IANA]



def run(*args, env=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([EXE, *args], capture_output=True, env=e, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def doc(*args):
    rc, out, err = run(*BASE, "--json", *args)
    try:
        return rc, json.loads(out)
    except ValueError as ex:
        check(False, f"valid JSON for {args}: {ex}: {out[:200]!r} {err}")
        return rc, {"sockets": []}


def by_port(d, port, proto="tcp"):
    return [s for s in d["sockets"]
            if s["local_port"] == port and s["proto"] == proto]



# --- the recorded host, in JSON --------------------------------------------
rc, d = doc()
check(rc == 0, "exit 0 when sockets are listed")
check(d.get("schema") == 1, "schema version")
check(len(d["sockets"]) == 8, f"8 sockets, got {len(d['sockets'])}")
check(d["summary"]["rows"] == 9, "9 (socket, owner) rows")
check(d["summary"]["unattributed"] == 0, "every socket attributed")
check(d["sources"]["tcp4"] == "netlink", "tcp4 from the netlink recording")
check("no diag handler" in d["sources"]["raw4"],
      "raw falls back to /proc/net and says why")

shared = by_port(d, 2222)
check(len(shared) == 1 and
      sorted(o["pid"] for o in shared[0]["owners"]) == [3492, 3497],
      "a socket shared across fork lists both processes")
if shared and len(shared[0]["owners"]) == 2:
    child = [o for o in shared[0]["owners"] if o["pid"] == 3497][0]
    check(child["ppid"] == 3492, "child's parent PID")
    check(child["fds"] == [3], "fd numbers")
    check(child["user"] == "root" and child["uid"] == 0, "user and uid")
    check(child["exe"] == "/usr/bin/python3.11", "executable path")
    check(child["cgroup"] == "/system.slice/portsleuth-fixture.service",
          "cgroup path")
    check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", child["start_time"])
          is not None, "start time in ISO 8601")
    check(shared[0]["inode"] == 8269, "socket inode")

evil = by_port(d, 6000)
check(evil and evil[0]["owners"][0]["command"] == "\x1b[2J\nevil",
      "JSON keeps the exact hostile process name")
check(evil and evil[0]["exposure_scope"] == "loopback", "127.0.0.1 is loopback")
check(evil and evil[0]["service"] == "x11" and
      evil[0]["service_source"] == "/etc/services" and
      evil[0]["service_aliases"] == "x11-0", "name and aliases from /etc/services")

s = by_port(d, 8080)
check(s and s[0]["exposure_scope"] == "address" and
      s[0]["exposure_interface"] == "vtry1", "one address, interface named")
s = by_port(d, 9000)
check(s and s[0]["v6only"] is True and
      s[0]["exposure"] == "all interfaces (IPv6 only)", ":: with v6only")
s = by_port(d, 24)
check(s and s[0]["v6only"] is False and
      s[0]["exposure"] == "all interfaces (IPv4+IPv6)", ":: without v6only")
check(s and s[0]["service_source"] == "iana" and s[0]["service"] is None and
      s[0]["service_description"] == "any private mail system",
      "24/tcp: IANA fallback with its description")
s = by_port(d, 626, "udp")
check(s and s[0]["bound_device"] == "vtry1" and
      s[0]["exposure_scope"] == "device", "SO_BINDTODEVICE")
check(s and s[0]["service"] == "asia" and s[0]["service_source"] == "iana",
      "626/udp from IANA")
s = by_port(d, 5353, "udp")
check(s and s[0]["state"] == "UNCONN" and s[0]["service"] == "mdns",
      "udp listener")

# --- the table shows the same rows ------------------------------------------
rc, out, err = run(*BASE)
check(rc == 0, "table exit 0")
check(b"\x1b" not in out, "no raw escape byte reaches the terminal")
rows = table_rows(out)
check(len(rows) == 9, f"table has 9 rows, got {len(rows)}")
want, got = rows_of_json(d), rows_of_table(rows)
check(want == got, f"table rows match JSON: {got} vs {want}")
check(any(r["COMMAND"] == "\\e[2J\\nevil" for r in rows),
      "hostile name shown escaped in the table")

rc, out, err = run(*BASE, "--wide")
check(b"http.server --bind 127.0.0.1 8000" in out, "--wide shows cmdlines")
rc, out, err = run(*BASE, "--color=always")
check(b"\x1b[1;31m" in out, "colour when asked")
rc, out, err = run(*BASE, "--color=always", env={"NO_COLOR": "1"})
check(b"\x1b[1;31m" in out, "an explicit --color=always overrides NO_COLOR")
rc, out, err = run(*BASE, "--color=never")
check(b"\x1b[" not in out, "--color=never")
# auto on a terminal: colour, unless NO_COLOR is set
import fcntl
import pty
import struct
import termios


def on_tty(env, *args, cols=200):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        os.environ.pop("NO_COLOR", None)
        os.environ.update(env)
        os.execv(EXE, [EXE, *BASE, *args])
    data = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.waitpid(pid, 0)
    return data


check(b"\x1b[1;31m" in on_tty({}), "colour by default on a terminal")
check(b"\x1b[" not in on_tty({"NO_COLOR": "1"}), "NO_COLOR off on a terminal")
# a terminal narrower than the table: cut to fit, paths keep their tail
narrow = on_tty({}, "--color=never", cols=120).decode().splitlines()
check(max(len(line) for line in narrow) <= 120,
      f"fits 120 columns: {max(len(line) for line in narrow)}")
check(any(line.endswith("\u2026/python3.11") for line in narrow),
      "a cut path keeps its file name")
check(any("all interfaces (IPv4+IPv6)" in line for line in narrow),
      "the exposure verdict is not cut at 120 columns")
tiny = on_tty({}, "--color=never", cols=40).decode().splitlines()
check(len(tiny) == 10 and all("\u2026" in line for line in tiny[1:]),
      "too narrow to fit: cut to the minimums, every row still there")
wide = on_tty({}, "--color=never", "--wide", cols=100).decode()
check("\u2026" not in wide and "http.server" in wide, "--wide is never cut")
rc, out, err = run(*BASE)
check("\u2026" not in out.decode(), "not a terminal: never cut")
rc, out, err = run(*BASE, "-a")
check(rc == 0 and b"PEER" in out.splitlines()[0], "-a adds the peer column")

# --- selection --------------------------------------------------------------
def ports(*args):
    rc, dd = doc(*args)
    return rc, sorted({(s["proto"], s["local_port"]) for s in dd["sockets"]})


check(ports("-p", "2222")[1] == [("tcp", 2222)], "-p single port")
check(ports("-p", "1-1023")[1] == [("tcp", 24), ("udp", 626)], "-p range")
check(ports("-p", "24,5353")[1] == [("tcp", 24), ("udp", 5353)], "-p list")
check(ports("-u")[1] == [("udp", 626), ("udp", 5353)], "-u")
check(all(p[0] == "tcp" for p in ports("-t")[1]), "-t")
check(ports("-6")[1] == [("tcp", 24), ("tcp", 9000)], "-6")
check(("tcp", 24) not in ports("-4")[1], "-4")
check(ports("--pid", "3497")[1] == [("tcp", 2222)], "--pid")
check(ports("-c", "socat")[1] ==
      [("tcp", 8080), ("tcp", 9000), ("udp", 5353)], "-c command name")
check(ports("-c", "python3.11")[1] ==
      [("tcp", 24), ("tcp", 2222), ("tcp", 6000), ("tcp", 8000), ("udp", 626)],
      "-c matches the executable's base name too")
check(len(ports("-U", "root")[1]) == 8, "-U user name")
check(len(ports("-U", "0")[1]) == 8, "-U uid")
exposed = ports("-e")[1]
check(("tcp", 6000) not in exposed and ("tcp", 8000) not in exposed and
      len(exposed) == 6, "--exposed drops loopback-only")
rc, dd = doc("--pid", "3497")
check(rc == 0 and len(dd["sockets"][0]["owners"]) == 1,
      "--pid keeps only that owner of a shared socket")

# --- exit status and errors --------------------------------------------------
rc, out, err = run(*BASE, "-p", "1")
check(rc == 1 and out == b"", "no match: exit 1, no output")
rc, dd = doc("-p", "1")
check(rc == 1 and dd["sockets"] == [], "no match in JSON: exit 1, empty list")
rc, out, err = run(*BASE, "-U", "nobody")
check(rc == 1, "user with no sockets: exit 1")
rc, out, err = run(*BASE, "-p", "5-1")
check(rc == 2 and "out of range" in err, "reversed range: exit 2 with reason")
rc, out, err = run(*BASE, "-p", "ssh")
check(rc == 2 and "not valid" in err, "non-numeric port: exit 2")
rc, out, err = run(*BASE, "--bogus")
check(rc == 2 and "--help" in err, "unknown option: exit 2")
rc, out, err = run(*BASE, "-U", "no-such-user-xyz")
check(rc == 2 and "no such user" in err, "unknown user: exit 2")
rc, out, err = run("frobnicate")
check(rc == 2 and "unknown command 'frobnicate'" in err, "unknown command")
rc, out, err = run("list", *BASE, "-p", "2222")
check(rc == 0 and out.count(b"\n") == 3, "explicit list command")
rc, out, err = run("--replay", "/nonexistent/recording")
check(rc == 2 and "cannot open '/nonexistent/recording'" in err,
      "missing recording: exit 2 with the path")
with tempfile.NamedTemporaryFile("wb", suffix=".psnl") as f:
    f.write(b"PSNL 1\nD sockdiag tcp 4 999999\nshort\n")
    f.flush()
    rc, out, err = run("--replay", f.name)
    check(rc == 2 and "truncated entry" in err, "corrupt recording rejected")
rc, out, err = run("--record", "/x", "--replay", "/y")
check(rc == 2 and "--record needs the live kernel" in err,
      "--record with --replay is a usage error")
rc, out, err = run("--record", "/x", "--root", ROOT)
check(rc == 2, "--record with --root is a usage error")
with tempfile.TemporaryDirectory() as tmp:
    rc, out, err = run("--record", tmp + "/rec.psnl", "-t", "--json")
    live = json.loads(out)["sockets"]
    check(rc == (0 if live else 1) and os.path.exists(tmp + "/rec.psnl")
          and not [f for f in os.listdir(tmp) if ".tmp." in f],
          "--record writes the file atomically, no temporary left, and "
          f"exits 0 exactly when it listed sockets: {rc}, {len(live)}")
    rc2, out2, err2 = run("--replay", tmp + "/rec.psnl", "-t", "--json")
    replayed = json.loads(out2)
    check(rc2 == rc and replayed["sources"]["tcp4"] == "netlink" and
          sorted((s["local_port"], s["inode"]) for s in replayed["sockets"])
          == sorted((s["local_port"], s["inode"]) for s in live),
          "a fresh recording replays the same sockets, with the same exit")

# --- --root without a recording: /proc/net only -------------------------------
rc, out, err = run("--root", ROOT, "--iana", IANA, "--json", "-v")
dd = json.loads(out)
check(rc == 0 and len(dd["sockets"]) == 8, "procfs fallback finds the same sockets")
check(all(s["source"] == "procfs" for s in dd["sockets"]), "source says procfs")
check(by_port(dd, 9000)[0]["v6only"] is None, "v6only unknown from /proc/net")
check("/proc/net/tcp (sock_diag: not used" in err, "-v names each source")
check(by_port(dd, 8080)[0]["exposure"] == "one address (interface unknown)",
      "no IPv4 address table: interface unknown, not guessed")

# --- owners that cannot be seen, and why -------------------------------------
with tempfile.TemporaryDirectory() as tmp:
    shutil.copytree(ROOT, tmp + "/root", symlinks=True)
    # http.server (8000) gone without a trace: nothing holds its socket
    shutil.rmtree(tmp + "/root/proc/3326")
    # socat (8080) with an unreadable descriptor table: counted as gone
    shutil.rmtree(tmp + "/root/proc/3323/fd")
    with open(tmp + "/root/proc/3323/fd", "w") as f:
        f.write("not a directory\n")
    rc, out, err = run("--root", tmp + "/root", "--replay", REC,
                       "--iana", IANA, "--json")
    dd = json.loads(out)
    root = os.geteuid() == 0
    check(by_port(dd, 8000)[0]["owner_note"] ==
          ("exited" if root else "not_root"),
          f"missing owner explained: {by_port(dd, 8000)[0]['owner_note']}")
    check(by_port(dd, 8080)[0]["owners"] == [], "unreadable fd table: no owner")
    check(dd["summary"]["unattributed"] == 2, "two sockets unattributed")
    check(dd["summary"]["processes_exited"] == 1, "one process counted as gone")
    shutil.rmtree(tmp + "/root/proc/3323")
    rc, out, err = run("--root", tmp + "/root", "--replay", REC,
                       "--iana", IANA, "-p", "8000,8080")
    last = out.decode().splitlines()[-1]
    want = ("2 sockets without a visible owner: 2 no visible process holds "
            "it" if root else "2 sockets without a visible owner: 2 owner "
            "not visible: not root")
    check(last.startswith(want), f"final line counts them: {last!r}")

# --- a hostile /proc and /etc: no crash, valid output, losses counted -------
def write(path, data, mode="wb"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


with tempfile.TemporaryDirectory() as tmp:
    r = tmp + "/root"
    hdr = b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    ok = (b"   0: 0100007F:1092 00000000:0000 0A 00000000:00000000 00:00000000"
          b" 00000000     0        0 5001 1 0 100 0 0 10 0\n")
    write(r + "/proc/net/tcp", hdr + ok + b"   1: \xff\xfe garbage\n" +
          b"   2: " + b"A" * 100000 + b"\n" + b"\0\0\0\n")
    write(r + "/proc/stat", b"btime 1700000000\n")
    write(r + "/etc/services", b"\xff\x00\x01 garbage\nhttp 4242/tcp\n" +
          b"x" * 70000 + b" 1/tcp\n")
    write(r + "/etc/passwd", b"::::\n\xff:x:0:0\nroot:x:0:0::/:/bin/sh\n")
    # 100: garbage stat and status, holds the socket
    write(r + "/proc/100/stat", b"((((")
    write(r + "/proc/100/status", b"Uid: nope\n")
    os.makedirs(r + "/proc/100/fd")
    os.symlink("socket:[5001]", r + "/proc/100/fd/3")
    # 101: malformed socket links only
    write(r + "/proc/101/stat", b"101 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 "
          b"0 1 0 5 0 0\n")
    os.makedirs(r + "/proc/101/fd")
    os.symlink("socket:[5001", r + "/proc/101/fd/3")
    os.symlink("socket:[18446744073709551616]", r + "/proc/101/fd/4")
    os.symlink("socket:[]", r + "/proc/101/fd/5")
    os.symlink("socket:[5001]", r + "/proc/101/fd/notanumber")
    # 102: a real holder with a hostile name, command line and exe
    write(r + "/proc/102/stat", b"102 (a) b\x1b[31m (c) S 1 1 1 0 -1 0 0 0 0 "
          b"0 0 0 0 0 20 0 1 0 7 0 0\n")
    write(r + "/proc/102/status", b"Uid:\t1000\t1000\t1000\t1000\n"
          b"Gid:\t1000\t1000\t1000\t1000\n")
    write(r + "/proc/102/cmdline", b"evil\0\x1b]0;pwned\x07\0" +
          b"\xff" * 50000)
    write(r + "/proc/102/cgroup", b"\xff\n0::/\x1b[2J\n")
    os.makedirs(r + "/proc/102/fd")
    os.symlink("socket:[5001]", r + "/proc/102/fd/7")
    os.symlink("/tmp/evil\nname (deleted)", r + "/proc/102/exe")
    # 103: holds it too, but its executable cannot be read
    write(r + "/proc/103/stat", b"103 (noexe) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 "
          b"0 20 0 1 0 9 0 0\n")
    write(r + "/proc/103/status", b"Uid:\tzero\nGid:\t0\t0\t0\t0\n")
    os.makedirs(r + "/proc/103/fd")
    os.symlink("socket:[5001]", r + "/proc/103/fd/3")
    rc, out, err = run("--root", r, "--iana", IANA, "--json", "-v", "-W")
    check(rc == 0, f"hostile tree: exit 0 ({rc}, {err[-300:]})")
    try:
        dd = json.loads(out.decode("utf-8"))
    except ValueError as ex:
        dd = None
        check(False, f"hostile tree: valid UTF-8 JSON ({ex})")
    if dd:
        s = by_port(dd, 4242)
        check(len(dd["sockets"]) == 1 and s, "the one good socket is listed")
        owners = s[0]["owners"] if s else []
        check([o["pid"] for o in owners] == [102, 103],
              f"only the well-formed holders are attributed: {owners}")
        if len(owners) == 2:
            check(owners[1]["exe"] is None and
                  owners[1]["exe_error"] == "No such file or directory",
                  f"unreadable exe says why: {owners[1]['exe_error']}")
            check(owners[1]["uid"] is None and owners[1]["user"] is None and
                  owners[1]["egid"] is None,
                  "unparsable status: ids unknown, not root")
            o = owners[0]
            check(o["command"] == "a) b\x1b[31m (c", "name with ) and ESC kept")
            check(o["exe"] == "/tmp/evil\nname" and o["exe_deleted"] is True,
                  "deleted exe with a newline")
            check(o["cmdline_truncated"] is True, "long command line capped")
            check(o["user"] is None and o["uid"] == 1000,
                  "uid without a passwd entry")
        check(dd["summary"]["malformed_records"] >= 4,
              f"losses counted: {dd['summary']['malformed_records']}")
    check("skipped malformed records" in err, "-v reports the skipped records")
    rc, out, err = run("--root", r, "--iana", IANA, "-W")
    check(rc == 0 and b"\x1b" not in out and b"\x07" not in out,
          "hostile tree: no control byte reaches the terminal")
    check(out.count(b"\n") == 3, "hostile tree: one header, two rows")
    check(re.search(rb"\s103\s+1\s+\?\s+noexe", out) is not None,
          "unknown user shown as ?")

# --- probe: bad arguments are usage errors, nothing is contacted ------------
for args, want in ((("probe",), "takes one HOST"),
                   (("probe", "host.invalid"), "cannot resolve"),
                   (("probe", "-p", "70000", "127.0.0.1"), "not valid"),
                   (("probe", "--timeout", "5", "127.0.0.1"), "--timeout"),
                   (("probe", "--rules", "/nonexistent/rules", "127.0.0.1"),
                    "cannot read"),
                   (("--probe", *BASE), "not with --replay or --root")):
    rc, out, err = run(*args)
    check(rc == 2 and want in err, f"{' '.join(args[:3])}: usage error "
          f"({rc}, {err.strip()[:120]!r})")

# --- help, version, man page -------------------------------------------------
rc, out, err = run("--help")
check(rc == 0 and b"usage: portsleuth" in out, "--help")
help_opts = set(re.findall(r"--[a-z][a-z0-9-]*", out.decode()))
rc, vout, err = run("--version")
check(rc == 0 and re.match(rb"portsleuth \d+\.\d+\.\d+", vout), "--version")
with open(MAN) as f:
    man = f.read()
man_opts = set(re.findall(r"\\-\\-([a-z][a-z0-9-]*)", man))
man_opts = {"--" + o for o in man_opts}
check(help_opts <= man_opts, f"options missing from the man page: {help_opts - man_opts}")
# the subcommands' own options are in the man page too
sub_opts = set(help_opts)
for sub in ("explain", "audit", "probe", "baseline", "diff", "hidden", "watch", "packet",
            "firewall", "metrics", "check"):
    rc_s, out_s, _ = run(sub, "--help")
    check(rc_s == 0, f"{sub} --help")
    sub_opts |= set(re.findall(r"--[a-z][a-z0-9-]*", out_s.decode()))
check(man_opts <= sub_opts, f"man page options in no --help: {man_opts - sub_opts}")
documented = man_json_fields(man)
for args in ((), ("-a",), ("-e", "--wide")):
    rc, d = doc(*args)
    missing = json_keys(d) - documented
    check(not missing, f"{args}: JSON fields not documented: {missing}")

# --- the shared options mean the same, and fail the same, everywhere ---------
for cmd in ([], ["explain", "22"], ["audit"]):
    sub = cmd[:1]
    rc, out, err = run(*sub, "--root", "/nonexistent-root", *cmd[1:])
    check(rc == 2 and "cannot use --root '/nonexistent-root': not a "
          "readable directory" in err, f"{sub or ['list']}: a bad --root: {err}")
    rc, out, err = run(*sub, "--iana", "/nonexistent.tsv", *cmd[1:])
    check(rc == 2 and "--iana '/nonexistent.tsv'" in err,
          f"{sub or ['list']}: a missing --iana: {err}")
for cmd in ([], ["explain", "22"]):
    sub = cmd[:1]
    rc, out, err = run(*sub, "--probe-timeout", "5", *cmd[1:])
    check(rc == 2 and "--probe-timeout takes 100 to 600000 ms, not '5'"
          in err, f"{sub or ['list']}: a bad --probe-timeout: {err}")
    rc, out, err = run(*sub, "--probe", "--root", ROOT, *cmd[1:])
    check(rc == 2 and "--probe talks to live listeners" in err,
          f"{sub or ['list']}: --probe with --root is an error: {rc} {err}")
rc, out, err = run("probe", "--timeout", "5", "127.0.0.1")
check(rc == 2 and "--timeout takes 100 to 600000 ms, not '5'" in err,
      f"probe: a bad --timeout, in the same words: {err}")

sys.exit(summary())
