#!/usr/bin/python3
"""Hostile and odd peers for the probing tests.

usage: hostile.py MODE PORT [READY_FILE]

Modes:
  tarpit      accept and never answer, never close
  infinite    accept and send bytes without end
  reset       accept, then reset the connection (SO_LINGER 0)
  tlsgarbage  read the client's first bytes, answer with random bytes
  bigline     send one line of 1 MB, then hold the connection
  trickle     send one byte every 50 ms, without end
  whoami      send "UID <n>" where n is the uid that owns the client's
              socket (read from /proc/net/tcp): who is probing
  bigcert     answer a TLS ClientHello with a real ServerHello, then a
              Certificate message that claims, and sends, 2 MB
  reset-after-read
              silent until the client sends something, then reset
Each connection is served by a thread; the process runs until killed.
"""
import os
import socket
import struct
import sys
import threading
import time


def peer_uid(conn):
    """The uid owning the other end of a local TCP connection."""
    port = conn.getpeername()[1]
    mine = conn.getsockname()[1]
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                w = line.split()
                # the client's end: its port, ours as the remote one,
                # established (a time-wait entry shows uid 0)
                if int(w[1].split(":")[1], 16) == port and \
                        int(w[2].split(":")[1], 16) == mine and w[3] == "01":
                    return int(w[7])
    return -1


def read_record(conn):
    """One TLS record (type, body), or None."""
    hdr = b""
    while len(hdr) < 5:
        b = conn.recv(5 - len(hdr))
        if not b:
            return None
        hdr += b
    n = struct.unpack("!H", hdr[3:5])[0]
    body = b""
    while len(body) < n:
        b = conn.recv(n - len(body))
        if not b:
            return None
        body += b
    return hdr[0], body


def client_ciphers(hello):
    """The cipher suites of a ClientHello handshake message."""
    p = 4 + 2 + 32                      # header, version, random
    p += 1 + hello[p]                   # session id
    n = struct.unpack("!H", hello[p:p + 2])[0]
    return [hello[p + 2 + i:p + 4 + i] for i in range(0, n, 2)]


def bigcert(conn):
    rec = read_record(conn)
    if rec is None or rec[0] != 22:
        return
    # a TLS 1.2 suite the client offered (not TLS 1.3's, not a signal)
    suite = next(c for c in client_ciphers(rec[1])
                 if c[0] != 0x13 and c not in (b"\x00\xff", b"\x56\x00"))
    # with renegotiation_info, which OpenSSL insists on
    body = (b"\x03\x03" + os.urandom(32) + b"\x00" + suite + b"\x00" +
            b"\x00\x05\xff\x01\x00\x01\x00")
    hello = b"\x02" + struct.pack("!I", len(body))[1:] + body
    conn.sendall(b"\x16\x03\x03" + struct.pack("!H", len(hello)) + hello)
    size = 2 << 20
    msg = b"\x0b" + struct.pack("!I", size)[1:]
    sent = 0
    while sent < size:
        chunk = (msg if sent == 0 else b"") + b"C" * (16000 -
                                                      (4 if sent == 0 else 0))
        conn.sendall(b"\x16\x03\x03" + struct.pack("!H", len(chunk)) +
                     chunk)
        sent += len(chunk)


def serve(mode, conn):
    try:
        if mode == "tarpit":
            time.sleep(3600)
        elif mode == "infinite":
            chunk = b"A" * 65536
            while True:
                conn.sendall(chunk)
        elif mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        elif mode == "tlsgarbage":
            conn.settimeout(5)
            conn.recv(4096)
            conn.sendall(os.urandom(4096))
            time.sleep(3600)
        elif mode == "bigline":
            conn.sendall(b"B" * (1 << 20) + b"\r\n")
            time.sleep(3600)
        elif mode == "trickle":
            while True:
                conn.sendall(b"x")
                time.sleep(0.05)
        elif mode == "bigcert":
            conn.settimeout(10)
            bigcert(conn)
            time.sleep(1)
        elif mode == "reset-after-read":
            if conn.recv(4096):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
        elif mode == "whoami":
            conn.sendall(f"UID {peer_uid(conn)}\r\n".encode())
            time.sleep(1)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            f.write("ready\n")
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(mode, conn),
                         daemon=True).start()


if __name__ == "__main__":
    main()
