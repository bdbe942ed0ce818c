#!/usr/bin/python3
"""portsleuth metrics, read by the real Prometheus tools, in a network
namespace made here.

usage: test_metrics_live.py PORTSLEUTH TESTS_DIR

Daemons: socat listeners, one from a copy of socat's executable whose
directory and name hold a double quote, a backslash, a line feed and
UTF-8.  Checked:
  - promtool check metrics accepts the output (hostile labels included)
    and the label values read back are the record's;
  - --textfile writes DIR/portsleuth.prom whole (mode 0644, nothing left
    beside it) and refuses what is not a directory;
  - with a baseline, a new listener open to all is a drift change;
  - the shipped alert rules pass promtool check rules and their unit test;
  - a real node_exporter (textfile collector on the directory) and a real
    Prometheus server scraping it, both started here in the namespace:
    the series are queryable through Prometheus' HTTP API with the same
    labels, and the shipped alert for the new listener fires.
The Prometheus binaries are Debian's (packages prometheus and
prometheus-node-exporter, unpacked, not installed: installing them would
start their services on the host); their paths come from PS_PROMTOOL,
PS_PROMETHEUS and PS_NODE_EXPORTER.  Needs root; exits 77 without it.
"""
import json
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
SRC = os.path.join(TESTS, "..")
DATA = os.path.join(SRC, "data")
RULES = os.path.join(SRC, "contrib", "prometheus")
NS = f"psmx{os.getpid() % 100000}"
SOCAT = shutil.which("socat") or "/usr/bin/socat"
PROMTOOL = os.environ.get("PS_PROMTOOL", "")
PROMETHEUS = os.environ.get("PS_PROMETHEUS", "")
NODE_EXPORTER = os.environ.get("PS_NODE_EXPORTER", "")
procs = []

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)
for name, path in (("PS_PROMTOOL", PROMTOOL), ("PS_PROMETHEUS", PROMETHEUS),
                   ("PS_NODE_EXPORTER", NODE_EXPORTER)):
    if not os.access(path, os.X_OK):
        # ./dev test sets them; a run without them is not a pass
        print(f"FAIL: {name} does not name an executable ('{path}')")
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


def listening(port, timeout=20):
    want = f":{port:04X} "
    end = time.time() + timeout
    while time.time() < end:
        text = sh("cat", "/proc/net/tcp").stdout.decode()
        if any(want in ln and " 0A " in ln for ln in text.splitlines()):
            return True
        time.sleep(0.05)
    return False


def ps(*args):
    p = sh(EXE, args[0], "--iana", os.path.join(DATA, "iana-ports.tsv"),
           "--kb", os.path.join(DATA, "daemons.kb"), *args[1:])
    return p.returncode, p.stdout.decode("utf-8"), \
        p.stderr.decode("utf-8", "replace")


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)')


def unescape(v):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n"
                  else m.group(1), v)


def samples(text):
    """[(name, {label: value}, value)] of an exposition."""
    out = []
    for ln in text.splitlines():
        if not ln or ln.startswith("#"):
            continue
        m = SAMPLE.match(ln)
        if not m:
            out.append(("BAD LINE", {"line": ln}, "0"))
            continue
        labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
        out.append((m.group(1), labels, m.group(3)))
    return out


def promtool(*args, stdin=None):
    p = subprocess.run([PROMTOOL, *args], input=stdin, capture_output=True,
                       timeout=120, cwd=RULES)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def http_get(url):
    """The JSON of a GET from inside the namespace (Prometheus listens on
    its loopback)."""
    p = sh("python3", "-c", "import sys, urllib.request; sys.stdout.write("
           "urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())",
           url)
    if p.returncode:
        return None
    return json.loads(p.stdout)


