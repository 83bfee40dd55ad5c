#!/usr/bin/env bash
# bench/rest/run.sh - the REST API's latency target: GET /connectors/{c}/status p99 under 5 ms
# with 100 connectors on the worker and 50 concurrent clients (keep-alive, closed loop).
#
#   tests/services/services.sh start kafka && eval "$(tests/services/services.sh env)"
#   bench/rest/run.sh
#
# Builds ferry (release, no sanitizers) and the test plugins into build-bench-rest/, the load tool
# into the same directory, starts a worker on the real broker (FERRY_TEST_BOOTSTRAP; the embedded
# Kafka without it), creates BENCH_CONNECTORS idle SequenceSource connectors over REST, waits
# until every task runs, then runs rest_load BENCH_RUNS times and prints the percentiles.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build-bench-rest"
connectors=${BENCH_CONNECTORS:-100}
clients=${BENCH_CLIENTS:-50}
load_threads=${BENCH_LOAD_THREADS:-1}
seconds=${BENCH_SECONDS:-20}
runs=${BENCH_RUNS:-3}
target_ms=${BENCH_TARGET_MS:-5}
run_id="rbench-$(date +%s)-$$"

. "$root/bench/lib.sh"
bench_init rest
bench_ports 1 "${BENCH_PORT:-}"
port=$bench_port

if [[ ! -d "$build" ]]; then
    meson setup "$build" "$root" --buildtype=release -Db_ndebug=true >/dev/null
fi
meson compile -C "$build" ferry sequence >/dev/null
cc -O2 -Wall -Wextra -I"$root" -o "$build/rest_load" "$here/rest_load.c" "$root/support/array.c" -lpthread

bootstrap=${FERRY_TEST_BOOTSTRAP:-embedded}
cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=$bootstrap
group.id=$run_id
offset.storage.topic=$run_id-offsets
config.storage.topic=$run_id-configs
status.storage.topic=$run_id-status
offset.storage.replication.factor=1
config.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=5
status.storage.partitions=3
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
plugin.path=$build/tests/plugins/sequence
listeners=http://127.0.0.1:$port
EOF

FERRY_LOG_LEVEL=warn start_bg "$tmp/ferry.log" "$build/worker/ferry" standalone \
    "$tmp/worker.properties"
ferry_pid=$bg_pid
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "$base/health" >/dev/null || { tail "$tmp/ferry.log" >&2; die "ferry did not start"; }

paths=()
for i in $(seq 1 "$connectors"); do
    name="bench-$i"
    curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "$base/connectors" \
        -d "{\"name\":\"$name\",\"config\":{\"connector.class\":\"SequenceSource\",\"topic\":\"$run_id-t\",\"count\":\"0\",\"partitions\":\"1\"}}"
    paths+=("/connectors/$name/status")
done
for _ in $(seq 1 600); do
    running=$(curl -sf "$base/connectors?expand=status" | grep -o '"state":"RUNNING"' | wc -l)
    [[ "$running" -ge $((connectors * 2)) ]] && break
    sleep 0.1
done
echo "ferry with $connectors connectors ($running connector and task states RUNNING)," \
     "RSS $(awk '/VmRSS/ {print $2, $3}' "/proc/$ferry_pid/status"), $clients clients," \
     "$seconds s per run, broker $bootstrap"

p99s=()
for run in $(seq 1 "$runs"); do
    out=$("$build/rest_load" 127.0.0.1 "$port" "$load_threads" "$clients" "$seconds" "${paths[@]}")
    echo "run $run: $(echo "$out" | head -2 | tr '\n' ' ')"
    p99s+=("$(echo "$out" | sed -n 's/^p99_ms=//p')")
done
median=$(median "${p99s[@]}")
verdict=$(verdict "$median" "<" "$target_ms")
echo "GET status p99, median of $runs runs: $median ms (target < $target_ms ms): $verdict"
[[ "$verdict" == PASS ]]
