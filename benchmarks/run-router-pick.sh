#!/usr/bin/env bash
# Pick cost and allocation of Vessel's routing table against Curator's ServiceProvider (JMH, one fork).
# Usage: benchmarks/run-router-pick.sh [extra JMH options, e.g. -i 10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" org.openjdk.jmh.Main \
  'dev.vessel.bench.router.PickBenchmark' -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc \
  -jvmArgsAppend -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@"
