#!/usr/bin/env bash
# bench/run.sh - portsleuth against ss, netstat and lsof on one busy host.
#
# Builds a synthetic host inside a network namespace made for the purpose
# (by default 1,000 processes holding 45,000 sockets: 5,000 TCP listeners,
# 10,000 UDP sockets, 15,000 established loopback connections, plus 50,000
# descriptors of /dev/null), then times every tool on that same state, in
# the same run, and prints medians, peak memory and ratios.  It also checks
# that portsleuth and ss report the same (socket, pid) pairs.  Needs root.
#
# Environment: NPROCS LISTEN UDP CONNS FILES (per process), RUNS,
# PORTSLEUTH (binary, default build/portsleuth).
set -euo pipefail
cd "$(dirname "$0")/.."

NPROCS=${NPROCS:-1000}
LISTEN=${LISTEN:-5}
UDP=${UDP:-10}
CONNS=${CONNS:-15}
FILES=${FILES:-50}
RUNS=${RUNS:-7}
PS=$(realpath "${PORTSLEUTH:-build/portsleuth}")
NS=psbench$$
TMP=$(mktemp -d)

cleanup() {
	for p in "${REAL_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	[ -n "${SYNTH_PID:-}" ] && { exec {SYNTH[1]}>&- 2>/dev/null || true;
		wait "$SYNTH_PID" 2>/dev/null || true; }
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespace)" >&2; exit 2; }
cc -O2 -o "$TMP/synth" bench/synth.c
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.core.somaxconn=4096

echo "bench: building the synthetic host: $NPROCS processes x ($LISTEN listeners," \
	"$UDP udp, $CONNS connections, $FILES files)"
coproc SYNTH { ip netns exec "$NS" "$TMP/synth" "$NPROCS" "$LISTEN" "$UDP" \
	"$CONNS" "$FILES" 10000; }
read -r word count <&"${SYNTH[0]}"
[ "$word" = ready ] && [ "$count" = "$NPROCS" ] ||
	{ echo "bench: synthetic host failed" >&2; exit 1; }

# A few real, packaged daemons too, so that --why has binaries to look
# up in dpkg's database and to hash (each distinct executable once).
REAL_PIDS=()
real() { ip netns exec "$NS" "$@" </dev/null >/dev/null 2>&1 & REAL_PIDS+=($!); }
ssh-keygen -q -t ed25519 -N "" -f "$TMP/hostkey"
printf 'Port 2222\nHostKey %s\nPidFile none\nUsePAM no\n' "$TMP/hostkey" \
	>"$TMP/sshd_config"
mkdir -p /run/sshd
real /usr/sbin/sshd -D -f "$TMP/sshd_config"
real socat TCP-LISTEN:2223,reuseaddr OPEN:/dev/null
real /usr/bin/python3 -m http.server --bind 127.0.0.1 2224
printf 'echo stream tcp nowait root internal\n' >"$TMP/inetd.conf"
real /usr/sbin/inetd -i "$TMP/inetd.conf"
sleep 1

ip netns exec "$NS" /usr/bin/python3 bench/measure.py "$PS" "$RUNS"
