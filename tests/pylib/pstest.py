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