tmp = tempfile.mkdtemp(prefix="ps-metrics-live-")
hostile_dir = os.path.join(tmp, 'bin "q\\b é')
hostile = os.path.join(hostile_dir, 'so"cat\\x\ny')
textdir = os.path.join(tmp, "textfile")
base = os.path.join(tmp, "base.json")
os.makedirs(hostile_dir)
os.makedirs(textdir)
os.chmod(tmp, 0o755)
shutil.copy(SOCAT, hostile)
try:
    sh("ip", "netns", "add", NS, ns=None)
    sh("ip", "-n", NS, "link", "set", "lo", "up", ns=None)
    start(hostile, "TCP-LISTEN:7801,bind=127.0.0.1,reuseaddr,fork",
          "OPEN:/dev/null")
    start(SOCAT, "TCP-LISTEN:7802,bind=0.0.0.0,reuseaddr,fork",
          "OPEN:/dev/null")
    check(listening(7801) and listening(7802), "the daemons listen")

    # --- the exposition, to standard output -------------------------------
    rc, out, err = ps("metrics", "--no-baseline", "-t")
    check(rc == 0, f"metrics exits 0 ({rc}, {err.strip()[-200:]})")
    rc2, lint = promtool("check", "metrics", stdin=out.encode())
    check(rc2 == 0, f"promtool check metrics accepts it: {lint.strip()[:300]}")
    ss = samples(out)
    check(not [s for s in ss if s[0] == "BAD LINE"], "every line parses")
    info = {s[1].get("port"): s[1] for s in ss
            if s[0] == "portsleuth_listener_info"}
    check(set(info) == {"7801", "7802"},
          f"one info series per listener: {sorted(info)}")
    h = info.get("7801", {})
    # the record escapes the line feed and the backslash (as the terminal
    # does); the exposition's escaping comes on top and reads back exactly
    want_exe = hostile.replace("\\", "\\\\").replace("\n", "\\n")
    check(h.get("exe") == want_exe, f"the hostile path reads back: "
          f"{h.get('exe')!r} vs {want_exe!r}")
    check(h.get("process") == want_exe.rsplit("/", 1)[1],
          f"process is its base name: {h.get('process')!r}")
    check(h.get("exposure") == "loopback" and info.get("7802", {}).get(
        "exposure") == "all", "exposure of each")
    counts = {s[1].get("exposure"): s[2] for s in ss
              if s[0] == "portsleuth_listeners"}
    check(counts.get("all") == "1" and counts.get("loopback") == "1",
          f"counts by exposure: {counts}")
    names = {s[0] for s in ss}
    check("portsleuth_drift_changes" not in names and
          "portsleuth_mismatches" not in names,
          "no drift or mismatch metrics without a baseline or --probe")
    check("portsleuth_run_duration_seconds" in names and
          "portsleuth_run_timestamp_seconds" in names, "the run's own")

    # --- the series cap ------------------------------------------------------
    rc, out, err = ps("metrics", "--no-baseline", "-t", "--max-series", "1")
    ss = samples(out)
    check(sum(1 for s in ss if s[0] == "portsleuth_listener_info") == 1 and
          ("portsleuth_listener_info_omitted", {}, "1") in ss and
          "beyond --max-series" in err, f"the cap, said: {err.strip()[-200:]}")

    # --- the textfile --------------------------------------------------------
    rc, out, err = ps("metrics", "--no-baseline", "-t", "--textfile",
                      textdir)
    prom = os.path.join(textdir, "portsleuth.prom")
    check(rc == 0 and out == "" and os.path.exists(prom),
          f"--textfile writes the file ({rc}, {err.strip()[-200:]})")
    check(os.listdir(textdir) == ["portsleuth.prom"],
          f"nothing beside it: {os.listdir(textdir)}")
    check(oct(os.stat(prom).st_mode & 0o777) == "0o644", "mode 0644")
    rc, out, err = ps("metrics", "--no-baseline", "--textfile", prom)
    check(rc == 2 and "not a directory" in err,
          f"a file as the directory is refused: {err.strip()[-160:]}")

    # --- drift against a baseline -------------------------------------------
    rc, _, err = ps("baseline", "-t", base)
    check(rc == 0, f"baseline taken ({err.strip()[-120:]})")
    start(SOCAT, "TCP-LISTEN:7803,bind=0.0.0.0,reuseaddr,fork",
          "OPEN:/dev/null")
    check(listening(7803), "a new listener")
    rc, out, err = ps("metrics", "--baseline", base, "-t")
    check(rc == 2 and "listing options" in err,
          "listing options beside a baseline are refused")
    rc, out, err = ps("metrics", "--baseline", base, "--textfile", textdir)
    with open(prom) as f:
        ss = samples(f.read())
    check(rc == 0 and ("portsleuth_drift_changes", {"kind": "new"}, "1")
          in ss and ("portsleuth_drift_changes", {"kind": "gone"}, "0") in ss,
          f"one new listener since the baseline ({err.strip()[-160:]})")
    ch = [s[1] for s in ss if s[0] == "portsleuth_drift_change_info"]
    check(len(ch) == 1 and ch[0].get("port") == "7803" and
          ch[0].get("exposure") == "all", f"the change's series: {ch}")

    # --- the shipped alert rules --------------------------------------------
    rc, o = promtool("check", "rules", "portsleuth.rules.yml")
    check(rc == 0 and "6 rules found" in o, f"promtool check rules: {o[:200]}")
    rc, o = promtool("test", "rules", "portsleuth.rules.test.yml")
    check(rc == 0 and "SUCCESS" in o, f"promtool test rules: {o[:400]}")

    # --- a real node_exporter and Prometheus ---------------------------------
    conf = os.path.join(tmp, "prometheus.yml")
    shutil.copy(os.path.join(RULES, "portsleuth.rules.yml"), tmp)
    with open(conf, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "rule_files:\n  - portsleuth.rules.yml\n"
                "scrape_configs:\n  - job_name: node\n    static_configs:\n"
                "      - targets: ['127.0.0.1:9100']\n")
    log = open(os.path.join(tmp, "engines.log"), "wb")
    start(NODE_EXPORTER, "--web.listen-address=127.0.0.1:9100",
          "--collector.disable-defaults", "--collector.textfile",
          f"--collector.textfile.directory={textdir}", log=log)
    start(PROMETHEUS, f"--config.file={conf}",
          f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
          "--web.listen-address=127.0.0.1:9090", log=log)
    check(listening(9100) and listening(9090, timeout=60),
          "node_exporter and Prometheus listen")
    q = "http://127.0.0.1:9090/api/v1/query?query="
    got = alert = None
    end = time.time() + 60
    while time.time() < end and not (got and alert):
        r = http_get(q + "portsleuth_listener_info")
        if r and r.get("status") == "success" and r["data"]["result"]:
            got = r["data"]["result"]
        r = http_get(q + "ALERTS%7Balertname%3D%22PortsleuthNewListener"
                     "OpenToAll%22%2Calertstate%3D%22firing%22%7D")
        if r and r.get("status") == "success" and r["data"]["result"]:
            alert = r["data"]["result"]
        time.sleep(0.5)
    ports = sorted(x["metric"].get("port") for x in got or [])
    check(ports == ["7801", "7802", "7803"],
          f"Prometheus has the info series through node_exporter: {ports}")
    hm = [x["metric"] for x in got or [] if x["metric"].get("port") == "7801"]
    check(hm and hm[0].get("exe") == want_exe and
          hm[0].get("job") == "node",
          f"the hostile labels as scraped: {hm[:1]}")
    check(alert and alert[0]["metric"].get("port") == "7803",
          f"the shipped alert fires for the new listener: {alert}")
finally:
    for p in procs:
        p.kill()
        p.wait(timeout=10)
    subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
