#!/usr/bin/env bash
# Registry-change propagation to 10 router clients with 1, 100 and 1,000 instances, against a bare CuratorCache.
# With "secured", each size runs a second time with the writer authenticated as the nodes (znodes under their ACL).
# Usage: benchmarks/run-propagation.sh [rounds-per-size] [secured]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.router.PropagationBenchmark "${1:-50}" "${2:-}"
