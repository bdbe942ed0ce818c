#!/usr/bin/python3
"""portsleuth packet: listeners that need no port, live.

usage: test_packet_live.py PORTSLEUTH TESTS_DIR

In a network namespace made here: an AF_PACKET socket for IPv4 bound to
one interface with a classic BPF filter attached (what a sniffer or a
magic-packet backdoor holds), another for every protocol on every
interface with none, and a UDP socket that joined 239.1.2.3 on that
interface.  portsleuth must list both packet sockets with their owner,
interface, protocol and the exact filter, and the group; as nobody, the
sockets but not the filters (reading them needs CAP_NET_ADMIN), said.
Needs root; exits 77 without it.
"""
import json
import os
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "pylib"))
from pstest import check, summary  # noqa: E402

EXE = os.path.abspath(sys.argv[1])
NS = f"pspk{os.getpid() % 100000}"
PY = "/usr/bin/python3"
PROG = [(0x28, 0, 0, 12), (0x15, 0, 3, 0x800), (0x30, 0, 0, 23),
        (0x15, 0, 1, 17), (0x6, 0, 0, 0xffff), (0x6, 0, 0, 0)]

if os.geteuid() != 0:
    print("SKIP: needs root")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="ps-packet-")
sniff = os.path.join(tmp, "sniff.py")
with open(sniff, "w") as f:
    f.write(f"""import ctypes, socket, struct, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("psq0", 0x0800))
prog = {PROG!r}
buf = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i)
                                           for i in prog))
s.setsockopt(socket.SOL_SOCKET, 26,
             struct.pack("HL", len(prog), ctypes.addressof(buf)))
a = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.bind(("0.0.0.0", 5000))
m.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
             socket.inet_aton("239.1.2.3") + socket.inet_aton("10.99.0.1"))
print("ready", flush=True)
time.sleep(120)
""")
p = None
try:
    for args in (["netns", "add", NS],
                 ["-n", NS, "link", "add", "psq0", "type", "veth", "peer",
                  "name", "psq1"],
                 ["-n", NS, "link", "set", "lo", "up"],
                 ["-n", NS, "link", "set", "psq0", "up"],
                 ["-n", NS, "link", "set", "psq1", "up"],
                 ["-n", NS, "addr", "add", "10.99.0.1/24", "dev", "psq0"]):
        subprocess.run(["ip", *args], check=True, capture_output=True)
    p = subprocess.Popen(["ip", "netns", "exec", NS, PY, sniff],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    check(p.stdout.readline().strip() == b"ready", "the sockets are made")
    r = subprocess.run([EXE, "packet", "--json", "--netns", NS],
                       capture_output=True, timeout=60)
    d = json.loads(r.stdout)
    socks = {(s["protocol"], s["interface"]): s for s in d["packet_sockets"]}
    ip = socks.get(("ip", "psq0"), {})
    want = [{"code": c, "jt": t, "jf": f, "k": k} for c, t, f, k in PROG]
    check(r.returncode == 0 and ip.get("type") == "raw" and
          ip.get("filter") == want and
          [o["pid"] for o in ip.get("owners", [])] == [p.pid],
          f"the IPv4 sniffer on psq0, its exact filter and owner: {ip}")
    check(ip.get("filter_text") == ["ldh [12]", "jeq #0x800 jt 2 jf 5",
                                    "ldb [23]", "jeq #0x11 jt 4 jf 5",
                                    "ret #65535", "ret #0"],
          f"and in words, as tcpdump -d says it: {ip.get('filter_text')}")
    al = socks.get(("all", "*"), {})
    check(al.get("type") == "dgram" and al.get("filter") == [] and
          [o["pid"] for o in al.get("owners", [])] == [p.pid],
          f"every protocol on every interface, no filter: {al}")
    mc = d["namespaces"][0]["multicast"] if d.get("namespaces") else []
    check({"interface": "psq0", "group": "239.1.2.3", "users": 1} in mc,
          f"the group joined on psq0: {mc}")
    r = subprocess.run([EXE, "packet", "--netns", NS], capture_output=True,
                       timeout=60)
    t = r.stdout.decode()
    check("6 BPF instructions" in t and "none: every packet" in t and
          "psq0" in t, f"the table: {t}")
    # as nobody, inside the namespace: the sockets, not their filters
    r = subprocess.run(["ip", "netns", "exec", NS, "setpriv",
                        "--reuid=nobody", "--regid=nogroup",
                        "--clear-groups", EXE, "packet", "--json"],
                       capture_output=True, timeout=60)
    d = json.loads(r.stdout) if r.stdout else {}
    ps = d.get("packet_sockets", [])
    check(len(ps) >= 2 and all(s["filter"] is None for s in ps),
          f"as nobody: the sockets, their filters not readable: "
          f"{[(s['protocol'], s['filter']) for s in ps]}")
finally:
    if p and p.poll() is None:
        p.kill()
        p.wait(timeout=10)
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True)
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(summary())
