#!/usr/bin/env bash
# Where does the standing queue live? Hub A and spoke B (one WireGuard tunnel over a veth pair), scenarios (3) and (4)
# of bench/fairpath.sh: a UDP flood (iperf3 -u -b 0) or 4 bulk TCP streams from A to B, 5 pings/s alongside. Midway
# through each run it samples, per implementation: A's TUN qdisc and ring drops, UDP socket queues on A and B (ss skmem),
# the daemons' queue/stage statistics (wgmesh: Prometheus /metrics), and per-thread CPU of both daemons.
#
# Usage: sudo bench/fairdiag.sh [seconds-per-run]   (env IMPLS="wireguard-go wgmesh-parallel wgmesh-inline-fifo ...",
#        SCEN="flood tcp4 tcp1", QUIET=1 skips the sampling, PINGS=1 prints every RTT in order, PING_INTERVAL=0.05
#        pings faster (more samples), TRACE=1 splits each round trip into its four hops from kernel tracepoints
#        (A send, B recv, B send, A recv: which daemon and direction the time goes to), TRACE_KEEP=FILE also traces
#        when our threads get and leave a CPU (sched_switch) and keeps the trace there (TRACE_BUFFER_KB=65536 for
#        longer runs; bench/lib/slowhops.py reads it), SLICE_US=N gives our threads
#        an EEVDF slice of N µs, RENICE=N renices them, GEN_NICE=19 runs the load generators (iperf3) at that nice
#        level, to see the tunnel's latency when the generators do not compete with it for the CPU, CRYPTO_NICE=N
#        renices only the threads doing bulk crypto (workers, dispatcher), DL="RUNTIME_US
#        PERIOD_US" puts our TUN readers and UDP receivers under SCHED_DEADLINE (DL_ONLY="A-t B-u" only those;
#        with DAEMON_ENV=WGMESH_WAKE_PRIORITY=off, else the wake-up boost replaces it), DAEMON_ENV="K=V ..." adds
#        environment to our daemons (WGMESH_WG_JAVA_OPTS passes through, e.g. -Xlog:gc:file=...); -fifo:
#        WGMESH_INLINE_FQ=off and one TUN ring; -1ring:
#        WGMESH_TUN_RINGS=1)
set -euo pipefail
umask 077
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-6}" impls="${IMPLS:-wireguard-go wgmesh-inline wgmesh-parallel wgmesh-hybrid}" scen="${SCEN:-flood tcp4}"
need() { [ "$(id -u)" = 0 ] && command -v "$@" >/dev/null || { echo "fairdiag: needs root and $*" >&2; exit 1; }; }
need ip wg wireguard-go iperf3 python3 ping tc ss curl top
id="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
ns() { echo "wgm-fd-$1-$id"; }
tmp="$(mktemp -d)"
kill_all() {
  local n pid
  for n in A B; do for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done; done
  sleep 1
  for n in A B; do for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done; done
}
gen=""; [ -z "${GEN_NICE:-}" ] || gen="nice -n $GEN_NICE"
tracer="/sys/kernel/tracing/instances/wgm-fd-$id"
trace_events="net/net_dev_start_xmit net/netif_receive_skb"
trace_start() { # TRACE=1: small packets on both tunnel devices and veths, in a tracefs instance of our own
  [ -d /sys/kernel/tracing/instances ] || mount -t tracefs nodev /sys/kernel/tracing
  [ -d "$tracer" ] || mkdir "$tracer"
  echo 0 > "$tracer/tracing_on"; echo > "$tracer/trace"; echo "${TRACE_BUFFER_KB:-8192}" > "$tracer/buffer_size_kb"
  local e; for e in $trace_events; do echo "len < 300" > "$tracer/events/$e/filter"; echo 1 > "$tracer/events/$e/enable"; done
  if [ -n "${TRACE_KEEP:-}" ]; then # TRACE_KEEP=FILE: also trace when our threads get and leave a CPU, keep the trace
    echo 'prev_comm ~ "wg-fd*" || next_comm ~ "wg-fd*"' > "$tracer/events/sched/sched_switch/filter"
    echo 1 > "$tracer/events/sched/sched_switch/enable"
  fi
  echo 1 > "$tracer/tracing_on"
}
trace_stop() { # → hops of the pings traced
  echo 0 > "$tracer/tracing_on"; cat "$tracer/trace" > "$tmp/trace.txt"
  local e; for e in $trace_events sched/sched_switch; do echo 0 > "$tracer/events/$e/enable"; done
  [ -z "${TRACE_KEEP:-}" ] || cp "$tmp/trace.txt" "$TRACE_KEEP"
  echo "  ping hops (kernel tracepoints):"
  python3 "$root/bench/lib/pingstages.py" "$tmp/trace.txt" "fdA$id$phase" "da$id" "fdB$id$phase" "db$id"
}
cleanup() { [ ! -d "$tracer" ] || { echo 0 > "$tracer/tracing_on"; rmdir "$tracer"; } 2>/dev/null || true; kill_all; for n in A B; do ip netns del "$(ns "$n")" 2>/dev/null || true; done; rm -f /var/run/wireguard/fd*"$id"*.sock; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
for n in A B; do ip netns add "$(ns "$n")"; ip -n "$(ns "$n")" link set lo up; done
ip link add "da$id" netns "$(ns A)" type veth peer name "db$id" netns "$(ns B)"
ip -n "$(ns A)" addr add 10.250.1.1/24 dev "da$id"; ip -n "$(ns B)" addr add 10.250.1.2/24 dev "db$id"
ip -n "$(ns A)" link set "da$id" up; ip -n "$(ns B)" link set "db$id" up
for n in A B; do wg genkey > "$tmp/$n.key"; wg pubkey < "$tmp/$n.key" > "$tmp/$n.pub"; done
phase=0
start() {
  local impl="$1" n m
  kill_all; phase=$((phase + 1))
  for n in A B; do
    case "$impl" in
      wireguard-go) ip netns exec "$(ns "$n")" env LOG_LEVEL=error WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 wireguard-go "fd$n$id$phase" 2>/dev/null ;;
      wgmesh*) m="${impl#wgmesh-}"; fq=on; rings="${WGMESH_TUN_RINGS:-}"
        case "$m" in *-fifo) m="${m%-fifo}"; fq=off; rings=1;; *-1ring) m="${m%-1ring}"; rings=1;; esac
        ip netns exec "$(ns "$n")" env LOG_LEVEL=error WGMESH_DATAPATH="$m" WGMESH_INLINE_FQ="$fq" WGMESH_TUN_RINGS="$rings" \
        WGMESH_METRICS_LISTEN=127.0.0.1:9587 ${DAEMON_ENV:-} "$root/bin/wgmesh-wg" "fd$n$id$phase" ;;
    esac
  done
  ip netns exec "$(ns A)" wg set "fdA$id$phase" private-key "$tmp/A.key" listen-port 51820 peer "$(cat "$tmp/B.pub")" allowed-ips 10.251.0.2/32 endpoint 10.250.1.2:51820
  ip netns exec "$(ns B)" wg set "fdB$id$phase" private-key "$tmp/B.key" listen-port 51820 peer "$(cat "$tmp/A.pub")" allowed-ips 10.251.0.1/32 endpoint 10.250.1.1:51820
  ip -n "$(ns A)" addr add 10.251.0.1/24 dev "fdA$id$phase"; ip -n "$(ns B)" addr add 10.251.0.2/24 dev "fdB$id$phase"
  for n in A B; do ip -n "$(ns "$n")" link set "fd$n$id$phase" mtu 1420 up; done
  # TXQLEN=N: override the TUN's tx_queue_len (its read ring) on both ends, to see what that ring holds
  if [ -n "${TXQLEN:-}" ]; then for n in A B; do ip -n "$(ns "$n")" link set "fd$n$id$phase" txqueuelen "$TXQLEN"; done; fi
  echo "  (tun tx_queue_len A: $(ip netns exec "$(ns A)" cat /sys/class/net/"fdA$id$phase"/tx_queue_len))"
  ip netns exec "$(ns A)" ping -c 3 -W 5 10.251.0.2 >/dev/null || { echo "fairdiag: $impl tunnel down" >&2; return 1; }
  ip netns exec "$(ns B)" $gen iperf3 -s -D -B 10.251.0.2 -p 5201
  # SLICE_US=N (experiment): an EEVDF slice of N µs (sched_setattr) for those threads on both ends
  if [ -n "${SLICE_US:-}" ]; then case "$impl" in wgmesh*) local t tids=""
    for n in A B; do for t in /proc/"$(daemon_pid "$n")"/task/*; do
      # SLICE_ONLY="A-u B-t": only those threads (daemon, thread suffix: -t TUN reader, -u UDP receiver)
      local c; c="$(cat "$t/comm")"
      case "$c" in wg-fd*|wg-crypto*) case " ${SLICE_ONLY:-$n-${c##*-}} " in *" $n-${c##*-} "*) tids="$tids ${t##*/}";; esac;; esac
    done; done
    python3 "$root/bench/lib/slice.py" "$((SLICE_US * 1000))" $tids;; esac; fi
  # RT_ONLY="A-u B-t" (experiment): SCHED_FIFO 1 for those threads
  if [ -n "${RT_ONLY:-}" ]; then case "$impl" in wgmesh*) local t c
    for n in A B; do for t in /proc/"$(daemon_pid "$n")"/task/*; do
      c="$(cat "$t/comm")"
      case "$c" in wg-fd*) case " $RT_ONLY " in *" $n-${c##*-} "*) chrt -f -p 1 "${t##*/}";; esac;; esac
    done; done;; esac; fi
  # DL="RUNTIME_US PERIOD_US" (experiment): SCHED_DEADLINE for our I/O threads on both ends (DL_ONLY="A-t B-u":
  # only those)
  if [ -n "${DL:-}" ]; then case "$impl" in wgmesh*) local t c r p; read -r r p <<< "$DL"
    for n in A B; do for t in /proc/"$(daemon_pid "$n")"/task/*; do
      c="$(cat "$t/comm")"
      case "$c" in wg-fd*) case " ${DL_ONLY:-A-t A-u B-t B-u} " in *" $n-${c##*-} "*)
        chrt -d --sched-runtime "$((r * 1000))" --sched-deadline "$((p * 1000))" --sched-period "$((p * 1000))" \
          -p 0 "${t##*/}" || echo "  chrt -d $c failed" >&2;; esac;; esac
    done; done;; esac; fi
  # RENICE=N (experiment): renice our data-plane I/O threads (TUN reader, UDP receiver, dispatcher) on both ends
  if [ -n "${RENICE:-}" ]; then case "$impl" in wgmesh*) local t
    for n in A B; do for t in /proc/"$(daemon_pid "$n")"/task/*; do
      case "$(cat "$t/comm")" in wg-fd*|wg-crypto*) renice -n "$RENICE" -p "${t##*/}" >/dev/null;; esac; done; done;; esac; fi
  # CRYPTO_NICE=N (experiment): renice only the threads that do bulk crypto (workers, dispatcher) on both ends
  if [ -n "${CRYPTO_NICE:-}" ]; then case "$impl" in wgmesh*) local t
    for n in A B; do for t in /proc/"$(daemon_pid "$n")"/task/*; do
      case "$(cat "$t/comm")" in wg-fd*-d|wg-crypto*) renice -n "$CRYPTO_NICE" -p "${t##*/}" >/dev/null;; esac
    done; done;; esac; fi
  sleep 0.5
  ip netns exec "$(ns A)" iperf3 -c 10.251.0.2 -t 3 -P 4 >/dev/null 2>&1 || true # warm-up
}
daemon_pid() { # NS → pid of the daemon in that namespace
  local p; for p in $(ip netns pids "$(ns "$1")"); do
    case "$(tr '\0' ' ' < /proc/$p/cmdline)" in *wireguard-go*|*WgDaemon*) echo "$p"; return;; esac; done
}
threads() { # PID: top threads by CPU over 1 s
  top -H -b -d 1 -n 2 -w 200 -p "$1" | awk '/^top -/{n++} n==2 && $1 ~ /^[0-9]+$/ && $9+0 > 1 {printf "    %5s%% %s %s\n", $9, $12, $13}' | head -8
}
sample() { # IMPL
  local a b; a="$(daemon_pid A)"; b="$(daemon_pid B)"
  echo "  -- A tun qdisc / link:"; ip netns exec "$(ns A)" tc -s qdisc show dev "fdA$id$phase" | sed 's/^/    /'
  ip -n "$(ns A)" -s link show "fdA$id$phase" | sed -n '4,7p' | sed 's/^/    /'
  echo "  -- UDP sockets :51820 (A then B), skmem r=rcv-queued rb=rcvbuf t=snd-queued tb=sndbuf d=drops:"
  for n in A B; do ip netns exec "$(ns "$n")" ss -uamn 'sport = :51820' | tail -n +2 | sed "s/^/    $n /"; done
  echo "  -- B TCP/UDP receiver (iperf3 server) socket:"; ip netns exec "$(ns B)" ss -tuamn 'sport = :5201' | tail -n +2 | head -3 | sed 's/^/    /'
  case "$1" in wgmesh*)
    for n in A B; do echo "  -- $n metrics:"; ip netns exec "$(ns "$n")" curl -s --max-time 2 http://127.0.0.1:9587/metrics \
      | grep -E '^wgmesh_(drops_total|express_packets|priority_loans|crypto_budget|stage_seconds|peer_queue_|peer_sojourn)' \
      | grep -v ' 0$' | sed 's/^/    /'; done ;;
  esac
  echo "  -- threads A (pid $a):"; threads "$a"; echo "  -- threads B (pid $b):"; threads "$b"
}
p99() { python3 - "$1" "$2" "${3:-}" <<'P'
import re, sys
t = open(sys.argv[1]).read(); sent = int(sys.argv[2])
r = sorted(float(m) for m in re.findall(r"time=([0-9.]+)", t))
print("p99=%s ms lost=%d/%d max=%s" % ("%.2f" % r[min(len(r)-1, int(.99*len(r)))] if r else "nan", sent-len(r), sent, "%.1f" % r[-1] if r else "nan"))
if len(sys.argv) > 3 and sys.argv[3]:  # PINGS=1: every reply in order, "seq:ms", to see when the slow ones come
    print("    " + " ".join("%s:%s" % m for m in re.findall(r"icmp_seq=(\d+) ttl=\d+ time=([0-9.]+)", t)))
P
}
ksoftirqd_ticks() { # user+system ticks of all ksoftirqd threads (softirq work the kernel deferred to a normal thread)
  local p t=0; for p in $(pgrep ksoftirqd); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"
}
udp_drops() { ip netns exec "$(ns "$1")" ss -uamn 'sport = :51820' | grep -o ',d[0-9]*)' | tr -dc '0-9' | head -c 20; }
tun_drops() { ip netns exec "$(ns A)" cat /sys/class/net/"fdA$id$phase"/statistics/tx_dropped; }
softnet_delta() { # BEFORE: per-CPU packets processed by NET_RX, dropped at a full backlog, squeezed (softirq out of budget)
  python3 - "$1" "$(cat /proc/net/softnet_stat)" <<'P'
import sys
rows = lambda t: [[int(x, 16) for x in l.split()[:3]] for l in t.strip().splitlines()]
d = [[b - a for a, b in zip(r0, r1)] for r0, r1 in zip(rows(sys.argv[1]), rows(sys.argv[2]))]
print("  softnet (cpu: processed/dropped/squeezed): " + ", ".join("%d: %d/%d/%d" % (i, *r) for i, r in enumerate(d)))
P
}
for impl in $impls; do
  start "$impl"
  for s in $scen; do
    echo "== $impl $s (load $(cut -d' ' -f1-3 /proc/loadavg))"
    case "$s" in
      flood) ip netns exec "$(ns A)" $gen iperf3 -c 10.251.0.2 -u -b 0 -l 1380 -t "$duration" -J > "$tmp/l.json" 2>/dev/null & ;;
      tcp4) ip netns exec "$(ns A)" $gen iperf3 -c 10.251.0.2 -t "$duration" -P 4 -J > "$tmp/l.json" 2>/dev/null & ;;
      tcp1) ip netns exec "$(ns A)" $gen iperf3 -c 10.251.0.2 -t "$duration" -J > "$tmp/l.json" 2>/dev/null & ;;
    esac
    load=$!
    sn0="$(cat /proc/net/softnet_stat)"; ks0="$(ksoftirqd_ticks)"
    sleep 0.3
    pings=$(python3 -c "print(round(($duration - 1) / ${PING_INTERVAL:-0.2}))")
    [ -z "${TRACE:-}" ] || trace_start
    ip netns exec "$(ns A)" ping -i "${PING_INTERVAL:-0.2}" -c "$pings" -W 1 10.251.0.2 > "$tmp/ping.txt" 2>&1 &
    pg=$!
    sleep $((duration / 2)); [ -n "${QUIET:-}" ] || sample "$impl"
    wait "$pg" || true; wait "$load" || true
    [ -z "${TRACE:-}" ] || trace_stop
    softnet_delta "$sn0"; echo "  UDP :51820 socket drops A/B (cumulative): $(udp_drops A)/$(udp_drops B); A TUN ring drops (cumulative): $(tun_drops)"
    echo "  ksoftirqd CPU: $(( ($(ksoftirqd_ticks) - ks0) * 1000 / $(getconf CLK_TCK) )) ms over the run"
    echo "  ping $(p99 "$tmp/ping.txt" "$pings" "${PINGS:-}")  goodput $(python3 -c '
import json,sys; e=json.load(open(sys.argv[1]))["end"]
r=e.get("sum_received"); s=e.get("sum")  # received rate as is; else the sender'"'"'s less what was lost
print("%.2f Gb/s" % ((r["bits_per_second"] if r else s["bits_per_second"]*(1-s.get("lost_percent",0)/100))/1e9))' \
      "$tmp/l.json" 2>/dev/null || echo ?)"
  done
done
