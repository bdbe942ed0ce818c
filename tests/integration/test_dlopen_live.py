#!/usr/bin/python3
"""Libraries opened only when a command needs them, live.

usage: test_dlopen_live.py PORTSLEUTH TESTS_DIR

OpenSSL, libnftnl, libnftables, librpm and libbpf are not linked
(util/dl.h): the program's dynamic section must not name them, and a
plain listing (LD_DEBUG=files) must not load any of them.  Each command
that needs one loads it, and when it cannot be loaded says so and goes
on: in a private mount namespace (unshare -m, so the host sees nothing)
the library file is covered by an empty one, then

  --why        the socat holding a port is "unverified", the reason
               naming libcrypto, and it is "ok" with the library there;
  probe        an SSH banner is still identified, and a note says TLS
               was not tried because libssl could not be loaded;
  firewall     the ruleset is not read, the reason naming libnftnl;
               with the library, the rule loaded here is read (the
               namespace has a veth pair: one with only a loopback has
               no outside to filter, and its rules are not read).

Everything runs in network namespaces made here.  Needs root; exits 77
without it.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import Netns, check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
NS = f"psdl{os.getpid() % 100000}"
LAZY = ("libssl.so.", "libcrypto.so.", "libnftnl.so.", "libnftables.so.",
        "librpm.so.", "librpmio.so.", "libbpf.so.")

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


def lib_path(prefix):
    """the file the dynamic loader opens for the soname starting so"""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True,
                         text=True).stdout
    for ln in out.splitlines():
        m = re.match(r"\s*(\S+) \(libc6,x86-64\) => (\S+)", ln)
        if m and m.group(1).startswith(prefix):
            return m.group(1), os.path.realpath(m.group(2))
    return None, None


def run(cmd, hide=None, env=None):
    """cmd inside NS; with hide, in a mount namespace of its own where
    that library is an empty file"""
    inner = ["nsenter", f"--net=/run/netns/{NS}", *cmd]
    if hide:
        inner = ["unshare", "-m", "sh", "-c",
                 'mount --bind "$1" "$2" && shift 2 && exec "$@"', "sh",
                 EMPTY, hide, *inner]
    return subprocess.run(inner, capture_output=True, text=True,
                          timeout=120, env=env)


def owner_of(doc, port):
    for s in doc.get("sockets", []):
        if s.get("local_port") == port and s.get("owners"):
            return s["owners"][0]
    return {}


tmpd = tempfile.mkdtemp(prefix="psdl")
EMPTY = os.path.join(tmpd, "empty")
open(EMPTY, "w").close()
ns = Netns(NS)
try:
    # 1. not linked
    dyn = subprocess.run(["readelf", "-d", EXE], capture_output=True,
                         text=True).stdout
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", dyn)
    check(needed and not [n for n in needed if n.startswith(LAZY)],
          f"the program links none of the lazily opened libraries: "
          f"{needed}")

    ns.start("socat", "TCP-LISTEN:2222,reuseaddr,fork",
             "SYSTEM:echo SSH-2.0-OpenSSH_9.2p1")
    check(ns.listening(2222), "socat listens on 2222")

    # 2. a plain listing loads none of them
    r = run([EXE, "-a", "--netns", "self"],
            env=dict(os.environ, LD_DEBUG="files"))
    loaded = sorted({m for m in re.findall(r"file=(\S+)", r.stderr)
                     if m.startswith(LAZY)})
    check(r.returncode == 0 and "2222" in r.stdout and not loaded,
          f"a listing opens none of them (rc {r.returncode}): {loaded}")

    # 3. --why: libcrypto
    so, path = lib_path("libcrypto.so.")
    r = run([EXE, "--why", "--json", "--netns", "self"],
            env=dict(os.environ, LD_DEBUG="files"))
    i = owner_of(json.loads(r.stdout or "{}"), 2222).get("integrity", {})
    check(f"file={so}" in r.stderr and i.get("verdict") == "ok",
          f"--why loads {so} and verifies socat: {i}")
    r = run([EXE, "--why", "--json", "--netns", "self"], hide=path)
    i = owner_of(json.loads(r.stdout or "{}"), 2222).get("integrity", {})
    check(r.returncode == 0 and i.get("verdict") == "unverified" and
          f"cannot hash it: cannot load {so}" in
          (i.get("unverified_reason") or ""),
          f"without {so}: unverified, and why (rc {r.returncode}): {i}")

    # 4. probe: libssl
    so, path = lib_path("libssl.so.")
    for hide in (None, path):
        r = run([EXE, "probe", "--json", "-p", "2222", "127.0.0.1"],
                hide=hide)
        doc = json.loads(r.stdout or "{}")
        ports = doc.get("ports") or doc.get("results") or []
        wire = json.dumps(ports)
        note = f"TLS was not tried: cannot load {so}" in r.stderr
        check(r.returncode == 0 and "ssh" in wire.lower() and
              note == bool(hide),
              f"probe {'without' if hide else 'with'} {so}: SSH found, "
              f"the note {'given' if hide else 'absent'} (rc "
              f"{r.returncode}, {r.stderr.strip()[:300]}, {wire[:300]})")

    # 5. firewall: libnftnl (a namespace with only a loopback has no
    # outside to filter: its rules are not read)
    ns.sh("ip", "link", "add", "psdl0", "type", "veth", "peer", "name",
          "psdl1")
    ns.sh("ip", "link", "set", "psdl0", "up")
    ns.sh("nft", "add", "table", "inet", "psdl")
    ns.sh("nft", "add chain inet psdl in { type filter hook input "
          "priority 0; policy accept; }")
    ns.sh("nft", "add", "rule", "inet", "psdl", "in", "tcp", "dport",
          "2222", "accept")
    so, path = lib_path("libnftnl.so.")
    for hide in (None, path):
        r = run([EXE, "firewall", "--json", "--netns", "self"], hide=hide)
        doc = json.loads(r.stdout or "{}")
        n = (doc.get("namespaces") or [{}])[0]
        if hide:
            check(r.returncode in (0, 1) and not n.get("read") and
                  f"cannot load {so}" in (n.get("error") or "") +
                  r.stderr,
                  f"without {so}: not read, and why (rc {r.returncode}): "
                  f"{n} {r.stderr[:300]}")
        else:
            check(r.returncode in (0, 1) and n.get("rules", 0) >= 1,
                  f"with {so} the rule is read (rc {r.returncode}): {n}")
finally:
    ns.down()
    os.unlink(EMPTY)
    os.rmdir(tmpd)
sys.exit(summary())
