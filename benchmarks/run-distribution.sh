#!/usr/bin/env bash
# Peer-to-peer artifact distribution against origin-only, in one run; results go to docs/benchmarks.md by hand.
# Usage: benchmarks/run-distribution.sh [artifact-MiB] [serving-MiB/s] [node-counts] [modes: peers,origin] [chunk-KiB]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx512m -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.DistributionBenchmark benchmarks/target/releases "${1:-64}" "${2:-8}" "${3:-8,16}" "${4:-peers,origin}" "${5:-1024}"
