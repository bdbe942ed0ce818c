"""Real daemons from Debian packages, in a network namespace, for the
probing tests and the probing benchmark.

Each is started with a configuration written into a temporary directory,
on its standard port or on a deliberately wrong one, and TRUTH says what
it really is.  Every process is started here and stopped by PID.
"""
import os
import shutil
import subprocess
import time

# (proto, port, protocol, product or None, tls, mismatch expected)
TRUTH = [
    ("tcp", 24, "ssh", "OpenSSH", False, True),       # sshd, wrong port
    ("tcp", 443, "ssh", "OpenSSH", False, True),      # sshd, wrong port
    ("tcp", 22, "http", "nginx", False, True),        # nginx on ssh's port
    # (and nginx with TLS on 127.0.0.2:22: see test_probe_live.py)
    ("tcp", 8443, "http", "nginx", True, False),      # nginx with TLS
    ("tcp", 25, "smtp", "Exim", False, False),
    ("tcp", 143, "imap", "Dovecot", False, False),
    ("tcp", 110, "pop3", "Dovecot", False, False),
    ("tcp", 6379, "redis", "Redis", False, False),
    ("tcp", 11211, "memcached", "memcached", False, False),
    ("udp", 11211, "memcached", "memcached", False, False),
    ("tcp", 53, "dns", "dnsmasq", False, False),
    ("udp", 53, "dns", "dnsmasq", False, False),
    ("tcp", 21, "ftp", "vsftpd", False, False),
    ("tcp", 1883, "mqtt", "Mosquitto", False, False),
    ("tcp", 7, "echo", None, False, False),           # inetd internal
    ("tcp", 13, "daytime", None, False, False),
    ("tcp", 19, "chargen", None, False, False),
    ("tcp", 37, "time", None, False, False),
    ("tcp", 873, "rsync", "rsync", False, False),
    ("udp", 161, "snmp", "net-snmp", False, False),   # SNMPv3 engine ID
    ("udp", 123, "ntp", None, False, False),
    ("tcp", 8000, "http", "Python http.server", False, False),
    ("tcp", 9998, "silent", None, False, False),      # a silent socat
    # greetings that name neither FTP nor SMTP: one question tells
    ("tcp", 2121, "ftp", None, False, True),          # vsftpd, own banner
    ("tcp", 2525, "smtp", None, False, True),         # exim, own banner
    ("tcp", 3306, "mysql", "MariaDB", False, False),
    ("tcp", 8404, "http", "HAProxy", False, True),    # its stats page
    # unicast DNS on the multicast DNS port
    ("udp", 5353, "dns", "dnsmasq", False, True),
]

HAPROXY = """global
  maxconn 64
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend stats
  bind 0.0.0.0:8404
  stats enable
  stats uri /
"""

# exim with a greeting of its own ("220 mx.test mail relay ready"):
# nothing in it says SMTP
EXIM_PLAIN = """primary_hostname = mx.test
smtp_banner = $smtp_active_hostname mail relay ready
daemon_smtp_ports = 2525
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
log_file_path = {d}/exim/%slog
spool_directory = {d}/exim/spool
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  deny
begin routers
begin transports
"""

NGINX = """daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/nb; proxy_temp_path {d}/np;
  fastcgi_temp_path {d}/nf; uwsgi_temp_path {d}/nu; scgi_temp_path {d}/ns;
  server {{ listen 127.0.0.1:22; location / {{ return 200 "plain\\n"; }} }}
  server {{ listen 127.0.0.2:22 ssl; ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem; location / {{ return 200 "tls\\n"; }} }}
  server {{ listen 8443 ssl; ssl_certificate {d}/cert.pem;
    ssl_certificate_key {d}/key.pem; location / {{ return 200 "tls\\n"; }} }}
}}
"""

DOVECOT = """protocols = imap pop3
listen = *
base_dir = {d}/dovecot-run
state_dir = {d}/dovecot-state
ssl = no
log_path = {d}/dovecot.log
default_internal_user = nobody
default_login_user = nobody
default_internal_group = nogroup
passdb {{
  driver = static
  args = password=not-a-real-one
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/empty
}}
mail_location = maildir:{d}/empty/mail
"""

