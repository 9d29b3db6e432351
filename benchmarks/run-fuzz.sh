#!/usr/bin/env bash
# The fuzz suite at benchmark size: every admin and data-plane route of one real node gets generated requests
# (a seeded random mutator of valid ones, plus a table of malformed request lines); prints how many were tried,
# the answers by status, and any answer outside the error contract. The test run uses 3,000.
# Usage: benchmarks/run-fuzz.sh [requests] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests install >&2
mvn -B -pl host-runtime test -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dvessel.fuzz.requests="${1:-100000}" -Dvessel.fuzz.seed="${2:-20261202}" | grep -E '^fuzz:|Tests run:|FAIL'
