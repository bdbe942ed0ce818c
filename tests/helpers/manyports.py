#!/usr/bin/python3
"""manyports.py - one process serving many TCP ports, each with one
behaviour, for probing at scale.

usage: manyports.py ADDRESS FIRST_PORT COUNT

Port FIRST_PORT + i behaves by i % 4:
  0  ssh:    server-first "SSH-2.0-OpenSSH_9.2p1 Debian-2"
  1  http:   client-first: after a request line, "HTTP/1.0 200 OK" with
             "Server: nginx/1.22.1"; silent until then
  2  smtp:   server-first "220 mail.test ESMTP Postfix (Debian/GNU)"
  3  silent: accepts, reads, never answers
Prints "ready" once every port listens.  Runs until killed.
"""
import selectors
import socket
import sys

ADDR, FIRST, COUNT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
BANNER = {0: b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
          2: b"220 mail.test ESMTP Postfix (Debian/GNU)\r\n"}
HTTP = (b"HTTP/1.0 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: "
        b"text/html\r\nContent-Length: 2\r\n\r\nok")
sel = selectors.DefaultSelector()
for i in range(COUNT):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDR, FIRST + i))
    s.listen(256)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, ("listen", i % 4))
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        what, kind = key.data[0], key.data[1]
        if what == "listen":
            try:
                c, _ = key.fileobj.accept()
            except OSError:
                continue
            c.setblocking(False)
            if kind in BANNER:
                try:
                    c.send(BANNER[kind])
                except OSError:
                    pass
            sel.register(c, selectors.EVENT_READ, ("conn", kind))
            continue
        c = key.fileobj
        try:
            data = c.recv(4096)
        except OSError:
            data = b""
        if not data:
            sel.unregister(c)
            c.close()
            continue
        if kind == 1 and (b"HTTP/" in data or data.startswith(b"GET ")):
            try:
                c.send(HTTP)
            except OSError:
                pass
            sel.unregister(c)
            c.close()
