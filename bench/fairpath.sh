#!/usr/bin/env bash
# Fair multi-core data path vs wireguard-go in namespaces: TCP 1/8 streams, ping p99 under UDP flood and TCP load, 3-peer fairness, 1 core vs 2.
#
# Usage: sudo bench/fairpath.sh [seconds-per-run]   (env REPEATS=3, IMPLS="wireguard-go wgmesh-hybrid wgmesh-parallel
#        wgmesh-inline"; plain "wgmesh" uses WGMESH_DATAPATH, default auto; "wgmesh-inline-fifo" is inline without its
#        FQ-CoDel and with one TUN ring; "wgmesh-inline-1ring" has the FQ-CoDel but one TUN ring)
# Figure (6) also runs the in-memory pipeline, 1 vs 2 workers (bench/pipeline.sh with PIPELINE_ONLY=1).
# Topology: hub namespace A (one WireGuard interface, three peers) and spokes B, C, D, each over its own veth pair.
# Every implementation gets the same keys, addresses and MTU 1420; both ends of a tunnel run the same implementation.
# Figures are medians over REPEATS runs. The build machine is shared and noisy: compare within one run only.
set -euo pipefail
umask 077
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-5}"
repeats="${REPEATS:-3}"
impls="${IMPLS:-wireguard-go wgmesh-hybrid wgmesh-parallel wgmesh-inline}"
export WGMESH_DATAPATH="${WGMESH_DATAPATH:-auto}"
[ "$(id -u)" = 0 ] || { echo "fairpath: needs root (network namespaces, TUN devices)" >&2; exit 1; }
for tool in ip wg wireguard-go iperf3 python3 taskset timeout; do
  command -v "$tool" >/dev/null || { echo "fairpath: $tool is not installed" >&2; exit 1; }
done
if command -v ping >/dev/null; then ping=(ping); else ping=(busybox ping); fi
[ -f "$root/agent/target/wgmesh-agent.jar" ] || { echo "fairpath: build first (./wgmesh build)" >&2; exit 1; }

