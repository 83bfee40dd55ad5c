#!/usr/bin/env bash
# bench/runtime/first_record.sh - first-record latency of a new source connector on a new topic:
# a running `ferry standalone` worker on the real broker (auto.create.topics.enable=false, as
# tests/services sets it) is given a SequenceSource over REST (POST /connectors) whose topic does
# not exist and whose topic.creation.default.* keys make the task create it; the figure is the
# time from the request to the first record acknowledged, i.e. in the topic (topic_tool watch
# polls its end offsets every BENCH_WATCH_MS, 5 by default, so a figure is at most that much
# late). Target: under 200 ms (exactly-once off). For comparison, the same with the topic
# created beforehand (no creation on the task's path).
#
# Every figure is the median of BENCH_RUNS (10) connectors, each on a topic of its own, the two
# variants alternating, on one worker.
#
# Usage: bench/runtime/first_record.sh
# Needs: the Kafka of tests/services (tests/services/services.sh start; FERRY_TEST_BOOTSTRAP from
# its env), meson, ninja, cc, curl, pkg-config rdkafka and jansson. Builds ferry (release) and the
# sequence test plugin into build-bench/ (BENCH_BUILD: another build directory), topic_tool into
# its bench-tools/.
# Topics and groups the run creates carry its run id and are deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-10}
WATCH_MS=${BENCH_WATCH_MS:-5}
TARGET_MS=200

build=${BENCH_BUILD:-$root/build-bench}
tools=$build/bench-tools
ferry=$build/worker/ferry
sequence_dir=$build/tests/plugins/sequence

[ -n "${FERRY_TEST_BOOTSTRAP:-}" ] ||
    { echo "FERRY_TEST_BOOTSTRAP is not set: eval \"\$(tests/services/services.sh env)\"" >&2; exit 2; }

run_id="fbench-first-$(date +%s)-$$"
kafka_used=0

. "$root/bench/lib.sh"
bench_init runtime
bench_stop_seconds=5

bench_cleanup() { # the run's topics and groups
    bench_topics_cleanup
}

command -v curl >/dev/null || die "curl is needed"
build_ferry ferry sequence
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
kafka_used=1

bench_ports 1
port=$bench_port
cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
plugin.path=$sequence_dir
listeners=http://127.0.0.1:$port
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
group.id=$run_id-cluster
offset.storage.topic=$run_id-offsets
offset.storage.replication.factor=1
config.storage.topic=$run_id-configs
config.storage.replication.factor=1
status.storage.topic=$run_id-status
status.storage.replication.factor=1
EOF
start_bg "$tmp/worker.log" "$ferry" standalone "$tmp/worker.properties"
for (( i = 0; i < 300; i++ )); do
    curl -sf "http://127.0.0.1:$port/connectors" >/dev/null && break
    sleep 0.05
done
curl -sf "http://127.0.0.1:$port/connectors" >/dev/null || die "the worker did not answer (log: $tmp/worker.log)"

now_ns() { echo "${EPOCHREALTIME/[.,]/}000"; }

# one_run LABEL I CREATE: a new connector on a new topic; prints the latency in ms.
one_run() {
    local label=$1 i=$2 create=$3 topic=$run_id-$1-$2 name=$run_id-$1-$2 extra=""
    if (( create )); then
        extra=',"topic.creation.default.replication.factor":"1","topic.creation.default.partitions":"1"'
    else
        "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1 >/dev/null
    fi
    local body="{\"name\":\"$name\",\"config\":{\"connector.class\":\"SequenceSource\",\"tasks.max\":\"1\",\"topic\":\"$topic\",\"partitions\":\"1\",\"count\":\"1\"$extra}}"
    start_bg "$tmp/$label-$i.watch" timeout 60 "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$topic" 1 30000 "$WATCH_MS"
    local watcher=$bg_pid
    sleep 0.3 # the watcher connected
    local started
    started=$(now_ns)
    curl -sf -X POST -H 'Content-Type: application/json' -d "$body" \
        "http://127.0.0.1:$port/connectors" >/dev/null || die "creating $name failed"
    wait "$watcher" || die "no record in $topic (log: $tmp/worker.log)"
    forget "$watcher"
    local first
    read -r first _ <"$tmp/$label-$i.watch"
    awk -v a="$started" -v b="$first" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
    curl -sf -X DELETE "http://127.0.0.1:$port/connectors/$name" >/dev/null || true
}

created=()
existing=()
for (( i = 1; i <= RUNS; i++ )); do
    created+=("$(one_run created "$i" 1)")
    existing+=("$(one_run existing "$i" 0)")
    log "run $i: new topic created by the task ${created[-1]} ms, topic created beforehand ${existing[-1]} ms"
done

c=$(median "${created[@]}")
e=$(median "${existing[@]}")
echo
echo "first record of a new connector, POST /connectors to the record in the topic (median of $RUNS, broker $FERRY_TEST_BOOTSTRAP)"
printf '  %-48s %8s ms   target < %d ms: %s\n' "new topic, created by the task (topic.creation)" "$c" \
    "$TARGET_MS" "$(verdict "$c" "<" "$TARGET_MS")"
printf '  %-48s %8s ms\n' "topic created beforehand" "$e"
