#!/usr/bin/python3
"""Write the host-b fixture tree: a made-up systemd host for origin,
package and integrity tests.

usage: make-host-b.py OUTDIR      (writes OUTDIR/root)

Every process, unit, config line and package here exists to exercise
one rule of the origin and package logic; the table in PROCS says which.
The tree is committed; rerun this after changing it and commit both.
"""
import gzip
import hashlib
import json
import os
import shutil
import sys

HZ = 100
BOOT = 1_700_000_000

DOCKER_ID = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
PODMAN_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
K8S_ID = "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0"

# Executables in the tree: path -> content (their MD5 is what dpkg records,
# unless the package's md5sums says otherwise on purpose).
BINARIES = {
    "/usr/lib/systemd/systemd": b"systemd binary\n",
    "/usr/sbin/sshd": b"sshd binary\n",
    "/usr/sbin/inetd": b"inetd binary\n",
    "/usr/sbin/in.telnetd": b"telnetd binary\n",
    "/usr/sbin/xinetd": b"xinetd binary\n",
    "/usr/sbin/nginx": b"nginx binary\n",
    "/usr/sbin/cron": b"cron binary\n",
    "/usr/bin/socat": b"socat binary\n",
    "/usr/bin/bash": b"bash binary\n",
    "/tmp/backdoor": b"not a package's\n",
    "/usr/sbin/legacyd": b"legacy daemon\n",
    "/usr/bin/myapp": b"user app\n",
    "/usr/bin/supervisord": b"supervisord\n",
    "/usr/bin/python3.11": b"python\n",
    "/usr/bin/diverted": b"local replacement\n",
    "/usr/bin/diverted.distrib": b"packaged original\n",
    "/usr/bin/mergedd": b"merged-usr daemon\n",
    "/usr/sbin/modded": b"tampered daemon\n",
}

