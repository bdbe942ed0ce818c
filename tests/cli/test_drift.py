#!/usr/bin/python3
"""baseline and diff against a copy of the fixture tree host-b.

usage: test_drift.py PORTSLEUTH TESTS_DIR

A baseline of host-b, then changes made in the copy the way they happen
on a host: a daemon restarted (new PID, new socket inode, new start
time: not a change), an executable replaced by a differing copy, an
inetd line changed, a listener moved from 127.0.0.1 to 0.0.0.0, a new
daemon, one gone.  Each must show, named by its field, and nothing else.
Then damaged baselines (exit 2, a clear message, never a wrong diff),
policies, the JSON form against the man page.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, json_keys, man_json_fields, summary  # noqa: E402

EXE = sys.argv[1]
TESTS = sys.argv[2]
SRC = os.path.join(TESTS, "fixtures", "host-b", "root")
DATA = os.path.join(TESTS, "..", "data")
MAN = os.path.join(TESTS, "..", "man", "portsleuth.1")
tmp = tempfile.mkdtemp(prefix="ps-drift-")
ROOT = os.path.join(tmp, "root")
BASE = os.path.join(tmp, "base.json")


def run(cmd, *args):
    p = subprocess.run([EXE, cmd, "--root", ROOT, "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb"), *args],
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def diff_json(*args):
    rc, out, err = run("diff", "--json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        check(False, f"diff --json is JSON: {out[:200]!r} {err}")
        return rc, {}, err


def changes(d):
    return sorted((c["change"], (c["after"] or c["before"])["port"],
                   tuple(c["fields"])) for c in d.get("changes", []))


def tcp_table():
    with open(os.path.join(ROOT, "proc/net/tcp")) as f:
        return f.read().splitlines()


def set_tcp(lines):
    with open(os.path.join(ROOT, "proc/net/tcp"), "w") as f:
        f.write("\n".join(lines) + "\n")


def restart(pid, new_pid, inode, new_inode):
    """The process pid exits, and the same program runs as new_pid with
    a new socket: the tree says so in /proc."""
    old, new = (os.path.join(ROOT, "proc", str(p)) for p in (pid, new_pid))
    os.rename(old, new)
    with open(os.path.join(new, "stat")) as f:
        st = f.read().split(" ")
    st[0] = str(new_pid)
    st[21] = str(int(st[21]) + 5000)     # a later start time
    with open(os.path.join(new, "stat"), "w") as f:
        f.write(" ".join(st))
    for fd in os.listdir(os.path.join(new, "fd")):
        p = os.path.join(new, "fd", fd)
        if os.readlink(p) == f"socket:[{inode}]":
            os.unlink(p)
            os.symlink(f"socket:[{new_inode}]", p)
    set_tcp([ln.replace(f" {inode} ", f" {new_inode} ")
             for ln in tcp_table()])


try:
    shutil.copytree(SRC, ROOT, symlinks=True)
    rc, out, err = run("baseline", BASE)
    check(rc == 0 and "baseline of 20 listeners saved" in err,
          f"baseline: saved ({rc}) {err.strip()[-200:]}")
    check(os.stat(BASE).st_mode & 0o777 == 0o600, "the baseline is 0600")
    with open(BASE) as f:
        b = json.load(f)
    ls = [dict(zip(b["fields"], x)) for x in b["listeners"]]
    ssh = [x for x in ls if x["port"] == 22]
    check(b["kind"] == "baseline" and b["schema"] == 1 and ssh and
          ssh[0]["program"] == "openssh-server" and
          ssh[0]["unit"] == "ssh.service" and ssh[0]["digest"] and
          "pid" not in ssh[0] and "inode" not in ssh[0],
          f"a listener is its program and unit, never a PID or inode: "
          f"{ssh}")
    rc, out, err = run("diff", BASE)
    check(rc == 0 and "0 new, 0 gone, 0 changed" in out,
          f"nothing changed: exit 0 ({rc}) {out.strip()}")

    # a restart: new PID, new inode, new start time
    restart(400, 1400, 1002, 9002)
    rc, d, err = diff_json(BASE)
    check(rc == 0 and d.get("changes") == [] and
          d["summary"] == {"new": 0, "gone": 0, "changed": 0,
                           "unexpected": 0, "missing": 0},
          f"sshd restarted (PID 400 -> 1400, a new socket): not a change: "
          f"{changes(d)}")

    # the executable replaced by a copy that differs
    with open(os.path.join(ROOT, "usr/sbin/sshd"), "ab") as f:
        f.write(b"patched\n")
    # an inetd line changed: echo now runs a program
    conf = os.path.join(ROOT, "etc/inetd.conf")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("echo\t\tstream\ttcp\tnowait\troot\tinternal",
                             "echo\t\tstream\ttcp\tnowait\troot\t"
                             "/usr/bin/socat socat - -"))
    # 127.0.0.1:631 now on every address
    set_tcp([ln.replace("0100007F:0277", "00000000:0277")
             for ln in tcp_table()])
    # 4444 gone (its line removed), a new listener on 5555 (socat's)
    lines = tcp_table()
    set_tcp([ln for ln in lines if " 1011 " not in ln] +
            ["  99: 00000000:15B3 00000000:0000 0A 00000000:00000000 "
             "00:00000000 00000000     0        0 7777 1 0000000000000000 "
             "100 0 0 10 0"])
    os.symlink("socket:[7777]", os.path.join(ROOT, "proc/800/fd/9"))
    rc, d, err = diff_json(BASE)
    got = changes(d)
    want = sorted([
        ("changed", 22, ("digest", "integrity")),
        ("changed", 7, ("entry",)),
        ("changed", 631, ("address", "unit", "origin", "exposure")),
        ("gone", 4444, ()),
        ("new", 5555, ()),
    ])
    check(rc == 1 and got == want, f"each change, named by its fields: "
          f"{got}")
    c631 = [c for c in d.get("changes", []) if
            (c["after"] or {}).get("port") == 631]
    check(c631 and c631[0]["wider"] and
          c631[0]["before"]["address"] == "127.0.0.1" and
          c631[0]["after"]["address"] == "0.0.0.0" and
          c631[0]["before"]["exposure"] == "loopback" and
          c631[0]["after"]["exposure"] == "all",
          f"127.0.0.1 -> 0.0.0.0 is a wider exposure: {c631}")
    c22 = [c for c in d.get("changes", []) if
           (c["after"] or {}).get("port") == 22]
    check(c22 and c22[0]["before"]["integrity"] == "ok" and
          c22[0]["after"]["integrity"] == "MODIFIED",
          f"the replaced sshd: its digest no longer the package's: {c22}")
    rc, out, err = run("diff", BASE)
    check(rc == 1 and "1 new, 1 gone, 3 changed" in out and
          "integrity ok -> MODIFIED" in out and
          "exposure loopback -> all (wider)" in out and
          out.splitlines()[0].split()[:3] == ["CHANGE", "NETNS", "PROTO"],
          f"the table: {out}")
    documented = man_json_fields(open(MAN).read())
    missing = json_keys(d) - documented
    check(not missing, f"diff's JSON fields are documented: {missing}")

    # a second baseline over the first: replaced whole, nothing left
    rc, out, err = run("baseline", BASE)
    rc2, d, _ = diff_json(BASE)
    check(rc == 0 and rc2 == 0 and not [f for f in os.listdir(tmp)
                                        if ".tmp." in f],
          "a new baseline replaces the old one, no temporary file left")

    # damaged baselines: exit 2 and a clear message, never a diff
    with open(BASE, "rb") as f:
        good = f.read()
    bad = os.path.join(tmp, "bad.json")
    gd = json.loads(good)

    def edit(fn):
        d = json.loads(good)
        fn(d)
        return json.dumps(d).encode()

    def set_port(d, v):
        d["listeners"][1][d["fields"].index("port")] = v
    cases = [
        (good[:len(good) // 2], "not JSON"),
        (b"", "not JSON"),
        (b"[]", "not a baseline"),
        (edit(lambda d: d.update(schema=7)), "schema"),
        (edit(lambda d: set_port(d, 70000)), "port"),
        (edit(lambda d: set_port(d, "22")), "port"),
        (edit(lambda d: d["listeners"].insert(0, 7)), "holds arrays"),
        (edit(lambda d: d["listeners"][0].pop()), "not an array of"),
        (edit(lambda d: d["listeners"][2].__setitem__(0, None)), "no netns"),
        (edit(lambda d: d["fields"].remove("port")), "fields: no port"),
        (edit(lambda d: d["fields"].__setitem__(1, "netns")), "twice"),
        (edit(lambda d: d.update(kind="policy")), "not a baseline"),
        (edit(lambda d: d["options"].update(probe="yes")),
         "wrong type"),
        (b'{"not": "a baseline"}', "not: not a key of a portsleuth baseline"),
        (b"\xff\xfe" + good, "not JSON"),
    ]
    check(len(gd["listeners"]) == 20, "the good baseline is whole")
    for i, (data, want) in enumerate(cases):
        with open(bad, "wb") as f:
            f.write(data)
        rc, out, err = run("diff", bad)
        check(rc == 2 and want in err and out == "",
              f"damaged baseline {i} ({want}): exit 2, said: {rc} "
              f"{err.strip()[:160]}")
    rc, out, err = run("diff", os.path.join(tmp, "none.json"))
    check(rc == 2 and "cannot read the baseline" in err,
          f"a missing baseline: exit 2 ({err.strip()})")
    os.mkfifo(os.path.join(tmp, "fifo"))
    rc, out, err = run("diff", os.path.join(tmp, "fifo"))
    check(rc == 2 and "not a regular file" in err,
          f"a FIFO is refused, not waited on ({err.strip()})")
    rc, out, err = run("diff", "-t", BASE)
    check(rc == 2 and "from the baseline" in err,
          "diff takes its listing options from the baseline")

    # policies
    pol = os.path.join(tmp, "policy.json")

    def policy(rules, *extra):
        with open(pol, "w") as f:
            json.dump({"portsleuth_policy": 1, "listeners": rules}, f)
        return diff_json("--policy", pol, *extra)
    rc, d, err = policy([{"port": "*"}])
    check(rc == 0 and d["baseline"] is None and
          d["policy"]["violations"] == [],
          f"a policy that allows everything, no baseline: exit 0 {rc}")
    rc, d, err = policy([
        {"comment": "ssh", "netns": "host", "proto": "tcp", "port": 22,
         "program": "openssh-server", "required": True},
        {"port": "1-1023", "max_exposure": "all"},
        {"program": "*nginx", "port": "8080-8085"},
        {"comment": "dns", "port": 53, "required": True},
    ])
    v = d.get("policy", {}).get("violations", [])
    unexpected = sorted(x["listener"]["port"] for x in v
                        if x["violation"] == "unexpected")
    missing = [x["comment"] for x in v if x["violation"] == "missing"]
    check(rc == 1 and missing == ["dns"] and 5555 in unexpected and
          9999 in unexpected and 22 not in unexpected and
          8080 not in unexpected,
          f"unexpected and missing: {unexpected} {missing}")
    rc, d, err = policy([{"port": "*", "max_exposure": "loopback"}])
    un = {x["listener"]["port"] for x in d["policy"]["violations"]}
    check(rc == 1 and 631 in un and 22 in un,
          f"max_exposure loopback: the wide ones are unexpected: {sorted(un)}")
    with open(pol, "w") as f:
        f.write('{"portsleuth_policy": 1, "listeners": [{"prot": "tcp"}]}')
    rc, out, err = run("diff", "--policy", pol)
    check(rc == 2 and "unknown key 'prot'" in err,
          f"a typo in a policy is an error, not an allow-all: {err.strip()}")
    rc, d, err = policy([{"port": "*"}], BASE)
    check(rc == 0 and d["baseline"] and d["policy"],
          "a baseline and a policy at once")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
