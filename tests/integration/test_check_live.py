#!/usr/bin/python3
"""portsleuth check, as a monitoring plugin and under a real Nagios, in a
network namespace made here.

usage: test_check_live.py PORTSLEUTH TESTS_DIR

Daemons: socat listeners started here.  Checked, straight and as Nagios
runs it:
  - OK (exit 0) against a fresh baseline and a policy that allows them;
  - WARNING (1) for a new listener on loopback (a change);
  - CRITICAL (2) for a new listener open to all (widened), a listener
    the policy does not allow, and a required one missing;
  - UNKNOWN (3) for a missing baseline, bad arguments and a timeout (a
    probe of a port that never answers, longer than --timeout);
  - the output's grammar: one status line "PORTSLEUTH STATUS - text |
    perfdata", every performance datum 'label'=value;warn;crit;min, long
    output lines after it, no ';' in the text;
  - thresholds from -w/-c move the status;
  - Nagios 4 (Debian's nagios4-core, unpacked, not installed: installing
    it would start its service on the host) started here in the
    namespace runs the check commands and records the same states and
    performance data in its status file.  Its path comes from PS_NAGIOS.
Needs root; exits 77 without it.
"""
import os
import re
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
DATA = os.path.join(TESTS, "..", "data")
NS = f"psck{os.getpid() % 100000}"
SOCAT = shutil.which("socat") or "/usr/bin/socat"
NAGIOS = os.environ.get("PS_NAGIOS", "")
procs = []

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)
if not os.access(NAGIOS, os.X_OK):
    # ./dev test sets it; a run without it is not a pass
    print(f"FAIL: PS_NAGIOS does not name an executable ('{NAGIOS}')")
    sys.exit(1)


def sh(*args, ns=NS, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, capture_output=True, timeout=120, **kw)


def start(*args, log=None):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args],
                         stdin=subprocess.DEVNULL,
                         stdout=log or subprocess.DEVNULL,
                         stderr=log or subprocess.DEVNULL)
    procs.append(p)
    return p


def stop(p):
    p.kill()
    p.wait(timeout=10)
    procs.remove(p)


def listening(port, timeout=20, gone=False):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        text = sh("cat", "/proc/net/tcp").stdout.decode()
        up = any(want in ln and " 0A " in ln for ln in text.splitlines())
        if up != gone:
            return True
        time.sleep(0.05)
    return False


DATA_OPTS = ["--iana", os.path.join(DATA, "iana-ports.tsv"),
             "--kb", os.path.join(DATA, "daemons.kb")]


def ps(*args):
    p = sh(EXE, args[0], *DATA_OPTS, *args[1:])
    return p.returncode, p.stdout.decode("utf-8"), \
        p.stderr.decode("utf-8", "replace")


PERF = re.compile(r"^'([^'=]+)'=(-?[0-9.]+)(?:[a-zA-Z%]*);([~@0-9.:-]*);"
                  r"([~@0-9.:-]*);(-?[0-9.]*)(?:;(-?[0-9.]*))?$")


def parse(out):
    """(status word, text, {label: (value, warn, crit)}, long lines), or
    None when the output breaks the plugins' format."""
    lines = out.split("\n")
    if not lines or lines[-1] != "":
        return None
    first, long_out = lines[0], lines[1:-1]
    m = re.match(r"^PORTSLEUTH (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*)"
                 r"(?: \| (.*))?$", first)
    if not m or ";" in m.group(2):
        return None
    perf = {}
    for tok in (m.group(3) or "").split(" "):
        if not tok:
            continue
        pm = PERF.match(tok)
        if not pm:
            return None
        perf[pm.group(1)] = (pm.group(2), pm.group(3), pm.group(4))
    if any("|" in ln for ln in long_out):
        return None
    return m.group(1), m.group(2), perf, long_out


CODES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