# pid, ppid, comm, exe, uid, cgroup, tty, cmdline, environ, sockets
# sockets: (proto, local "ip:port", state, inode)
PROCS = [
    # systemd holding cups.socket's listener: socket activation
    (1, 0, "systemd", "/usr/lib/systemd/systemd", 0, "/init.scope", 0,
     ["/sbin/init"], {}, [("tcp", "127.0.0.1:631", "LISTEN", 1001)]),
    # sshd as a plain service (ssh.socket exists but PID 1 holds nothing)
    (400, 1, "sshd", "/usr/sbin/sshd", 0, "/system.slice/ssh.service", 0,
     ["sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"], {},
     [("tcp", "0.0.0.0:22", "LISTEN", 1002)]),
    # openbsd-inetd with the default config
    (500, 1, "inetd", "/usr/sbin/inetd", 0, "/system.slice/inetd.service", 0,
     ["/usr/sbin/inetd"], {},
     [("tcp", "0.0.0.0:7", "LISTEN", 1003), ("tcp", "0.0.0.0:23", "LISTEN",
                                            1004)]),
    # a telnet session inetd started
    (501, 500, "in.telnetd", "/usr/sbin/in.telnetd", 0,
     "/system.slice/inetd.service", 0, ["in.telnetd"], {},
     [("tcp", "10.0.0.1:23", "ESTABLISHED", 1005)]),
    # xinetd with a config named on its command line
    (600, 1, "xinetd", "/usr/sbin/xinetd", 0, "/system.slice/xinetd.service",
     0, ["/usr/sbin/xinetd", "-f", "/etc/xinetd.conf", "-dontfork"], {},
     [("tcp", "0.0.0.0:37", "LISTEN", 1006), ("tcp", "0.0.0.0:9999",
                                             "LISTEN", 1007)]),
    # containers
    (700, 1, "nginx", "/usr/sbin/nginx", 0,
     "/system.slice/docker-%s.scope" % DOCKER_ID, 0,
     ["nginx: master process nginx -g daemon off;"], {},
     [("tcp", "0.0.0.0:8080", "LISTEN", 1008)]),
    (710, 1, "nginx", "/usr/sbin/nginx", 0,
     "/machine.slice/libpod-%s.scope/container" % PODMAN_ID, 0,
     ["nginx"], {}, [("tcp", "0.0.0.0:8082", "LISTEN", 1009)]),
    (720, 1, "nginx", "/usr/sbin/nginx", 0,
     "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234"
     "_5678.slice/cri-containerd-%s.scope" % K8S_ID, 0,
     ["nginx"], {}, [("tcp", "0.0.0.0:8083", "LISTEN", 1010)]),
    (730, 1, "nginx", "/usr/sbin/nginx", 0, "/lxc.payload.web1/init.scope",
     0, ["nginx"], {}, [("tcp", "0.0.0.0:8084", "LISTEN", 1020)]),
    (740, 1, "nginx", "/usr/sbin/nginx", 0,
     "/machine.slice/machine-deb\\x2dbox.scope/payload", 0, ["nginx"], {},
     [("tcp", "0.0.0.0:8085", "LISTEN", 1021)]),
    # a cron job that left a listener
    (790, 1, "cron", "/usr/sbin/cron", 0, "/system.slice/cron.service", 0,
     ["/usr/sbin/cron", "-f"], {}, []),
    (800, 790, "socat", "/usr/bin/socat", 0, "/system.slice/cron.service", 0,
     ["socat", "TCP-LISTEN:4444,fork", "EXEC:/bin/cat"], {},
     [("tcp", "0.0.0.0:4444", "LISTEN", 1011)]),
    # started by hand over ssh, from /tmp, with LD_PRELOAD
    (898, 400, "sshd", "/usr/sbin/sshd", 1000,
     "/user.slice/user-1000.slice/session-3.scope", 0, ["sshd: alice@pts/1"],
     {}, []),
    (899, 898, "bash", "/usr/bin/bash", 1000,
     "/user.slice/user-1000.slice/session-3.scope", 34817, ["-bash"],
     {"SSH_CONNECTION": "203.0.113.9 50000 10.0.0.1 22"}, []),
    (900, 899, "backdoor", "/tmp/backdoor", 1000,
     "/user.slice/user-1000.slice/session-3.scope", 34817,
     ["/tmp/backdoor", "-l", "31337"],
     {"SSH_CONNECTION": "203.0.113.9 50000 10.0.0.1 22",
      "LD_PRELOAD": "/tmp/hook.so"},
     [("tcp", "0.0.0.0:31337", "LISTEN", 1012)]),
    # a SysV script run through systemd-sysv-generator
    (950, 1, "legacyd", "/usr/sbin/legacyd", 0,
     "/system.slice/legacyd.service", 0, ["/usr/sbin/legacyd"], {},
     [("tcp", "0.0.0.0:7000", "LISTEN", 1013)]),
    # a user's own systemd --user service
    (960, 1, "myapp", "/usr/bin/myapp", 1000,
     "/user.slice/user-1000.slice/user@1000.service/app.slice/myapp.service",
     0, ["/usr/bin/myapp"], {}, [("tcp", "127.0.0.1:8081", "LISTEN", 1014)]),
    # supervised by supervisord
    (969, 1, "supervisord", "/usr/bin/python3.11", 0,
     "/system.slice/supervisor.service", 0,
     ["/usr/bin/python3", "/usr/bin/supervisord"], {}, []),
    (970, 969, "socat", "/usr/bin/socat", 0, "/system.slice/supervisor.service",
     0, ["socat", "TCP-LISTEN:9001"], {},
     [("tcp", "0.0.0.0:9001", "LISTEN", 1015)]),
    # package edge cases, all run by a plain service unit
    (980, 1, "diverted", "/usr/bin/diverted.distrib", 0,
     "/system.slice/diverted.service", 0, ["diverted"], {},
     [("tcp", "0.0.0.0:7001", "LISTEN", 1016)]),
    (981, 1, "diverted", "/usr/bin/diverted", 0,
     "/system.slice/diverted2.service", 0, ["diverted"], {},
     [("tcp", "0.0.0.0:7004", "LISTEN", 1019)]),
    (990, 1, "mergedd", "/usr/bin/mergedd", 0, "/system.slice/mergedd.service",
     0, ["mergedd"], {}, [("tcp", "0.0.0.0:7002", "LISTEN", 1017)]),
    (991, 1, "modded", "/usr/sbin/modded", 0, "/system.slice/modded.service",
     0, ["modded"], {}, [("tcp", "0.0.0.0:7003", "LISTEN", 1018)]),
]

STATES = {"ESTABLISHED": "01", "LISTEN": "0A"}

