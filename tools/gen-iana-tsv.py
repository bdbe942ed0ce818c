#!/usr/bin/env python3
"""Derive data/iana-ports.tsv from IANA's port registry CSV.

Usage: tools/gen-iana-tsv.py REGISTRY.csv > data/iana-ports.tsv

Keeps every row that has a port number, a transport protocol and either a
service name or a meaningful description (not "Unassigned"/"Reserved").
Output: one row per registration, tab-separated:
    low-port  high-port  protocol  name  description
Whitespace inside fields is collapsed to single spaces.
"""
import csv
import sys


def clean(s):
    return " ".join(s.split())


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen-iana-tsv.py REGISTRY.csv")
    out = sys.stdout
    out.write("# portsleuth: IANA Service Name and Transport Protocol Port Number\n")
    out.write("# Registry, derived by tools/gen-iana-tsv.py from the registry's CSV\n")
    out.write("# (snapshot of mid-2024, 15,096 rows).  Public reference data.\n")
    out.write("# low\thigh\tproto\tname\tdescription\n")
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            port = row["Port Number"].strip()
            proto = row["Transport Protocol"].strip().lower()
            name = clean(row["Service Name"])
            desc = clean(row["Description"])
            if not port or proto not in ("tcp", "udp", "sctp", "dccp"):
                continue
            if not name and desc.lower() in ("", "unassigned", "reserved"):
                continue
            lo, _, hi = port.partition("-")
            hi = hi or lo
            if not (lo.isdigit() and hi.isdigit()):
                continue
            out.write(f"{int(lo)}\t{int(hi)}\t{proto}\t{name}\t{desc}\n")


if __name__ == "__main__":
    main()
