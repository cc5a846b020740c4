#!/usr/bin/env bash
# Controller on fresh PostgreSQL: create 10,000 DEVICE peers over REST (goal >= 500/s), then list/search p99 (goal <= 50 ms).
#
# Usage: bench/controller-peers.sh [PEERS] [CLIENTS]      (defaults 10000, 16)
# BENCH_WARMUP=N (default 5000) peers are created first in another network, so the timed phase measures the warm,
# sustained rate; the cold rate of the warm-up is printed too. BENCH_JFR=FILE records a Java Flight Recording
# (profile settings, deep stacks) of the controller into FILE. BENCH_KEEP_DB=1 keeps the database for inspection.
# BENCH_CONTROLLER_ARGS are added to the controller's command line (e.g. --spring.threads.virtual.enabled=false).
# Needs PostgreSQL on localhost:5432 (trust auth, user postgres; override with PGHOST/PGPORT/PGUSER) and a built
# controller jar (built here when missing). The database is created fresh and dropped at the end, as is the
# controller process; the data directory is a temporary one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1

peers="${1:-10000}"
clients="${2:-16}"
export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
jar="${BENCH_JAR:-$root/controller/target/wgmesh-controller.jar}"
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -B -q -o -DskipTests -Dspotless.check.skip=true package -pl controller -am)
fi

db="wgmesh_bench_$(date +%s)_$$"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP_DB:-0}" = 1 ]; then echo "kept database $db"; else
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
echo "database $db, controller on 127.0.0.1:$port, log $work/controller.log"
admin_password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
  SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" WGMESH_DATA_DIR="$work/data" PORT="$port" WGMESH_GRPC_PORT=0 \
  WGMESH_ADMIN_USERNAME=bench WGMESH_ADMIN_PASSWORD="$admin_password" \
  "$JAVA" -Xmx1g ${BENCH_JFR:+-XX:FlightRecorderOptions=stackdepth=512 -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$BENCH_JFR} -jar "$jar" --server.address=127.0.0.1 ${BENCH_CONTROLLER_ARGS:-} >"$work/controller.log" 2>&1 &
pid=$!
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "controller exited:"; tail -50 "$work/controller.log"; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null

# Log in as the bench admin (session + CSRF cookie) and create a WRITE API token for the load client.
cookies="$work/cookies"
curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$admin_password\"}" "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
xsrf="$(awk '$6 == "XSRF-TOKEN" { v = $7 } END { print v }' "$cookies")"
WGMESH_TOKEN="$(curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' -H "X-XSRF-TOKEN: $xsrf" \
  -d '{"name":"bench","scope":"WRITE"}' "http://127.0.0.1:$port/api/v1/tokens" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
[ -n "$WGMESH_TOKEN" ] || { echo "could not create an API token"; exit 1; }
export WGMESH_TOKEN
# The controller's PostgreSQL backends (its connection pool, open since startup): the client reads their CPU time.
BENCH_PG_PIDS="$(psql -At -d postgres -c "SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE datname = '$db'")"
export BENCH_PG_PIDS
# List/search is timed as loaded, then again after this (autovacuum's ANALYZE, which this server may not run).
export BENCH_ANALYZE_COMMAND="psql -q -d $db -c 'ANALYZE peer; ANALYZE peer_tag'"

"$JAVA" "$root/controller/src/test/java/dev/wgmesh/controller/bench/PeerLoadBench.java" \
  "http://127.0.0.1:$port" "$peers" "$clients" "$pid" "${BENCH_WARMUP:-5000}" | tee "$work/client.out" | grep -v '^NETWORK_ID='
net="$(sed -n 's/^NETWORK_ID=//p' "$work/client.out")"

# The database's own view: no address twice, no reservation left unclaimed.
read -r dup4 dup6 unclaimed < <(psql -At -F ' ' -d "$db" -c "
  SELECT (SELECT count(*) - count(DISTINCT tunnel_ipv4) FROM peer WHERE network_id = '$net'),
         (SELECT count(*) - count(DISTINCT tunnel_ipv6) FROM peer WHERE network_id = '$net'),
         (SELECT count(*) FROM ip_allocation a WHERE NOT EXISTS (SELECT 1 FROM peer p WHERE p.id = a.peer_id))")
echo "database check:     duplicate IPv4 $dup4, duplicate IPv6 $dup6, orphaned reservations $unclaimed   (goal 0, 0, 0)"
[ "$dup4" = 0 ] && [ "$dup6" = 0 ] && [ "$unclaimed" = 0 ]
