#!/usr/bin/env bash
# From a new configuration revision to every container having applied and acknowledged it: 3 nodes x 3 versions
# under call load, and 100 containers; against a bare ZooKeeper change seen by a CuratorCache (see
# ConfigurationBenchmark's javadoc).
# Usage: benchmarks/run-config.sh [rounds=50]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.config.ConfigurationBenchmark benchmarks/target/releases "${1:-50}"
