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


def summary():
    """Print the closing line and return the exit status."""
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


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
