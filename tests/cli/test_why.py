#!/usr/bin/python3
"""Why-it-runs tests against the fixture tree tests/fixtures/host-b.

usage: test_why.py PORTSLEUTH TESTS_DIR

host-b (made by tools/make-host-b.py) is a systemd host with socket
activation, inetd and xinetd, a SysV script, docker/podman/kubernetes
containers, a cron job, a supervised process, a program started by hand
over ssh, and a dpkg database with a diversion, a merged-/usr path and a
tampered file.  Every origin, package and verdict below is known from
that script.
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
                    summary, table_rows)

EXE = sys.argv[1]
TESTS = sys.argv[2]
ROOT = os.path.join(TESTS, "fixtures", "host-b", "root")
DATA = os.path.join(TESTS, "..", "data")
IANA = os.path.join(DATA, "iana-ports.tsv")
KB = os.path.join(DATA, "daemons.kb")
MAN = os.path.join(TESTS, "..", "man", "portsleuth.1")


def run(*args, root=ROOT):
    p = subprocess.run([EXE, *args[:1], "--root", root, "--iana", IANA,
                        "--kb", KB, *args[1:]] if args and args[0] in
                       ("explain", "audit") else
                       [EXE, "--root", root, "--iana", IANA, "--kb", KB,
                        *args], capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def doc(*args, root=ROOT):
    rc, out, err = run(*args, root=root)
    try:
        return rc, json.loads(out), err
    except ValueError as ex:
        check(False, f"valid JSON for {args}: {ex}: {out[:300]!r} {err}")
        return rc, {}, err


def owner(d, port):
    for s in d["sockets"]:
        if s["local_port"] == port and s["owners"]:
            return s["owners"][0]
    return None


# --- list --why, JSON ------------------------------------------------------
rc, d, err = doc("--why", "--json", "-a")
check(rc == 0, f"list --why: exit 0 ({err})")
want = {
    22: ("systemd", "openssh-server", "ok"),
    631: ("socket-activation", "systemd", "ok"),
    7: ("inetd", "openbsd-inetd", "ok"),
    37: ("xinetd", "xinetd", "ok"),
    9999: ("xinetd", "xinetd", "ok"),
    8080: ("container", None, "unverified"),
    8082: ("container", None, "unverified"),
    8083: ("container", None, "unverified"),
    4444: ("cron", "socat", "ok"),
    31337: ("login", None, "suspect"),
    7000: ("sysv", "legacy", "ok"),
    8081: ("systemd-user", None, "unpackaged"),
    9001: ("supervisor", "socat", "ok"),
    7001: ("systemd", "origpkg", "ok"),
    7002: ("systemd", "mergedpkg", "ok"),
    7003: ("systemd", "moddedpkg", "MODIFIED"),
    7004: ("systemd", "divpkg", "ok"),
}
for port, (kind, pkg, verdict) in want.items():
    o = owner(d, port)
    if o is None:
        check(False, f"port {port} has an owner")
        continue
    check(o["origin"]["kind"] == kind,
          f"port {port}: origin {o['origin']['kind']} == {kind}")
    check(o["package"].get("name") == pkg,
          f"port {port}: package {o['package'].get('name')} == {pkg}")
    check(o["integrity"]["verdict"] == verdict,
          f"port {port}: integrity {o['integrity']['verdict']} == {verdict}")
    check(o["origin"]["disable"], f"port {port}: how to turn it off")

o = owner(d, 22)
check(o["origin"]["unit_file"] == "/lib/systemd/system/ssh.service",
      "ssh: unit file")
check("/etc/systemd/system/ssh.service.d/override.conf" in
      o["origin"]["dropins"], "ssh: drop-in named")
check(o["origin"]["disable"] == ["systemctl disable --now ssh.service"],
      "ssh: systemctl disable --now")
check(o["package"]["version"] == "1:9.2p1-2+deb12u3", "ssh: package version")
check(o["integrity"]["digest"] == o["integrity"]["package_digest"]
      and o["integrity"]["digest_algorithm"] == "md5",
      "ssh: digests equal")
check(o["purpose"]["source"] == "knowledge base" and
      o["purpose"]["recommendation"] == "keep", "ssh: purpose from the kb")

o = owner(d, 631)
check(o["pid"] == 1 and o["origin"]["socket_unit"] == "cups.socket" and
      o["origin"]["unit"] == "cups.service", "631: PID 1 for cups.socket")
check(o["origin"]["listen"] ==
      "/lib/systemd/system/cups.socket:7 ListenStream=127.0.0.1:631",
      "631: the Listen line, with file and line")
check("systemctl disable --now cups.socket" in o["origin"]["disable"],
      "631: disable the .socket unit")

o = owner(d, 23)
check(o["origin"]["config_file"] == "/etc/inetd.conf" and
      o["origin"]["config_line"] == 8 and
      o["origin"]["config_service"] == "telnet" and
      o["origin"]["config_user"] == "telnetd" and
      o["origin"]["config_wait"] == "nowait", "23: inetd.conf line 8")
check(any("kill -HUP 500" in x and "line 8" in x
          for x in o["origin"]["disable"]), "23: comment out, then HUP inetd")
est = [s for s in d["sockets"] if s["local_port"] == 23 and
       s["state"] == "ESTAB"]
check(len(est) == 1 and est[0]["owners"][0]["origin"]["kind"] == "inetd" and
      est[0]["owners"][0]["origin"]["config_line"] == 8,
      "an inetd child (through tcpd) is attributed to its line")
check(not [s for s in d["sockets"] if s["local_port"] == 13],
      "no socket for the disabled daytime line")

o = owner(d, 37)
check(o["origin"]["config_file"] == "/etc/xinetd.d/time" and
      o["origin"]["config_line"] == 2, "37: xinetd.d/time")
check(any("disable = yes" in x for x in o["origin"]["disable"]),
      "37: disable = yes")

o = owner(d, 8080)
check(o["origin"]["runtime"] == "docker" and
      o["origin"]["container_name"] == "web-frontend", "docker name")
check(o["package"]["manager"] == "none" and "container" in
      o["package"]["error"], "container: its root is not guessed")
check(owner(d, 8082)["origin"]["container_name"] == "podman-web",
      "podman name")
check(owner(d, 8083)["origin"]["container_name"] == "shop/web-7d9f/nginx",
      "kubernetes namespace/pod/container")

o = owner(d, 31337)
check(o["origin"]["login_user"] == "alice" and o["origin"]["tty"] ==
      "pts/1" and o["origin"]["remote"] == "203.0.113.9",
      "by hand: user, terminal, remote address")
check([p["command"] for p in o["origin"]["parents"]] ==
      ["bash", "sshd", "sshd", "systemd"], "parent chain")
check(set(o["integrity"]["flags"]) >= {"no_package", "temp_dir",
                                       "ld_preload"}, "backdoor flags")
check(o["integrity"]["loader_variables"] == "LD_PRELOAD=/tmp/hook.so",
      "LD_PRELOAD shown")

o = owner(d, 7000)
check(o["origin"]["init_script"] == "legacyd" and
      "rc2.d/S01legacyd" in o["origin"]["rc_links"], "SysV: script, links")
check(o["purpose"]["source"] == "package description" and
      o["purpose"]["text"] == "legacy daemon for tests",
      "purpose from the package description")
o = owner(d, 8081)
check(o["purpose"]["source"] == "man page" and
      o["purpose"]["text"] == "serve the user application",
      "purpose from the man page NAME line")
o = owner(d, 7003)
check("modified" in o["integrity"]["flags"] and
      o["integrity"]["digest"] != o["integrity"]["package_digest"],
      "tampered file: digests differ")
o = owner(d, 7001)
check(o["package"]["listed_path"] == "/usr/bin/diverted" and
      o["package"]["diverted_by"] == "divpkg", "diversion followed")
o = owner(d, 7002)
check(o["package"]["listed_path"] == "/bin/mergedd", "merged /usr alias")

# without --why there are no dossier fields
rc, plain, err = doc("--json")
check(all("origin" not in o for s in plain["sockets"] for o in s["owners"]),
      "no origin fields unless asked for")

# --- list --why, table ----------------------------------------------------
rc, out, err = run("--why", "-t")
rows = table_rows(out)
check(rc == 0 and rows and {"ORIGIN", "PACKAGE", "INTEGRITY"} <=
      set(rows[0]), "table has ORIGIN, PACKAGE, INTEGRITY")
by = {r["LOCAL"]: r for r in rows}
check(by["0.0.0.0:22"]["ORIGIN"] == "systemd ssh.service", "table origin")
check(by["0.0.0.0:7003"]["INTEGRITY"] == "MODIFIED", "table integrity")
check(by["0.0.0.0:7"]["ORIGIN"] == "inetd /etc/inetd.conf:5 (echo)",
      "table inetd line")

# --- explain ----------------------------------------------------------------
rc, out, err = run("explain", "31337")
t = out.decode()
check(rc == 0 and "backdoor (pid 900)" in t, "explain a port")
for want_text in ("started by hand by alice on pts/1 from 203.0.113.9",
                  "purpose     unknown: not in the knowledge base",
                  "LD_PRELOAD=/tmp/hook.so", "owned by no package",
                  "runs from a temporary directory",
                  "bash 899 <- sshd 898 <- sshd 400 <- systemd 1",
                  "kill 900"):
    check(want_text in t, f"explain 31337 says {want_text!r}")
rc, out, err = run("explain", "631/tcp")
t = out.decode()
check(rc == 0 and "systemctl disable --now cups.socket" in t and
      "ListenStream=127.0.0.1:631" in t, "explain socket activation")
rc, out, err = run("explain", "23/tcp")
t = out.decode()
check("serves      /usr/sbin/in.telnetd (telnetd)" in t and
      "disable: use SSH" in t, "explain: what an inetd line runs, via tcpd")
check("purpose     unknown" not in t, "inetd's purpose is known")
rc, out, err = run("explain", "4444")
check("cron job" in out.decode(), "explain a cron job")
rc, out, err = run("explain", "631/udp")
check(rc == 1 and "nothing matches" in err, "explain: nothing on 631/udp")
rc, out, err = run("explain", "pid:600")
t = out.decode()
check(rc == 0 and "xinetd (pid 600)" in t and "37/tcp" in t and
      "9999/tcp" in t and "/etc/xinetd.d/myservice:1" in t,
      "explain a PID: both xinetd services")
rc, out, err = run("explain", "950")
check(rc == 0 and "legacyd (pid 950)" in out.decode(),
      "a bare number that is no port is a PID")
rc, out, err = run("explain", "nginx")
t = out.decode()
check(rc == 0 and t.count("nginx (pid") == 5, "explain a name: 5 nginx")
check("web-frontend" in t and "podman-web" in t, "container names shown")
rc, out, err = run("explain", "7003")
check("MODIFIED" in out.decode() and "digest differs" in out.decode(),
      "explain a modified binary")
rc, out, err = run("explain", "99999/tcp")
check(rc == 2 and "not a port" in err, "explain: bad target is a usage error")
rc, out, err = run("explain")
check(rc == 2, "explain needs a target")
rc, d, err = doc("explain", "--json", "22")
p = d.get("processes", [{}])[0]
check(rc == 0 and p.get("pid") == 400 and
      p["sockets"][0]["origin"]["kind"] == "systemd" and
      p["package"]["name"] == "openssh-server" and
      p["purpose"]["daemon"] == "sshd", "explain --json")

# --- audit -----------------------------------------------------------------
rc, d, err = doc("audit", "--json")
items = {(i["type"], i["name"]): i for i in d.get("configured", [])}
check(rc == 0 and items, f"audit --json ({err})")
i = items.get(("service", "ssh.service"), {})
check(i.get("running") is True and i.get("listening") == ["0.0.0.0:22/tcp"]
      and i.get("recommendation") == "keep", "audit: ssh.service")
i = items.get(("socket", "cups.socket"), {})
check(i.get("listening") == ["127.0.0.1:631/tcp"] and
      i.get("recommendation") == "disable", "audit: cups.socket")
i = items.get(("inetd", "telnet/tcp"), {})
check(i.get("running") is True and i.get("recommendation") == "disable" and
      i.get("source") == "/etc/inetd.conf:8", "audit: telnet in inetd.conf")
i = items.get(("inetd", "finger/tcp"), {})
check(i.get("running") is False and i.get("enabled") is True,
      "audit: finger configured but nothing listens")
check(("inetd", "daytime/tcp") not in items, "audit: disabled line hidden")
check(("xinetd", "discard/tcp") not in items,
      "audit: xinetd 'disabled =' default honoured")
i = items.get(("xinetd", "time/tcp"), {})
check(i.get("listening") == ["0.0.0.0:37/tcp"], "audit: xinetd time")
i = items.get(("sysv", "legacyd"), {})
check(i.get("running") is True and i.get("listening") ==
      ["0.0.0.0:7000/tcp"], "audit: SysV script started in runlevel 2")
check(items.get(("sysv", "oldftp"), {}).get("running") is False,
      "audit: SysV script not running")
check(items.get(("service", "getty@tty1.service"), {}).get("purpose") ==
      "Getty on tty1", "audit: %I expanded with the instance")
check(("service", "avahi-daemon.service") not in items,
      "audit: masked unit left out")
check(("service", "apt-daily.service") not in items,
      "audit: one-shot service left out by default")
rc, d, err = doc("audit", "--json", "--all")
names = {(i["type"], i["name"]) for i in d.get("configured", [])}
check(("service", "apt-daily.service") in names and
      ("inetd", "daytime/tcp") in names, "audit --all shows the rest")
rc, out, err = run("audit")
rows = out.decode().splitlines()
check(rc == 0 and rows[0].split()[:5] ==
      ["TYPE", "NAME", "RUNNING", "LISTENING", "ADVICE"], "audit table")


# --- hostile configuration --------------------------------------------------
def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


with tempfile.TemporaryDirectory() as tmp:
    hroot = os.path.join(tmp, "root")
    shutil.copytree(ROOT, hroot, symlinks=True)
    write(hroot + "/etc/inetd.conf",
          b"echo\tstream\ttcp\tnowait\troot\tinternal\n"
          b"\x1b[2Jevil\tstream\ttcp\tnowait\troot\t/bin/x\x07\n" +
          b"A" * 200000 + b"\n\x00\xff\xfe garbage\n")
    write(hroot + "/etc/xinetd.d/time",
          b"service time\n{\n\tserver_args = \x1b]0;owned\x07\n" +
          b"\tdisable = no\n\ttype = INTERNAL\n" + b"{" * 5000 + b"\n")
    write(hroot + "/lib/systemd/system/ssh.service",
          b"[Service]\nExecStart=/usr/sbin/sshd\x00\xff\n[" + b"x" * 100000)
    write(hroot + "/var/lib/dpkg/status",
          b"Package: \x1b[31mred\nVersion: 1\n\n" + os.urandom(4096))
    write(hroot + "/var/lib/docker/containers/3f4e5d6c7b8a9988776655443322"
          "1100ffeeddccbbaa00112233445566778899/config.v2.json",
          b'{"Name": "/\\u001b[2Jx", "Name": 1')
    write(hroot + "/proc/900/environ",
          b"LD_PRELOAD=" + b"\x1b[2J" * 10000 + b"\x00SSH_CONNECTION=\x00")
    rc, out, err = run("--why", "-a", root=hroot)
    check(rc == 0, f"hostile configs: exit 0 ({rc}, {err[-300:]})")
    check(b"\x1b" not in out and b"\x07" not in out,
          "hostile configs: no control characters reach the terminal")
    rc, out, err = run("explain", "31337", root=hroot)
    check(rc == 0 and b"\x1b" not in out, "hostile explain escaped")
    rc, dd, err = doc("--why", "--json", "-a", root=hroot)
    check(rc == 0 and dd.get("sockets"), "hostile configs: valid JSON")
    rc, dd, err = doc("audit", "--json", root=hroot)
    check(rc == 0 and "configured" in dd, "hostile audit: valid JSON")
    rc, out, err = run("audit", root=hroot)
    check(rc == 0 and b"\x1b" not in out, "hostile audit table escaped")

# --- a host with no package manager and no systemd ------------------------
rc, d, err = doc("--why", "--json", root=os.path.join(TESTS, "fixtures",
                                                      "host-a", "root"))
check(rc == 0 and "unknown package manager" in err,
      "no dpkg: said once on stderr")
o = d["sockets"][0]["owners"][0] if d.get("sockets") else {}
check(o.get("package", {}).get("manager") == "none" and
      o.get("integrity", {}).get("verdict") == "unverified",
      "no dpkg: package unknown, integrity unverified, not 'unpackaged'")

# --- help and man page --------------------------------------------------------
with open(MAN) as f:
    man = f.read()
man_opts = {"--" + o for o in re.findall(r"\\-\\-([a-z][a-z0-9-]*)", man)}
for sub in ("explain", "audit"):
    p = subprocess.run([EXE, sub, "--help"], capture_output=True)
    opts = set(re.findall(r"--[a-z][a-z0-9-]*", p.stdout.decode()))
    check(p.returncode == 0 and opts and opts <= man_opts,
          f"{sub} --help options in the man page: {opts - man_opts}")
    check(f".B portsleuth {sub}" in man or f"portsleuth {sub}" in man,
          f"{sub} documented in the man page")
# every key the documents hold is a field the man page's JSON OUTPUT
# section names in bold (not merely a word somewhere in its prose)
documented = man_json_fields(man)
for args in (("--why", "--json", "-a"), ("explain", "--json", "22"),
             ("explain", "--json", "31337"), ("audit", "--json", "-a")):
    rc, d, err = doc(*args)
    missing = json_keys(d) - documented
    check(not missing, f"{args}: JSON fields not documented: {missing}")

sys.exit(summary())
