#!/usr/bin/env bash
# Controller on fresh PostgreSQL with N simulated agents (mTLS gRPC): REST change -> every agent's ack p50/p99 (goal p99 <= 500 ms), heap per agent, idle CPU.
#
# Usage: bench/agents-propagation.sh [AGENTS] [CHANGES]      (defaults 1000, 5)
# BENCH_CONTROLLER_OPTS adds JVM options to the controller (e.g. -XX:StartFlightRecording=filename=x.jfr).
# Needs PostgreSQL on localhost:5432 (trust auth, user postgres; override with PGHOST/PGPORT/PGUSER). Builds the
# controller jar and test classes when missing. The database is created fresh and dropped at the end, as is the
# controller process; the data directory is a temporary one. There is no reference implementation to compare with
# here: the goal line is the reference.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1
# shellcheck source=lib/controller-bench.sh
. "$root/bench/lib/controller-bench.sh"

BENCH_CONTROLLER_OPTS="${BENCH_CONTROLLER_OPTS:-${WGMESH_BENCH_CONTROLLER_OPTS:-}}"
controller_bench_run dev.wgmesh.controller.bench.AgentsPropagationBench "${1:-1000}" "${2:-5}"
grep -E "sync.lag" "$bench_work/controller.log" | head -5 || true