PACKAGES = [
    # name, version, files (as the .list has them), description,
    # md5 overrides {path: md5}
    ("systemd", "252.30-1", ["/usr/lib/systemd/systemd"],
     "system and service manager", {}),
    ("openssh-server", "1:9.2p1-2+deb12u3", ["/usr/sbin/sshd"],
     "secure shell (SSH) server, for secure access from remote machines", {}),
    ("openbsd-inetd", "0.20221205-2~deb12u1", ["/usr/sbin/inetd"],
     "OpenBSD Internet Superserver", {}),
    ("telnetd", "0.17+2.4-2", ["/usr/sbin/in.telnetd"], "telnet server", {}),
    ("xinetd", "1:2.3.15.3-1+b1", ["/usr/sbin/xinetd"],
     "replacement for inetd with many enhancements", {}),
    ("nginx-core", "1.22.1-9", ["/usr/sbin/nginx"],
     "nginx web/proxy server (standard version)", {}),
    ("cron", "3.0pl1-162", ["/usr/sbin/cron"],
     "process scheduling daemon", {}),
    ("socat", "1.7.4.4-2", ["/usr/bin/socat"], "multipurpose relay", {}),
    ("bash", "5.2.15-2+b7", ["/bin/bash"], "GNU Bourne Again SHell", {}),
    ("legacy", "1.0-1", ["/usr/sbin/legacyd", "/etc/init.d/legacyd"],
     "legacy daemon for tests", {}),
    ("supervisor", "4.2.5-1", ["/usr/bin/supervisord"],
     "system for controlling process state", {}),
    ("python3.11-minimal", "3.11.2-6", ["/usr/bin/python3.11"],
     "minimal subset of the Python language", {}),
    # shipped /usr/bin/diverted, moved aside by divpkg
    ("origpkg", "1.0-1", ["/usr/bin/diverted"], "ships the original", {}),
    ("divpkg", "1.0-1", ["/usr/bin/diverted"], "diverts and replaces it",
     {"/usr/bin/diverted": hashlib.md5(b"local replacement\n").hexdigest()}),
    # merged-/usr: listed under /bin, runs as /usr/bin
    ("mergedpkg", "3.1-1", ["/bin/mergedd"], "a daemon listed under /bin", {}),
    # tampered: recorded digest is of other content
    ("moddedpkg", "0.9-1", ["/usr/sbin/modded"], "a daemon that was changed",
     {"/usr/sbin/modded": hashlib.md5(b"original daemon\n").hexdigest()}),
]


def write(root, path, data, mode=0o644):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(full, "wb") as f:
        f.write(data)
    os.chmod(full, mode)


def link(root, path, target):
    full = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(full), exist_ok=True)
    if os.path.lexists(full):
        os.unlink(full)
    os.symlink(target, full)


def hexaddr(ipport):
    ip, port = ipport.rsplit(":", 1)
    b = bytes(int(x) for x in ip.split("."))
    return "%02X%02X%02X%02X:%04X" % (b[3], b[2], b[1], b[0], int(port))


def procs(root):
    rows = []
    for (pid, ppid, comm, exe, uid, cg, tty, argv, env, socks) in PROCS:
        d = "/proc/%d" % pid
        start = 1000 + pid
        write(root, d + "/stat",
              "%d (%s) S %d %d %d %d -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
              "%d 1000 100 0\n" % (pid, comm, ppid, pid, pid, tty, start))
        write(root, d + "/status",
              "Name:\t%s\nPid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n"
              "Gid:\t%d\t%d\t%d\t%d\n" % (comm, pid, ppid, uid, uid, uid, uid,
                                          uid, uid, uid, uid))
        write(root, d + "/cmdline", "\0".join(argv) + "\0")
        write(root, d + "/cgroup", "0::%s\n" % cg)
        write(root, d + "/comm", comm + "\n")
        write(root, d + "/environ",
              "".join("%s=%s\0" % kv for kv in sorted(env.items())) +
              "PATH=/usr/bin\0")
        link(root, d + "/exe", exe)
        # stdin on /dev/null: git keeps no empty fd directories
        link(root, d + "/fd/0", "/dev/null")
        for n, (_, _, _, inode) in enumerate(socks):
            link(root, "%s/fd/%d" % (d, n + 3), "socket:[%d]" % inode)
        for (proto, local, state, inode) in socks:
            rem = "0200000A:C350" if state == "ESTABLISHED" else \
                "00000000:0000"
            rows.append((hexaddr(local), rem, STATES[state], uid, inode))
    # PID 1's socket is also what a service would inherit; nothing else.
    lines = ["  sl  local_address rem_address   st tx_queue rx_queue tr "
             "tm->when retrnsmt   uid  timeout inode"]
    seen = set()
    for i, (la, ra, st, uid, inode) in enumerate(rows):
        if inode in seen:
            continue
        seen.add(inode)
        lines.append("%4d: %s %s %s 00000000:00000000 00:00000000 00000000 "
                     "%5d        0 %d 1 0000000000000000 100 0 0 10 0" %
                     (i, la, ra, st, uid, inode))
    write(root, "/proc/net/tcp", "\n".join(lines) + "\n")
    for f in ("tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6"):
        write(root, "/proc/net/" + f, lines[0] + "\n")
    write(root, "/proc/stat", "cpu  0 0 0 0\nbtime %d\n" % BOOT)
    write(root, "/proc/net/if_inet6", "")


