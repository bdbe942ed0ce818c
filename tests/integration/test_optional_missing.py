#!/usr/bin/python3
"""A live suite whose optional daemon is missing is skipped, with the
reason, never failed and never passed in silence.

usage: test_optional_missing.py PORTSLEUTH TESTS_DIR

Runs the why suite without xinetd (PS_XINETD set to nothing) and checks
that it ran everything else, then exited 77 (meson's "skipped") naming
what did not run.  Needs root (the suite does); exits 77 without it.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE, TESTS = sys.argv[1], sys.argv[2]
if os.geteuid() != 0 or not os.path.exists("/usr/sbin/inetd"):
    print("SKIP: needs root and openbsd-inetd, as the why suite does")
    sys.exit(77)
env = dict(os.environ, PS_XINETD="")
p = subprocess.run([sys.executable, os.path.join(TESTS, "integration",
                                                 "test_why_live.py"),
                    EXE, TESTS], capture_output=True, env=env, timeout=280)
out = p.stdout.decode("utf-8", "replace")
last = [ln for ln in out.splitlines() if " passed, " in ln]
check(p.returncode == 77, f"without xinetd the suite is skipped (77), "
      f"not {p.returncode}: {out[-600:]}")
check("SKIP: part of this suite did not run: xinetd not found" in out,
      f"and says why: {out[-300:]}")
check(bool(last) and last[-1].endswith(" 0 failed") and
      int(last[-1].split()[0]) > 20,
      f"everything else ran and passed: {last[-1:] or out[-300:]}")
sys.exit(summary())