allcpus="0-$(( $(nproc) - 1 ))"
id="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
spokes=(B C D)
ns() { echo "wgm-fp-$1-$id"; }
tmp="$(mktemp -d)"
kill_all() {
  local n pid
  for n in A "${spokes[@]}"; do
    for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  sleep 1
  for n in A "${spokes[@]}"; do
    for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
}
cleanup() {
  kill_all
  for n in A "${spokes[@]}"; do ip netns del "$(ns "$n")" 2>/dev/null || true; done
  rm -f /var/run/wireguard/fp*"$id"*.sock
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

for n in A "${spokes[@]}"; do ip netns add "$(ns "$n")"; ip -n "$(ns "$n")" link set lo up; done
i=0
for s in "${spokes[@]}"; do
  i=$((i + 1))
  ip link add "fa$i$id" netns "$(ns A)" type veth peer name "fb$i$id" netns "$(ns "$s")"
  ip -n "$(ns A)" addr add "10.250.$i.1/24" dev "fa$i$id"; ip -n "$(ns "$s")" addr add "10.250.$i.2/24" dev "fb$i$id"
  ip -n "$(ns A)" link set "fa$i$id" up; ip -n "$(ns "$s")" link set "fb$i$id" up
done
for n in A "${spokes[@]}"; do wg genkey > "$tmp/$n.key"; wg pubkey < "$tmp/$n.key" > "$tmp/$n.pub"; done

phase=0
mode_of() { local m="${1#wgmesh}"; m="${m#-}"; m="${m%-fifo}"; m="${m%-1ring}"; echo "${m:-$WGMESH_DATAPATH}"; }
# wgmesh-inline-fifo: the inline path as it was before its FQ-CoDel and TUN rings (WGMESH_INLINE_FQ=off, one ring);
# wgmesh-inline-1ring: with its FQ-CoDel but one TUN ring (WGMESH_TUN_RINGS=1), to show what the rings change
inline_fq_of() { case "$1" in *-fifo) echo off ;; *) echo on ;; esac; }
rings_of() { case "$1" in *-fifo|*-1ring) echo 1 ;; *) echo "${WGMESH_TUN_RINGS:-}" ;; esac; }
# start_tunnels IMPL CPUS: one daemon per namespace (pinned with taskset to CPUS), configured, iperf3 servers up.
start_tunnels() {
  local impl="$1" cpus="$2" n i=0 ifn
  kill_all
  phase=$((phase + 1))
  for n in A "${spokes[@]}"; do
    ifn="fp$n$id$phase"
    case "$impl" in
      wireguard-go) ip netns exec "$(ns "$n")" env LOG_LEVEL=error WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
        taskset -c "$cpus" wireguard-go "$ifn" 2>/dev/null ;;
      wgmesh*) ip netns exec "$(ns "$n")" env LOG_LEVEL=error WGMESH_DATAPATH="$(mode_of "$impl")" \
        WGMESH_INLINE_FQ="$(inline_fq_of "$impl")" WGMESH_TUN_RINGS="$(rings_of "$impl")" \
        taskset -c "$cpus" "$root/bin/wgmesh-wg" "$ifn" ;;
      *) echo "unknown implementation $impl" >&2; return 1 ;;
    esac
  done
  local hub="fpA$id$phase" peers=()
  for s in "${spokes[@]}"; do
    i=$((i + 1))
    peers+=(peer "$(cat "$tmp/$s.pub")" allowed-ips "10.251.0.$((i + 1))/32" endpoint "10.250.$i.2:51820")
    ip netns exec "$(ns "$s")" wg set "fp$s$id$phase" private-key "$tmp/$s.key" listen-port 51820 \
      peer "$(cat "$tmp/A.pub")" allowed-ips 10.251.0.1/32 endpoint "10.250.$i.1:51820"
    ip -n "$(ns "$s")" addr add "10.251.0.$((i + 1))/24" dev "fp$s$id$phase"
    ip -n "$(ns "$s")" link set "fp$s$id$phase" mtu 1420 up
  done
  ip netns exec "$(ns A)" wg set "$hub" private-key "$tmp/A.key" listen-port 51820 "${peers[@]}"
  ip -n "$(ns A)" addr add 10.251.0.1/24 dev "$hub"; ip -n "$(ns A)" link set "$hub" mtu 1420 up
  i=0
  for s in "${spokes[@]}"; do
    i=$((i + 1))
    ip netns exec "$(ns A)" "${ping[@]}" -c 3 -W 5 "10.251.0.$((i + 1))" >/dev/null \
      || { echo "fairpath: $impl tunnel to $s does not pass traffic" >&2; return 1; }
    ip netns exec "$(ns "$s")" taskset -c "$cpus" iperf3 -s -D -B "10.251.0.$((i + 1))" -p 5201
  done
  sleep 0.5
  # Warm-up, not counted, the same for every implementation: 6 s of 4 TCP streams, then 3 s of the UDP flood, so a
  # JVM has compiled the TCP and the flood paths and grown its buffer pool (a fresh pool's buffers are copied by the
  # first young collections, 30-70 ms pauses) before anything is measured; and 3 s of TCP to spokes C and D, whose
  # daemons otherwise meet their first packets in the fairness run. WARMUP=0 skips it, to see a cold start.
  if [ "${WARMUP:-1}" != 0 ]; then
    iperf_tcp 2 3 "$cpus" 2 >/dev/null & iperf_tcp 2 3 "$cpus" 3 >/dev/null; wait
    iperf_tcp 4 6 "$cpus" >/dev/null
    ip netns exec "$(ns A)" timeout 30 taskset -c "$cpus" iperf3 -c 10.251.0.2 -u -b 0 -l 1380 -t 3 >/dev/null 2>&1 || true
  fi
}

