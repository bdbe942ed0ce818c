#!/usr/bin/python3
"""The Debian package: linted, installed on this machine and purged, and
installed on a fresh Debian 12 root booted with systemd, where its
service and timer run under their sandbox.

usage: test_package.py DEB SRC_DIR

On this machine (refused when portsleuth is already installed here: the
test purges what it installs):
  - lintian reports no error and no warning (the overrides are
    explained in debian/portsleuth.lintian-overrides);
  - dpkg -i installs the program, the man page, the bash and zsh
    completions where bash-completion and zsh look, the units and the
    defaults file; the installed program lists a listener of a test
    namespace with its IANA name (the installed data) and answers as a
    monitoring plugin; on a host of 250 more processes it finds the
    owners in one pass of its BPF iterator (the package is built with
    it and depends on libbpf); bash-completion loads its completion on
    demand;
  - systemd-analyze rates the service's sandbox (--offline);
  - dpkg --purge leaves nothing behind: the file tree of /usr, /etc,
    /lib, /opt and /var/lib is what it was before.
On a fresh root (debootstrap's minbase, the bare-machine check's cache)
with systemd, socat and Debian's ansible-core, booted with systemd as
PID 1 in a podman container (runc, no network, from a test namespace):
  - the collection's role, run there by ansible-playbook (connection
    local), installs the .deb with apt (so its Depends alone must
    suffice), writes a policy, takes the baseline, installs the facts.d
    script and enables the timer; run again, it changes nothing;
  - portsleuth-diff.service run once: success, and its "0 new" line in
    the journal;
  - a listener started as user nobody: the service, in its sandbox, sees
    it with its owner and fails (exit 1) with the change, and the
    policy's verdict on it, in the journal;
  - the setup module gives ansible_local.portsleuth with that listener;
  - the timer enabled and waiting;
  - portsleuth-metrics.service writes node_exporter's textfile (0644,
    whole, with the listener and the drift);
  - the role's own files removed, apt-get purge: no file named
    portsleuth left, the baseline and the timer's stamp included.
Needs root; exits 77 without it.
"""
import glob
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

DEB = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
CHANGES = glob.glob(os.path.join(os.path.dirname(DEB), "*.changes"))
TARBALL = os.path.join(SRC, ".cache", "bare", "bookworm-minbase.tar")
TAG = os.getpid() % 100000
NS = f"pspk{TAG}"

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)


