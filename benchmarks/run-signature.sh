#!/usr/bin/env bash
# What checking a release's signature costs a node: SHA-256 of the release's jars (the comparison) and the trust
# policy's Ed25519 check of the signed digests (see SignatureCheckBenchmark's javadoc).
# Usage: benchmarks/run-signature.sh [MiB=64] [jars=4] [runs=10]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.signing.SignatureCheckBenchmark "$@"
