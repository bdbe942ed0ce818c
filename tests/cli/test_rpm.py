#!/usr/bin/python3
"""Package and integrity on an rpm host: a real rpm database made here.

usage: test_rpm.py PORTSLEUTH TESTS_DIR

Builds a small package with rpmbuild, installs it with rpm --root into a
temporary system root, adds a /proc tree for a process running the
packaged program (and one running an unpackaged one), then checks that
portsleuth --root names the package and version from the rpm database,
verifies the file against the SHA-256 digest the header recorded, flags
it once changed, and leaves the database untouched.  As root, with
librpm covered by an empty file in a private mount namespace, the
database is named and not read, and the reason says why.  Exits 77
(skipped) without rpmbuild or a librpm build.
"""
import hashlib
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
DATA = os.path.join(TESTS, "..", "data")

SPEC = """\
Name: rpmdemo
Version: 1.2
Release: 3
Summary: a demo daemon for portsleuth's tests
License: MIT
BuildArch: noarch
%description
A demo daemon.
%install
mkdir -p %{buildroot}/usr/sbin
printf 'rpm demo daemon\\n' > %{buildroot}/usr/sbin/rpmdemod
chmod 755 %{buildroot}/usr/sbin/rpmdemod
%files
/usr/sbin/rpmdemod
"""


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


def proc(root, pid, comm, exe, inode):
    d = os.path.join(root, "proc", str(pid))
    write(d + "/stat", f"{pid} ({comm}) S 1 {pid} {pid} 0 -1 0 0 0 0 0 0 0 "
          "0 0 20 0 1 0 500 1000 100 0\n")
    write(d + "/status", "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")
    write(d + "/cmdline", exe + "\0")
    write(d + "/cgroup", "0::/\n")
    write(d + "/environ", "PATH=/usr/bin\0")
    os.makedirs(d + "/fd")
    os.symlink(exe, d + "/exe")
    os.symlink(f"socket:[{inode}]", d + "/fd/3")


def tree_digest(path):
    """Content and mtime of every database file.  SQLite's -shm file is
    left out: it is the WAL's shared-memory index, which every reader
    (rpm -q too) updates; the database itself must not change."""
    h = {}
    for dp, _, files in os.walk(path):
        for f in files:
            if f.endswith("-shm"):
                continue
            p = os.path.join(dp, f)
            st = os.stat(p)
            with open(p, "rb") as fh:
                h[p] = (hashlib.sha256(fh.read()).hexdigest(), st.st_mtime_ns)
    return h


