#!/usr/bin/env bash
# End to end: controller on fresh PostgreSQL + three `wgmesh-agent run` processes in three network namespaces.
#
# Usage (root, after ./wgmesh build): agent/src/test/e2e/agents-mesh.sh
# Checks: enrolment with the join token -> tunnels up -> every pair pings through the tunnel; controller restart
# loses no ping; an agent restarted while the controller is down brings its tunnels back from last-config.pb; a
# revoked agent is cut off; a wrong CA pin and an unknown key are refused with clear errors.
# Everything it creates (namespaces, veths, bridge, database, processes, temp dir) is removed on exit, also on
# failure; every wait is bounded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
. "$root/bin/jdk.sh"
wgmesh_select_jdk || exit 1
export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
jar="$root/controller/target/wgmesh-controller.jar"
[ -f "$jar" ] && [ -f "$root/agent/target/wgmesh-agent.jar" ] || { echo "build first: ./wgmesh build"; exit 1; }

s=$(( (RANDOM % 200) + 20 ))
suffix="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
br="wgmbr$suffix"
net="10.250.$s"
db="wgmesh_e2e_${suffix}_$$"
work="$(mktemp -d)"
http="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
grpc=$(( 20000 + RANDOM % 20000 ))
ctl_pid=""
declare -A agent_pid
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
  set +e
  for n in 1 2 3; do
    [ -n "${agent_pid[$n]:-}" ] && kill "${agent_pid[$n]}" 2>/dev/null && wait "${agent_pid[$n]}" 2>/dev/null
    ip netns del "wgm$suffix-$n" 2>/dev/null
  done
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null && wait "$ctl_pid" 2>/dev/null
  ip link del "$br" 2>/dev/null
  psql -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  if [ "${KEEP_LOGS:-}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- network: a bridge on the host with three namespaces on it
ip link add "$br" type bridge
ip addr add "$net.1/24" dev "$br"
ip link set "$br" up
for n in 1 2 3; do
  ns="wgm$suffix-$n"
  ip netns add "$ns"
  ip link add "v$suffix$n" type veth peer name eth0 netns "$ns"
  ip link set "v$suffix$n" master "$br" up
  ip -n "$ns" addr add "$net.1$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

# ---- controller
start_controller() {
  SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" SPRING_DATASOURCE_USERNAME="$PGUSER" \
    SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" WGMESH_DATA_DIR="$work/ctl" PORT="$http" WGMESH_GRPC_PORT="$grpc" \
    WGMESH_GRPC_TLS_EXTRASANS="$net.1" WGMESH_ADMIN_USERNAME=e2e WGMESH_ADMIN_PASSWORD="$admin_password" \
    "$JAVA" -Xmx512m -jar "$jar" --server.address=127.0.0.1 >>"$work/controller.log" 2>&1 &
  ctl_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$http/actuator/health" 2>/dev/null | grep -q '"UP"' && return 0
    kill -0 "$ctl_pid" 2>/dev/null || { tail -40 "$work/controller.log"; fail "controller exited"; }
    sleep 1
  done
  fail "controller not healthy in 120 s"
}
stop_controller() { kill "$ctl_pid"; wait "$ctl_pid" 2>/dev/null || true; ctl_pid=""; }
psql -q -d postgres -c "CREATE DATABASE $db" >/dev/null
admin_password="e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
start_controller
cookies="$work/cookies"
curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' \
  -d "{\"username\":\"e2e\",\"password\":\"$admin_password\"}" "http://127.0.0.1:$http/api/v1/auth/login" >/dev/null
xsrf="$(awk '$6 == "XSRF-TOKEN" { v = $7 } END { print v }' "$cookies")"
token="$(curl -fsS -c "$cookies" -b "$cookies" -H 'Content-Type: application/json' -H "X-XSRF-TOKEN: $xsrf" \
  -d '{"name":"e2e","scope":"WRITE"}' "http://127.0.0.1:$http/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
api() { # METHOD PATH [BODY]
  curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"} "http://127.0.0.1:$http$2"
}
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
network="$(api POST /api/v1/networks '{"name":"e2e","ipv4Prefix":"10.77.0.0/24"}' | jq_ 'd["id"]')"
site="$(api POST "/api/v1/networks/$network/sites" '{"name":"lab","lanPrefixes":[]}' | jq_ 'd["id"]')"
key_json="$(api POST "/api/v1/networks/$network/enrolment-keys" "{\"name\":\"e2e\",\"reusable\":true,\"usageLimit\":3,\"siteId\":\"$site\"}")"
join="$(echo "$key_json" | jq_ 'd["joinToken"]')"
secret="${join%%.*}"
echo "network $network, controller http 127.0.0.1:$http grpc $net.1:$grpc"

# ---- refusals first (no interface is created before enrolment succeeds)
wrong_pin="$secret.$(printf '%064d' 0)"
if ip netns exec "wgm$suffix-1" timeout 30 "$root/bin/wgmesh-agent" run --controller "$net.1:$grpc" \
    --enrol-key "$wrong_pin" --interface wgmx --state-dir "$work/bad1" 2>"$work/bad1.err"; then
  fail "an agent with a wrong CA pin enrolled"
fi
grep -q "does not match the pinned fingerprint" "$work/bad1.err" || { cat "$work/bad1.err"; fail "unclear wrong-pin error"; }
echo "ok: wrong CA pin refused: $(grep -o 'refusing to enrol.*' "$work/bad1.err" | head -c 160)"
if ip netns exec "wgm$suffix-1" timeout 30 "$root/bin/wgmesh-agent" run --controller "$net.1:$grpc" \
    --enrol-key "wgek_nosuchkey.${join##*.}" --interface wgmx --state-dir "$work/bad2" 2>"$work/bad2.err"; then
  fail "an agent with an unknown key enrolled"
fi
grep -q "enrolment key" "$work/bad2.err" || { cat "$work/bad2.err"; fail "unclear bad-key error"; }
echo "ok: unknown enrolment key refused: $(tail -1 "$work/bad2.err")"

# ---- three agents
start_agent() { # N
  ip netns exec "wgm$suffix-$1" "$root/bin/wgmesh-agent" run --controller "$net.1:$grpc" --enrol-key "$join" \
    --interface wgm0 --state-dir "$work/a$1" --stats-interval 2s >>"$work/agent$1.log" 2>&1 &
  agent_pid[$1]=$!
}
for n in 1 2 3; do start_agent "$n"; done
tunnel_addr() { python3 -c "import json; print(json.load(open('$work/a$1/identity.json'))['tunnelAddresses'][0].split('/')[0])"; }
for _ in $(seq 1 60); do
  [ -f "$work/a1/identity.json" ] && [ -f "$work/a2/identity.json" ] && [ -f "$work/a3/identity.json" ] && break
  sleep 1
done
for n in 1 2 3; do [ -f "$work/a$n/identity.json" ] || { tail -30 "$work/agent$n.log"; fail "agent $n did not enrol"; }; done
declare -A addr
for n in 1 2 3; do addr[$n]="$(tunnel_addr "$n")"; done
echo "ok: three agents enrolled (${addr[1]}, ${addr[2]}, ${addr[3]})"

ping_ok() { # FROM TO [SECONDS]
  local deadline=$(( SECONDS + ${3:-30} ))
  while [ $SECONDS -lt $deadline ]; do
    ip netns exec "wgm$suffix-$1" ping -c 1 -W 1 "${addr[$2]}" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
for a in 1 2 3; do for b in 1 2 3; do
  [ "$a" = "$b" ] && continue
  ping_ok "$a" "$b" 60 || { tail -20 "$work/agent$a.log"; fail "agent $a cannot ping agent $b through the tunnel"; }
done; done
echo "ok: every pair pings through the tunnel"
agents_json="$(api GET "/api/v1/agents?networkId=$network")"
echo "$agents_json" | python3 -c '
import json,sys
items=json.load(sys.stdin)["items"]
for a in items: print("   agent", a["id"][:8], "online", a["online"], "rev", a["appliedRevision"], "/", a["desiredRevision"], "drift", a["drift"])
assert all(not a["drift"] for a in items), "drift reported"'

# ---- controller restart: pings keep flowing (the data plane does not depend on the controller)
ip netns exec "wgm$suffix-1" ping -i 0.2 -W 1 "${addr[2]}" >"$work/ping-restart.txt" 2>&1 &
ping_pid=$!
stop_controller
sleep 2
start_controller
sleep 2
kill -INT "$ping_pid"; wait "$ping_pid" 2>/dev/null || true
loss="$(grep -o '[0-9.]*% packet loss' "$work/ping-restart.txt" || echo '?')"
grep -q ' 0% packet loss' "$work/ping-restart.txt" || { cat "$work/ping-restart.txt" | tail -3; fail "pings lost during controller restart ($loss)"; }
echo "ok: controller restart lost no ping ($(grep -o '[0-9]* packets transmitted' "$work/ping-restart.txt"))"

# ---- agent restart with the controller down: tunnels come back from last-config.pb
stop_controller
kill "${agent_pid[3]}"; wait "${agent_pid[3]}" 2>/dev/null || true
start_agent 3
ping_ok 1 3 30 || { tail -20 "$work/agent3.log"; fail "agent 3 did not come back fail-static"; }
ping_ok 3 2 30 || fail "agent 3 (fail-static) cannot reach agent 2"
echo "ok: agent restarted while the controller was down brings its tunnels back from last-config.pb"
start_controller

# ---- revocation: the revoked agent is cut off
agent3="$(python3 -c "import json; print(json.load(open('$work/a3/identity.json'))['agentId'])")"
api POST "/api/v1/agents/$agent3/revoke" >/dev/null
deadline=$(( SECONDS + 30 ))
until grep -q "PERMISSION_DENIED\|revoked this agent" "$work/agent3.log" || [ $SECONDS -ge $deadline ]; do sleep 1; done
grep -q "PERMISSION_DENIED\|revoked this agent" "$work/agent3.log" || fail "revoked agent 3 still syncs"
echo "ok: revoked agent 3 can no longer sync"
# Cut-off also needs the controller to drop agent 3 from the other agents' maps (and/or send tear_down=true).
deadline=$(( SECONDS + 30 ))
while [ $SECONDS -lt $deadline ] && ip netns exec "wgm$suffix-1" ping -c 1 -W 1 "${addr[3]}" >/dev/null 2>&1; do sleep 1; done
ip netns exec "wgm$suffix-1" ping -c 2 -W 1 "${addr[3]}" >/dev/null 2>&1 && fail "revoked agent 3 is still reachable"
ping_ok 1 2 10 || fail "agents 1 and 2 lost each other after revoking 3"
echo "ok: revoked agent cut off; the others still ping each other"
echo "PASS"
