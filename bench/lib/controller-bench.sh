# shellcheck shell=bash
# Shared by the controller benchmarks that drive a real controller process from a Java client in the test classes:
# fresh PostgreSQL database, controller jar on random loopback ports, an ADMIN-made WRITE API token, cleanup on exit.
#
# Usage (after sourcing bin/jdk.sh and wgmesh_select_jdk):
#   controller_bench_run MAIN_CLASS [ARG...]
#       = controller_bench_start, then: java MAIN_CLASS http://127.0.0.1:PORT GRPC_PORT ARG... CONTROLLER_PID
#   controller_bench_start            starts the controller; sets bench_url, bench_grpc_port, bench_pid, bench_db,
#                                     bench_work and exports WGMESH_TOKEN
#   controller_bench_java MAIN [ARG...]   runs a class of the controller's test classpath
# Knobs: BENCH_HEAP (controller -Xmx, default 2g), BENCH_CONTROLLER_OPTS (more JVM options, e.g. a JFR recording),
# BENCH_CONTROLLER_ARGS (more controller arguments), BENCH_KEEP_DB=1 (keep the database for inspection),
# PGHOST/PGPORT/PGUSER (default localhost:5432 as postgres, trust auth).

controller_bench_start() {
  export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
  local jar="$root/controller/target/wgmesh-controller.jar"
  if [ ! -f "$jar" ] || [ ! -d "$root/controller/target/test-classes/dev/wgmesh/controller/bench" ]; then
    (cd "$root" && ./mvnw -B -q -o -DskipTests -Dspotless.check.skip=true package -pl controller -am)
  fi
  bench_cp_file="$root/controller/target/bench-classpath.txt"
  if [ ! -f "$bench_cp_file" ]; then
    (cd "$root" && ./mvnw -B -q -o dependency:build-classpath -pl controller -Dmdep.includeScope=test \
      -Dmdep.outputFile="$bench_cp_file" >/dev/null)
  fi
  bench_db="wgmesh_bench_$(date +%s)_$$"
  bench_work="$(mktemp -d)"
  bench_pid=""
  trap controller_bench_cleanup EXIT
  local port
  port="$(controller_bench_free_port)"
  bench_grpc_port="$(controller_bench_free_port)"
  bench_url="http://127.0.0.1:$port"
  psql -q -d postgres -c "CREATE DATABASE $bench_db" >/dev/null
  echo "database $bench_db, controller on 127.0.0.1:$port (gRPC $bench_grpc_port), log $bench_work/controller.log"
  local password
  password="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  # shellcheck disable=SC2086 # the option lists are word lists
  SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$bench_db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" WGMESH_DATA_DIR="$bench_work/data" PORT="$port" \
    WGMESH_GRPC_PORT="$bench_grpc_port" WGMESH_ADMIN_USERNAME=bench WGMESH_ADMIN_PASSWORD="$password" \
    "$JAVA" "-Xmx${BENCH_HEAP:-2g}" ${BENCH_CONTROLLER_OPTS:-} -jar "$jar" --server.address=127.0.0.1 \
    --wgmesh.grpc.address=127.0.0.1 --spring.datasource.hikari.maximum-pool-size=20 ${BENCH_CONTROLLER_ARGS:-} \
    >"$bench_work/controller.log" 2>&1 &
  bench_pid=$!
  for _ in $(seq 1 600); do
    if curl -fsS "$bench_url/actuator/health" 2>/dev/null | grep -q '"UP"'; then break; fi
    kill -0 "$bench_pid" 2>/dev/null || { echo "controller exited:"; tail -50 "$bench_work/controller.log"; exit 1; }
    sleep 1
  done
  curl -fsS "$bench_url/actuator/health" >/dev/null \
    || { echo "controller not healthy:"; tail -30 "$bench_work/controller.log"; exit 1; }
  local cookies="$bench_work/cookies" xsrf
  curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$password\"}" "$bench_url/api/v1/auth/login" >/dev/null
  xsrf="$(awk '$6 == "XSRF-TOKEN" { v = $7 } END { print v }' "$cookies")"
  WGMESH_TOKEN="$(curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
    -H "X-XSRF-TOKEN: $xsrf" -d '{"name":"bench","scope":"WRITE"}' "$bench_url/api/v1/tokens" \
    | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')"
  [ -n "$WGMESH_TOKEN" ] || { echo "could not create an API token"; exit 1; }
  export WGMESH_TOKEN
}

controller_bench_java() {
  local main="$1"
  shift
  "$JAVA" -Xmx3g -cp "$root/controller/target/test-classes:$root/controller/target/classes:$(cat "$bench_cp_file")" \
    "$main" "$@"
}

controller_bench_run() {
  local main="$1"
  shift
  controller_bench_start
  controller_bench_java "$main" "$bench_url" "$bench_grpc_port" "$@" "$bench_pid"
  grep -E "WARN|ERROR" "$bench_work/controller.log" | head -5 || true
}

controller_bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

controller_bench_cleanup() {
  if [ -n "${bench_pid:-}" ]; then kill "$bench_pid" 2>/dev/null || true; wait "$bench_pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP_DB:-0}" = 1 ]; then echo "kept database $bench_db"; else
    psql -q -d postgres -c "DROP DATABASE IF EXISTS $bench_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$bench_work"
}
