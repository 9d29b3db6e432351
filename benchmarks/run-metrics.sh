#!/usr/bin/env bash
# GET /metrics on a node with many containers that have answered calls, against GET /v1/health in the same run.
# Usage: benchmarks/run-metrics.sh [containers=100] [requests=200]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.metrics.MetricsScrapeBenchmark benchmarks/target/releases "${1:-100}" "${2:-200}"
