#!/usr/bin/env bash
# 200-site full mesh on simulated agents: plan (goal <= 2 s) and complete rollout, all acks, no gates (goal <= 5 s) vs one network-wide fan-out.
#
# Usage: bench/mesh-rollout.sh [SITES] [CANARY] [WAVE]      (defaults 200, 10, 95)
# One simulated agent (mTLS gRPC, acks every revision) per site. The reference measured in the same run is one
# network-wide change (the network's keepalive) reaching every agent: the floor for pushing every map once.
# Needs PostgreSQL on localhost:5432 (trust auth, user postgres; override with PGHOST/PGPORT/PGUSER). Builds the
# controller jar and test classes when missing; the database, controller and data directory are removed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1
# shellcheck source=lib/controller-bench.sh
. "$root/bench/lib/controller-bench.sh"

controller_bench_run dev.wgmesh.controller.bench.MeshRolloutBench "${1:-200}" "${2:-10}" "${3:-95}"
