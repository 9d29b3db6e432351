#!/usr/bin/env bash
# Load spread (max/average) of keyed calls: plain consistent-hash rings against Vessel's bounded-load ring.
# Usage: benchmarks/run-router-spread.sh [calls-per-instance] [in-flight-per-instance]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.router.LoadSpread "${1:-10000}" "${2:-100}"
