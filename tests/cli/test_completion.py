#!/usr/bin/python3
"""The bash and zsh completions against the program they complete.

usage: test_completion.py PORTSLEUTH SRC_DIR

bash: the real bash-completion library is loaded, the completion
function called as bash calls it (COMP_WORDS, COMP_CWORD) and COMPREPLY
read back.  zsh: the completion file is run with zsh's completion
builtins replaced by stubs that print what they were given (zsh offers
no way to run a completion widget without a terminal).  Checked: the
subcommands are the program's; each subcommand's options are the ones
its --help names; check's -w/-c offer its metrics; option arguments get
directories, files and the fixed words they take.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
BASH_COMP = os.path.join(SRC, "contrib", "completion", "portsleuth.bash")
ZSH_COMP = os.path.join(SRC, "contrib", "completion", "_portsleuth")
LIB = "/usr/share/bash-completion/bash_completion"
PATH = os.path.dirname(EXE) + ":" + os.environ.get("PATH", "/usr/bin:/bin")

for need in (LIB, shutil.which("zsh")):
    if not need or not os.path.exists(need):
        # ./dev test installs bash-completion and zsh: not a pass
        print(f"FAIL: missing {need or 'zsh'}")
        sys.exit(1)


def q(s):
    return "'" + s.replace("'", "'\\''") + "'"


def bash(*words):
    script = (f"source {LIB}; source {q(BASH_COMP)}; "
              f"COMP_WORDS=({' '.join(q(w) for w in words)}); "
              f"COMP_CWORD={len(words) - 1}; COMP_LINE={q(' '.join(words))}; "
              "COMP_POINT=${#COMP_LINE}; COMPREPLY=(); "
              f"_portsleuth portsleuth {q(words[-1])} {q(words[-2])} "
              "2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"")
    p = subprocess.run(["bash", "--norc", "-c", script], capture_output=True,
                       timeout=60, env={**os.environ, "PATH": PATH})
    return set(p.stdout.decode().split())


ZSTUBS = r"""
_call_program() { shift; "$@" }
compadd() { local -a a; a=("$@"); print -r -- "compadd ${a[${a[(i)--]}+1,-1]}" }
_describe() { print -r -- "describe ${(P)${4}}" }
_files() { print files }; _directories() { print dirs }
_users() { print users }; _pids() { print pids }; _hosts() { print hosts }
"""


def zsh(*words):
    arr = " ".join(q(w) for w in words)
    script = (ZSTUBS + f"words=({arr}); CURRENT={len(words)}; "
              f"PREFIX={q(words[-1])}; source {q(ZSH_COMP)}")
    p = subprocess.run(["zsh", "-f", "-c", script], capture_output=True,
                       timeout=60, env={**os.environ, "PATH": PATH})
    return p.stdout.decode()


def helptext(*args):
    return subprocess.run([EXE, *args, "--help"], capture_output=True,
                          timeout=60).stdout.decode()


usage = helptext()
cmds = set(re.findall(r"^(?:usage:|      ) portsleuth \[?(\w+)", usage, re.M))
check(len(cmds) >= 12, f"the program's subcommands: {sorted(cmds)}")
check(bash("portsleuth", "") == cmds, f"bash offers the subcommands: "
      f"{sorted(bash('portsleuth', '') ^ cmds)} differ")
z = zsh("portsleuth", "")
zc = set(re.findall(r"(\w+):", z.split("describe", 1)[-1]))
check(zc == cmds, f"zsh offers the subcommands: {sorted(zc ^ cmds)} differ")

bash_n = zsh_n = 0
for cmd in sorted(cmds):
    want = set(re.findall(r"(?:^|[ ,])(--[a-z0-9][a-z0-9-]*)",
                          helptext(cmd), re.M))
    got = bash("portsleuth", cmd, "--")
    bash_n += got == want
    check(got == want, f"bash: {cmd}'s long options: "
          f"missing {sorted(want - got)}, extra {sorted(got - want)}")
    zl = zsh("portsleuth", cmd, "--")
    zgot = {t for t in zl.split() if t.startswith("--")}
    zsh_n += zgot == want
    check(zgot == want, f"zsh: {cmd}'s long options: "
          f"missing {sorted(want - zgot)}, extra {sorted(zgot - want)}")
check(bash("portsleuth", "--") == set(
    re.findall(r"(?:^|[ ,])(--[a-z0-9][a-z0-9-]*)", usage, re.M)),
    "bash: the listing's options without a subcommand")

# the metrics, as the program names them when given a wrong one
err = subprocess.run([EXE, "check", "-w", "nosuch=1"], capture_output=True,
                     timeout=60).stderr.decode()
metrics = {m + "=" for m in re.search(r"no such metric \(([^)]*)\)",
                                      err).group(1).split(", ")}
check(len(metrics) == 12, f"check's metrics: {sorted(metrics)}")
got = bash("portsleuth", "check", "-w", "")
check(got == metrics, f"bash: check -w offers the metrics: {sorted(got)} "
      f"vs {sorted(metrics)}")
zl = zsh("portsleuth", "check", "-c", "")
check(set(zl.split()[1:]) == metrics, f"zsh: check -c offers the metrics: "
      f"{zl.strip()[:200]}")
check(bash("portsleuth", "-c", "") == set(), "bash: the listing's -c NAME "
      "is not the check's")
check(bash("portsleuth", "--color", "") == {"auto", "always", "never"},
      "bash: --color's words")
check(zsh("portsleuth", "--root", "").strip() == "dirs",
      "zsh: --root takes a directory")
d = bash("portsleuth", "metrics", "--textfile", SRC + "/con")
check(d == {SRC + "/contrib"}, f"bash: --textfile completes a directory: {d}")
check({"all", "host", "self"} <= bash("portsleuth", "--netns", ""),
      "bash: --netns offers all, host, self")
print(f"options of {bash_n} subcommands in bash and {zsh_n} in zsh match "
      "their --help")
sys.exit(summary())
