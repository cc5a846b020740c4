#!/usr/bin/env bash
# In-memory transmit pipeline (FQ-CoDel → DRR → crypto budget → ordered ChaCha20-Poly1305 workers): 1 vs 2 workers, ratio; crypto-budget comparison.
# Usage: bench/pipeline.sh [seconds-per-run] [budgets]   (PIPELINE_ONLY=1: just the 1 vs 2 workers run)
#   prints packets/s for 1 worker (reference) and 2 workers (ours) and their ratio, the medians of PAIRS (default 3)
#   alternating 1- and 2-worker runs, worker CPU per packet,
#   then the deterministic crypto-budget simulation (DQL, DQL with a short hold, CoDel on crypto wait, fixed),
#   and with "budgets" also each budget in the real pipeline.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../bin/jdk.sh
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1
cd "$root"
seconds="${1:-5}"
mode="${2:-}"
./mvnw -B -q -o -pl agent -am test-compile -Dspotless.check.skip=true >/dev/null
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
./mvnw -B -q -o -pl agent dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
cp="agent/target/classes:agent/target/test-classes:$(cat "$cpfile")"
"$JAVA" $WGMESH_JVM_FLAGS -Dwgmesh.bench.pairs="${PAIRS:-3}" -cp "$cp" dev.wgmesh.bench.PipelineBench "$seconds" $mode
[ -z "${PIPELINE_ONLY:-}" ] || exit 0 # bench/fairpath.sh wants only the 1 vs 2 workers figure
echo
for scenario in "1 10" "2 10" "4 10" "1 100" "2 100"; do   # workers, completion hand-off in µs
  # shellcheck disable=SC2086
  "$JAVA" -cp "$cp" dev.wgmesh.bench.CryptoBudgetSimulation $scenario
done
echo
echo "scheduler-thread cost per packet (JMH; reference = plain FIFO, ours = classify + FQ-CoDel + peer DRR + counter):"
# ignoreLock: other benchmarks on this shared machine hold /tmp/jmh.lock; the figures say so via the load average.
"$JAVA" $WGMESH_JVM_FLAGS -Djmh.ignoreLock=true -cp "$cp" org.openjdk.jmh.Main SchedulerBench -wi 2 -i 3 -w 1 -r 1 -f 1 -jvmArgsAppend -Djmh.ignoreLock=true 2>/dev/null \
  | awk '/^SchedulerBench\./ {print "  " $0; if ($1 ~ /referenceFifo/) ref=$5; if ($1 ~ /fqCodelWithPeerDrr/) ours=$5}
         END {if (ref > 0) printf "  ratio ours / reference: %.2fx\n", ours / ref}'
