#!/usr/bin/env bash
# How soon a node restarted for a host upgrade serves again: a one-node `vessel up` (its ZooKeeper) in a process of
# its own, and a second node, `./vessel node`, running greeter 1.0.0 (one container, its artifact cached). Each run
# stops that node with SIGTERM, starts it again and times, from the start, its health answering, its container
# answering a call, and its instance registered ACTIVE (read through the first node). The same runs with the
# launcher's class-data sharing archive off (VESSEL_CDS=0) and on, alternating, in one run.
# Usage: benchmarks/run-restart.sh [runs=5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mvn -B -q -DskipTests -pl deploy-tool -am install >&2
source benchmarks/demo-cluster.sh
token="$(cat "$VESSEL_HOME/token")"
node_port=$((port + 10))
data="$VESSEL_HOME/restarted"
zk="127.0.0.1:$((port + 1))"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
start_node() {
  env VESSEL_CDS="$1" ./vessel node --zk "$zk" --token-file "$VESSEL_HOME/token" --port "$node_port" \
    --name restarted --data "$data" >> "$VESSEL_HOME/node.log" 2>&1 &
  node=$!
}
stop_node() {
  kill -TERM "$node" 2>/dev/null || true
  wait "$node" 2>/dev/null || true
}
registered() {
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/admin/instances/greeter" \
    | grep -q '"id":"restarted.greeter-1.0.0"[^}]*"state":"ACTIVE"'
}
answers() {
  curl -sf -X POST -H 'Content-Type: application/json' -d '["Ada"]' \
    "http://127.0.0.1:$node_port/v1/call/greeter/1.0.0/greeter/greet" | grep -q Ada
}
# only 1.0.0 on every node; the first start fetches it and, with CDS on, its stop writes the launcher's archive
./vessel retire greeter 1.1.0 > /dev/null
./vessel retire greeter 2.0.0 > /dev/null
start_node 1
for _ in $(seq 1 600); do registered && break; sleep 0.1; done
stop_node
echo "| run | class-data sharing | health (ms) | first call answered (ms) | registered ACTIVE (ms) |"
echo "|---|---|---|---|---|"
for run in $(seq 1 "$runs"); do
  for cds in 0 1; do
    start=$(now_ms); health=""; call=""; reg=""
    start_node "$cds"
    for _ in $(seq 1 3000); do
      [[ -z "$health" ]] && curl -sf -o /dev/null "http://127.0.0.1:$node_port/v1/health" && health=$(( $(now_ms) - start ))
      [[ -z "$call" ]] && answers && call=$(( $(now_ms) - start ))
      [[ -z "$reg" ]] && registered && reg=$(( $(now_ms) - start ))
      [[ -n "$health" && -n "$call" && -n "$reg" ]] && break
      sleep 0.02
    done
    echo "| $run | $([[ $cds == 1 ]] && echo on || echo off) | $health | $call | $reg |"
    stop_node
  done
done