def dpkg(root):
    status = []
    for (name, ver, files, desc, over) in PACKAGES:
        status.append("Package: %s\nStatus: install ok installed\n"
                      "Architecture: amd64\nVersion: %s\nDescription: %s\n"
                      " Long description line.\n" % (name, ver, desc))
        write(root, "/var/lib/dpkg/info/%s.list" % name,
              "/.\n/usr\n" + "".join(f + "\n" for f in files))
        sums = []
        for f in files:
            real = f
            if real not in BINARIES and "/usr" + real in BINARIES:
                real = "/usr" + real
            if name == "origpkg":
                real = "/usr/bin/diverted.distrib"
            if f in over:
                md5 = over[f]
            elif real in BINARIES:
                md5 = hashlib.md5(BINARIES[real]).hexdigest()
            else:
                continue
            sums.append("%s  %s\n" % (md5, f.lstrip("/")))
        write(root, "/var/lib/dpkg/info/%s.md5sums" % name, "".join(sums))
    # a package removed long ago left only its config: not installed
    status.append("Package: oldpkg\nStatus: deinstall ok config-files\n"
                  "Architecture: amd64\nVersion: 0.1\n")
    # a broken stanza: counted, skipped
    status.append("Version: 9\nDescription: no name\n")
    write(root, "/var/lib/dpkg/status", "\n".join(status))
    write(root, "/var/lib/dpkg/diversions",
          "/usr/bin/diverted\n/usr/bin/diverted.distrib\ndivpkg\n")


UNITS = {
    "/lib/systemd/system/ssh.service":
        "[Unit]\nDescription=OpenBSD Secure Shell server\n\n[Service]\n"
        "ExecStart=/usr/sbin/sshd -D $SSHD_OPTS\nType=notify\n\n"
        "[Install]\nWantedBy=multi-user.target\n",
    "/lib/systemd/system/ssh.socket":
        "[Unit]\nDescription=OpenBSD Secure Shell server socket\n\n"
        "[Socket]\nListenStream=22\nAccept=yes\n",
    "/etc/systemd/system/ssh.service.d/override.conf":
        "[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -o \\\n"
        "  LogLevel=VERBOSE\n",
    "/lib/systemd/system/cups.socket":
        "[Unit]\nDescription=CUPS Scheduler\n\n[Socket]\n"
        "# the scheduler's socket\nListenStream=/run/cups/cups.sock\n"
        "ListenStream=127.0.0.1:631\nListenDatagram=0.0.0.0:631\n\n"
        "[Install]\nWantedBy=sockets.target\n",
    "/lib/systemd/system/cups.service":
        "[Unit]\nDescription=CUPS Scheduler\n[Service]\n"
        "ExecStart=/usr/sbin/cupsd -l\n",
    "/lib/systemd/system/inetd.service":
        "[Unit]\nDescription=Internet superserver\n[Service]\n"
        "ExecStart=/usr/sbin/inetd\nExecReload=/bin/kill -HUP $MAINPID\n",
    "/lib/systemd/system/xinetd.service":
        "[Unit]\nDescription=xinetd\n[Service]\nExecStart=/usr/sbin/xinetd "
        "-dontfork\n",
    "/lib/systemd/system/cron.service":
        "[Unit]\nDescription=Regular background program processing daemon\n"
        "[Service]\nExecStart=/usr/sbin/cron -f\n",
    "/lib/systemd/system/getty@.service":
        "[Unit]\nDescription=Getty on %I\n[Service]\n"
        "ExecStart=-/sbin/agetty -o '-p -- \\\\u' --noclear - $TERM\n",
    "/lib/systemd/system/apt-daily.service":
        "[Unit]\nDescription=Daily apt download activities\n[Service]\n"
        "Type=oneshot\nExecStart=/usr/lib/apt/apt.systemd.daily update\n",
    "/run/systemd/generator.late/legacyd.service":
        "# Automatically generated by systemd-sysv-generator\n[Unit]\n"
        "SourcePath=/etc/init.d/legacyd\n[Service]\nType=forking\n"
        "ExecStart=/etc/init.d/legacyd start\n",
    "/lib/systemd/system/diverted.service":
        "[Service]\nExecStart=/usr/bin/diverted\n",
    "/lib/systemd/system/mergedd.service":
        "[Service]\nExecStart=/usr/bin/mergedd\n",
    "/lib/systemd/system/modded.service":
        "[Service]\nExecStart=/usr/sbin/modded\n",
    "/lib/systemd/system/supervisor.service":
        "[Service]\nExecStart=/usr/bin/supervisord -n\n",
    "/etc/systemd/user/myapp.service":
        "[Service]\nExecStart=/usr/bin/myapp\n",
}

