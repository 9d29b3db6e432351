#!/usr/bin/env bash
# The quorum the nodes run, measured from outside (see QuorumBenchmark's javadoc): grow 1 -> 3 voters, a killed
# voter replaced, the ZooKeeper leader killed; writes and data-plane calls counted throughout.
# With a fourth argument `recover`: two of three voters killed for good, the quorum re-founded from the third
# (vessel quorum recover) and grown back to three voters.
# Usage: benchmarks/run-quorum.sh [stabilization s=10] [removal threshold s=30] [tls|recover]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.quorum.QuorumBenchmark benchmarks/target/releases "$@"
