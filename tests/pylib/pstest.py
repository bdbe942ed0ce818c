"""Shared helpers for portsleuth's Python test scripts."""
import re

passed = 0
failed = 0


def check(cond, what):
    """Count one assertion; print what failed, carry on."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}", flush=True)


def summary(missing=()):
    """Print the closing line and return the exit status: 1 when a check
    failed; else 77 (meson's "skipped") when part of the suite could not
    run because an optional program is missing, each named with why in
    `missing`; else 0.  A missing part is never a silent pass."""
    print(f"{passed} passed, {failed} failed")
    if failed:
        return 1
    for why in missing:
        print(f"SKIP: part of this suite did not run: {why}")
    return 77 if missing else 0


def rows_of_json(doc):
    """(PROTO, port, pid) of every (socket, owner) pair of a JSON document,
    in the table's spelling."""
    return sorted((s["proto"] + ("6" if s["family"] == "ipv6" else ""),
                   str(s["local_port"]), str(o["pid"]))
                  for s in doc["sockets"] for o in s["owners"])


def rows_of_table(rows):
    """The same triple for parsed table rows."""
    return sorted((r["PROTO"], r["LOCAL"].rsplit(":", 1)[1], r["PID"])
                  for r in rows)


def table_rows(out):
    """Rows of portsleuth's table as dicts keyed by header, summary dropped."""
    lines = out.decode().splitlines()
    head = lines[0].split()
    return [dict(zip(head, re.split(r"\s{2,}", line))) for line in lines[1:]
            if "without a visible owner" not in line]


def man_json_fields(man, section=".SH JSON OUTPUT"):
    """Every name the man page's JSON OUTPUT section sets in bold (the
    bold words of .B, .BR, .BI, .RB and \\fB...\\fP): the fields it
    documents."""
    start = man.find(section)
    end = man.find("\n.SH ", start + 1)
    sec = man[start:end if end > 0 else None]
    names = set()
    for line in sec.splitlines():
        if line.startswith((".B ", ".BR ", ".BI ", ".RB ")):
            words = re.findall(r'"[^"]*"|\S+', line.split(None, 1)[1])
            for i, w in enumerate(words):
                w = w.strip('"').replace("\\-", "-")
                # .BR/.BI alternate bold and roman from the first word,
                # .RB from the second
                bold = i % 2 == (1 if line.startswith(".RB ") else 0)
                if line.startswith(".B ") or bold:
                    names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", w))
        names.update(re.findall(r"\\fB([A-Za-z_][A-Za-z0-9_]*)\\f[RP]",
                                line))
    return names


def json_keys(doc, out=None):
    """Every object key of a parsed JSON document, at any depth."""
    out = set() if out is None else out
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.add(k)
            json_keys(v, out)
    elif isinstance(doc, list):
        for v in doc:
            json_keys(v, out)
    return out


class Netns:
    """A network namespace made by a live test, the processes it starts
    there (each stopped by PID), and the small things every such test
    does: run a command inside, wait for a listener."""

    def __init__(self, name):
        import subprocess
        self.name = name
        self.procs = []
        self._sp = subprocess
        self.gone()
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.sh("ip", "link", "set", "lo", "up")

    def sh(self, *args, check=True, timeout=60):
        return self._sp.run(["ip", "netns", "exec", self.name, *args],
                            check=check, capture_output=True,
                            timeout=timeout)

    def start(self, *args, cwd=None):
        p = self._sp.Popen(["ip", "netns", "exec", self.name, *args],
                           stdin=self._sp.DEVNULL, stdout=self._sp.DEVNULL,
                           stderr=self._sp.DEVNULL, cwd=cwd)
        self.procs.append(p)
        return p

    def listening(self, port, udp=False, timeout=10):
        import time
        want = f":{port:04X} "
        state = " 07 " if udp else " 0A "
        end = time.time() + timeout
        files = ("udp", "udp6") if udp else ("tcp", "tcp6")
        while time.time() < end:
            for f in files:
                text = self.sh("cat", f"/proc/net/{f}").stdout.decode()
                if any(want in ln.split(None, 3)[1] + " " and state in ln
                       for ln in text.splitlines()[1:]):
                    return True
            time.sleep(0.05)
        return False

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except self._sp.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.procs = []

    def gone(self):
        self._sp.run(["ip", "netns", "del", self.name],
                     capture_output=True)

    def down(self):
        self.stop_all()
        self.gone()
