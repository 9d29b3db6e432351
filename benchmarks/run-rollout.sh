#!/usr/bin/env bash
# Rollouts under issue 24's example rule on 3 node processes (see RolloutBenchmark's javadoc):
#   bad [greeter-faulty|greeter-slow] [runs]  a bad canary rolled back under load
#   good [runs]                               a good release promoted through every step
#   driver                                    the driving node killed (SIGKILL) during step 1
#   many [services=20]                        that many services rolling out at once
# Usage: benchmarks/run-rollout.sh bad|good|driver|many [arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.rollout.RolloutBenchmark benchmarks/target/releases "$@"
