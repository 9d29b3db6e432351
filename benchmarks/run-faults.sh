#!/usr/bin/env bash
# Faults measured from outside against node processes on loopback (see FaultBenchmark's javadoc):
#   noisy [seconds]   greeter alone, then beside a saturated sleeping release, in one run
#   frozen [seconds]  one of three nodes under SIGSTOP for that long, under idempotent load
#   leader [runs]     the leader of a 3-server ZooKeeper ensemble killed under load, on a fresh ensemble per run
#   outage [seconds=30] [runs=1] [restart|-] [clients=1]  every server of a 3-server ensemble killed for that long,
#                                 under load from that many clients (each its own session, all reconnecting at once)
#   holder [seconds]  the only holder of a release's jar down for that long while a second node needs it
#   stall             a peer that stalls mid-body, with the default 30 s chunk timeout
#   slow [connections=1000] [seconds per phase=30] [interval ms=5000]
#                     a paced client and health alone, beside connections sending a byte per interval, alone again
#   silent [connections=5000] [seconds per phase=30] [reopen ms=1000] [from=127.0.0.2]
#                     the same beside connections from one other loopback address that never send a byte (one the
#                     node closes is opened again after reopen ms)
# Usage: benchmarks/run-faults.sh noisy|cpu|frozen|leader|outage|holder|stall|slow|silent [arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -pl benchmarks -am install >&2
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  dev.vessel.bench.faults.FaultBenchmark benchmarks/target/releases "$@"