INETD = """echo\tstream\ttcp\tnowait\troot\tinternal
echo\tdgram\tudp\twait\troot\tinternal
daytime\tstream\ttcp\tnowait\troot\tinternal
daytime\tdgram\tudp\twait\troot\tinternal
chargen\tstream\ttcp\tnowait\troot\tinternal
time\tstream\ttcp\tnowait\troot\tinternal
discard\tstream\ttcp\tnowait\troot\tinternal
"""


class Daemons:
    def __init__(self, ns, tmp, chronyd=None):
        self.ns = ns
        self.d = tmp
        self.procs = []
        self.chronyd = chronyd

    def sh(self, *args, **kw):
        return subprocess.run(["ip", "netns", "exec", self.ns, *args],
                              check=True, capture_output=True, timeout=60,
                              **kw)

    def start(self, *args, cwd=None):
        log = open(os.path.join(self.d, "daemons.log"), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", self.ns, *args],
                             stdin=subprocess.DEVNULL, stdout=log,
                             stderr=log, cwd=cwd)
        self.procs.append(p)
        return p

    def write(self, name, text):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def up(self):
        d = self.d
        os.makedirs(os.path.join(d, "empty"), exist_ok=True)
        os.chmod(d, 0o755)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", f"{d}/key.pem", "-out",
                        f"{d}/cert.pem", "-days", "30", "-subj",
                        "/CN=probe.test/O=portsleuth tests", "-addext",
                        "subjectAltName=DNS:probe.test,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        f"{d}/hostkey"], check=True, timeout=60)
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.start("/usr/sbin/sshd", "-D", "-e", "-f", self.write(
            "sshd_config", f"Port 24\nPort 443\nHostKey {d}/hostkey\n"
            "PidFile none\nUsePAM no\n"))
        self.start("/usr/sbin/nginx", "-c", self.write("nginx.conf",
                                                        NGINX.format(d=d)))
        self.start("/usr/sbin/exim4", "-bdf", "-oX", "25", "-oP",
                   f"{d}/exim.pid")
        self.start("/usr/sbin/dovecot", "-F", "-c", self.write(
            "dovecot.conf", DOVECOT.format(d=d)))
        self.start("/usr/bin/redis-server", "--port", "6379", "--bind",
                   "0.0.0.0", "--protected-mode", "no", "--save", "",
                   "--appendonly", "no", "--dir", d)
        self.start("/usr/bin/memcached", "-u", "nobody", "-p", "11211",
                   "-U", "11211")
        self.start("/usr/sbin/dnsmasq", "-k", "--port=53",
                   "--no-resolv", "--no-hosts", "-C", "/dev/null",
                   "--user=nobody", "--pid-file=")
        self.start("/usr/sbin/vsftpd", self.write(
            "vsftpd.conf", "listen=YES\nlisten_port=21\n"
            "anonymous_enable=YES\nanon_root=" + d + "/empty\n"
            "local_enable=NO\nsecure_chroot_dir=" + d + "/empty\n"
            "background=NO\n"))
        self.start("/usr/sbin/vsftpd", self.write(
            "vsftpd-plain.conf", "listen=YES\nlisten_port=2121\n"
            "ftpd_banner=Archive ready\n"
            "anonymous_enable=YES\nanon_root=" + d + "/empty\n"
            "local_enable=NO\nsecure_chroot_dir=" + d + "/empty\n"
            "background=NO\n"))
        # exim reads a -C file only when root owns it (mode 0644); its
        # spool and logs belong to its own user
        os.makedirs(f"{d}/exim/spool", exist_ok=True)
        shutil.chown(f"{d}/exim", "Debian-exim", "Debian-exim")
        shutil.chown(f"{d}/exim/spool", "Debian-exim", "Debian-exim")
        conf = self.write("exim-plain.conf", EXIM_PLAIN.format(d=d))
        os.chmod(conf, 0o644)
        self.start("/usr/sbin/exim4", "-C", conf, "-bdf", "-oX", "2525",
                   "-oP", f"{d}/exim-plain.pid")
        # MariaDB without its system tables (no grants: the greeting is
        # all a probe sees)
        os.makedirs(f"{d}/mariadb", exist_ok=True)
        self.start("/usr/sbin/mariadbd", "--no-defaults",
                   f"--datadir={d}/mariadb", "--user=root", "--port=3306",
                   "--bind-address=0.0.0.0", f"--socket={d}/mariadb.sock",
                   f"--pid-file={d}/mariadb.pid", "--skip-grant-tables",
                   "--innodb-buffer-pool-size=16M",
                   f"--log-error={d}/mariadb.log")
        self.start("/usr/sbin/haproxy", "-db", "-f",
                   self.write("haproxy.cfg", HAPROXY))
        self.start("/usr/sbin/dnsmasq", "-k", "--port=5353",
                   "--no-resolv", "--no-hosts", "-C", "/dev/null",
                   "--user=nobody", "--pid-file=")
        self.start("/usr/sbin/mosquitto", "-c", self.write(
            "mosquitto.conf", "listener 1883\nallow_anonymous true\n"
            "persistence false\n"))
        self.start("/usr/sbin/inetd", "-i", self.write("inetd.conf", INETD))
        self.start("/usr/bin/rsync", "--daemon", "--no-detach",
                   "--port=873", "--config=" + self.write(
                       "rsyncd.conf", f"pid file = {d}/rsyncd.pid\n"
                       f"[test]\npath = {d}/empty\n"))
        self.start("/usr/sbin/snmpd", "-f", "-Lo", "-C", "-c", self.write(
            "snmpd.conf", "rocommunity public\n"
            "sysDescr portsleuth test agent\n"), "-p", f"{d}/snmpd.pid",
            "udp:161")
        if self.chronyd:
            self.start(self.chronyd, "-d", "-x", "-u", "root", "-f",
                       self.write("chrony.conf", "port 123\nallow all\n"
                                  "local stratum 10\ncmdport 0\n"
                                  f"pidfile {d}/chronyd.pid\n"))
        self.start("/usr/bin/python3", "-m", "http.server", "--bind",
                   "0.0.0.0", "8000", cwd=os.path.join(d, "empty"))
        self.start("socat", "TCP-LISTEN:9998,reuseaddr,fork",
                   "SYSTEM:sleep 120")
        # a UDP port that never answers, where WireGuard would listen
        self.start("socat", "-u", "UDP-RECV:51820", "OPEN:/dev/null")
        want = [(p, port) for p, port, *_ in TRUTH] + [("udp", 51820)]
        if not self.chronyd:
            want.remove(("udp", 123))
        self.wait_ports(want)

    def wait_ports(self, want, timeout=20):
        end = time.time() + timeout
        missing = list(want)
        while missing and time.time() < end:
            tables = {}
            for t in ("tcp", "tcp6", "udp", "udp6"):
                tables[t] = self.sh("cat", f"/proc/net/{t}").stdout.decode()
            missing = [(p, port) for p, port in missing
                       if f":{port:04X} " not in tables[p] + tables[p + "6"]]
            if missing:
                time.sleep(0.2)
        if missing:
            with open(os.path.join(self.d, "daemons.log"), "rb") as f:
                log = f.read()[-2000:].decode("utf-8", "replace")
            raise RuntimeError(f"never listened: {missing}\n{log}")

    def down(self):
        # SIGTERM first: a master (nginx, dovecot) then stops its own
        # workers; SIGKILL only for what does not go
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)


