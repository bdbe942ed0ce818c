#!/usr/bin/python3
"""audit: every way back at boot, on a copy of the fixture tree host-b.

usage: test_persist.py PORTSLEUTH TESTS_DIR

Added to the copy: an executable /etc/rc.local and a non-executable one's
line, @reboot lines in /etc/crontab, /etc/cron.d and a user's crontab, an
at job, a udev rule with RUN+=, /etc/ld.so.preload, a timer and a path
unit enabled, and a lingering user's enabled unit.  audit must list each
with its file and line, the program and the user it runs as, and
nothing from what is commented out.  A hostile line (escapes, a huge
line, a FIFO in cron.d) must not break the output.
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
SRC = os.path.join(TESTS, "fixtures", "host-b", "root")
DATA = os.path.join(TESTS, "..", "data")
tmp = tempfile.mkdtemp(prefix="ps-persist-")
ROOT = os.path.join(tmp, "root")


def write(path, text, mode=0o644):
    full = os.path.join(ROOT, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


def audit(*args):
    p = subprocess.run([EXE, "audit", "--root", ROOT, "--iana",
                        os.path.join(DATA, "iana-ports.tsv"), "--kb",
                        os.path.join(DATA, "daemons.kb"), *args],
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


try:
    shutil.copytree(SRC, ROOT, symlinks=True)
    write("/etc/rc.local", "#!/bin/sh -e\n# comment\n"
          "/usr/local/bin/tunnel -d 203.0.113.7 &\n\nexit 0\n", 0o755)
    write("/etc/crontab", "SHELL=/bin/sh\n"
          "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n"
          "@reboot root /usr/bin/socat TCP-LISTEN:4444 EXEC:/bin/sh\n"
          "#@reboot root /usr/bin/disabled\n")
    write("/etc/cron.d/helper", "@reboot nobody /opt/helper/run --quiet\n"
          "@reboot\troot\t/usr/bin/printf '\x1b[2Jx'\n")
    os.mkfifo(os.path.join(ROOT, "etc/cron.d/fifo"))
    write("/var/spool/cron/crontabs/alice", "# DO NOT EDIT\n"
          "@reboot /home/alice/bin/agent\n" + "x" * 200000 + "\n", 0o600)
    write("/var/spool/cron/atjobs/a0000101a2b3c4", "#!/bin/sh\n"
          "# atrun uid=1000 gid=1000\numask 22\ncd /home/alice || {\n"
          "\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n"
          "/home/alice/bin/at-job --once\n", 0o700)
    write("/etc/udev/rules.d/99-usb.rules",
          'ACTION=="add", SUBSYSTEM=="usb", RUN+="/usr/local/sbin/usb-hook %k"\n'
          '# RUN+="/bin/commented"\n')
    write("/etc/ld.so.preload", "/usr/lib/libhide.so\n")
    write("/lib/systemd/system/backup.timer",
          "[Unit]\nDescription=Nightly backup\n[Timer]\nOnCalendar=daily\n"
          "Unit=backup.service\n[Install]\nWantedBy=timers.target\n")
    write("/lib/systemd/system/backup.service",
          "[Service]\nType=oneshot\nExecStart=/usr/bin/backupd --full\n")
    write("/lib/systemd/system/spool.path",
          "[Unit]\nDescription=Watch the spool\n[Path]\n"
          "PathChanged=/var/spool/in\n[Install]\nWantedBy=paths.target\n")
    write("/lib/systemd/system/spool.service",
          "[Service]\nExecStart=/usr/bin/spoold\n")
    for target, unit in (("timers.target.wants", "backup.timer"),
                         ("paths.target.wants", "spool.path")):
        d = os.path.join(ROOT, "etc/systemd/system", target)
        os.makedirs(d, exist_ok=True)
        os.symlink(f"/lib/systemd/system/{unit}", os.path.join(d, unit))
    write("/var/lib/systemd/linger/alice", "")
    d = os.path.join(ROOT, "home/alice/.config/systemd/user/"
                     "default.target.wants")
    os.makedirs(d)
    os.symlink("/home/alice/.config/systemd/user/sync.service",
               os.path.join(d, "sync.service"))

    rc, out, err = audit("--json")
    d = json.loads(out)
    items = {(x["type"], x["source"]): x for x in d["configured"]}

    def one(kind, source):
        return items.get((kind, source)) or {}
    x = one("rc.local", "/etc/rc.local:3")
    check(x.get("name") == "tunnel" and
          x.get("executable") == "/usr/local/bin/tunnel" and
          "203.0.113.7" in (x.get("purpose") or "") and x.get("enabled"),
          f"rc.local's line, with its file and line: {x}")
    check(not any(k == "rc.local" and s != "/etc/rc.local:3"
                  for k, s in items),
          "its shebang, comment and exit are not entries")
    x = one("cron", "/etc/crontab:3")
    check(x.get("executable") == "/usr/bin/socat" and
          "as root" in (x.get("purpose") or ""),
          f"an @reboot line of /etc/crontab, as its user: {x}")
    check(("cron", "/etc/crontab:2") not in items and
          ("cron", "/etc/crontab:4") not in items,
          "a timed line and a commented @reboot are not boot entries")
    x = one("cron", "/etc/cron.d/helper:1")
    check(x.get("executable") == "/opt/helper/run" and
          "as nobody" in (x.get("purpose") or ""),
          f"/etc/cron.d: {x}")
    x = one("cron", "/var/spool/cron/crontabs/alice:2")
    check(x.get("executable") == "/home/alice/bin/agent" and
          "as alice" in (x.get("purpose") or ""),
          f"a user's crontab, as that user: {x}")
    x = [v for (k, s), v in items.items() if k == "at"]
    check(len(x) == 1 and x[0]["executable"] == "/home/alice/bin/at-job" and
          x[0]["source"].startswith("/var/spool/cron/atjobs/a0000101a2b3c4:"),
          f"an at job, its command: {x}")
    x = one("udev", "/etc/udev/rules.d/99-usb.rules:1")
    check(x.get("executable") == "/usr/local/sbin/usb-hook" and
          ("udev", "/etc/udev/rules.d/99-usb.rules:2") not in items,
          f"a udev RUN+=, not the commented one: {x}")
    x = one("ld.so.preload", "/etc/ld.so.preload:1")
    check(x.get("name") == "libhide.so" and
          "/usr/lib/libhide.so" in (x.get("purpose") or ""),
          f"/etc/ld.so.preload: {x}")
    t = [v for (k, s), v in items.items() if v["name"] == "backup.timer"]
    p = [v for (k, s), v in items.items() if v["name"] == "spool.path"]
    check(t and t[0]["type"] == "timer" and
          t[0]["executable"] == "/usr/bin/backupd" and p and
          p[0]["type"] == "path" and p[0]["executable"] == "/usr/bin/spoold",
          f"a timer and a path unit, with what they start: {t} {p}")
    u = [v for (k, s), v in items.items() if k == "user-unit"]
    check(len(u) == 1 and u[0]["name"] == "sync.service" and
          "as alice" in (u[0]["purpose"] or ""),
          f"a lingering user's unit: {u}")
    rc, out, err = audit()
    check(rc == 0 and "\x1b" not in out and "\\e[2J" in out and
          "socat" in out, "the table: escaped, whole")
    # rc.local not executable: present, but not run at boot
    os.chmod(os.path.join(ROOT, "etc/rc.local"), 0o644)
    rc, out, err = audit("--json")
    x = [v for v in json.loads(out)["configured"] if v["type"] == "rc.local"]
    check(x and x[0]["enabled"] is False,
          f"a non-executable rc.local is said off: {x}")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
