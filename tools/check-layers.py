#!/usr/bin/env python3
"""check-layers.py - keep src/ shaped the way the data flows.

Reads every #include "..." line under src/ and fails when
  - a file includes a header of a higher layer, or of a sibling layer
    (why/ and probe/ are both enrichment and stay apart);
  - modules include each other in a circle (a module is a .c file and
    its .h; a circle of any length is reported once, with its path);
  - an include names a header that does not exist, or a folder that has
    no layer here (a new folder must be given its place in LAYERS);
  - docs/ARCHITECTURE.md's module table and the tree disagree: a file of
    src/ that no row names, or a row that names no file.

Usage: check-layers.py [SRC_DIR]   (default: the src/ beside this tool)
Exit status: 0 clean, 1 violations found, 2 usage error.
"""
import os
import re
import sys

# Lower numbers are lower layers.  A file may include its own folder and
# any folder of a lower rank; folders of the same rank are siblings and
# may not include each other.
LAYERS = {
    "util": 0,
    "kernel": 1,
    "proc": 2,
    "model": 3,
    "why": 4,
    "probe": 4,
    "fw": 4,
    "render": 5,
    "drift": 6,
    "cmd": 7,
    ".": 8,  # main.c
}

# headers the build writes (not under src/): the BPF skeleton that
# bpftool makes from bpf/sockfd.bpf.c
GENERATED = {"sockfd.skel.h", "sockfd.lskel.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(rel):
    d = os.path.dirname(rel)
    return d if d else "."


def module_of(rel):
    return os.path.splitext(rel)[0]


def scan(src):
    """{file relative to src: [included header relative to src]}"""
    files = {}
    for d, _, names in os.walk(src):
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            p = os.path.join(d, n)
            rel = os.path.relpath(p, src)
            with open(p, encoding="utf-8", errors="replace") as f:
                files[rel] = INCLUDE.findall(f.read())
    return files


def check(src):
    files = scan(src)
    problems = []
    graph = {}
    for rel, incs in sorted(files.items()):
        me = folder_of(rel)
        if me not in LAYERS:
            problems.append(f"{rel}: folder '{me}' has no layer in "
                            f"tools/check-layers.py")
            continue
        for inc in incs:
            if inc in GENERATED:
                continue
            if inc not in files:
                problems.append(f"{rel}: includes '{inc}', which is not "
                                f"a file under src/ (write it from src/)")
                continue
            other = folder_of(inc)
            if other not in LAYERS:
                continue
            if other != me:
                if LAYERS[other] > LAYERS[me]:
                    problems.append(f"{rel}: includes '{inc}' of a higher "
                                    f"layer ({other} above {me})")
                elif LAYERS[other] == LAYERS[me]:
                    problems.append(f"{rel}: includes '{inc}' of a sibling "
                                    f"layer ({other} beside {me})")
            a, b = module_of(rel), module_of(inc)
            if a != b:
                graph.setdefault(a, set()).add(b)
    problems += circles(graph)
    problems += check_doc(src, files)
    return problems


def architecture_rows(doc):
    """The src/ paths the module table of ARCHITECTURE.md names:
    `src/a/b.[ch]`, `src/a/b.c`, `src/a/b.c`, `c.c` (same folder), or
    a folder `src/util/` standing for all its files."""
    names = set()
    for line in doc.splitlines():
        if not line.startswith("| `src/"):
            continue
        cell = line.split("|")[1]
        folder = None
        for item in re.findall(r"`([^`]+)`", cell):
            if item.startswith("src/"):
                folder = os.path.dirname(item[4:])
                item = item[4:]
            elif folder is not None:
                item = os.path.join(folder, item)
            else:
                continue
            if item.endswith("/"):
                names.add(item)
            elif item.endswith(".[ch]"):
                names.add(item[:-5] + ".c")
                names.add(item[:-5] + ".h")
            else:
                names.add(item)
    return names


def check_doc(src, files):
    doc_path = os.path.join(src, "..", "docs", "ARCHITECTURE.md")
    if not os.path.exists(doc_path):
        return [f"{doc_path}: missing"]
    with open(doc_path, encoding="utf-8") as f:
        rows = architecture_rows(f.read())
    folders = {r for r in rows if r.endswith("/")}
    problems = []
    for rel in sorted(files):
        if rel not in rows and not any(rel.startswith(d) for d in folders):
            problems.append(f"{rel}: not in docs/ARCHITECTURE.md's "
                            f"module table")
    for r in sorted(rows - folders):
        if r not in files:
            problems.append(f"docs/ARCHITECTURE.md names src/{r}, which "
                            f"is not in the tree")
    return problems


def circles(graph):
    """Every elementary cycle's smallest rotation, found by DFS."""
    found = set()
    out = []
    color = {}
    stack = []

    def visit(n):
        color[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if color.get(m) == 1:
                cyc = stack[stack.index(m):]
                k = cyc.index(min(cyc))
                key = tuple(cyc[k:] + cyc[:k])
                if key not in found:
                    found.add(key)
                    out.append("include circle: " +
                               " -> ".join(key + (key[0],)))
            elif color.get(m) is None:
                visit(m)
        stack.pop()
        color[n] = 2

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if color.get(n) is None:
            visit(n)
    return out


def main(argv):
    if len(argv) > 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    src = argv[1] if len(argv) == 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "src")
    if not os.path.isdir(src):
        print(f"check-layers: '{src}' is not a directory", file=sys.stderr)
        return 2
    problems = check(src)
    for p in problems:
        print(f"check-layers: {p}")
    if problems:
        print(f"check-layers: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"check-layers: {len(scan(src))} files, no include going up a "
          f"layer, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
