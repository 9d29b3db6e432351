#!/usr/bin/env bash
# Faults measured from outside against node processes on loopback (see FaultBenchmark's javadoc):
#   noisy [seconds]   greeter alone, then beside a saturated sleeping release, in one run
#   frozen [seconds]  one of three nodes under SIGSTOP for that long, under idempotent load
# Usage: benchmarks/run-faults.sh noisy|frozen [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.faults.FaultBenchmark benchmarks/target/releases "$@"
