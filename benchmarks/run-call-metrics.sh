#!/usr/bin/env bash
# Cost of recording one call in the node's metrics (JMH, one fork, two threads).
# Usage: benchmarks/run-call-metrics.sh [extra JMH options]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main \
  'dev.vessel.bench.metrics.CallMetricsBenchmark' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc \
  -jvmArgsAppend -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@"
