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
