# shellcheck shell=bash
# Shared by controller benchmarks that drive a real controller process from a Java client in the test classes:
# fresh PostgreSQL database, controller jar on random loopback ports, an ADMIN API token, cleanup on exit.
# (agents-propagation.sh and controller-peers.sh predate it and carry their own copy of these steps.)
#
# Usage (after sourcing bin/jdk.sh and wgmesh_select_jdk):
#   controller_bench_run MAIN_CLASS [ARG...]
# runs: java MAIN_CLASS http://127.0.0.1:PORT GRPC_PORT ARG... CONTROLLER_PID   with WGMESH_TOKEN set.

controller_bench_run() {
  local main="$1"
  shift
  export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
  local jar="$root/controller/target/wgmesh-controller.jar"
  if [ ! -f "$jar" ] || [ ! -d "$root/controller/target/test-classes/dev/wgmesh/controller/bench" ]; then
    (cd "$root" && ./mvnw -B -q -o -DskipTests -Dspotless.check.skip=true package -pl controller -am)
  fi
  local cp_file="$root/controller/target/bench-classpath.txt"
  if [ ! -f "$cp_file" ]; then
    (cd "$root" && ./mvnw -B -q -o dependency:build-classpath -pl controller -Dmdep.includeScope=test \
      -Dmdep.outputFile="$cp_file" >/dev/null)
  fi
  bench_db="wgmesh_bench_$(date +%s)_$$"
  bench_work="$(mktemp -d)"
  bench_pid=""
  trap controller_bench_cleanup EXIT
  local port grpc_port
  port="$(controller_bench_free_port)"
  grpc_port="$(controller_bench_free_port)"
  psql -q -d postgres -c "CREATE DATABASE $bench_db" >/dev/null
  echo "database $bench_db, controller on 127.0.0.1:$port (gRPC $grpc_port), log $bench_work/controller.log"
  local password
  password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$bench_db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" WGMESH_DATA_DIR="$bench_work/data" PORT="$port" \
    WGMESH_GRPC_PORT="$grpc_port" WGMESH_ADMIN_USERNAME=bench WGMESH_ADMIN_PASSWORD="$password" \
    "$JAVA" -Xmx2g -jar "$jar" --server.address=127.0.0.1 --wgmesh.grpc.address=127.0.0.1 \
    --spring.datasource.hikari.maximum-pool-size=20 >"$bench_work/controller.log" 2>&1 &
  bench_pid=$!
  for _ in $(seq 1 180); do
    if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"'; then break; fi
    kill -0 "$bench_pid" 2>/dev/null || { echo "controller exited:"; tail -50 "$bench_work/controller.log"; exit 1; }
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null
  local cookies="$bench_work/cookies" xsrf
  curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/auth/login" >/dev/null
  xsrf="$(awk '$6 == "XSRF-TOKEN" { v = $7 } END { print v }' "$cookies")"
  WGMESH_TOKEN="$(curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
    -H "X-XSRF-TOKEN: $xsrf" -d '{"name":"bench","scope":"WRITE"}' "http://127.0.0.1:$port/api/v1/tokens" \
    | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
  [ -n "$WGMESH_TOKEN" ] || { echo "could not create an API token"; exit 1; }
  export WGMESH_TOKEN
  "$JAVA" -Xmx3g -cp "$root/controller/target/test-classes:$root/controller/target/classes:$(cat "$cp_file")" \
    "$main" "http://127.0.0.1:$port" "$grpc_port" "$@" "$bench_pid"
  grep -E "WARN|ERROR" "$bench_work/controller.log" | head -5 || true
}

controller_bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

controller_bench_cleanup() {
  if [ -n "${bench_pid:-}" ]; then kill "$bench_pid" 2>/dev/null || true; wait "$bench_pid" 2>/dev/null || true; fi
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$bench_work"
}
