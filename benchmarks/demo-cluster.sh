# Sourced by the shell benchmarks after they built the jar: a one-node `vessel up --demo` in a process of its own,
# with a VESSEL_HOME of its own, serving before this returns, stopped (and its home removed) when the script exits.
# Sets VESSEL_HOME and port.
export VESSEL_HOME="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
java -jar deploy-tool/target/vessel.jar up --demo --port "$port" --zk-port $((port + 1)) > "$VESSEL_HOME/up.log" 2>&1 &
up=$!
trap 'kill -TERM $up 2>/dev/null; wait $up 2>/dev/null || true; rm -rf "$VESSEL_HOME"' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/v1/health" && break; sleep 0.1; done
