#!/usr/bin/env bash
# Hot-deploy latency and failed calls during upgrades; results go to docs/benchmarks.md by hand.
# Usage: benchmarks/run-hot-deploy.sh [deploys-per-size] [upgrades-under-load]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx1g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.HotDeployBenchmark benchmarks/target/releases "${1:-30}" "${2:-20}"
