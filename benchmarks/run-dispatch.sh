#!/usr/bin/env bash
# Throughput of a node's /v1/call path into a Felix container against a bare Jetty handler doing the same work,
# both in one JVM, loaded alternately by wrk on loopback. Needs wrk (Debian: apt-get install wrk).
# Usage: benchmarks/run-dispatch.sh [rounds] [seconds-per-run] [connections]
# VESSEL_CPU_ISOLATION=auto|kernel|measured|off sets the node's CPU isolation (default: the node's own, auto).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; seconds="${2:-10}"; connections="${3:-16}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mvn -B -q -DskipTests -pl benchmarks -am install >&2
work="$(mktemp -d)"
trap 'exec 3>&- 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '["Ada"]'
wrk.headers["Content-Type"] = "application/json"
LUA
mkfifo "$work/stdin"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dvessel.bench.cpuIsolation="${VESSEL_CPU_ISOLATION:-}" \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.dispatch.DispatchTargets benchmarks/target/releases/greeter-1.0.0.jar \
  < "$work/stdin" > "$work/out" 2>"$work/err" &
server=$!
exec 3>"$work/stdin"
for _ in $(seq 1 120); do grep -q '^READY' "$work/out" 2>/dev/null && break; sleep 1; done
read -r _ vessel bare < <(grep '^READY' "$work/out") || { cat "$work/err" >&2; exit 1; }
vessel_url="http://127.0.0.1:$vessel/v1/call/greeter/1.0.0/greeter/greet"
bare_url="http://127.0.0.1:$bare/v1/call/greeter/1.0.0/greeter/greet"
curl -sf -X POST -H 'Content-Type: application/json' -d '["Ada"]' "$vessel_url" >/dev/null
curl -sf -X POST -H 'Content-Type: application/json' -d '["Ada"]' "$bare_url" >/dev/null
# The server JVM's CPU time (user + system, clock ticks) from /proc: with wrk on one core and the server on the
# other, either side can be the limit, so CPU per request is reported next to throughput.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK)
# prints "<req/s> <server CPU microseconds per request>"
run() {
  local before after
  before=$(cpu_ticks)
  wrk -t1 -c"$connections" -d"${seconds}s" -s "$work/post.lua" "$1" > "$work/last"
  after=$(cpu_ticks)
  cat "$work/last" >> "$work/wrk.log"
  awk -v cpu=$((after - before)) -v hz="$hz" '/requests in/ {n=$1} /Requests\/sec/ {r=$2}
    END {printf "%s %.2f\n", r, cpu / hz * 1e6 / n}' "$work/last"
}
echo "warm-up (not counted)"; run "$bare_url" >/dev/null; run "$vessel_url" >/dev/null
echo "| round | bare Jetty req/s | Vessel /v1/call req/s | throughput ratio | bare CPU µs/req | Vessel CPU µs/req |"
echo "|---|---|---|---|---|---|"
for r in $(seq 1 "$rounds"); do
  read -r b bcpu < <(run "$bare_url"); read -r v vcpu < <(run "$vessel_url")
  echo "| $r | $b | $v | $(awk -v v="$v" -v b="$b" 'BEGIN {printf "%.3f", v/b}') | $bcpu | $vcpu |"
done
errors=$(grep -cE "Socket errors|Non-2xx" "$work/wrk.log" || true)
echo "wrk runs reporting socket errors or non-2xx answers: $errors"
