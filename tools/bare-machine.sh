#!/usr/bin/env bash
# bare-machine.sh - does README's first command work on a bare Debian 12?
#
# Makes a Debian 12 root with nothing but debootstrap's minbase (the
# finished root is cached as .cache/bare/bookworm-minbase.tar, so later
# runs unpack it in seconds), gives it this machine's apt sources and apt
# configuration (the same mirror, nothing else of the host), puts the
# committed source tree in it (git archive HEAD), mounts /proc, /sys and
# /dev, and runs `./dev run -t` inside with chroot, then `./dev deb` and
# apt-get install of the package it built, and the installed program.
# Fails unless each exits 0 and prints a listing.  The host's own packages are never
# touched: apt runs on the root's own database.  Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bare-machine: needs root (chroot, mounts)" >&2
	exit 77
fi
command -v debootstrap >/dev/null || {
	echo "bare-machine: debootstrap is not installed" >&2; exit 2; }

cache=$PWD/.cache/bare
tarball=$cache/bookworm-minbase.tar
mkdir -p "$cache"

# The host's Debian mirror, from deb822 sources or a one-line sources.list.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ {
	print ($2 ~ /^\[/ ? $3 : $2); exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

root=$(mktemp -d /tmp/ps-bare-XXXXXX)
mounted=()
cleanup() {
	local m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	# only after every mount is gone: never delete through a bind mount
	for m in proc sys dev; do
		mountpoint -q "$root/$m" 2>/dev/null && return
	done
	rm -rf "$root"
}
trap cleanup EXIT

if [ -f "$tarball" ]; then
	tar -C "$root" -xf "$tarball"
else
	echo "bare-machine: debootstrap --variant=minbase bookworm from $mirror" >&2
	debootstrap --variant=minbase bookworm "$root" "$mirror" \
		>"$cache/debootstrap.log" 2>&1 || {
		tail -n 20 "$cache/debootstrap.log" >&2
		echo "bare-machine: debootstrap failed" >&2
		exit 2
	}
	rm -f "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi
# a root's / is 0755 (mktemp's 0700, kept in the tarball, bars every
# user but root: man-db's, nobody's)
chmod 755 "$root"

# The host's apt sources and configuration, so apt reaches the same mirror.
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/"
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && cp "$f" "$root/etc/apt/sources.list.d/"
done
for f in /etc/apt/apt.conf.d/*; do
	[ -f "$f" ] && cp "$f" "$root/etc/apt/apt.conf.d/"
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mkdir -p "$root/src"
git archive --format=tar HEAD | tar -C "$root/src" -xf -

for m in proc sys dev; do
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs -o ro sysfs "$root/sys" ;;
	dev) mount --bind /dev "$root/dev" ;;
	esac
	mounted+=("$root/$m")
done

out=$root/run-output
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root /bin/bash -c 'cd /src && ./dev run -t' >"$out" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || ! grep -Eq '^(NETNS +)?PROTO +STATE +LOCAL' "$out"; then
	tail -n 40 "$out" >&2
	echo "bare-machine: './dev run' on a bare Debian 12 exited $rc" \
		"without a listing" >&2
	exit 1
fi
echo "bare-machine: './dev run -t' on a bare Debian 12 root: exit 0," \
	"$(($(wc -l <"$out") - 1)) lines after the header"

# The package, built there with ./dev deb and installed with apt (which
# must find everything it Depends on), runs from /usr/bin.
out2=$root/deb-output
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root DEBIAN_FRONTEND=noninteractive /bin/bash -c \
	'cd /src && ./dev deb && apt-get install -y -qq ./.cache/deb/portsleuth_*_amd64.deb &&
	/usr/bin/portsleuth -t' >"$out2" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || ! grep -Eq '^(NETNS +)?PROTO +STATE +LOCAL' "$out2"; then
	tail -n 40 "$out2" >&2
	echo "bare-machine: './dev deb' and the package on a bare Debian 12" \
		"exited $rc without a listing" >&2
	exit 1
fi
echo "bare-machine: './dev deb', apt-get install of the .deb and" \
	"/usr/bin/portsleuth -t on the same root: exit 0"
