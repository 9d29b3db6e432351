#!/usr/bin/env bash
# `vessel deploy` of a small release (the configurable greeter, 1 bundle, ~10 KB) from command to "done", against
# an idle one-node `vessel up --demo` in its own process, through ./vessel as a user runs it. Each run deploys a
# release never seen before (a copy with its own version, so its bytes are uploaded too), alternately following
# the rollout through the node's admin API (what ./vessel does for a cluster `vessel up` recorded) and through a
# ZooKeeper session of its own (VESSEL_READ_VIA_ZOOKEEPER=1, as before), to one service each. With a second
# argument, another checkout of Vessel (its jar built: `mvn -q package -DskipTests -pl deploy-tool -am` there) whose
# launcher deploys too, through the node, in turn with the others, to a service of its own.
# Usage: benchmarks/run-deploy.sh [runs=10] [other-checkout]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
base="${2:-}"
mvn -B -q -DskipTests -pl benchmarks -am install >&2
source benchmarks/demo-cluster.sh
versions=()
for i in $(seq 0 "$runs"); do versions+=("1.$i.0" "1.$i.1" "1.$i.2"); done
java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.vessel.bench.ReleaseCopies \
  benchmarks/target/releases/configurable-greeter.jar "$VESSEL_HOME/jars" "${versions[@]}" > /dev/null
deploy() { # $1 path: node|zk|other, $2 version
  local jar="$VESSEL_HOME/jars/configurable-greeter-$2.jar" start end
  start=$(date +%s%N)
  case "$1" in
    zk) VESSEL_READ_VIA_ZOOKEEPER=1 ./vessel deploy "$jar" --service "timed-$1" > /dev/null 2>&1 ;;
    other) "$base/vessel" deploy "$jar" --service "timed-$1" > /dev/null 2>&1 ;;
    *) ./vessel deploy "$jar" --service "timed-$1" > /dev/null 2>&1 ;;
  esac
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
# the launcher's first run of a verb after a build makes its class-data archive: warm-up, not counted
./vessel status > /dev/null
deploy node 1.0.0 > /dev/null; deploy zk 1.0.1 > /dev/null
[[ -n "$base" ]] && deploy other 1.0.2 > /dev/null
node=(); zk=(); other=()
for i in $(seq 1 "$runs"); do
  order=(node zk); (( i % 2 )) || order=(zk node)
  [[ -n "$base" ]] && order+=(other)
  for path in "${order[@]}"; do
    case "$path" in
      node) node+=("$(deploy node "1.$i.0")") ;;
      zk) zk+=("$(deploy zk "1.$i.1")") ;;
      other) other+=("$(deploy other "1.$i.2")") ;;
    esac
  done
done
python3 - "${node[*]}" "${zk[*]}" "${other[*]:-}" <<'PY'
import statistics, sys
node = [int(x) for x in sys.argv[1].split()]
zk = [int(x) for x in sys.argv[2].split()]
def row(name, xs):
    s = sorted(xs)
    print("| %s | %d | %.0f | %d | %d | %d |" % (name, len(s), statistics.median(s), s[int(0.9 * (len(s) - 1))], s[0], s[-1]))
print("| vessel deploy, rollout followed | runs | median ms | p90 ms | min ms | max ms |")
print("|---|---|---|---|---|---|")
row("through the node's admin API", node)
row("through its own ZooKeeper session", zk)
print("median ratio ZooKeeper / node: %.2f" % (statistics.median(zk) / statistics.median(node)))
if sys.argv[3].strip():
    other = [int(x) for x in sys.argv[3].split()]
    row("other checkout, through the node's admin API", other)
    print("median ratio this checkout / other: %.2f" % (statistics.median(node) / statistics.median(other)))
PY
