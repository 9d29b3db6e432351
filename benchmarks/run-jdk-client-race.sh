#!/usr/bin/env bash
# The JDK HttpClient defect behind rare "header parser received no bytes" failures of answered calls (see
# PooledConnectionRace's javadoc; reported as JDK-8338569). Set JAVA to compare JDKs.
# Usage: benchmarks/run-jdk-client-race.sh client|url|vessel [calls per thread] [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec "${JAVA:-java}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.router.PooledConnectionRace "$@"
