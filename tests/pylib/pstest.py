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


def table_rows(out):
    """Rows of portsleuth's table as dicts keyed by header, summary dropped."""
    lines = out.decode().splitlines()
    head = lines[0].split()
    return [dict(zip(head, re.split(r"\s{2,}", line))) for line in lines[1:]
            if "without a visible owner" not in line]