ENABLED = [
    ("multi-user.target.wants", "ssh.service"),
    ("multi-user.target.wants", "inetd.service"),
    ("multi-user.target.wants", "xinetd.service"),
    ("multi-user.target.wants", "cron.service"),
    ("multi-user.target.wants", "apt-daily.service"),
    ("sockets.target.wants", "cups.socket"),
    ("getty.target.wants", "getty@tty1.service"),
    ("multi-user.target.wants", "avahi-daemon.service"),
]

INETD = """\
# /etc/inetd.conf: see inetd(8) for further informations.
#
# <service_name> <sock_type> <proto> <flags> <user> <server_path> <args>
#:INTERNAL: Internal services
echo		stream	tcp	nowait	root	internal
#<off># daytime	stream	tcp	nowait	root	internal
#:STANDARD: These are standard services.
telnet		stream	tcp	nowait	telnetd	/usr/sbin/tcpd	/usr/sbin/in.telnetd
finger		stream	tcp	nowait	nobody	/usr/sbin/tcpd	/usr/sbin/in.fingerd
this line is not an entry
127.0.0.1:2121	stream	tcp	nowait	root	/usr/sbin/tcpd	/usr/sbin/in.ftpd
"""

XINETD_CONF = """\
# xinetd.conf
defaults
{
	log_type	= SYSLOG daemon info
	disabled	= discard
}

includedir /etc/xinetd.d
"""

XINETD_D = {
    "time": """\
# default: off
service time
{
	disable		= no
	type		= INTERNAL
	id		= time-stream
	socket_type	= stream
	protocol	= tcp
	user		= root
	wait		= no
}
""",
    "daytime": """\
service daytime
{
	disable		= yes
	type		= INTERNAL
	socket_type	= stream
	wait		= no
}
""",
    "discard": """\
service discard
{
	type		= INTERNAL
	socket_type	= stream
	wait		= no
}
""",
    "myservice": """\
service myservice
{
	type		= UNLISTED
	port		= 9999
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= nobody
	server		= /usr/local/bin/mysvc
	server_args	= --verbose
	server_args	+= --inetd
}
""",
    "broken": """\
service broken
{
	socket_type	= stream
""",
    "ignored.rpmsave": "service x\n{\n port = 1\n}\n",
}

LEGACYD = """\
#!/bin/sh
### BEGIN INIT INFO
# Provides:          legacyd
# Required-Start:    $network
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: legacy test daemon
### END INIT INFO
DAEMON=/usr/sbin/legacyd
start-stop-daemon --start --exec $DAEMON
"""


