#!/usr/bin/env bash
# build-deb.sh - build the Debian package from the committed tree.
#
# The tree (git archive HEAD in a checkout; else the tree as it is, without
# its build directories) is built in a scratch directory with
# dpkg-buildpackage -us -uc -b, as a user would from a clean checkout;
# the .deb, .buildinfo and .changes land in .cache/deb/ (printed last).
# Needs dpkg-dev, debhelper and the Build-Depends of debian/control.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$PWD/.cache/deb
work=$(mktemp -d /tmp/ps-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/portsleuth" "$out"
if git rev-parse --git-dir >/dev/null 2>&1; then
	git archive --format=tar HEAD | tar -C "$work/portsleuth" -xf -
else
	tar --exclude=./.cache --exclude='./build*' --exclude=./obj-\* -cf - . |
		tar -C "$work/portsleuth" -xf -
fi
log=$out/build.log
if ! (cd "$work/portsleuth" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "build-deb: dpkg-buildpackage failed (whole log: $log)" >&2
	exit 1
fi
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
ls "$out"/*.deb