def expect(args, status, what, text=None, longline=None):
    rc, out, err = ps("check", *args)
    p = parse(out)
    check(p is not None, f"{what}: the plugins' format: {out[:300]!r}")
    if p is None:
        return None
    check(rc == CODES[status] and p[0] == status,
          f"{what}: {status} and exit {CODES[status]} "
          f"(got {p[0]}, {rc}: {out.splitlines()[0][:200]!r}, "
          f"{err.strip()[-160:]!r})")
    if text:
        check(text in p[1], f"{what}: says {text!r}: {p[1]!r}")
    if longline:
        check(any(longline in ln for ln in p[3]),
              f"{what}: a line says {longline!r}: {p[3][:5]}")
    return p


tmp = tempfile.mkdtemp(prefix="ps-check-live-")
os.chmod(tmp, 0o755)
base = os.path.join(tmp, "base.json")
policy = os.path.join(tmp, "policy.json")
with open(policy, "w") as f:
    f.write('{"portsleuth_policy": 1, "listeners": [\n'
            ' {"port": "7811", "required": true, "comment": "the web"},\n'
            ' {"port": "7812", "max_exposure": "loopback"},\n'
            ' {"port": "7813", "comment": "may come"}]}\n')
try:
    sh("ip", "netns", "add", NS, ns=None)
    sh("ip", "-n", NS, "link", "set", "lo", "up", ns=None)
    web = start(SOCAT, "TCP-LISTEN:7811,bind=0.0.0.0,reuseaddr,fork",
                "OPEN:/dev/null")
    check(listening(7811), "the daemon listens")
    rc, _, err = ps("baseline", "-t", base)
    check(rc == 0, f"baseline taken ({err.strip()[-120:]})")

    # --- the four states -----------------------------------------------------
    p = expect(["--baseline", base, "--policy", policy], "OK",
               "no change, policy met", "policy met")
    if p:
        perf = p[2]
        check(perf.get("listeners", ("",))[0] == "1" and
              perf.get("changes") == ("0", "0", "") and
              perf.get("unexpected") == ("0", "", "0") and
              perf.get("widened") == ("0", "", "0"),
              f"performance data with the default thresholds: {perf}")
        check(p[3] == [], f"no long output when all is well: {p[3]}")
    lo = start(SOCAT, "TCP-LISTEN:7812,bind=127.0.0.1,reuseaddr,fork",
               "OPEN:/dev/null")
    check(listening(7812), "a new listener on loopback")
    expect(["--baseline", base, "--policy", policy], "WARNING",
           "a new listener on loopback", "1 changes",
           "new since the baseline: tcp 127.0.0.1:7812 socat")
    expect(["--baseline", base, "-w", "changes=1"], "OK",
           "the warning threshold raised to 1")
    expect(["--baseline", base, "-c", "changes=0"], "CRITICAL",
           "a critical threshold on changes")
    wide = start(SOCAT, "TCP-LISTEN:7813,bind=0.0.0.0,reuseaddr,fork",
                 "OPEN:/dev/null")
    check(listening(7813), "a new listener open to all")
    p = expect(["--baseline", base, "--policy", policy], "CRITICAL",
               "a new listener open to all", "1 widened",
               "new since the baseline: tcp 0.0.0.0:7813 socat, exposure "
               "all")
    if p:
        check(p[2].get("new", ("",))[0] == "2" and
              p[2].get("widened", ("",))[0] == "1",
              f"new 2, widened 1: {p[2]}")
    stop(wide)
    check(listening(7813, gone=True), "the wide one closed")
    stop(lo)
    check(listening(7812, gone=True), "the loopback one closed")
    lo = start(SOCAT, "TCP-LISTEN:7812,bind=0.0.0.0,reuseaddr,fork",
               "OPEN:/dev/null")
    check(listening(7812), "7812 again, open to all")
    expect(["--no-baseline", "--policy", policy], "CRITICAL",
           "wider than the policy allows", "1 unexpected",
           "unexpected by the policy: tcp 0.0.0.0:7812 socat")
    stop(lo)
    stop(web)
    check(listening(7811, gone=True), "the required one closed")
    expect(["--no-baseline", "--policy", policy], "CRITICAL",
           "a required listener missing", "1 missing",
           "missing: the policy's rule 1 (the web) requires a listener")
    expect(["--baseline", base], "WARNING", "gone is a change", "",
           "gone since the baseline: tcp 0.0.0.0:7811 socat")
    # UNKNOWN: what the plugin cannot answer
    expect(["--baseline", os.path.join(tmp, "nonesuch.json")], "UNKNOWN",
           "a missing baseline", "nonesuch.json")
    expect(["-w", "nosuch=1"], "UNKNOWN", "a bad threshold",
           "bad arguments")
    expect(["--baseline", base, "--tcp"], "UNKNOWN",
           "listing options beside a baseline", "listing options")
    # a port that accepts and never answers: the probe waits its budget
    silent = start(SOCAT, "TCP-LISTEN:7814,bind=127.0.0.1,reuseaddr,fork",
                   "EXEC:sleep 30")
    check(listening(7814), "a silent listener")
    t0 = time.time()
    expect(["--no-baseline", "--tcp", "--probe", "--probe-timeout", "20000",
            "--timeout", "1"], "UNKNOWN", "a timeout", "timed out after 1 s")
    took = time.time() - t0
    check(took < 10, f"the timeout cut the run short ({took:.1f} s)")
    # and the prober (a child, as nobody) goes with it: run again with
    # the output in a file (a pipe would wait for every holder of its
    # end), and look as soon as the plugin has exited
    with open(os.path.join(tmp, "timeout.out"), "wb") as out:
        p = subprocess.Popen(["ip", "netns", "exec", NS, EXE, "check",
                              *DATA_OPTS, "--no-baseline", "--tcp",
                              "--probe", "--probe-timeout", "20000",
                              "--timeout", "1"], stdout=out,
                             stderr=subprocess.DEVNULL)
        p.wait(timeout=60)
    left = []
    for _ in range(10):     # SIGKILL at once: within half a second
        pids = subprocess.run(["ip", "netns", "pids", NS],
                              capture_output=True).stdout.split()
        left = []
        for pid in pids:
            try:
                with open(f"/proc/{int(pid)}/comm") as f:
                    if f.read().strip() == "portsleuth":
                        left.append(int(pid))
            except OSError:
                pass
        if not left:
            break
        time.sleep(0.05)
    check(not left, f"no prober left behind after the timeout: {left}")
    stop(silent)
    check(listening(7814, gone=True), "the silent one closed")
    rc, out, _ = ps("check", "--help")
    check(rc == 0 and "usage: portsleuth check" in out, "--help exits 0")
    rc, out, _ = ps("check", "--version")
    check(rc == 0 and re.match(r"^portsleuth check \d", out),
          f"--version exits 0: {out!r}")

    # --- a real Nagios -------------------------------------------------------
    web = start(SOCAT, "TCP-LISTEN:7811,bind=0.0.0.0,reuseaddr,fork",
                "OPEN:/dev/null")
    lo = start(SOCAT, "TCP-LISTEN:7812,bind=127.0.0.1,reuseaddr,fork",
               "OPEN:/dev/null")
    check(listening(7811) and listening(7812), "listeners for Nagios")
    ng = os.path.join(tmp, "nagios")
    os.makedirs(os.path.join(ng, "results"))
    cmdline = " ".join([EXE, "check", *DATA_OPTS])
    services = {
        # name: (arguments, expected state)
        "ok": (f"--baseline {base} -w changes=1", 0),
        "warning": (f"--baseline {base}", 1),
        "critical": (f"--baseline {base} -c changes=0", 2),
        "unknown": (f"--baseline {ng}/nonesuch.json", 3),
    }
    with open(os.path.join(ng, "nagios.cfg"), "w") as f:
        for k, v in (("log_file", "nagios.log"), ("cfg_file", "objects.cfg"),
                     ("status_file", "status.dat"),
                     ("temp_file", "nagios.tmp"), ("temp_path", "."),
                     ("lock_file", "nagios.lock"),
                     ("state_retention_file", "retention.dat"),
                     ("check_result_path", "results"),
                     ("query_socket", "nagios.qh"),
                     ("object_cache_file", "objects.cache"),
                     ("precached_object_file", "objects.precache")):
            f.write(f"{k}={os.path.join(ng, v)}\n")
        f.write("retain_state_information=0\nstatus_update_interval=1\n"
                "check_external_commands=0\nnagios_user=root\n"
                "nagios_group=root\ninterval_length=1\n"
                "enable_notifications=0\nexecute_host_checks=0\n"
                "use_syslog=0\nenable_environment_macros=0\n"
                "max_service_check_spread=1\n")
    with open(os.path.join(ng, "objects.cfg"), "w") as f:
        days = "".join(f"  {d} 00:00-24:00\n" for d in (
            "sunday", "monday", "tuesday", "wednesday", "thursday",
            "friday", "saturday"))
        f.write("define timeperiod {\n  timeperiod_name always\n"
                f"  alias always\n{days}}}\n"
                "define command {\n  command_name noop\n"
                "  command_line /bin/true\n}\n"
                "define contact {\n  contact_name nobody\n"
                "  host_notifications_enabled 0\n"
                "  service_notifications_enabled 0\n"
                "  host_notification_period always\n"
                "  service_notification_period always\n"
                "  host_notification_options n\n"
                "  service_notification_options n\n"
                "  host_notification_commands noop\n"
                "  service_notification_commands noop\n}\n"
                "define command {\n  command_name check_portsleuth\n"
                f"  command_line {cmdline} $ARG1$\n}}\n"
                "define host {\n  host_name testhost\n  address 127.0.0.1\n"
                "  max_check_attempts 1\n  check_period always\n"
                "  contacts nobody\n  notification_period always\n}\n")
        for name, (args, _) in services.items():
            f.write("define service {\n  host_name testhost\n"
                    f"  service_description portsleuth-{name}\n"
                    f"  check_command check_portsleuth!{args}\n"
                    "  max_check_attempts 1\n  check_interval 2\n"
                    "  retry_interval 2\n  check_period always\n"
                    "  contacts nobody\n  notification_period always\n}\n")
    v = subprocess.run([NAGIOS, "-v", os.path.join(ng, "nagios.cfg")],
                       capture_output=True, timeout=60)
    check(v.returncode == 0, "Nagios accepts the configuration: "
          f"{v.stdout.decode()[-300:]}")
    log = open(os.path.join(tmp, "nagios.out"), "wb")
    start(NAGIOS, os.path.join(ng, "nagios.cfg"), log=log)
    status = {}
    end = time.time() + 90
    while time.time() < end and len(status) < len(services):
        time.sleep(0.5)
        try:
            with open(os.path.join(ng, "status.dat")) as f:
                text = f.read()
        except OSError:
            continue
        for block in re.findall(r"servicestatus \{\n(.*?)\n\t\}", text,
                                re.S):
            kv = dict(ln.strip().split("=", 1) for ln in block.split("\n")
                      if "=" in ln)
            if kv.get("has_been_checked") == "1":
                status[kv["service_description"]] = kv
    check(len(status) == len(services),
          f"Nagios ran every check: {sorted(status)}")
    for name, (args, want) in services.items():
        kv = status.get(f"portsleuth-{name}", {})
        rc, out, _ = ps("check", *args.split())
        first = out.split("\n", 1)[0]
        check(kv.get("current_state") == str(want) and rc == want,
              f"Nagios: {name} is state {want} "
              f"({kv.get('current_state')}, {kv.get('plugin_output')!r})")
        text, _, perf = first.partition(" | ")
        check(kv.get("plugin_output") == text and
              kv.get("performance_data", "") == perf,
              f"Nagios: {name}: the same output and performance data "
              f"({kv.get('plugin_output')!r} vs {text!r})")
    kv = status.get("portsleuth-warning", {})
    check("new since the baseline: tcp 127.0.0.1:7812 socat" in
          kv.get("long_plugin_output", ""),
          f"Nagios keeps the long output: {kv.get('long_plugin_output')!r}")
finally:
    for p in list(procs):
        p.kill()
        p.wait(timeout=10)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
