#!/usr/bin/env bash
# Tunnel throughput: iperf3 TCP (1 and 4 streams) through wgmesh-wg vs wireguard-go, two namespaces, median of 3 runs.
#
# Usage: sudo bench/throughput.sh [seconds-per-run]   (env REPEATS=3, IMPLS="wireguard-go wgmesh")
# Both ends of a tunnel run the same implementation; the topology, keys and MTU are identical for both, and the
# runs alternate between the two tunnels.
# Gate (issue 4): our single-stream median >= wireguard-go's in the same run; the script exits 1 when it is not.
set -euo pipefail
umask 077
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-10}"
repeats="${REPEATS:-3}"
impls="${IMPLS:-wireguard-go wgmesh}"
[ "$(id -u)" = 0 ] || { echo "throughput: needs root (network namespaces, TUN devices)" >&2; exit 1; }
for tool in ip wg wireguard-go iperf3 python3; do
  command -v "$tool" >/dev/null || { echo "throughput: $tool is not installed" >&2; exit 1; }
done
if command -v ping >/dev/null; then ping=(ping); else ping=(busybox ping); fi
[ -f "$root/agent/target/wgmesh-agent.jar" ] || { echo "throughput: build first (./wgmesh build)" >&2; exit 1; }

id="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
nsA="wgm-bench-a-$id"; nsB="wgm-bench-b-$id"
tmp="$(mktemp -d)"
cleanup() {
  for ns in "$nsA" "$nsB"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  sleep 1
  for ns in "$nsA" "$nsB"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -f /var/run/wireguard/wb?"$id"*.sock
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ip netns add "$nsA"; ip netns add "$nsB"
ip -n "$nsA" link set lo up; ip -n "$nsB" link set lo up
ip link add "va$id" netns "$nsA" type veth peer name "vb$id" netns "$nsB"
ip -n "$nsA" addr add 10.250.0.1/24 dev "va$id"; ip -n "$nsB" addr add 10.250.0.2/24 dev "vb$id"
ip -n "$nsA" link set "va$id" up; ip -n "$nsB" link set "vb$id" up

wg genkey > "$tmp/a.key"; wg genkey > "$tmp/b.key"
pubA="$(wg pubkey < "$tmp/a.key")"; pubB="$(wg pubkey < "$tmp/b.key")"

start_impl() { # impl ns ifname
  case "$1" in
    wireguard-go) ip netns exec "$2" env LOG_LEVEL=error WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go "$3" 2>/dev/null ;;
    wgmesh) ip netns exec "$2" env LOG_LEVEL=error "$root/bin/wgmesh-wg" "$3" ;;
    *) echo "unknown implementation $1" >&2; return 1 ;;
  esac
}

# iperf3 run → bits per second received, from its JSON report
iperf() { # server-address streams [seconds]
  ip netns exec "$nsA" timeout $((duration + 30)) iperf3 -c "$1" -t "${3:-$duration}" -P "$2" -J > "$tmp/iperf.json"
  python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$tmp/iperf.json"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Both tunnels side by side in the same two namespaces (tunnel n: inner 10.251.n.0/24, UDP port 51819+n), so that
# their runs can interleave: on a shared machine the load drifts, and alternating keeps the comparison fair.
declare -A server
n=0
for impl in $impls; do
  n=$((n + 1))
  ifA="wba$id$n"; ifB="wbb$id$n"; port=$((51819 + n))
  start_impl "$impl" "$nsA" "$ifA"; start_impl "$impl" "$nsB" "$ifB"
  ip netns exec "$nsA" wg set "$ifA" private-key "$tmp/a.key" listen-port "$port" \
    peer "$pubB" allowed-ips "10.251.$n.2/32" endpoint "10.250.0.2:$port"
  ip netns exec "$nsB" wg set "$ifB" private-key "$tmp/b.key" listen-port "$port" \
    peer "$pubA" allowed-ips "10.251.$n.1/32" endpoint "10.250.0.1:$port"
  ip -n "$nsA" addr add "10.251.$n.1/24" dev "$ifA"; ip -n "$nsB" addr add "10.251.$n.2/24" dev "$ifB"
  ip -n "$nsA" link set "$ifA" mtu 1420 up; ip -n "$nsB" link set "$ifB" mtu 1420 up
  if ! ip netns exec "$nsA" "${ping[@]}" -c 3 -W 5 "10.251.$n.2" >/dev/null; then
    echo "throughput: $impl tunnel does not pass traffic" >&2; exit 1
  fi
  server[$impl]="10.251.$n.2"
done
ip netns exec "$nsB" iperf3 -s -D --pidfile "$tmp/iperf3.pid"
sleep 0.5
for impl in $impls; do
  iperf "${server[$impl]}" 4 3 >/dev/null   # warm-up run, not counted (lets a JIT compile the hot path; same for both)
done

declare -A runs
for _ in $(seq "$repeats"); do
  for s in 1 4; do
    for impl in $impls; do
      runs[$impl,$s]="${runs[$impl,$s]:-} $(iperf "${server[$impl]}" "$s")"
    done
  done
done
declare -A result
for impl in $impls; do
  # shellcheck disable=SC2086 # word-splitting the run list is intended
  result[$impl,1]="$(median ${runs[$impl,1]})"
  # shellcheck disable=SC2086
  result[$impl,4]="$(median ${runs[$impl,4]})"
  echo "$impl: 1 stream${runs[$impl,1]} bit/s; 4 streams${runs[$impl,4]} bit/s" >&2
done

gbps() { awk -v b="$1" 'BEGIN {printf "%.2f Gbit/s", b / 1e9}'; }
printf '%-16s %-16s %-16s %s\n' "iperf3 TCP" "wireguard-go" "wgmesh" "ratio (wgmesh/wireguard-go)"
for s in 1 4; do
  ref="${result[wireguard-go,$s]:-0}"; ours="${result[wgmesh,$s]:-0}"
  ratio="$(awk -v a="$ours" -v b="$ref" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')"
  printf '%-16s %-16s %-16s %s\n' "$s stream(s)" "$(gbps "$ref")" "$(gbps "$ours")" "$ratio"
done
ref1="${result[wireguard-go,1]:-}"; ours1="${result[wgmesh,1]:-}"
if [ -n "$ref1" ] && [ -n "$ours1" ]; then
  if [ "$ours1" -ge "$ref1" ]; then
    echo "gate (wgmesh 1 stream >= wireguard-go 1 stream, same run): PASS"
  else
    echo "gate (wgmesh 1 stream >= wireguard-go 1 stream, same run): FAIL"
    exit 1
  fi
fi
