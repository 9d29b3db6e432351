#!/usr/bin/env bash
# What one container costs: `./vessel up --demo` (its ZooKeeper, one node, three containers) in a process of its
# own, measured after it idled; then N more containers of a one-bundle release (the configurable greeter, one service
# each, the same artifact, so every container after the first starts from the cached artifact), measured after it
# idled again. Reports the JVM's RSS and threads as it idles, then (after a full GC) its heap used and metaspace used,
# the cost per further container, the threads that grew with the containers (by name, digits dropped), and each
# container's start on the node (from start to ACTIVE, as the node logs it). With a second argument, another
# checkout of Vessel (its jar built: `mvn -q package -DskipTests -pl deploy-tool -am` there) is measured the same way
# in turn, in the same run. Needs python3 and the JDK's jcmd and jstat.
# The JVM is sampled after idling for idle-seconds: the launcher's node hands unused heap back within about 40 s.
# Usage: benchmarks/run-density.sh [containers=10] [other-checkout] [rounds=1] [idle-seconds=45]
set -euo pipefail
cd "$(dirname "$0")/.."
containers="${1:-10}"
base="${2:-}"
rounds="${3:-1}"
idle="${4:-45}"
mvn -B -q -DskipTests -pl benchmarks -am install >&2
release="$PWD/benchmarks/target/releases/configurable-greeter.jar"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

sample() { # $1 java pid, $2 file: RSS KiB, threads, heap used KiB after a full GC, metaspace used KiB
  local rss threads
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$1/status")
  jcmd "$1" Thread.print | sed -n 's/^"\([^"]*\)".*/\1/p' | sed 's/[0-9]\+/N/g' | sort | uniq -c > "$2.threads"
  jcmd "$1" GC.run > /dev/null
  jstat -gc "$1" | awk -v rss="$rss" -v threads="$threads" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
    NR == 2 { printf "%d %d %.0f %.0f\n", rss, threads, $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"],
      $col["MU"] }' > "$2"
}

measure() { # $1 checkout, $2 label
  local home port launcher pid
  home="$(mktemp -d)"
  port=$((20000 + RANDOM % 20000))
  VESSEL_HOME="$home" VESSEL_LOG_LEVEL=info "$1/vessel" up --demo --port "$port" --zk-port $((port + 1)) \
    > "$home/up.log" 2>&1 &
  launcher=$!
  for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/v1/health" && break; sleep 0.1; done
  pid=$(pgrep -P "$launcher" -x java)
  # the JVM is measured as it idles: a fixed time, nothing waited for
  sleep "$idle"
  sample "$pid" "$results/$2.before"
  for i in $(seq 1 "$containers"); do
    VESSEL_HOME="$home" "$1/vessel" deploy "$release" --service "density-$i" > /dev/null 2>&1
  done
  active=$(VESSEL_HOME="$home" "$1/vessel" status | grep -c ' ACTIVE ' || true)
  [[ "$active" -eq $((3 + containers)) ]] || { echo "$2: $active containers ACTIVE" >&2; exit 1; }
  sleep "$idle"
  sample "$pid" "$results/$2.after"
  # the first fetched the artifact; a checkout whose node does not log its starts has none
  { grep -o 'density-[0-9]*-[^ ]* ACTIVE, started in [0-9]* ms' "$home/up.log" || true; } | awk '{print $(NF-1)}' \
    | tail -n +2 > "$results/$2.starts"
  kill -TERM "$launcher"
  wait "$launcher" 2>/dev/null || true
  rm -rf "$home"
}

labels=()
for round in $(seq 1 "$rounds"); do
  measure "$PWD" "this-$round"; labels+=("this-$round")
  if [[ -n "$base" ]]; then measure "$base" "other-$round"; labels+=("other-$round"); fi
done
python3 - "$results" "$containers" "${labels[@]}" <<'PY'
import statistics, sys
results, n, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def row(label, when):
    return [int(x) for x in open("%s/%s.%s" % (results, label, when)).read().split()]
print("| run | demo RSS MiB | demo threads | + %d containers RSS MiB | each: RSS MiB | each: threads "
      "| each: heap MiB | each: metaspace MiB | start p50 ms | start p90 ms |" % n)
print("|---|---|---|---|---|---|---|---|---|---|")
for label in labels:
    b, a = row(label, "before"), row(label, "after")
    starts = sorted(int(x) for x in open("%s/%s.starts" % (results, label)).read().split())
    p50 = "%.0f" % statistics.median(starts) if starts else "-"
    p90 = "%d" % starts[int(0.9 * (len(starts) - 1))] if starts else "-"
    print("| %s | %.1f | %d | %.1f | %.2f | %.1f | %.2f | %.2f | %s | %s |" % (
        label, b[0] / 1024, b[1], a[0] / 1024, (a[0] - b[0]) / 1024 / n, (a[1] - b[1]) / n,
        (a[2] - b[2]) / 1024 / n, (a[3] - b[3]) / 1024 / n, p50, p90))
def threads(label, when):
    counts = {}
    for line in open("%s/%s.%s.threads" % (results, label, when)):
        count, name = line.strip().split(" ", 1)
        counts[name] = int(count)
    return counts
print()
for label in labels:
    b, a = threads(label, "before"), threads(label, "after")
    grown = sorted(((a[k] - b.get(k, 0), k) for k in a if a[k] > b.get(k, 0)), reverse=True)
    print("%s: threads that grew with the containers: %s" % (
        label, ", ".join("%s +%d" % (k, d) for d, k in grown) or "none"))
PY
