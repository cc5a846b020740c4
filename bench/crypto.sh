#!/usr/bin/env bash
# WireGuard crypto: transport seal/open vs raw JCE (ratio), handshakes/s per core, X25519 BC vs JDK, bytes allocated per op.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="$root/agent/target/bench"
mkdir -p "$out"
./mvnw -B -q -o -pl agent test-compile
./mvnw -B -q -o -pl agent dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt" >/dev/null
cp="$root/agent/target/test-classes:$root/agent/target/classes:$(cat "$out/cp.txt")"
filter="${1:-TransportCryptoBench|HandshakeBench|HandshakeResponderBench|X25519Bench}"
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main "dev.wgmesh.bench.($filter)" \
  -prof gc -rf json -rff "$out/crypto.json" "${@:2}" | grep -E "^(Benchmark|[A-Za-z0-9]+Bench\.)" | grep -v "gc\.\(count\|time\|alloc\.rate \)" || true
python3 - "$out/crypto.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
score, alloc = {}, {}
for r in rows:
    name = r["benchmark"].split(".")[-1]
    score[name] = r["primaryMetric"]["score"]
    g = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    if g:
        alloc[name] = g["score"]
def line(label, ours, ref):
    if ours in score and ref in score:
        print(f"{label:28s} reference {score[ref]:>12,.0f} ops/s  ours {score[ours]:>12,.0f} ops/s  ratio {score[ours]/score[ref]:.2f}")
print()
line("seal 1420 B (vs raw JCE)", "sealOurs", "sealRawJce")
line("open 1420 B (vs raw JCE)", "openOurs", "openRawJce")
line("X25519 (BC vs JDK XDH)", "bouncyCastle", "jdkXdh")
if "completeHandshake" in score:
    print(f"{'complete handshakes/s/core':28s} {score['completeHandshake']:,.0f}  (goal >= 3,000; both sides' work on one core)")
if "responderSide" in score:
    print(f"{'responder side only /s/core':28s} {score['responderSide']:,.0f}  (consume initiation + response + keys)")
for k in ("sealOurs", "sealRawJce", "openOurs", "openRawJce", "completeHandshake", "responderSide"):
    if k in alloc:
        print(f"allocated per op {k:20s} {alloc[k]:8.0f} B")
if "sealOurs" in score:
    print(f"seal throughput ours: {score['sealOurs']*1420*8/1e9:.2f} Gb/s per core")
PY
