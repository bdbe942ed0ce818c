#!/usr/bin/python3
"""Real podman containers (runc, cgroupfs), in a namespace made here.

usage: test_podman_live.py PORTSLEUTH TESTS_DIR

podman runs inside a test network namespace (nsenter --net, so netavark
puts its bridge and its rules there, and the machine's own namespace and
ruleset stay as they are: checked), with its storage in a temporary
directory and a root filesystem of busybox-static made here.  Five
containers: one publishing 8000 as 18080 (netavark's DNAT), one whose
8001 docker's real userland proxy forwards from 18081, one on podman's
slirp4netns network whose 8003 rootlessport forwards from 18083, one
whose 8004 slirp4netns itself forwards from 18084, and one in a pod
listening on 8002 alone.
portsleuth, from the host's namespace, must list each container's
listener in the container's own namespace, named after podman and its
id, with its owner's PID inside the container; conmon holding 18080 in
the runtime's namespace; and a peer over veth reaches the published port
and not the other.  Needs root, podman, runc and busybox-static; exits
77 without them.
"""
import ctypes
import gzip
import json
import os
import resource
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
TAG = os.getpid() % 100000
HOSTNS, PEER = f"psph{TAG}", f"pspp{TAG}"
BUSYBOX = "/bin/busybox"
# docker's userland proxy, from Debian's docker.io package (./dev test
# unpacks it; installing docker.io would start a docker daemon)
DOCKER_PROXY = os.environ.get("PS_DOCKER_PROXY") or (
    "/usr/sbin/docker-proxy" if os.path.exists("/usr/sbin/docker-proxy")
    else None)

missing = [x for x in ("podman", "runc", "nsenter") if not shutil.which(x)]
if os.geteuid() != 0 or missing or not os.path.exists(BUSYBOX):
    print(f"SKIP: needs root, podman, runc and busybox-static "
          f"(missing: {missing or 'root or busybox'})")
    sys.exit(77)


def ruleset_here():
    """This namespace's ruleset as libnftables lists it (read-only)."""
    n = ctypes.CDLL("libnftables.so.1")
    n.nft_ctx_new.restype = ctypes.c_void_p
    n.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
    c = ctypes.c_void_p(n.nft_ctx_new(0))
    n.nft_ctx_output_set_flags(c, 1 << 4)
    n.nft_ctx_buffer_output(c)
    n.nft_run_cmd_from_buffer(c, b"list ruleset")
    out = n.nft_ctx_get_output_buffer(c) or b""
    n.nft_ctx_free(c)
    return out


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True,
                   timeout=30)


