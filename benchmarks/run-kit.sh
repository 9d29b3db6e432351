#!/usr/bin/env bash
# How long the test kit's clusters (dev.vessel:vessel-test) take to be ready and to close in a warm JVM, against
# Curator's TestingServer in the same run (see KitStartBenchmark's javadoc).
# Usage: benchmarks/run-kit.sh [repeats=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.kit.KitStartBenchmark "$@"
