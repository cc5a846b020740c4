#!/usr/bin/env bash
# Controller on fresh PostgreSQL: create 10,000 DEVICE peers over REST (goal >= 500/s), then list/search p99 (goal <= 50 ms).
#
# Usage: bench/controller-peers.sh [PEERS] [CLIENTS]      (defaults 10000, 16)
# BENCH_WARMUP=N (default 20000) peers are created first in another network, so the timed phase measures the warm,
# sustained rate; the cold rate of the warm-up is printed too, and the JIT compiler's share of the timed phase (if it
# is large, the JVM was still warming up). 5000 was too few on this 2-core machine: the compiler threads still took
# 1.06 of the controller's 3.0 ms per peer in the timed phase after it, 0.6 of 1.7 after 15000. BENCH_JFR=FILE records a Java Flight Recording
# (profile settings, deep stacks) of the controller into FILE. BENCH_KEEP_DB=1 keeps the database for inspection.
# BENCH_CONTROLLER_ARGS are added to the controller's command line (e.g. --spring.threads.virtual.enabled=false).
# Needs PostgreSQL on localhost:5432 (trust auth, user postgres; override with PGHOST/PGPORT/PGUSER) and a built
# controller (built here when missing). The database is created fresh and dropped at the end, as is the controller
# process; the data directory is a temporary one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1
# shellcheck source=lib/controller-bench.sh
. "$root/bench/lib/controller-bench.sh"

peers="${1:-10000}"
clients="${2:-16}"
BENCH_HEAP="${BENCH_HEAP:-1g}"
if [ -n "${BENCH_JFR:-}" ]; then
  BENCH_CONTROLLER_OPTS="${BENCH_CONTROLLER_OPTS:-} -XX:FlightRecorderOptions=stackdepth=512"
  BENCH_CONTROLLER_OPTS="$BENCH_CONTROLLER_OPTS -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$BENCH_JFR"
fi
controller_bench_start

# The controller's PostgreSQL backends (its connection pool, open since startup): the client reads their CPU time.
BENCH_PG_PIDS="$(psql -At -d postgres -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE datname = '$bench_db'")"
export BENCH_PG_PIDS
# List/search is timed as loaded, then again after this (autovacuum's ANALYZE, which this server may not run).
export BENCH_ANALYZE_COMMAND="psql -q -d $bench_db -c 'ANALYZE peer; ANALYZE peer_tag'"

controller_bench_java dev.wgmesh.controller.bench.PeerLoadBench "$bench_url" "$peers" "$clients" "$bench_pid" \
  "${BENCH_WARMUP:-20000}" | tee "$bench_work/client.out" | grep -v '^NETWORK_ID='
net="$(sed -n 's/^NETWORK_ID=//p' "$bench_work/client.out")"

# The database's own view: no address twice, no reservation left unclaimed.
read -r dup4 dup6 unclaimed < <(psql -At -F ' ' -d "$bench_db" -c "
  SELECT (SELECT count(*) - count(DISTINCT tunnel_ipv4) FROM peer WHERE network_id = '$net'),
         (SELECT count(*) - count(DISTINCT tunnel_ipv6) FROM peer WHERE network_id = '$net'),
         (SELECT count(*) FROM ip_allocation a WHERE NOT EXISTS (SELECT 1 FROM peer p WHERE p.id = a.peer_id))")
echo "database check:     duplicate IPv4 $dup4, duplicate IPv6 $dup6, orphaned reservations $unclaimed   (goal 0, 0, 0)"
[ "$dup4" = 0 ] && [ "$dup6" = 0 ] && [ "$unclaimed" = 0 ]
