#!/usr/bin/env bash
# The dashboard's first render in headless Chromium (Debian's chromium and chromium-driver), against a one-node
# `vessel up --demo` in its own process: the demo, then the same page with 49 simulated nodes and 20 simulated
# services of 3 versions added to its registry, in one run.
# Usage: benchmarks/run-dashboard.sh [runs=10] [simulated nodes=49] [services=20] [versions=3]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null && command -v chromedriver >/dev/null \
  || { echo "needs chromium and chromium-driver (apt-get install chromium chromium-driver)" >&2; exit 1; }
mvn -B -q -DskipTests -pl benchmarks -am install >&2
source benchmarks/demo-cluster.sh
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.dashboard.DashboardRenderBenchmark "$VESSEL_HOME" "${1:-10}" "${2:-49}" "${3:-20}" "${4:-3}"
