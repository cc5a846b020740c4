#!/usr/bin/env bash
# Controller on fresh PostgreSQL with N simulated agents (mTLS gRPC): REST change -> every agent's ack p50/p99 (goal p99 <= 500 ms), heap per agent, idle CPU.
#
# Usage: bench/agents-propagation.sh [AGENTS] [CHANGES]      (defaults 1000, 5)
# WGMESH_BENCH_CONTROLLER_OPTS adds JVM options to the controller (e.g. -XX:StartFlightRecording=filename=x.jfr).
# Needs PostgreSQL on localhost:5432 (trust auth, user postgres; override with PGHOST/PGPORT/PGUSER). Builds the
# controller jar and test classes when missing. The database is created fresh and dropped at the end, as is the
# controller process; the data directory is a temporary one. There is no reference implementation to compare with
# here: the goal line is the reference.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1

agents="${1:-1000}"
changes="${2:-5}"
export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
jar="$root/controller/target/wgmesh-controller.jar"
if [ ! -f "$jar" ] || [ ! -d "$root/controller/target/test-classes/dev/wgmesh/controller/bench" ]; then
  (cd "$root" && ./mvnw -B -q -o -DskipTests -Dspotless.check.skip=true package -pl controller -am)
fi
cp_file="$root/controller/target/bench-classpath.txt"
if [ ! -f "$cp_file" ]; then
  (cd "$root" && ./mvnw -B -q -o dependency:build-classpath -pl controller -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file" >/dev/null)
fi

db="wgmesh_bench_$(date +%s)_$$"
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"
grpc_port="$(free_port)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
echo "database $db, controller on 127.0.0.1:$port (gRPC $grpc_port), log $work/controller.log"
admin_password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
  SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" WGMESH_DATA_DIR="$work/data" PORT="$port" WGMESH_GRPC_PORT="$grpc_port" \
  WGMESH_ADMIN_USERNAME=bench WGMESH_ADMIN_PASSWORD="$admin_password" \
  "$JAVA" -Xmx2g ${WGMESH_BENCH_CONTROLLER_OPTS:-} -jar "$jar" --server.address=127.0.0.1 --wgmesh.grpc.address=127.0.0.1 \
  --spring.datasource.hikari.maximum-pool-size=20 >"$work/controller.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "controller exited:"; tail -50 "$work/controller.log"; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null || { echo "controller not healthy:"; curl -sS "http://127.0.0.1:$port/actuator/health"; tail -30 "$work/controller.log"; exit 1; }

cookies="$work/cookies"
curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$admin_password\"}" "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
xsrf="$(awk '$6 == "XSRF-TOKEN" { v = $7 } END { print v }' "$cookies")"
WGMESH_TOKEN="$(curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' -H "X-XSRF-TOKEN: $xsrf" \
  -d '{"name":"bench","scope":"WRITE"}' "http://127.0.0.1:$port/api/v1/tokens" | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
[ -n "$WGMESH_TOKEN" ] || { echo "could not create an API token"; exit 1; }
export WGMESH_TOKEN

"$JAVA" -Xmx3g -cp "$root/controller/target/test-classes:$root/controller/target/classes:$(cat "$cp_file")" \
  dev.wgmesh.controller.bench.AgentsPropagationBench "http://127.0.0.1:$port" "$grpc_port" "$agents" "$changes" "$pid"
grep -E "sync.lag|WARN|ERROR" "$work/controller.log" | head -5 || true