def run(*args, timeout=300, **kw):
    p = subprocess.run(list(args), capture_output=True, timeout=timeout,
                       **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


# --- lintian -----------------------------------------------------------------
rc, out, err = run("lintian", "--fail-on", "error,warning", *CHANGES, DEB)
tags = [ln for ln in out.splitlines() if re.match(r"^[EW]: ", ln)]
check(rc == 0 and not tags, f"lintian: no error or warning ({rc}): "
      f"{tags[:10]} {err.strip()[-200:]}")

# --- this machine ------------------------------------------------------------
KEEP_OUT = ("/var/lib/dpkg", "/var/lib/apt", "/var/cache", "/var/log",
            "/var/lib/systemd/deb-systemd-helper-masked",
            "/var/lib/ucf", "/var/lib/man-db")


def tree():
    """Every path under the directories a package writes to."""
    out = set()
    for top in ("/usr", "/etc", "/lib", "/opt", "/var/lib"):
        for d, dirs, files in os.walk(top):
            if d.startswith(KEEP_OUT):
                dirs[:] = []
                continue
            out.add(d)
            out.update(os.path.join(d, f) for f in files)
    return out


installed = run("dpkg-query", "-W", "-f=${Status}", "portsleuth")[1]
if "installed" in installed and "not-installed" not in installed:
    print("FAIL: portsleuth is installed on this machine; this test "
          "installs and purges it, so it did not run")
    sys.exit(1)
before = tree()
rc, out, err = run("dpkg", "-i", DEB)
check(rc == 0, f"dpkg -i ({rc}): {err.strip()[-300:]}")
for path in ("/usr/bin/portsleuth", "/usr/share/man/man1/portsleuth.1.gz",
             "/usr/share/bash-completion/completions/portsleuth",
             "/usr/share/zsh/vendor-completions/_portsleuth",
             "/lib/systemd/system/portsleuth-diff.service",
             "/lib/systemd/system/portsleuth-diff.timer",
             "/lib/systemd/system/portsleuth-metrics.service",
             "/lib/systemd/system/portsleuth-metrics.timer",
             "/etc/default/portsleuth",
             "/usr/share/portsleuth/iana-ports.tsv",
             "/usr/share/portsleuth/daemons.kb",
             "/usr/share/portsleuth/probes.rules"):
    check(os.path.exists(path), f"installed: {path}")
with open("/lib/systemd/system/portsleuth-diff.service") as f:
    unit = f.read()
check("ExecStart=/usr/bin/portsleuth diff $DIFF_OPTS "
      "/var/lib/portsleuth/baseline.json" in unit,
      "the unit runs the installed program")
procs = []
try:
    run("ip", "netns", "add", NS)
    run("ip", "-n", NS, "link", "set", "lo", "up")
    # 4045: IANA's "npp", not in netbase's /etc/services
    p = subprocess.Popen(["ip", "netns", "exec", NS, "socat",
                          "TCP-LISTEN:4045,bind=127.0.0.1,reuseaddr,fork",
                          "OPEN:/dev/null"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(p)
    row = ""
    for _ in range(100):
        rc, out, err = run("ip", "netns", "exec", NS, "/usr/bin/portsleuth",
                           "-t")
        row = next((ln for ln in out.splitlines() if ":4045 " in ln), "")
        if row:
            break
        time.sleep(0.05)
    check(rc == 0 and "socat" in row and "npp [iana]" in row,
          f"the installed program lists the listener with its IANA name "
          f"from the installed data: {row!r} {err.strip()[-200:]}")
    rc, out, err = run("ip", "netns", "exec", NS, "/usr/bin/portsleuth",
                       "check", "--no-baseline")
    check(rc == 0 and out.startswith("PORTSLEUTH OK - 1 listeners"),
          f"the installed plugin: {rc} {out[:120]!r}")
    # the BPF path needs 200 processes on the host: 250 more
    for _ in range(250):
        procs.append(subprocess.Popen(["sleep", "120"]))
    rc, out, err = run("ip", "netns", "exec", NS, "/usr/bin/portsleuth",
                       "-t", "-v")
    descr = next((ln for ln in err.splitlines() if "descriptors:" in ln), "")
    refused = "built without BPF support" in descr
    check(rc == 0 and ("one pass of a BPF iterator" in descr or
                       ("BPF iterator not used" in descr and not refused)),
          f"the installed program is built with the BPF iterator: {descr!r}")
    if "BPF iterator not used" in descr:
        print(f"note: this kernel did not run the iterator: {descr}")
    rel = tuple(int(x) for x in
                os.uname().release.split("-")[0].split(".")[:2])
    if "one pass of a BPF iterator" in descr and rel >= (5, 17):
        check("loaded by the kernel from a light skeleton" in descr,
              f"the installed program has the light skeleton: {descr!r}")
    deps = run("dpkg-query", "-W", "-f=${Depends}", "portsleuth")[1]
    # opened when needed, not linked: named in Depends by hand
    for lib in ("libbpf1", "libssl3", "libnftables1", "libnftnl11",
                "librpm9"):
        check(lib in deps, f"the package depends on {lib}: {deps}")
finally:
    for p in procs:
        p.kill()
        p.wait(timeout=10)
    run("ip", "netns", "del", NS)
rc, out, err = run("bash", "-c", "source /usr/share/bash-completion/"
                   "bash_completion; __load_completion portsleuth; "
                   "complete -p portsleuth")
check(rc == 0 and "-F _portsleuth" in out,
      f"bash-completion loads the installed completion: {out.strip()}")
for svc in ("portsleuth-diff", "portsleuth-metrics"):
    if not shutil.which("systemd-analyze"):
        break
    rc, out, err = run("systemd-analyze", "security", "--offline=yes",
                       "--threshold=40", "--no-pager",
                       f"/lib/systemd/system/{svc}.service")
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out)
    check(rc == 0 and m, f"systemd-analyze security of {svc}: exposure at "
          f"most 4 (of 10): {m.group(1) if m else out[-200:]}")
    if m:
        print(f"systemd-analyze security: {svc}.service exposure "
              f"{m.group(1)}")
rc, out, err = run("dpkg", "--purge", "portsleuth")
check(rc == 0, f"dpkg --purge ({rc}): {err.strip()[-300:]}")
after = tree()
check(after == before, f"nothing left behind on this machine: left "
      f"{sorted(after - before)[:10]}, removed {sorted(before - after)[:10]}")

# --- a fresh Debian 12 root, booted with systemd ------------------------------
if not os.path.exists(TARBALL):
    print(f"FAIL: no {TARBALL} (tools/bare-machine.sh makes it)")
    sys.exit(summary() or 1)
tmp = tempfile.mkdtemp(prefix="ps-package-")
root = os.path.join(tmp, "root")
os.makedirs(root)
hard_nofile = min(4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
conf = os.path.join(tmp, "containers.conf")
with open(conf, "w") as f:
    # this machine's hard limits are below podman's defaults for root
    f.write(f'[containers]\ndefault_ulimits = ["nofile={hard_nofile}:'
            f'{hard_nofile}", "nproc=4096:4096"]\n')
PODMAN = ["env", f"CONTAINERS_CONF={conf}", "nsenter",
          f"--net=/run/netns/{NS}", "podman", "--root",
          os.path.join(tmp, "storage"), "--runroot", os.path.join(tmp, "run"),
          "--cgroup-manager=cgroupfs", "--runtime=runc"]
CTR = f"pspkg{TAG}"


def inside(*cmd, timeout=120):
    """A command in the booted container."""
    return run(*PODMAN, "exec", CTR, *cmd, timeout=timeout)


def mounts_under(path):
    with open("/proc/self/mounts") as f:
        return [ln.split()[1] for ln in f
                if ln.split()[1].startswith(path + "/")]


started = False
try:
    run("ip", "netns", "add", NS)
    run("tar", "-C", root, "-xf", TARBALL)
    os.chmod(root, 0o755)   # its / (the tarball keeps mkdtemp's 0700)
    for f in glob.glob(os.path.join(root, "etc/apt/sources.list.d/*")) + \
            [os.path.join(root, "etc/apt/sources.list")]:
        if os.path.exists(f):
            os.remove(f)
    if os.path.exists("/etc/apt/sources.list"):
        shutil.copy("/etc/apt/sources.list", os.path.join(root, "etc/apt"))
    for f in glob.glob("/etc/apt/sources.list.d/*.list") + \
            glob.glob("/etc/apt/sources.list.d/*.sources") + \
            glob.glob("/etc/apt/apt.conf.d/*"):
        if os.path.isfile(f):
            shutil.copy(f, os.path.join(root, os.path.dirname(f)[1:]))
    shutil.copy("/etc/resolv.conf", os.path.join(root, "etc"))
    # the collection, its symlinks resolved, where the play finds it,
    # and the package beside it (the container's /tmp is its own tmpfs)
    shutil.copytree(os.path.join(SRC, "contrib", "ansible"),
                    os.path.join(root, "opt", "ps-ansible"), symlinks=False)
    shutil.copy(DEB, os.path.join(root, "opt", "ps-ansible"))
    debname = "/opt/ps-ansible/" + os.path.basename(DEB)
    with open(os.path.join(root, "opt", "ps-ansible", "play.yml"), "w") as f:
        f.write("- hosts: localhost\n  connection: local\n"
                "  gather_facts: false\n  roles:\n"
                "    - role: portsleuth.portsleuth.portsleuth\n"
                f"      portsleuth_deb: {debname}\n"
                "      portsleuth_policy:\n        portsleuth_policy: 1\n"
                "        listeners:\n          - port: \"22\"\n"
                "            comment: ssh only\n")
    run("mount", "-t", "proc", "proc", os.path.join(root, "proc"))
    rc, out, err = run(
        "chroot", root, "/usr/bin/env", "-i",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive",
        "/bin/sh", "-c", "apt-get update -qq && apt-get install -y -qq "
        "--no-install-recommends systemd socat ansible-core python3-apt && "
        # the container has no network: what the package Depends on is
        # fetched now, into apt's cache, and installed by the role
        f"apt-get install -y -qq --download-only "
        f"{debname}", timeout=900)
    check(rc == 0, f"apt installs systemd, socat and ansible-core on a "
          f"fresh root ({rc}): {(out + err).strip()[-400:]}")
    run("umount", os.path.join(root, "proc"))
    rc, out, err = run(*PODMAN, "run", "-d", "--name", CTR, "--ulimit",
                       f"nofile={hard_nofile}:{hard_nofile}", "--ulimit",
                       "nproc=4096:4096", "--systemd=always", "--privileged",
                       "--network=none", "--rootfs", root,
                       "/lib/systemd/systemd")
    started = rc == 0
    check(started, f"systemd boots in the container: {err.strip()[-300:]}")
    state = ""
    for _ in range(120):
        state = inside("systemctl", "is-system-running")[1].strip()
        if state in ("running", "degraded"):
            break
        time.sleep(0.5)
    check(state in ("running", "degraded"), f"systemd is up: {state!r}")
    ANS = ["env", "ANSIBLE_COLLECTIONS_PATH=/opt/ps-ansible",
           "ANSIBLE_NOCOLOR=1", "ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3"]
    play = ANS + ["ansible-playbook", "-i", "localhost,",
                  "/opt/ps-ansible/play.yml"]
    rc, out, err = inside(*play, timeout=600)
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+"
                      r"unreachable=(\d+)\s+failed=(\d+)", out)
    check(rc == 0 and recap and recap.group(4) == "0",
          f"the role runs ({rc}): {(out + err).strip()[-600:]}")
    rc, out, err = inside("dpkg-query", "-W", "-f=${Status} ${Version}",
                          "portsleuth")
    check(out.startswith("install ok installed"),
          f"the role installed the package with apt: {out!r}")
    # nothing listens there yet: exit 1 with an empty document
    rc, out, err = inside("portsleuth", "--json")
    check(rc == 1 and '"sockets": []' in out and err == "",
          f"its Depends suffice: the program runs there ({rc}, "
          f"{err.strip()[-200:]})")
    enabled = inside("systemctl", "is-enabled", "portsleuth-diff.timer")[1]
    check(enabled.strip() == "enabled" and
          inside("test", "-f", "/var/lib/portsleuth/baseline.json")[0] == 0
          and inside("test", "-x", "/etc/ansible/facts.d/portsleuth.fact")[0]
          == 0, f"a baseline, the facts script and the timer enabled: "
          f"{enabled.strip()}")
    rc, out, err = inside(*play, timeout=600)
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)", out)
    check(rc == 0 and recap and recap.group(2) == "0",
          f"run again, the role changes nothing: "
          f"{recap.group(0) if recap else out[-300:]}")
    rc, _, err = inside("systemctl", "start", "portsleuth-diff.service")
    res = inside("systemctl", "show", "-p", "Result,ExecMainStatus",
                 "portsleuth-diff.service")[1]
    log = inside("journalctl", "-u", "portsleuth-diff", "--no-pager",
                 "-o", "cat")[1]
    check(rc == 0 and "Result=success" in res and
          "0 new, 0 gone, 0 changed since" in log,
          f"the service runs once, no change: {res.split()} "
          f"{log.strip()[-300:]!r} {err.strip()[-200:]}")
    rc, out, err = inside("systemd-run", "--uid=nobody", "--unit=pslisten",
                          "socat", "TCP-LISTEN:7999,reuseaddr,fork",
                          "OPEN:/dev/null")
    up = False
    for _ in range(100):
        if ":1F3F " in inside("cat", "/proc/net/tcp")[1]:
            up = True
            break
        time.sleep(0.05)
    check(rc == 0 and up, f"a listener as nobody ({err.strip()[-200:]}): "
          + inside("journalctl", "-u", "pslisten", "--no-pager", "-o",
                   "cat")[1][-400:])
    rc, _, err = inside("systemctl", "start", "portsleuth-diff.service")
    res = inside("systemctl", "show", "-p", "Result,ExecMainStatus",
                 "portsleuth-diff.service")[1]
    log = inside("journalctl", "-u", "portsleuth-diff", "--no-pager",
                 "-o", "cat")[1]
    line = next((ln for ln in log.splitlines()
                 if ln.startswith("new") and ":7999" in ln), "")
    check(rc != 0 and "ExecMainStatus=1" in res and "socat" in line and
          "nobody" in line and "exposure all" in line,
          f"in its sandbox the service sees the new listener and its "
          f"owner, and fails: {res.split()} {line!r} {log.strip()[-300:]!r}")
    check(any(ln.startswith("unexpected") and ":7999" in ln
              for ln in log.splitlines()) and
          "policy: 1 unexpected, 0 missing" in log,
          f"the role's policy reaches the service: {log.strip()[-300:]!r}")
    rc, out, err = inside(*ANS, "ansible", "localhost", "-c", "local", "-i",
                          "localhost,", "-m", "ansible.builtin.setup", "-a",
                          "filter=ansible_local")
    check(rc == 0 and '"port": 7999' in out and '"user": "nobody"' in out,
          f"ansible_local.portsleuth from the role's facts script: "
          f"{out[-300:]!r}")
    rc = 0
    act = inside("systemctl", "is-active", "portsleuth-diff.timer")[1]
    nxt = inside("systemctl", "show", "-p", "NextElapseUSecRealtime",
                 "portsleuth-diff.timer")[1].strip()
    check(rc == 0 and act.strip() == "active" and
          re.match(r"NextElapseUSecRealtime=\S", nxt),
          f"the timer waits: {act.strip()} {nxt}")
    # the metrics service, where node_exporter's textfile directory is
    tdir = "/var/lib/prometheus/node-exporter"
    inside("mkdir", "-p", tdir)
    rc, _, err = inside("systemctl", "start", "portsleuth-metrics.service")
    res = inside("systemctl", "show", "-p", "Result",
                 "portsleuth-metrics.service")[1]
    prom = inside("cat", tdir + "/portsleuth.prom")[1]
    mode = inside("stat", "-c", "%a", tdir + "/portsleuth.prom")[1].strip()
    files = inside("ls", "-A", tdir)[1].split()
    check(rc == 0 and "Result=success" in res and mode == "644" and
          files == ["portsleuth.prom"] and
          re.search(r'^portsleuth_listener_info\{[^}]*port="7999"[^}]*'
                    r'user="nobody"', prom, re.M) and
          'portsleuth_drift_changes{kind="new"} 1' in prom,
          f"portsleuth-metrics.service writes the textfile in its "
          f"sandbox: {res.split()} mode {mode} {files} "
          f"{err.strip()[-200:]} {prom[:200]!r}")
    # what the role made that is not the package's, and the test's copy
    # of the collection
    inside("rm", "-rf", "/etc/portsleuth", "/etc/ansible/facts.d/"
           "portsleuth.fact", "/var/cache/apt/archives/" +
           os.path.basename(DEB), "/opt/ps-ansible")
    rc, out, err = inside("apt-get", "purge", "-y", "-qq", "portsleuth")
    left = inside("find", "/", "-xdev", "(", "-path", "/proc", "-o",
                  "-path", "/sys", "-o", "-path", "/dev", "-o", "-path",
                  "/run", "-o", "-path", "/tmp", ")", "-prune", "-o",
                  "-name", "*portsleuth*", "-print")[1].split()
    check(rc == 0 and left == [], f"apt-get purge leaves nothing named "
          f"portsleuth ({rc}): {left[:10]} {err.strip()[-200:]}")
finally:
    if started:
        run(*PODMAN, "rm", "-f", "-t", "5", CTR, timeout=120)
    for m in reversed(mounts_under(root)):
        run("umount", "-l", m)
    run("ip", "netns", "del", NS)
    if not mounts_under(root):
        shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