def find_chronyd(tests_dir):
    """chrony conflicts with systemd-timesyncd, so it is unpacked from
    its package by ./dev, never installed."""
    if "PS_CHRONYD" in os.environ:
        # named: that one or none (a test of the skip sets it to nothing)
        c = os.environ["PS_CHRONYD"]
        return os.path.abspath(c) if c and os.access(c, os.X_OK) else None
    c = os.path.join(tests_dir, "..", ".cache", "debs", "chrony", "usr",
                     "sbin", "chronyd")
    return os.path.abspath(c) if os.access(c, os.X_OK) else None


def netns_up(ns):
    subprocess.run(["ip", "netns", "add", ns], check=True,
                   capture_output=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True,
                   capture_output=True)


def netns_down(ns):
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def have_all():
    return all(shutil.which(x) or os.path.exists(x) for x in (
        "/usr/sbin/sshd", "/usr/sbin/nginx", "/usr/sbin/exim4",
        "/usr/sbin/dovecot", "/usr/bin/redis-server", "/usr/bin/memcached",
        "/usr/sbin/dnsmasq", "/usr/sbin/vsftpd", "/usr/sbin/mosquitto",
        "/usr/sbin/inetd", "/usr/bin/rsync", "/usr/sbin/snmpd", "socat",
        "/usr/sbin/mariadbd", "/usr/sbin/haproxy",
        "openssl"))
