#!/usr/bin/env bash
# Two devices over in-memory TUN/UDP: packets/s one at a time vs the bare seal+open crypto of a packet, B/packet.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="$root/agent/target/bench"
mkdir -p "$out"
./mvnw -B -q -o -pl agent test-compile
./mvnw -B -q -o -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$out/cp.txt")"
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main "dev.wgmesh.bench.DeviceBench" \
  -prof gc -rf json -rff "$out/device.json" "$@" | grep -E "^(Benchmark|DeviceBench\.)" | grep -v "gc\.\(count\|time\|alloc\.rate \)" || true
python3 - "$out/device.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
score, alloc = {}, {}
for r in rows:
    name = r["benchmark"].split(".")[-1]
    score[name] = r["primaryMetric"]["score"]
    g = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    if g:
        alloc[name] = g["score"]
print()
if "throughTunnel" in score and "rawSealAndOpen" in score:
    print(f"reference (raw JCE seal+open, 1420 B) {score['rawSealAndOpen']:>12,.0f} ops/s")
    print(f"ours (TUN -> device A -> UDP -> device B -> TUN) {score['throughTunnel']:>12,.0f} packets/s  ratio {score['throughTunnel']/score['rawSealAndOpen']:.2f}")
for k in ("throughTunnel", "rawSealAndOpen"):
    if k in alloc:
        print(f"allocated per op {k:16s} {alloc[k]:8.0f} B (all threads)")
PY
