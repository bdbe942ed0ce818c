#!/usr/bin/python3
"""A test listener: bind, optionally rename the process, optionally fork
so that parent and child hold the same socket, then wait.

usage: listener.py PROTO ADDR PORT [--name NAME] [--fork] [--v6only 0|1]
                   [--device IFNAME] [--ready FILE]
Writes "PID[ CHILDPID]" to the --ready file once listening.
"""
import argparse
import ctypes
import os
import signal
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proto", choices=["tcp", "udp"])
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--name")
    ap.add_argument("--fork", action="store_true")
    ap.add_argument("--v6only", type=int)
    ap.add_argument("--device")
    ap.add_argument("--ready")
    a = ap.parse_args()

    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    typ = socket.SOCK_STREAM if a.proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(fam, typ)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, a.v6only)
    if a.device:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                     a.device.encode())
    s.bind((a.addr, a.port))
    if typ == socket.SOCK_STREAM:
        s.listen(16)
    if a.name:
        libc = ctypes.CDLL(None)
        PR_SET_NAME = 15
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(a.name.encode()), 0, 0, 0)
    pids = [os.getpid()]
    if a.fork:
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            while True:
                time.sleep(3600)
        pids.append(child)

        def stop(*_):
            os.kill(child, signal.SIGTERM)
            sys.exit(0)
        signal.signal(signal.SIGTERM, stop)
    if a.ready:
        tmp = a.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write(" ".join(map(str, pids)) + "\n")
        os.rename(tmp, a.ready)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