def main():
    if not shutil.which("rpmbuild") or not shutil.which("rpm"):
        print("skipped: needs rpmbuild and rpm")
        return 77
    tmp = tempfile.mkdtemp(prefix="psrpm-")
    try:
        top = os.path.join(tmp, "rpmbuild")
        write(os.path.join(top, "SPECS", "rpmdemo.spec"), SPEC)
        subprocess.run(["rpmbuild", "--define", f"_topdir {top}", "-bb",
                        os.path.join(top, "SPECS", "rpmdemo.spec")],
                       check=True, capture_output=True, timeout=120)
        pkg = os.path.join(top, "RPMS", "noarch", "rpmdemo-1.2-3.noarch.rpm")
        root = os.path.join(tmp, "root")
        os.makedirs(root)
        subprocess.run(["rpm", "--root", root, "--dbpath", "/var/lib/rpm",
                        "--initdb"], check=True, capture_output=True)
        subprocess.run(["rpm", "--root", root, "--dbpath", "/var/lib/rpm",
                        "-i", "--nodeps", "--noscripts", pkg], check=True,
                       capture_output=True)
        write(root + "/usr/local/bin/mine", b"mine\n", 0o755)
        write(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
        write(root + "/etc/services", "")
        write(root + "/proc/stat", "btime 1700000000\n")
        head = ("  sl  local_address rem_address   st tx_queue rx_queue tr "
                "tm->when retrnsmt   uid  timeout inode\n")
        write(root + "/proc/net/tcp", head +
              "   0: 00000000:1F41 00000000:0000 0A 00000000:00000000 "
              "00:00000000 00000000     0        0 5001 1 0 100 0 0 10 0\n"
              "   1: 00000000:1F42 00000000:0000 0A 00000000:00000000 "
              "00:00000000 00000000     0        0 5002 1 0 100 0 0 10 0\n")
        for t in ("tcp6", "udp", "udp6", "raw", "raw6", "udplite",
                  "udplite6"):
            write(root + "/proc/net/" + t, head)
        write(root + "/proc/net/if_inet6", "")
        proc(root, 100, "rpmdemod", "/usr/sbin/rpmdemod", 5001)
        proc(root, 101, "mine", "/usr/local/bin/mine", 5002)
        before = tree_digest(root + "/var/lib/rpm")

        def run(hide=None):
            # hide: as root, librpm covered by an empty file in a mount
            # namespace of this run's own
            pre = ["unshare", "-m", "sh", "-c", 'mount --bind "$1" "$2" '
                   '&& shift 2 && exec "$@"', "sh", os.devnull,
                   hide] if hide else []
            p = subprocess.run([*pre, EXE, "--root", root, "--why", "--json",
                                "--iana", os.path.join(DATA,
                                                       "iana-ports.tsv"),
                                "--kb", os.path.join(DATA, "daemons.kb")],
                               capture_output=True, timeout=60)
            return p.returncode, p.stdout, p.stderr.decode()

        rc, out, err = run()
        if "has no librpm" in err:
            print("skipped: this build has no librpm")
            return 77
        check(rc == 0, f"exit 0 ({err})")
        d = json.loads(out)
        own = {s["local_port"]: s["owners"][0] for s in d["sockets"]}
        o = own.get(8001, {})
        p = o.get("package", {})
        check(p.get("manager") == "rpm" and p.get("name") == "rpmdemo" and
              p.get("version") == "1.2-3" and
              p.get("architecture") == "noarch",
              f"the rpm database names the package: {p}")
        with open(root + "/usr/sbin/rpmdemod", "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        i = o.get("integrity", {})
        check(i.get("verdict") == "ok" and i.get("digest_algorithm") ==
              "sha256" and i.get("digest") == sha ==
              i.get("package_digest"), f"SHA-256 from the header: {i}")
        check(o.get("purpose", {}).get("text") ==
              "a demo daemon for portsleuth's tests" and
              o["purpose"]["source"] == "package description",
              "purpose from the rpm summary")
        i = own.get(8002, {}).get("integrity", {})
        check(i.get("verdict") == "unpackaged" and "no_package" in
              i.get("flags", []), f"an unpackaged file on rpm: {i}")
        check(tree_digest(root + "/var/lib/rpm") == before,
              "the rpm database is left as it was")
        if os.geteuid() == 0 and shutil.which("unshare"):
            lib = next((ln.split(" => ")[1].strip() for ln in
                        subprocess.run(["ldconfig", "-p"],
                                       capture_output=True, text=True
                                       ).stdout.splitlines()
                        if ln.strip().startswith("librpm.so.")), None)
            rc, out, err = run(os.path.realpath(lib or "/nonexistent"))
            o = {s["local_port"]: s["owners"][0] for s in
                 json.loads(out or "{}").get("sockets", [])}.get(8001, {})
            pk = o.get("package") or {}
            check(rc == 0 and pk.get("manager") == "rpm" and
                  pk.get("name") is None and "cannot load librpm.so." in
                  (pk.get("error") or "") and "cannot load librpm.so." in
                  err, f"without librpm: the database named, not read, "
                  f"and why ({rc}): {pk} {err.strip()[-200:]}")
        write(root + "/usr/sbin/rpmdemod", b"changed\n", 0o755)
        rc, out, err = run()
        d = json.loads(out)
        own = {s["local_port"]: s["owners"][0] for s in d["sockets"]}
        i = own.get(8001, {}).get("integrity", {})
        check(i.get("verdict") == "MODIFIED" and "modified" in
              i.get("flags", []), f"a changed file: {i}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