tmp = tempfile.mkdtemp(prefix="ps-podman-")
rootfs = os.path.join(tmp, "rootfs")
rootfs2 = os.path.join(tmp, "rootfs2")
conf = os.path.join(tmp, "containers.conf")
hard_nofile = min(4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
with open(conf, "w") as f:
    # this machine's hard limits are below podman's defaults for root
    f.write(f'[containers]\ndefault_ulimits = ["nofile={hard_nofile}:'
            f'{hard_nofile}", "nproc=4096:4096"]\n')
PODMAN = ["env", f"CONTAINERS_CONF={conf}", "nsenter",
          f"--net=/run/netns/{HOSTNS}", "podman", "--root",
          os.path.join(tmp, "storage"), "--runroot", os.path.join(tmp, "run"),
          "--cgroup-manager=cgroupfs", "--runtime=runc",
          "--network-config-dir", os.path.join(tmp, "net")]


def podman(*args, check_rc=True):
    p = subprocess.run(PODMAN + list(args), capture_output=True, timeout=120)
    if check_rc and p.returncode != 0:
        raise RuntimeError(f"podman {args[:2]}: {p.stderr.decode()[-400:]}")
    return p.stdout.decode().strip()


before = ruleset_here()
ids = {}
try:
    os.makedirs(os.path.join(rootfs, "bin"))
    shutil.copy(BUSYBOX, os.path.join(rootfs, "bin", "busybox"))
    # the image's own package database: busybox-static owns /bin/busybox,
    # with the digest its package recorded (as in a Debian-based image)
    info = os.path.join(rootfs, "var", "lib", "dpkg", "info")
    os.makedirs(info)
    st = subprocess.run(["dpkg-query", "-s", "busybox-static"],
                        capture_output=True, text=True).stdout
    with open(os.path.join(rootfs, "var", "lib", "dpkg", "status"), "w") as f:
        f.write(st + "\n")
    for ext in ("list", "md5sums"):
        shutil.copy(f"/var/lib/dpkg/info/busybox-static.{ext}", info)
    # a second root without a package database but with its own manual
    # page: what its busybox is comes from there, not from the host's
    os.makedirs(os.path.join(rootfs2, "bin"))
    shutil.copy(BUSYBOX, os.path.join(rootfs2, "bin", "busybox"))
    man1 = os.path.join(rootfs2, "usr", "share", "man", "man1")
    os.makedirs(man1)
    with gzip.open(os.path.join(man1, "busybox.1.gz"), "wb") as f:
        f.write(b".TH BUSYBOX 1\n.SH NAME\nbusybox \\- the image's own "
                b"busybox page\n")
    ver = subprocess.run(["dpkg-query", "-W", "-f=${Version}",
                          "busybox-static"], capture_output=True,
                         text=True).stdout
    for ns in (HOSTNS, PEER):
        ip("netns", "add", ns)
        ip("-n", ns, "link", "set", "lo", "up")
    ip("link", "add", f"psq{TAG}", "netns", HOSTNS, "type", "veth", "peer",
       "name", f"psr{TAG}", "netns", PEER)
    ip("-n", HOSTNS, "addr", "add", "10.79.2.1/24", "dev", f"psq{TAG}")
    ip("-n", PEER, "addr", "add", "10.79.2.2/24", "dev", f"psr{TAG}")
    ip("-n", HOSTNS, "link", "set", f"psq{TAG}", "up")
    ip("-n", PEER, "link", "set", f"psr{TAG}", "up")
    subprocess.run(["ip", "netns", "exec", HOSTNS, "sysctl", "-qw",
                    "net.ipv4.ip_forward=1"], check=True)
    common = ["--ulimit", f"nofile={hard_nofile}:{hard_nofile}", "--ulimit",
              "nproc=4096:4096"]
    ids["pweb"] = podman("run", "-d", "--name", "pweb", *common, "-p",
                         "18080:8000", "--rootfs", rootfs, "/bin/busybox",
                         "nc", "-ll", "-p", "8000", "-e", "/bin/busybox",
                         "echo", "published")
    ids["pin"] = podman("run", "-d", "--name", "pin", *common, "--rootfs",
                        rootfs, "/bin/busybox", "nc", "-ll", "-p", "8001",
                        "-e", "/bin/busybox", "echo", "proxied")
    # a pod (no infra container: it needs an image) with a container
    # that publishes nothing
    podman("pod", "create", "--name", "ppod", "--infra=false")
    ids["inpod"] = podman("run", "-d", "--name", "inpod", "--pod", "ppod",
                          *common, "--rootfs", rootfs2, "/bin/busybox", "nc",
                          "-ll", "-p", "8002", "-e", "/bin/busybox", "echo",
                          "inside")
    # podman's slirp4netns network: its rootlessport holds 18083 and
    # forwards it; only podman's own database says where
    slirp = shutil.which("slirp4netns") is not None
    # (or, with its own port handler, slirp4netns itself)
    SLIRPS = (("pslirp", 8003, "rootlessport", ""),
              ("pslirp2", 8004, "slirp4netns", ":port_handler=slirp4netns"))
    if slirp:
        for name, port, _, opt in SLIRPS:
            ids[name] = podman("run", "-d", "--name", name, "--network",
                               "slirp4netns" + opt, *common, "-p",
                               f"{port + 10080}:{port}", "--rootfs", rootfs,
                               "/bin/busybox", "nc", "-ll", "-p", str(port),
                               "-e", "/bin/busybox", "echo", name)
    # docker's userland proxy (the real one, from Debian's docker.io),
    # forwarding the runtime's 18081 to pin's 8001
    pin_ip = podman("inspect", "-f", "{{.NetworkSettings.IPAddress}}",
                    "pin")
    proxy = None
    if DOCKER_PROXY:
        rd, wr = os.pipe()
        # as docker runs it: the readiness pipe on fd 3
        proxy = subprocess.Popen(
            ["sh", "-c", f'exec "$0" "$@" 3>&{wr}', "nsenter",
             f"--net=/run/netns/{HOSTNS}", DOCKER_PROXY, "-proto",
             "tcp", "-host-ip", "0.0.0.0", "-host-port", "18081",
             "-container-ip", pin_ip, "-container-port", "8001"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(wr,))
        os.close(wr)
        # it writes "0\n" to fd 3 once it listens
        check(os.read(rd, 16).startswith(b"0"), "docker-proxy is ready")
        os.close(rd)
    time.sleep(1.5)

    p = subprocess.run([EXE, "-t", "-p",
                        "8000-8004,18080,18081,18083,18084", "--json"],
                       capture_output=True, timeout=60)
    d = json.loads(p.stdout)
    by = {}
    for s in d["sockets"]:
        by.setdefault(s["local_port"], []).append(s)
    for name, port in (("pweb", 8000), ("pin", 8001), ("inpod", 8002)):
        # this run's containers only (another run may be on the host)
        socks = [s for s in by.get(port, []) if
                 (s.get("netns") or {}).get("container_id") == ids[name]]
        s = socks[0] if socks else {}
        ns = s.get("netns") or {}
        own = (s.get("owners") or [{}])[0]
        check(len(socks) == 1 and ns.get("runtime") == "podman" and
              ns.get("container_id") == ids[name] and
              ns.get("label") == f"podman:{name}" and
              ns.get("container_name") == name,
              f"{name}: its listener in the container's namespace, named "
              f"from podman's database in the --root storage: {ns}")
        check(ns.get("rootfs") == (rootfs2 if name == "inpod" else rootfs)
              and ns.get("image") is None and
              ns.get("pod") == ("ppod" if name == "inpod" else None),
              f"{name}: its root directory, no image, "
              f"{'the pod' if name == 'inpod' else 'no pod'}: {ns}")
        check(own.get("command") == "busybox" and own.get("ns_pid") == 1,
              f"{name}: the owner, PID 1 inside the container: {own}")
        pubs = s.get("published") or []
        if name == "pweb":
            # netavark's iptables-nft DNAT, its target read with libnftnl
            check(len(pubs) == 1 and pubs[0]["netns"] == HOSTNS and
                  pubs[0]["from"] == "*:18080/tcp" and
                  pubs[0]["to_port"] == 8000 and
                  pubs[0]["rule"].startswith("ip nat NETAVARK-DN-") and
                  pubs[0]["kind"] == "dnat" and pubs[0]["by"] == "netavark",
                  f"pweb: published by netavark's rule: {pubs}")
            check(s.get("exposure_outside") ==
                  f"published as {HOSTNS} *:18080/tcp (DNAT by netavark)",
                  f"pweb: exposure: {s.get('exposure_outside')}")
        elif name == "pin" and proxy:
            check(len(pubs) == 1 and pubs[0]["kind"] == "proxy" and
                  pubs[0]["by"] == "docker-proxy" and
                  pubs[0]["proxy_pid"] == proxy.pid and
                  pubs[0]["from"] == "*:18081/tcp" and
                  pubs[0]["to_address"] == pin_ip and
                  pubs[0]["to_port"] == 8001 and
                  pubs[0]["mapping_from"] == "command line",
                  f"pin: published through docker-proxy: {pubs}")
            check(s.get("exposure_outside") == f"published as {HOSTNS} "
                  "*:18081/tcp (proxied by docker-proxy)",
                  f"pin: exposure: {s.get('exposure_outside')}")
        elif name == "inpod":
            check(pubs == [] and (s.get("exposure_outside") or "")
                  .startswith("inside podman:inpod"),
                  f"inpod: inside its namespace only: "
                  f"{s.get('exposure_outside')} {pubs}")
    reserve = [s for s in by.get(18080, []) if s["owners"] and
               s["owners"][0]["command"] == "conmon" and
               s["netns"]["label"] == HOSTNS]
    check(len(reserve) == 1 and reserve[0]["netns"]["kind"] == "netns" and
          reserve[0]["netns"]["label"] == HOSTNS,
          f"conmon holds 18080 in the runtime's namespace: {reserve}")
    lt = reserve[0].get("leads_to") if reserve else None
    check(lt and len(lt) == 1 and lt[0]["netns"] == "podman:pweb" and
          lt[0]["local_port"] == 8000 and lt[0]["command"] == "busybox",
          f"and its row names the container listener it leads to: {lt}")
    check(reserve and reserve[0]["exposure_outside"] ==
          "all interfaces (IPv4), DNAT by netavark to podman:pweb:8000 "
          "(conmon only reserves the port)",
          f"in the EXPOSURE column too: "
          f"{reserve and reserve[0]['exposure_outside']}")
    if proxy:
        held = [s for s in by.get(18081, []) if s["owners"] and
                s["owners"][0]["pid"] == proxy.pid]
        lt = held[0].get("leads_to") if held else None
        check(lt and [x["netns"] for x in lt] == ["podman:pin"] and
              lt[0]["local_port"] == 8001 and
              held[0]["exposure_outside"] == "all interfaces (IPv4), "
              "proxied by docker-proxy to podman:pin:8001",
              f"docker-proxy's 18081 leads to pin's 8001: "
              f"{held and held[0]['exposure_outside']} {lt}")
    else:
        print("SKIP: docker-proxy (set PS_DOCKER_PROXY)")
    for name, port, holder, _ in SLIRPS if slirp else ():
        inner = [s for s in by.get(port, []) if
                 (s.get("netns") or {}).get("container_id") == ids[name]]
        pubs = inner[0].get("published") if inner else None
        check(inner and inner[0]["netns"]["label"] == f"podman:{name}" and
              pubs and len(pubs) == 1 and pubs[0]["kind"] == "proxy" and
              pubs[0]["by"] == holder and
              pubs[0]["mapping_from"] == "podman" and
              pubs[0]["from"] == f"*:{port + 10080}/tcp" and
              pubs[0]["to_port"] == port and
              inner[0]["exposure_outside"] == f"published as {HOSTNS} "
              f"*:{port + 10080}/tcp (proxied by {holder})",
              f"slirp4netns: {name}'s {port} is published through "
              f"{holder}, by podman's own mapping: "
              f"{inner and inner[0]['exposure_outside']} {pubs}")
        held = [s for s in by.get(port + 10080, []) if s["owners"] and
                s["owners"][0]["command"] == holder and
                s["netns"]["label"] == HOSTNS]
        check(held and [x["netns"] for x in held[0]["leads_to"]] ==
              [f"podman:{name}"] and held[0]["exposure_outside"].endswith(
                  f"proxied by {holder} to podman:{name}:{port}"),
              f"and {holder}'s {port + 10080} leads to it: "
              f"{held and held[0]['exposure_outside']}")
    if not slirp:
        print("SKIP: slirp4netns is not installed")
    # why it runs, read through the container's root: its origin, and the
    # package and digest from the image's own database
    p = subprocess.run([EXE, "-t", "-p", "8000", "--why", "--json"],
                       capture_output=True, timeout=60)
    dw = json.loads(p.stdout)
    mine = [o for s in dw["sockets"] for o in s["owners"]
            if (s.get("netns") or {}).get("container_id") == ids["pweb"]]
    o = mine[0] if mine else {}
    org, pkg, integ = (o.get("origin") or {}, o.get("package") or {},
                       o.get("integrity") or {})
    check(org.get("kind") == "container" and org.get("runtime") == "podman"
          and org.get("container_id") == ids["pweb"],
          f"the container's process: a podman container: {org}")
    check(pkg.get("manager") == "dpkg" and pkg.get("name") ==
          "busybox-static" and pkg.get("version") == ver,
          f"its package from the image's own database: {pkg}")
    check(integ.get("verdict") == "ok" and integ.get("digest_matches"),
          f"and its image matches the recorded digest: {integ}")
    purpose = o.get("purpose") or {}
    synopsis = [ln[13:] for ln in st.splitlines()
                if ln.startswith("Description: ")]
    check(purpose.get("source") == "package description" and synopsis and
          purpose.get("text") == synopsis[0],
          f"its purpose from the image's package: {purpose}")
    p = subprocess.run([EXE, "-t", "-p", "8002", "--why", "--json"],
                       capture_output=True, timeout=60)
    mine = [o for s in json.loads(p.stdout)["sockets"] for o in s["owners"]
            if (s.get("netns") or {}).get("container_id") == ids["inpod"]]
    purpose = (mine[0] if mine else {}).get("purpose") or {}
    check(purpose.get("text") == "the image's own busybox page" and
          purpose.get("source") == "man page",
          f"without a package, from the image's manual page: {purpose}")
    # --netns by the container's label, or its id
    for spec in ("podman:pin", "pin", ids["pin"][:12]):
        p = subprocess.run([EXE, "-t", "--netns", spec, "--json"],
                           capture_output=True, timeout=60)
        dd = json.loads(p.stdout) if p.returncode in (0, 1) else {}
        check([n.get("container_id") for n in dd.get("namespaces", [])] ==
              [ids["pin"]] and [s["local_port"] for s in dd["sockets"]] ==
              [8001], f"--netns {spec[:20]}: that container alone")
    notes = d["sources"]["notes"]
    check(not any("iptables-nft compat targets" in n for n in notes),
          f"no DNAT left unread: {notes}")

    def peer_gets(addr, port):
        code = (f"import socket; s=socket.socket(); s.settimeout(3)\n"
                f"try:\n s.connect(('{addr}', {port}));"
                f" print(s.recv(64).decode().strip())\n"
                f"except OSError: print('no')\n")
        r = subprocess.run(["ip", "netns", "exec", PEER, sys.executable,
                            "-c", code], capture_output=True, timeout=30)
        return r.stdout.decode().strip()
    check(peer_gets("10.79.2.1", 18080) == "published",
          "the peer reaches the port netavark's DNAT publishes")
    if proxy:
        check(peer_gets("10.79.2.1", 18081) == "proxied",
              "the peer reaches the port docker-proxy forwards")
    for name, port, holder, _ in SLIRPS if slirp else ():
        check(peer_gets("10.79.2.1", port + 10080) == name,
              f"the peer reaches the port {holder} forwards")
    check(peer_gets("10.79.2.1", 8002) == "no",
          "and not the unpublished one")

    # the firewall's verdict of the published port, through netavark's
    # own rules (iptables-nft: compat matches and targets) and a rule
    # of ours in the forward path, each against the peer's real attempt
    def published_verdict():
        r = subprocess.run([EXE, "-t", "-p", "8000", "--firewall", "--json"],
                           capture_output=True, timeout=60)
        for sk in json.loads(r.stdout)["sockets"]:
            if (sk.get("netns") or {}).get("container_id") != ids["pweb"]:
                continue
            for pa in sk["firewall"]["paths"]:
                if pa["published"] and pa["interface"] == f"psq{TAG}" \
                        and pa["family"] == "ipv4":
                    return pa
        return None
    pa = published_verdict()
    check(pa and pa["verdict"] == "open" and pa["to_port"] == 18080 and
          pa["dnat"] and pa["dnat"]["to_port"] == 8000 and
          pa["dnat"]["rule"]["by"] == "netavark" and
          peer_gets("10.79.2.1", 18080) == "published",
          f"--firewall: 18080 open through netavark's DNAT, as the peer "
          f"found: {pa}")
    block = ("table inet psblock {\n chain forw { type filter hook forward "
             "priority -5; tcp dport 8000 drop\n}\n}\n")
    subprocess.run(["ip", "netns", "exec", HOSTNS, "nft", "-f", "-"],
                   input=block.encode(), check=True)
    pa = published_verdict()
    check(pa and pa["verdict"] == "filtered" and
          pa["rule"]["table"] == "psblock" and
          peer_gets("10.79.2.1", 18080) == "no",
          f"--firewall: a drop in the forward path filters it, as the peer "
          f"found: {pa}")
    subprocess.run(["ip", "netns", "exec", HOSTNS, "nft", "delete", "table",
                    "inet", "psblock"], check=True)
    # a container recreated under the same name is not a change
    base = os.path.join(tmp, "base.json")
    p = subprocess.run([EXE, "baseline", "--netns", "podman:inpod", base],
                       capture_output=True, timeout=60)
    with open(base) as f:
        bd = json.load(f)
    bl = [dict(zip(bd["fields"], x)) for x in bd["listeners"]]
    check(p.returncode == 0 and [(x["netns"], x["port"], x["unit"]) for x in
                                 bl] == [("podman:inpod", 8002,
                                          "podman:inpod")],
          f"a baseline of the container inpod: {bl}")
    podman("rm", "-f", "-t", "0", "inpod")
    new_id = podman("run", "-d", "--name", "inpod", "--pod", "ppod",
                    *common, "--rootfs", rootfs2, "/bin/busybox", "nc",
                    "-ll", "-p", "8002", "-e", "/bin/busybox", "echo",
                    "inside")
    time.sleep(1.0)
    p = subprocess.run([EXE, "diff", "--json", base], capture_output=True,
                       timeout=60)
    dd = json.loads(p.stdout) if p.stdout else {}
    check(new_id != ids["inpod"] and p.returncode == 0 and
          dd.get("changes") == [],
          f"recreated under the same name (a new id, a new namespace): "
          f"no change ({p.returncode} {dd.get('changes')})")
finally:
    if proxy and proxy.poll() is None:
        proxy.kill()
        proxy.wait(timeout=10)
    podman("rm", "-f", "-t", "0", "pweb", "pin", "inpod", "pslirp",
           "pslirp2", check_rc=False)
    podman("pod", "rm", "-f", "ppod", check_rc=False)
    for ns in (HOSTNS, PEER):
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
    subprocess.run(["umount", "-R", os.path.join(tmp, "storage")],
                   capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)
check(ruleset_here() == before,
      "the machine's own namespace's ruleset is as it was")
sys.exit(summary())