def etc(root):
    write(root, "/etc/passwd",
          "root:x:0:0:root:/root:/bin/bash\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
          "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n")
    write(root, "/etc/services",
          "echo\t\t7/tcp\ntime\t\t37/tcp\t\ttimserver\ndaytime\t\t13/tcp\n"
          "discard\t\t9/tcp\t\tsink null\ntelnet\t\t23/tcp\n"
          "finger\t\t79/tcp\nssh\t\t22/tcp\nipp\t\t631/tcp\n"
          "ftp\t\t21/tcp\n")
    write(root, "/etc/protocols", "tcp\t6\tTCP\nudp\t17\tUDP\n")
    write(root, "/etc/inetd.conf", INETD)
    write(root, "/etc/xinetd.conf", XINETD_CONF)
    for name, text in XINETD_D.items():
        write(root, "/etc/xinetd.d/" + name, text)
    write(root, "/etc/init.d/legacyd", LEGACYD, 0o755)
    write(root, "/etc/init.d/oldftp",
          "#!/bin/sh\n# Short-Description: an old FTP daemon\n"
          "DAEMON=/usr/sbin/oldftpd\n", 0o755)
    for lv in "2345":
        link(root, "/etc/rc%s.d/S01legacyd" % lv, "../init.d/legacyd")
        link(root, "/etc/rc%s.d/S02oldftp" % lv, "../init.d/oldftp")
    link(root, "/etc/rc0.d/K01legacyd", "../init.d/legacyd")
    for path, text in UNITS.items():
        write(root, path, text)
    link(root, "/etc/systemd/system/avahi-daemon.service", "/dev/null")
    for target, unit in ENABLED:
        dest = "/lib/systemd/system/" + (
            "getty@.service" if unit.startswith("getty@") else unit)
        link(root, "/etc/systemd/system/%s/%s" % (target, unit), dest)
    os.makedirs(os.path.join(root, "run/systemd/system"), exist_ok=True)


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def bolt_db(tree, psz=4096):
    """A bbolt file holding tree (bytes -> bytes, or a dict: a bucket),
    laid out as bbolt does: two meta pages, a freelist, leaf and branch
    pages, small buckets inline, big ones on pages of their own."""
    import struct
    pages = {}
    nxt = [3]

    def alloc(data, flags, count):
        n = (16 + len(data) + psz - 1) // psz
        pg = nxt[0]
        nxt[0] += n
        hdr = struct.pack("<QHHI", pg, flags, count, n - 1)
        pages[pg] = (hdr + data).ljust(n * psz, b"\0")
        return pg

    def leaf(items):
        """items: (flags, key, value); the page body (elements, data)"""
        elems, data = b"", b""
        base = 16 * len(items)
        for i, (fl, k, v) in enumerate(items):
            pos = base + len(data) - 16 * i
            elems += struct.pack("<IIII", fl, pos, len(k), len(v))
            data += k + v
        return elems + data

    def bucket(d):
        items = []
        for k in sorted(d):
            v = d[k]
            if isinstance(v, dict):
                items.append((1, k, bucket(v)))
            else:
                items.append((0, k, v))
        body = leaf(items)
        if not any(isinstance(v, dict) for v in d.values()) and \
                16 + len(body) < psz // 4:
            # inline: the bucket header with root 0, then its page
            return struct.pack("<QQ", 0, 0) + \
                struct.pack("<QHHI", 0, 2, len(items), 0) + body
        # split into leaves of about a page, under one branch page
        leaves, cur = [], []
        for it in items:
            if cur and 16 + len(leaf(cur + [it])) > psz:
                leaves.append(cur)
                cur = []
            cur.append(it)
        leaves.append(cur)
        if len(leaves) == 1:
            return struct.pack("<QQ", alloc(body, 2, len(items)), 0)
        kids = [(lv[0][1], alloc(leaf(lv), 2, len(lv))) for lv in leaves]
        elems, data = b"", b""
        for i, (k, pg) in enumerate(kids):
            pos = 16 * len(kids) + len(data) - 16 * i
            elems += struct.pack("<IIQ", pos, len(k), pg)
            data += k
        return struct.pack("<QQ", alloc(elems + data, 1, len(kids)), 0)

    root = bucket({**tree, b"\0pad": {b"x": b"y" * (psz // 2)}})
    root_pg = struct.unpack_from("<Q", root)[0]
    out = bytearray(nxt[0] * psz)
    for txid, pg in ((1, 0), (2, 1)):
        m = struct.pack("<IIIIQQQQQ", 0xED0CDAED, 2, psz, 0, root_pg, 0, 2,
                        nxt[0], txid)
        m += struct.pack("<Q", fnv1a64(m))
        out[pg * psz:pg * psz + 16 + len(m)] = \
            struct.pack("<QHHI", pg, 4, 0, 0) + m
    out[2 * psz:2 * psz + 16] = struct.pack("<QHHI", 2, 0x10, 0, 0)
    for pg, data in pages.items():
        out[pg * psz:pg * psz + len(data)] = data
    return bytes(out)


def containers(root):
    write(root, "/var/lib/docker/containers/%s/config.v2.json" % DOCKER_ID,
          json.dumps({"ID": DOCKER_ID, "Name": "/web-frontend",
                      "Config": {"Image": "nginx:1.25"},
                      "State": {"Running": True}}))
    write(root, "/var/lib/docker/containers/%s/hostconfig.json" % DOCKER_ID,
          json.dumps({"PortBindings": {
              "8080/tcp": [{"HostIp": "", "HostPort": "80"},
                           {"HostIp": "::", "HostPort": "80"}],
              "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}],
              "bad/tcp": [{"HostPort": "1"}],
              "9/tcp": [{"HostPort": "99999"}]}}))
    # podman's state database: the container in a pod, its image and
    # ports, among enough others that the bucket needs a branch page
    ctrs = {("%064x" % i).encode(): {b"config": json.dumps(
        {"id": "%064x" % i, "name": "filler-%d" % i}).encode()}
        for i in range(1, 200)}
    ctrs[PODMAN_ID.encode()] = {
        b"config": json.dumps({
            "id": PODMAN_ID, "name": "podman-web",
            "rootfsImageName": "docker.io/library/nginx:1.25",
            "pod": "b0d" * 21 + "b",
            "newPortMappings": [
                {"host_ip": "", "container_port": 80, "host_port": 8082,
                 "range": 1, "protocol": "tcp"},
                {"host_ip": "", "container_port": 53, "host_port": 1053,
                 "range": 2, "protocol": "tcp,udp"},
                {"host_port": -1, "container_port": 5},
                {"host_port": 70000, "container_port": 5}]}).encode(),
        b"netns": b"/run/netns/netns-1"}
    write(root, "/var/lib/containers/storage/libpod/bolt_state.db",
          bolt_db({b"ctr": ctrs, b"pod": {("b0d" * 21 + "b").encode(): {
              b"config": json.dumps({"name": "shop-pod"}).encode()}},
              b"runtime-config": {b"graph-root":
                                  b"/var/lib/containers/storage"}}))
    # LXC, and a systemd-nspawn machine registered with machined
    write(root, "/var/lib/lxc/web1/config",
          "# Distribution configuration\nlxc.uts.name = web1.example\n"
          "lxc.rootfs.path = dir:/var/lib/lxc/web1/rootfs\n")
    write(root, "/run/systemd/machines/deb-box",
          "# This is private data. Do not parse.\nNAME=deb-box\n"
          "SCOPE=machine-deb\\x2dbox.scope\nSERVICE=systemd-nspawn\n"
          "ROOT=/var/lib/machines/deb-box\nCLASS=container\nLEADER=740\n")
    write(root, "/var/lib/containers/storage/overlay-containers/"
          "containers.json",
          json.dumps([{"id": "ff" * 32, "names": ["other"]},
                      {"id": PODMAN_ID, "names": ["podman-web"]}]))
    write(root, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s/"
          "config.json" % K8S_ID,
          json.dumps({"annotations": {
              "io.kubernetes.cri.container-name": "nginx",
              "io.kubernetes.cri.sandbox-name": "web-7d9f",
              "io.kubernetes.cri.sandbox-namespace": "shop",
              "io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25"
          }}))


def man(root):
    page = (b'.TH MYAPP 1\n.SH NAME\nmyapp \\- serve the \\fIuser\\fR '
            b'application\n.SH SYNOPSIS\n.B myapp\n')
    full = os.path.join(root, "usr/share/man/man1/myapp.1.gz")
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with gzip.GzipFile(full, "wb", mtime=0) as f:
        f.write(page)


def main():
    out = sys.argv[1]
    root = os.path.join(out, "root")
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    for path, data in BINARIES.items():
        write(root, path, data, 0o755)
    # /tmp is world-writable and sticky on a real system
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    procs(root)
    dpkg(root)
    etc(root)
    containers(root)
    man(root)


if __name__ == "__main__":
    main()