bps() { python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$1"; }
udp_bps() { python3 -c '
import json,sys
e=json.load(open(sys.argv[1]))["end"]["sum"]
print(int(e["bits_per_second"] * (1 - e.get("lost_percent", 0) / 100)))' "$1"; }

# iperf_tcp STREAMS [SECONDS] [CPUS] [SPOKE-NUMBER] → bit/s received
iperf_tcp() {
  local d="${2:-$duration}" cpus="${3:-$allcpus}" k="${4:-1}" attempt
  for attempt in 1 2 3; do
    ip netns exec "$(ns A)" timeout $((d + 30)) taskset -c "$cpus" iperf3 -c "10.251.0.$((k + 1))" -t "$d" -P "$1" -J \
      > "$tmp/tcp$k.json" || true
    # The server may still be closing the test before (a flood's tail): iperf3 then refuses at once, "busy".
    grep -q '"error".*busy' "$tmp/tcp$k.json" || break
    echo "fairpath: iperf3 server on spoke $k busy, attempt $attempt; again in 1 s" >&2
    sleep 1
  done
  bps "$tmp/tcp$k.json" 2>/dev/null && return
  echo "fairpath: iperf3 to spoke $k gave no result: $(grep -o '"error":.*' "$tmp/tcp$k.json" | head -c 300)" >&2
  echo 0
}

# ping_stats SECONDS FILE → "p99_ms loss" from 5 pings/s to spoke B
ping_stats() {
  python3 - "$2" "$(( $1 * 5 ))" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
sent = int(sys.argv[2])
rtts = sorted(float(m) for m in re.findall(r"time=([0-9.]+)", text))
if not rtts:
    print("nan", sent); sys.exit()
p99 = rtts[min(len(rtts) - 1, int(0.99 * len(rtts)))]
print("%.3f" % p99, sent - len(rtts))
EOF
}
pinger() { # SECONDS OUTFILE
  ip netns exec "$(ns A)" timeout $(($1 + 5)) "${ping[@]}" -i 0.2 -c "$(( $1 * 5 ))" -W 1 10.251.0.2 > "$2" 2>&1 || true
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A R
for impl in $impls; do
  echo "== $impl, $repeats x ${duration}s" >&2
  start_tunnels "$impl" "$allcpus"
  t1=(); t8=(); fp99=(); floss=(); fgood=(); tp99=(); s1=(); s2=(); sf=(); jain=()
  for _ in $(seq "$repeats"); do
    t1+=("$(iperf_tcp 1)")
    t8+=("$(iperf_tcp 8)")
    # (3) unresponsive UDP flood to B faster than the tunnel, 5 pings/s to B alongside
    ip netns exec "$(ns A)" timeout $((duration + 30)) iperf3 -c 10.251.0.2 -u -b 0 -l 1380 -t "$duration" -J \
      > "$tmp/flood.json" 2>/dev/null &
    fl=$!
    sleep 0.3; pinger "$duration" "$tmp/ping.txt"; wait "$fl" || true
    read -r p l < <(ping_stats "$duration" "$tmp/ping.txt")
    fp99+=("$p"); floss+=("$l"); fgood+=("$(udp_bps "$tmp/flood.json" 2>/dev/null || echo 0)")
    # (4) 4 bulk TCP streams to B, pings alongside
    ip netns exec "$(ns A)" timeout $((duration + 30)) iperf3 -c 10.251.0.2 -t "$duration" -P 4 -J > /dev/null 2>&1 &
    bulk=$!
    sleep 0.3; pinger "$duration" "$tmp/ping.txt"; wait "$bulk" || true
    read -r p l < <(ping_stats "$duration" "$tmp/ping.txt")
    tp99+=("$p")
    # (5) fairness: UDP flood to B, bulk TCP to C and D, all at once from the hub
    ip netns exec "$(ns A)" timeout $((duration + 30)) iperf3 -c 10.251.0.2 -u -b 0 -l 1380 -t "$duration" -J \
      > "$tmp/flood.json" 2>/dev/null &
    fl=$!
    ( iperf_tcp 1 "$duration" "$allcpus" 2 > "$tmp/c.bps" ) & c=$!
    ( iperf_tcp 1 "$duration" "$allcpus" 3 > "$tmp/d.bps" ) & d=$!
    wait "$fl" "$c" "$d" || true
    gb="$(udp_bps "$tmp/flood.json" 2>/dev/null || echo 0)"; gc="$(cat "$tmp/c.bps")"; gd="$(cat "$tmp/d.bps")"
    read -r shc shd shf j < <(python3 -c '
import sys
b, c, d = (float(x) for x in sys.argv[1:4])
tot = b + c + d
j = (tot * tot) / (3 * (b*b + c*c + d*d)) if tot > 0 else 0
print("%.3f %.3f %.3f %.3f" % (c / tot if tot else 0, d / tot if tot else 0, b / tot if tot else 0, j))' "$gb" "$gc" "$gd")
    s1+=("$shc"); s2+=("$shd"); sf+=("$shf"); jain+=("$j")
  done
  R[$impl,t1]="$(median "${t1[@]}")"; R[$impl,t8]="$(median "${t8[@]}")"
  R[$impl,fp99]="$(median "${fp99[@]}")"; R[$impl,floss]="$(median "${floss[@]}")"; R[$impl,fgood]="$(median "${fgood[@]}")"
  R[$impl,tp99]="$(median "${tp99[@]}")"
  R[$impl,s1]="$(median "${s1[@]}")"; R[$impl,s2]="$(median "${s2[@]}")"; R[$impl,sf]="$(median "${sf[@]}")"
  R[$impl,jain]="$(median "${jain[@]}")"
  echo "$impl raw: 1tcp=${t1[*]} 8tcp=${t8[*]} flood_p99=${fp99[*]} flood_loss=${floss[*]} flood_good=${fgood[*]}" \
    "tcp4_p99=${tp99[*]} shares(C D flood)=${s1[*]}/${s2[*]}/${sf[*]} jain=${jain[*]}" >&2
  # (6) the whole tunnel (daemons and iperf3) pinned to one core
  start_tunnels "$impl" 0
  p1=()
  for _ in $(seq "$repeats"); do p1+=("$(iperf_tcp 1 "$duration" 0)"); done
  R[$impl,pin]="$(median "${p1[@]}")"
  echo "$impl raw: pinned-1core=${p1[*]}" >&2
  kill_all
done

ref=wireguard-go
ours=(); for impl in $impls; do [ "$impl" = "$ref" ] || ours+=("$impl"); done
# In-memory pipeline, 1 vs 2 workers (figure 6): no namespaces, crypto-bound.
pipe="$(PIPELINE_ONLY=1 "$root/bench/pipeline.sh" "$duration" 2>&1 | grep -E '^(  pair|reference|ours|ratio 2)' || true)"
row() { # label key unit goal
  local vals=("${R[$ref,$2]:-nan}") o
  for o in "${ours[@]}"; do vals+=("${R[$o,$2]:-nan}"); done
  python3 - "$1" "$3" "$4" "${vals[@]}" <<'EOF'
import sys
label, unit, goal, a, *bs = sys.argv[1:]
def fmt(v):
    v = float(v)
    return "%.2f Gb/s" % (v / 1e9) if unit == "bps" else ("%.3f" % v if unit != "int" else "%d" % v)
def ratio(a, b):
    try:
        return "%.2f" % (float(b) / float(a)) if float(a) else "n/a"
    except ValueError:
        return "n/a"
print("%-40s %-12s " % (label, fmt(a)) + " ".join("%-12s %-6s" % (fmt(b), ratio(a, b)) for b in bs) + " " + goal)
EOF
}
echo
echo "fairpath: medians of $repeats x ${duration}s runs; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg): shared noisy machine"
printf '%-40s %-12s ' "measure" "$ref"; for o in "${ours[@]}"; do printf '%-12s %-6s ' "$o" "ratio"; done; echo "goal"
row "(1) TCP 1 stream" t1 bps ">= 3x"
row "(2) TCP 8 streams" t8 bps ""
row "(3) ping p99 ms under UDP flood" fp99 ms "<= 2 ms"
row "(3) ping lost (of $((duration * 5))) under flood" floss int "0"
row "(3) flood goodput" fgood bps ">= wireguard-go"
row "(4) ping p99 ms under 4 TCP" tp99 ms "<= 2 ms"
row "(5) share TCP peer C" s1 frac ">= 0.30"
row "(5) share TCP peer D" s2 frac ">= 0.30"
row "(5) share flooded peer B" sf frac "~1/3"
row "(5) Jain index (B, C, D)" jain frac ">= 0.95"
row "(6) TCP 1 stream, pinned to 1 core" pin bps ""
row "(6) TCP 1 stream, all cores" t1 bps ""
for impl in $impls; do
  python3 -c 'import sys; a, b = float(sys.argv[2]), float(sys.argv[3]); print("(6) %s: all cores / pinned to 1 core: %s" % (sys.argv[1], "%.2fx" % (a / b) if b else "n/a"))' \
    "$impl" "${R[$impl,t1]:-0}" "${R[$impl,pin]:-0}"
done
echo "(6) in-memory pipeline, 2 workers vs 1 (goal >= 1.8x):"
echo "$pipe" | sed 's/^/    /'
