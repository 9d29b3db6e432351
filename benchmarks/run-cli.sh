#!/usr/bin/env bash
# How long the CLI's verbs take from a shell, against an idle one-node `vessel up --demo` in its own process:
# the jar run plainly (`java -jar`, as before the launcher did more), the ./vessel launcher (class-data sharing
# archive, client compiler) reading ZooKeeper itself (VESSEL_READ_VIA_ZOOKEEPER=1, how read verbs worked before),
# and the launcher as it is (read verbs asked of a node), in one hyperfine run. Needs hyperfine and python3.
# With a second argument, another checkout of Vessel (its jar built: `mvn -q package -DskipTests -pl deploy-tool
# -am` there) whose launcher runs each verb too, against the same cluster, in the same hyperfine run.
# Usage: benchmarks/run-cli.sh [runs=10] [other-checkout]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
base="${2:-}"
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
mvn -B -q -DskipTests -pl deploy-tool -am install >&2
jar=deploy-tool/target/vessel.jar
source benchmarks/demo-cluster.sh
call="call greeter greeter greet Ada --range [1.0,2.0)"
# the first run of each verb after a build makes that verb's class-data archive: made here, by the launcher asking
# a node, before any run through ZooKeeper (which loads other classes) could make it
for launcher in ./vessel ${base:+"$base/vessel"}; do
  for verb in status "history greeter" "releases greeter" "$call"; do
    $launcher $verb > /dev/null
  done
done
zk="env VESSEL_READ_VIA_ZOOKEEPER=1 ./vessel"
commands=("java -jar $jar --version" "./vessel --version"
  "java -jar $jar status" "$zk status" "./vessel status"
  "java -jar $jar history greeter" "$zk history greeter" "./vessel history greeter"
  "java -jar $jar releases greeter" "$zk releases greeter" "./vessel releases greeter"
  "java -jar $jar $call" "./vessel $call")
if [[ -n "$base" ]]; then
  commands+=("$base/vessel --version" "$base/vessel status" "$base/vessel history greeter"
    "$base/vessel releases greeter" "$base/vessel $call")
fi
hyperfine -N -w 2 -r "$runs" --style none --export-json "$VESSEL_HOME/cli.json" "${commands[@]}"
python3 - "$VESSEL_HOME/cli.json" "$base" <<'PY'
import json, sys
print("| command | median ms | mean ms | min ms | max ms |")
print("|---|---|---|---|---|")
for r in json.load(open(sys.argv[1]))["results"]:
    name = r["command"].replace("deploy-tool/target/", "")
    if sys.argv[2]:
        name = name.replace(sys.argv[2] + "/", "other/")
    print("| `%s` | %.0f | %.0f ± %.0f | %.0f | %.0f |" % (name, r["median"] * 1e3, r["mean"] * 1e3, r["stddev"] * 1e3, r["min"] * 1e3, r["max"] * 1e3))
PY
