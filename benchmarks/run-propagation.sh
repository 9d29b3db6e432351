#!/usr/bin/env bash
# Registry-change propagation to router clients (default 10) with 1, 100 and 1,000 instances (or the sizes given),
# against a bare CuratorCache. With "secured", each size runs a second time with the writer authenticated as the
# nodes (znodes under their ACL). With a burst, after each size's rounds that many instances are registered at once,
# then removed at once (one rollout's change), and each router's time and table hand-overs are counted.
# Usage: benchmarks/run-propagation.sh [rounds-per-size] [secured|open] [sizes, e.g. 1000,5000] [routers] [burst]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.router.PropagationBenchmark "${1:-50}" "${2:-open}" "${3:-1,100,1000}" "${4:-10}" "${5:-0}"
