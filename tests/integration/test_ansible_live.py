#!/usr/bin/python3
"""The Ansible collection's module and the facts.d script, run by a real
ansible-core (Debian's) against localhost, in a network namespace made
here.

usage: test_ansible_live.py PORTSLEUTH TESTS_DIR

Daemons: socat listeners on IPv4 (all addresses and loopback), on IPv6
(the case Ansible's own listen_ports_facts once misparsed) and one on
port 80 that greets like an SSH server (a mismatch when probed).
Checked:
  - ansible-playbook (connection local) runs portsleuth_facts; its
    ansible_facts.portsleuth.listeners are the records of the same
    `portsleuth --json --why --probe` run by the test: the same sockets
    and, field by field, the same values (the probe's timing aside);
  - the IPv6 listener is one record with its address and port as fields;
  - exposure counts, the mismatch, and the drift against a baseline taken
    before the last listener (one new, the right one);
  - check mode runs it too (it changes nothing);
  - a failing portsleuth (a baseline that is not one) fails the task
    with portsleuth's reason;
  - ansible-doc reads the module's documentation, and
    ansible-galaxy builds the collection;
  - the facts.d script, run by the setup module (fact_path), gives
    ansible_local.portsleuth with the same listeners.
Needs root; exits 77 without it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
TESTS = os.path.abspath(sys.argv[2])
SRC = os.path.join(TESTS, "..")
COLL = os.path.join(SRC, "contrib", "ansible")
FACT = os.path.join(COLL, "facts.d", "portsleuth.fact")
NS = f"psan{os.getpid() % 100000}"
SOCAT = shutil.which("socat") or "/usr/bin/socat"
PLAYBOOK = shutil.which("ansible-playbook", path="/usr/bin")
procs = []

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)
if not PLAYBOOK:
    # ./dev test installs ansible-core: a run without it is not a pass
    print("FAIL: no /usr/bin/ansible-playbook (package ansible-core)")
    sys.exit(1)

tmp = tempfile.mkdtemp(prefix="ps-ansible-live-")
os.chmod(tmp, 0o755)
ENV = {"PATH": f"{os.path.dirname(EXE)}:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": tmp, "ANSIBLE_HOME": os.path.join(tmp, "ansible"),
       "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-tmp"),
       "ANSIBLE_COLLECTIONS_PATH": COLL, "ANSIBLE_NOCOLOR": "1",
       "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
       "ANSIBLE_RETRY_FILES_ENABLED": "0", "LC_ALL": "C.UTF-8"}


def sh(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *args],
                          capture_output=True, timeout=300, env=ENV, **kw)


def start(*args):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(p)


def listening(port, six=False, timeout=20):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        text = sh("cat", "/proc/net/tcp6" if six else "/proc/net/tcp") \
            .stdout.decode()
        if any(want in ln and " 0A " in ln for ln in text.splitlines()):
            return True
        time.sleep(0.05)
    return False


def playbook(tasks, *extra):
    """Run a play of tasks on localhost; (rc, output, saved facts)."""
    out = os.path.join(tmp, "facts.json")
    if os.path.exists(out):
        os.remove(out)
    play = os.path.join(tmp, "play.yml")
    with open(play, "w") as f:
        f.write("- hosts: localhost\n  connection: local\n"
                "  gather_facts: false\n  tasks:\n" + tasks +
                "    - name: save the facts\n      ansible.builtin.copy:\n"
                "        content: \"{{ ansible_facts.portsleuth | to_json }}\"\n"
                f"        dest: {out}\n      check_mode: false\n")
    p = sh(PLAYBOOK, "-i", "localhost,", play, *extra)
    facts = None
    if os.path.exists(out):
        with open(out) as f:
            facts = json.load(f)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace"), \
        facts


def key(s):
    return (s["proto"], s["family"], s["local_address"], s["local_port"])


def steady(s):
    """A record without what changes from one run to the next."""
    s = json.loads(json.dumps(s))
    if s.get("probe"):
        for k in ("ms", "connections", "evidence"):
            s["probe"].pop(k, None)
    return s


base = os.path.join(tmp, "base.json")
try:
    subprocess.run(["ip", "netns", "add", NS], check=True)
    subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"], check=True)
    start(SOCAT, "TCP-LISTEN:7821,bind=0.0.0.0,reuseaddr,fork",
          "OPEN:/dev/null")
    start(SOCAT, "TCP-LISTEN:7822,bind=127.0.0.1,reuseaddr,fork",
          "OPEN:/dev/null")
    start(SOCAT, "TCP-LISTEN:80,bind=127.0.0.1,reuseaddr,fork",
          "SYSTEM:echo SSH-2.0-OpenSSH_9.2p1 Debian-2")
    check(listening(7821) and listening(7822) and listening(80),
          "the IPv4 daemons listen")
    p = sh(EXE, "baseline", "-t", base)
    check(p.returncode == 0, f"baseline ({p.stderr.decode()[-200:]})")
    start(SOCAT, "TCP6-LISTEN:7823,bind=[::],ipv6only=1,reuseaddr,fork",
          "OPEN:/dev/null")
    check(listening(7823, six=True), "the IPv6 daemon listens")

    tasks = ("    - name: read what listens\n"
             "      portsleuth.portsleuth.portsleuth_facts:\n"
             f"        executable: {EXE}\n        probe: true\n"
             f"        baseline: {base}\n")
    rc, out, facts = playbook(tasks)
    check(rc == 0 and facts, f"ansible-playbook runs the module ({rc}): "
          f"{out[-600:]}")
    p = sh(EXE, "--json", "--why", "--probe")
    direct = json.loads(p.stdout) if p.returncode in (0, 1) else {}
    facts = facts or {}
    fl = {key(s): s for s in facts.get("listeners", [])}
    dl = {key(s): s for s in direct.get("sockets", [])}
    check(fl and set(fl) == set(dl), f"the same sockets as portsleuth "
          f"--json: {sorted(set(fl) ^ set(dl))}")
    print(f"{len(dl)} records from the module, {sum(len(json.dumps(s)) for s in dl.values())} bytes of JSON")
    same = [k for k in dl if k in fl and steady(fl[k]) == steady(dl[k])]

    def differs(k):
        """the fields of k that differ; a probe's with both values (a
        flake of timing and a real difference look alike otherwise)"""
        a, b = steady(fl.get(k, {})), steady(dl[k])
        out = []
        for f in b:
            if a.get(f) == b.get(f):
                continue
            if f == "probe" and isinstance(a.get(f), dict) and \
                    isinstance(b.get(f), dict):
                out += [f"probe.{x}: {a[f].get(x)!r} / {b[f].get(x)!r}"
                        for x in sorted(set(a[f]) | set(b[f]))
                        if a[f].get(x) != b[f].get(x)]
            else:
                out.append(f)
        return ", ".join(out)

    check(len(same) == len(dl), "each record is the one portsleuth prints, "
          f"field by field: {len(same)} of {len(dl)} equal; differs "
          "(module / direct): " + "; ".join(
              f"{k}: {differs(k)}" for k in dl if k not in same)[:600])
    six = fl.get(("tcp", "ipv6", "::", 7823))
    check(six is not None and six["owners"] and
          six["owners"][0]["command"] == "socat",
          "the IPv6 listener: one record, address and port as fields")
    check(facts.get("exposure", {}).get("all") == 2 and
          facts["exposure"].get("loopback") == 2,
          f"exposure counts: {facts.get('exposure')}")
    mm = [s["local_port"] for s in facts.get("mismatches", [])]
    check(mm == [80], f"the mismatch: port 80 speaks ssh: {mm}")
    drift = facts.get("drift") or {}
    new = [c["after"]["port"] for c in drift.get("changes", [])
           if c["change"] == "new"]
    check(drift.get("summary", {}).get("new") == 1 and new == [7823],
          f"drift since the baseline: {drift.get('summary')} {new}")
    check(facts.get("version") and facts.get("privileged") is True,
          f"version and privileges: {facts.get('version')}")

    rc, out, facts = playbook(tasks, "--check")
    check(rc == 0 and facts and len(facts.get("listeners", [])) == len(dl),
          f"check mode runs it ({rc}): {out[-300:]}")

    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write("{\"not\": \"a baseline\"}\n")
    rc, out, _ = playbook(tasks.replace(base, bad))
    check(rc != 0 and "diff exited 2" in out and "bad.json" in out,
          f"a failing portsleuth fails the task with its reason: "
          f"{out[-400:]}")
    print("the failed task said: " + next(
        (ln.strip()[:300] for ln in out.splitlines() if "exited 2" in ln), ""))

    # the module's documentation is valid (ansible-doc parses it)
    p = sh("/usr/bin/ansible-doc", "-t", "module",
           "portsleuth.portsleuth.portsleuth_facts")
    doc = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 0 and "probe" in doc and "baseline" in doc,
          f"ansible-doc reads the module's documentation: "
          f"{p.stderr.decode()[-300:]}")
    # and the collection builds
    p = sh("/usr/bin/ansible-galaxy", "collection", "build", "--output-path",
           tmp, os.path.join(COLL, "ansible_collections", "portsleuth",
                             "portsleuth"))
    check(p.returncode == 0 and os.path.exists(os.path.join(
        tmp, "portsleuth-portsleuth-0.1.0.tar.gz")),
        f"ansible-galaxy collection build: {p.stderr.decode()[-300:]}")

    # --- the facts.d script --------------------------------------------------
    fdir = os.path.join(tmp, "facts.d")
    os.makedirs(fdir)
    shutil.copy(FACT, os.path.join(fdir, "portsleuth.fact"))
    os.chmod(os.path.join(fdir, "portsleuth.fact"), 0o755)
    play = os.path.join(tmp, "local.yml")
    out = os.path.join(tmp, "local.json")
    with open(play, "w") as f:
        f.write("- hosts: localhost\n  connection: local\n"
                "  gather_facts: false\n  tasks:\n"
                "    - ansible.builtin.setup:\n        filter: ansible_local\n"
                f"        fact_path: {fdir}\n"
                "    - ansible.builtin.copy:\n"
                "        content: \"{{ ansible_local.portsleuth | to_json }}\"\n"
                f"        dest: {out}\n")
    p = sh(PLAYBOOK, "-i", "localhost,", play)
    local = {}
    if os.path.exists(out):
        with open(out) as f:
            local = json.load(f)
    check(p.returncode == 0 and local, f"setup runs the facts.d script: "
          f"{(p.stdout + p.stderr).decode()[-400:]}")
    lp = sorted((x["proto"], x["family"], x["address"], x["port"],
                 x["command"]) for x in local.get("listeners", []))
    want = sorted((s["proto"], s["family"], s["local_address"],
                   s["local_port"], o["command"])
                  for s in direct.get("sockets", []) for o in s["owners"])
    check(lp and lp == want, f"ansible_local.portsleuth lists the same "
          f"listeners: {lp} vs {want}")
    check(local.get("drift") is None, "no drift without the default baseline")
finally:
    for p in procs:
        p.kill()
        p.wait(timeout=10)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
