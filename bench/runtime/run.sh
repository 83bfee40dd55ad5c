#!/usr/bin/env bash
# bench/runtime/run.sh - ferry's runtime benchmarks, each against its acceptance target:
#
#   source   ferry standalone + SequenceSource (100-byte records, 4 source partitions, String
#            converters) into a fresh topic vs raw_producer.c (librdkafka alone, same records,
#            same producer settings) into another: records/s from the first record to the last
#            acknowledged, seen by the same watcher (topic end offsets polled every 25 ms).
#            Target: ferry >= 80% of raw.
#   sink     a pre-filled topic (the same records) read by ferry + NullSink (timed by the
#            TimedNullSink wrapper, bench/runtime/timed_sink.c) vs raw_consumer.c, each in a fresh
#            consumer group, commits every BENCH_SINK_FLUSH_MS: records/s from the first record
#            handed over to the last. Target: ferry >= 80% of raw.
#   memory   VmRSS of one ferry worker on the real broker with 10 idle connectors (5 SequenceSource
#            with count=0 + 5 NullSink on an empty topic; and 10 SequenceSource), 10 s after every
#            task is running. Target: < 20 MB.
#   startup  exec of `ferry standalone` with the embedded Kafka and one SequenceSource until the
#            log line "[task:<name>-0] running". Target: < 100 ms.
#   routing  the source and sink paths above with RegexRouter + InsertHeader + Filter on a
#            TopicNameMatches predicate (every record renamed, given a header, and tested; none
#            dropped) against the same paths without transforms, runs alternating.
#            Target: >= 90% of the path without transforms. Also reported: the source path
#            without transforms on records the plugin gives one header itself (what the header
#            costs librdkafka, whoever adds it), and the chain against that.
#   unwrap   the source and sink paths on Debezium change events (JsonConverter with schemas, a
#            payload of BENCH_JSON_BYTES) with ExtractNewRecordState + ReplaceField$Value +
#            InsertField$Value against the same events without transforms; reported, with a
#            perf profile of each path (BENCH_PERF) saying where the time goes.
#            Both check first, on the embedded Kafka, that this ferry has every transform they
#            use, and stop naming those it has not.
#   eos      (on request) exactly-once sources: the source path with
#            exactly.once.source.support=enabled (transaction.boundary poll, and interval at
#            100 ms) against the same path without it, runs alternating; and the first-record
#            latency of a new connector on a new topic, exactly-once off and on. Targets: poll
#            >= 80% of disabled; first record < 200 ms off, < 500 ms on.
#
# Every figure is the median of BENCH_RUNS runs (BENCH_MEMORY_RUNS, BENCH_STARTUP_RUNS); ferry
# and raw runs alternate, on the same broker, in the same invocation. The source carries a source
# offset on the last record of each batch (offset.every = batch size). Two informational rows
# (BENCH_INFO=0 skips them): the source path with an offset on every record (the plugin then
# builds a JSON object per record), and the sink path with consumer.queued.min.messages=1000000
# for ferry and the raw consumer alike.
#
# With BENCH_BASELINE=REV (a commit), the same invocation also builds ferry at REV (into
# build-bench-baseline/, from a copy of that commit's tree) and runs it in every round next to the
# working tree's ferry, so that a change's cost is measured against its predecessor on the same
# broker in the same minutes; the report then has a baseline column and the change in percent
# (a figure more than 5% worse than the baseline's is marked WORSE).
#
# Usage: bench/runtime/run.sh [source] [sink] [memory] [startup] [routing] [unwrap] [eos]
#        (none = the first four)
# Needs: the Kafka of tests/services (tests/services/services.sh start), meson, ninja, cc,
# pkg-config rdkafka and jansson. Builds ferry (release, no sanitizers) and the sequence test
# plugin into build-bench/, the tools of bench/runtime/ into build-bench/bench-tools/.
# Environment: BENCH_RUNS (5), BENCH_MEMORY_RUNS (3), BENCH_STARTUP_RUNS (5), BENCH_COUNT
# (2000000), BENCH_RECORD_BYTES (100), BENCH_SOURCE_BATCH (10000), BENCH_SINK_FLUSH_MS (1000),
# BENCH_IDLE_SECONDS (10), BENCH_TIMEOUT_S (180 per measured run), BENCH_INFO (1),
# BENCH_PRODUCER_PROPS / BENCH_CONSUMER_PROPS (space-separated librdkafka KEY=VALUE given to ferry's
# producer.* / consumer.* and to the raw tools alike; for experiments), BENCH_KEEP_TMP (keep logs),
# BENCH_JSON_COUNT (400000 change events for unwrap), BENCH_JSON_BYTES (1024, their payload),
# BENCH_PERF (auto: profile the unwrap runs when perf works; 0 never, 1 always).
# Topics and consumer groups the run creates carry its run id and are deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-5}
MEMORY_RUNS=${BENCH_MEMORY_RUNS:-3}
INFO=${BENCH_INFO:-1}
read -r -a PRODUCER_PROPS <<<"${BENCH_PRODUCER_PROPS:-}"
read -r -a CONSUMER_PROPS <<<"${BENCH_CONSUMER_PROPS:-}"
SINK_INFO_PROPS=(queued.min.messages=1000000)
SOURCE_INFO_PROPS=(offset.every=1)
COUNT=${BENCH_COUNT:-2000000}
RECORD_BYTES=${BENCH_RECORD_BYTES:-100}
SOURCE_PARTITIONS=4
TOPIC_PARTITIONS=4
SOURCE_BATCH=${BENCH_SOURCE_BATCH:-10000}
SINK_FLUSH_MS=${BENCH_SINK_FLUSH_MS:-1000}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-5}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-10}
TIMEOUT_S=${BENCH_TIMEOUT_S:-180}
WATCH_INTERVAL_MS=25
JSON_COUNT=${BENCH_JSON_COUNT:-400000}
JSON_BYTES=${BENCH_JSON_BYTES:-1024}
PERF=${BENCH_PERF:-auto}
ROUTING_TARGET=90

build=$root/build-bench
tools=$build/bench-tools
ferry=$build/worker/ferry
sequence_dir=$build/tests/plugins/sequence
sequence_so=$sequence_dir/sequence.so
BASELINE=${BENCH_BASELINE:-}
baseline_build=$root/build-bench-baseline
# The ferry and sequence plugin of each variant: "new" is the working tree, "base" BENCH_BASELINE.
declare -A variant_ferry=([new]=$ferry [base]=$baseline_build/worker/ferry)
declare -A variant_sequence=([new]=$sequence_dir [base]=$baseline_build/tests/plugins/sequence)
variants=(new)
[ -n "$BASELINE" ] && variants+=(base)

benchmarks=("$@")
[ ${#benchmarks[@]} -eq 0 ] && benchmarks=(source sink memory startup)
for b in "${benchmarks[@]}"; do
    case $b in
        source|sink|memory|startup|routing|unwrap|eos) ;;
        *) echo "run.sh: unknown benchmark '$b'" >&2; exit 2 ;;
    esac
done
wants() { local b; for b in "${benchmarks[@]}"; do [ "$b" = "$1" ] && return 0; done; return 1; }
if (( COUNT % SOURCE_PARTITIONS != 0 || JSON_COUNT % SOURCE_PARTITIONS != 0 )); then
    echo "run.sh: BENCH_COUNT and BENCH_JSON_COUNT must be multiples of $SOURCE_PARTITIONS" >&2
    exit 2
fi

# ---- clean-up: child processes, the run's topics and groups, temporary files ---------------

run_id="fbench-$(date +%s)-$$"
kafka_used=0

. "$root/bench/lib.sh"
bench_init runtime
bench_stop_seconds=5

bench_cleanup() { # the run's topics and groups
    bench_topics_cleanup
}

# ---- helpers ---------------------------------------------------------------------------------

# wait_bg PID: the exit status of a background child, without tripping set -e.
wait_bg() {
    local rc=0
    wait "$1" || rc=$?
    forget "$1"
    return $rc
}

# wait_for SECONDS COMMAND...: polls COMMAND every 10 ms until it succeeds; 1 on timeout.
wait_for() {
    local deadline=$(( ${EPOCHREALTIME/[.,]/} + $1 * 1000000 ))
    shift
    while (( ${EPOCHREALTIME/[.,]/} < deadline )); do
        "$@" && return 0
        sleep 0.01
    done
    return 1
}
log_has() { grep -qF -- "$2" "$1" 2>/dev/null; }
log_count_at_least() { (( $(grep -cF -- "$2" "$1" 2>/dev/null || true) >= $3 )); }

join() { local IFS=' '; echo "$*"; }

# worker_props FILE LABEL [KEY=VALUE...]: a worker config on the real broker with fresh internal
# topics of this run (a reused configs topic would bring back earlier runs' connectors).
worker_props() {
    local file=$1 label=$2
    shift 2
    {
        echo "bootstrap.servers=$FERRY_TEST_BOOTSTRAP"
        echo "plugin.path=$sequence_dir"
        echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
        echo "value.converter=org.apache.kafka.connect.storage.StringConverter"
        echo "group.id=$run_id-$label-cluster"
        echo "offset.storage.topic=$run_id-$label-offsets"
        echo "offset.storage.replication.factor=1"
        echo "config.storage.topic=$run_id-$label-configs"
        echo "config.storage.replication.factor=1"
        echo "status.storage.topic=$run_id-$label-status"
        echo "status.storage.replication.factor=1"
        printf '%s\n' "$@"
    } >"$file"
}

# source_props FILE NAME TOPIC COUNT_PER_PARTITION [KEY=VALUE...]
source_props() {
    local file=$1 name=$2 topic=$3 count=$4
    shift 4
    {
        echo "name=$name"
        echo "connector.class=SequenceSource"
        echo "tasks.max=1"
        echo "topic=$topic"
        echo "partitions=$SOURCE_PARTITIONS"
        echo "count=$count"
        echo "record.bytes=$RECORD_BYTES"
        echo "batch.size=$SOURCE_BATCH"
        # A source offset on the last record of each batch, as real sources do (the file source
        # too); the runtime registers offsets once per poll whatever the plugin does, so an
        # offset on every record only adds the plugin's own JSON work (the informational row).
        echo "offset.every=$SOURCE_BATCH"
        printf '%s\n' "$@"
    } >"$file"
}

# ---- build -----------------------------------------------------------------------------------

build_all() {
    pkg-config --exists rdkafka jansson || die "pkg-config cannot find rdkafka and jansson"
    build_ferry ferry sequence
    local tool
    for tool in topic_tool raw_producer raw_consumer; do
        build_tool "$tool" "bench/runtime/$tool.c" rdkafka
    done
    mkdir -p "$tools/timed-plugin"
    cc -std=gnu11 -O2 -Wall -Wextra -fPIC -shared -fvisibility=hidden -I"$root/include" \
        $(pkg-config --cflags jansson) -o "$tools/timed-plugin/timed_sink.so" \
        "$root/bench/runtime/timed_sink.c" -ldl || die "cannot compile bench/runtime/timed_sink.c"
}

# The baseline's ferry and sequence plugin, built from a copy of BENCH_BASELINE's tree.
build_baseline() {
    local rev source=$tmp/baseline-source
    rev=$(git -C "$root" rev-parse --verify --quiet "$BASELINE^{commit}") ||
        die "BENCH_BASELINE=$BASELINE is not a commit of this repository"
    mkdir -p "$source"
    git -C "$root" archive "$rev" | tar -x -C "$source"
    rm -rf "$baseline_build"
    log "configuring $baseline_build (release, no sanitizers) at ${rev:0:12}"
    meson setup "$baseline_build" "$source" --buildtype=release -Db_sanitize=none \
        >"$tmp/baseline-setup.log" 2>&1 || { cat "$tmp/baseline-setup.log" >&2; die "baseline meson setup failed"; }
    meson compile -C "$baseline_build" ferry sequence >"$tmp/baseline-compile.log" 2>&1 ||
        { tail -30 "$tmp/baseline-compile.log" >&2; die "baseline meson compile failed"; }
    baseline_label=${rev:0:12}
}
baseline_label=

need_kafka() {
    # Give a broker that is (re)starting a minute to answer.
    wait_for 60 eval 'tests/services/services.sh status kafka >/dev/null 2>&1' ||
        die "the Kafka of tests/services is not running: tests/services/services.sh start kafka"
    eval "$(tests/services/services.sh env)"
    [ -n "${FERRY_TEST_BOOTSTRAP:-}" ] || die "tests/services/services.sh env gave no FERRY_TEST_BOOTSTRAP"
    kafka_used=1
    kafka_pid_at_start=$(kafka_pid)
}
kafka_pid() { tests/services/services.sh status kafka 2>/dev/null | grep -o 'pid [0-9]*' || true; }
kafka_pid_at_start=

# A short untimed produce, so that the broker's JIT and page cache are warm for the first run.
kafka_warm_up() {
    local topic=$run_id-warm-up
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" "$TOPIC_PARTITIONS"
    timeout "$TIMEOUT_S" "$tools/raw_producer" "$FERRY_TEST_BOOTSTRAP" "$topic" 400000 \
        "$RECORD_BYTES" "$SOURCE_PARTITIONS" "$SOURCE_BATCH" >"$tmp/warm-up.log" 2>&1 ||
        { cat "$tmp/warm-up.log" >&2; die "warm-up failed"; }
}

# ---- source path -----------------------------------------------------------------------------

# Results, records/s per run: ferry, ferry with SOURCE_INFO_PROPS, raw (watcher), raw (own clock).
source_ferry_rates=()
source_ferry_info_rates=()
source_base_rates=()
source_raw_rates=()
source_raw_self_rates=()

# source_ferry_run I VARIANT [CONNECTOR_KEY=VALUE...]: VARIANT main, info, or base (main with
# the baseline's ferry); for the transforms benchmarks plain (no transforms), route (its records
# go to routed_topic's name), header (the plugin's own header), json, unwrap, or prefill (not
# measured). The caller may set
# SOURCE_RUN_COUNT (records, default BENCH_COUNT), SOURCE_RUN_PROFILE (a perf data file: the
# run is profiled and not counted) and SOURCE_RUN_WORKER (worker KEY=VALUE lines, space-separated)
# for the call. VARIANT eos-MODE is counted in eos_rates[MODE].
source_ferry_run() {
    local i=$1 variant=$2
    shift 2
    local count=${SOURCE_RUN_COUNT:-$COUNT} profile=${SOURCE_RUN_PROFILE:-}
    local topic=$run_id-src-$variant-ferry-$i name=$run_id-src-$variant-$i
    local dir=$tmp/source-$variant-ferry-$i prop extra=() watched
    [ -n "$profile" ] && dir=$dir-profile topic=$topic-profile name=$name-profile
    watched=$topic
    [ "$variant" = route ] && watched=$(routed_topic "$topic")
    mkdir -p "$dir"
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$watched" "$TOPIC_PARTITIONS"
    for prop in "${PRODUCER_PROPS[@]}"; do extra+=("producer.$prop"); done
    for prop in ${SOURCE_RUN_WORKER:-}; do extra+=("$prop"); done
    worker_props "$dir/worker.properties" "src-$variant-$i" "${extra[@]}"
    source_props "$dir/connector.properties" "$name" "$topic" $(( count / SOURCE_PARTITIONS )) "$@"
    start_bg "$dir/watch.out" timeout $(( TIMEOUT_S + 30 )) "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$watched" "$count" $(( TIMEOUT_S * 1000 )) "$WATCH_INTERVAL_MS"
    local watcher=$bg_pid
    local binary=$ferry
    if [ "$variant" = base ]; then
        binary=${variant_ferry[base]}
        sed -i "s#^plugin.path=.*#plugin.path=${variant_sequence[base]}#" "$dir/worker.properties"
    fi
    start_bg "$dir/ferry.log" "$binary" standalone "$dir/worker.properties" "$dir/connector.properties"
    local worker=$bg_pid rc=0
    [ -n "$profile" ] && perf_attach "$worker" "$dir/ferry.log" "$profile"
    wait_bg "$watcher" || rc=$?
    [ -n "$profile" ] && perf_detach
    stop_pid "$worker"
    forget "$worker"
    if (( rc != 0 )); then
        tail -20 "$dir/ferry.log" >&2
        die "source run $i ($variant): ferry did not deliver $count records" \
            "($(cat "$dir/watch.out"))"
    fi
    local first done_at rate_now
    read -r first done_at <"$dir/watch.out"
    rate_now=$(rate "$count" "$first" "$done_at")
    if [ -n "$profile" ]; then
        log "source run ($variant, profiled): ferry $(thousands "$rate_now") records/s"
        return
    fi
    case $variant in
        main) source_ferry_rates+=("$rate_now") ;;
        base) source_base_rates+=("$rate_now") ;;
        plain|route|header|json|unwrap) transform_rates[source-$variant]+=" $rate_now" ;;
        eos-*) eos_rates[${variant#eos-}]+=" $rate_now" ;;
        prefill) ;;
        *) source_ferry_info_rates+=("$rate_now") ;;
    esac
    log "source run $i: ferry ($variant) $(thousands "$rate_now") records/s"
}

source_raw_run() {
    local i=$1 topic=$run_id-src-raw-$i dir=$tmp/source-raw-$i
    mkdir -p "$dir"
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" "$TOPIC_PARTITIONS"
    start_bg "$dir/watch.out" timeout $(( TIMEOUT_S + 30 )) "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$topic" "$COUNT" $(( TIMEOUT_S * 1000 )) "$WATCH_INTERVAL_MS"
    local watcher=$bg_pid rc=0
    start_bg "$dir/producer.out" timeout "$TIMEOUT_S" "$tools/raw_producer" "$FERRY_TEST_BOOTSTRAP" \
        "$topic" "$COUNT" "$RECORD_BYTES" "$SOURCE_PARTITIONS" "$SOURCE_BATCH" "${PRODUCER_PROPS[@]}"
    local producer=$bg_pid
    wait_bg "$producer" || rc=$?
    wait_bg "$watcher" || rc=$?
    (( rc == 0 )) || { cat "$dir/producer.out" >&2; die "source run $i: raw_producer failed"; }
    local first done_at self_first self_last acked
    read -r first done_at <"$dir/watch.out"
    read -r self_first self_last acked <"$dir/producer.out"
    source_raw_rates+=("$(rate "$COUNT" "$first" "$done_at")")
    source_raw_self_rates+=("$(rate "$acked" "$self_first" "$self_last")")
    log "source run $i: raw         $(thousands "${source_raw_rates[-1]}") records/s" \
        "(its own clock: $(thousands "${source_raw_self_rates[-1]}"))"
}

# ---- sink path -------------------------------------------------------------------------------

sink_ferry_rates=()
sink_base_rates=()
sink_raw_rates=()
sink_ferry_info_rates=()
sink_raw_info_rates=()
sink_topic=

sink_prefill() {
    sink_topic=$run_id-sink-data
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$sink_topic" "$TOPIC_PARTITIONS"
    log "filling $sink_topic with $COUNT records of $RECORD_BYTES bytes"
    timeout "$TIMEOUT_S" "$tools/raw_producer" "$FERRY_TEST_BOOTSTRAP" "$sink_topic" "$COUNT" \
        "$RECORD_BYTES" "$SOURCE_PARTITIONS" "$SOURCE_BATCH" >"$tmp/prefill.log" 2>&1 ||
        { cat "$tmp/prefill.log" >&2; die "cannot fill $sink_topic"; }
    local have
    have=$("$tools/topic_tool" count "$FERRY_TEST_BOOTSTRAP" "$sink_topic")
    [ "$have" = "$COUNT" ] || die "$sink_topic holds $have records, expected $COUNT"
    sleep 2 # let the broker settle after the burst
}

# sink_ferry_run I VARIANT [CONSUMER_KEY=VALUE...]: VARIANT main, info, or base; for the
# transforms benchmarks plain, route, json or unwrap. The caller may set SINK_RUN_COUNT and
# SINK_RUN_TOPIC (default BENCH_COUNT records of the pre-filled topic) and SINK_RUN_PROFILE (as
# SOURCE_RUN_PROFILE) for the call, and the array sink_connector_extra (connector KEY=VALUE
# lines: transforms, converters).
sink_connector_extra=()
sink_ferry_run() {
    local i=$1 variant=$2
    shift 2
    local count=${SINK_RUN_COUNT:-$COUNT} topic=${SINK_RUN_TOPIC:-$sink_topic}
    local profile=${SINK_RUN_PROFILE:-}
    local name=$run_id-sink-$variant-$i dir=$tmp/sink-$variant-ferry-$i prop extra=()
    [ -n "$profile" ] && dir=$dir-profile name=$name-profile
    mkdir -p "$dir"
    for prop in "$@"; do extra+=("consumer.$prop"); done
    worker_props "$dir/worker.properties" "sink-$variant-$i" "offset.flush.interval.ms=$SINK_FLUSH_MS" \
        "${extra[@]}"
    sed -i "s#^plugin.path=.*#plugin.path=$tools/timed-plugin#" "$dir/worker.properties"
    printf '%s\n' "name=$name" "connector.class=TimedNullSink" "tasks.max=1" \
        "topics=$topic" "${sink_connector_extra[@]}" >"$dir/connector.properties"
    local binary=$ferry plugin=$sequence_so
    if [ "$variant" = base ]; then
        binary=${variant_ferry[base]}
        plugin=${variant_sequence[base]}/sequence.so
    fi
    FERRY_BENCH_SEQUENCE_PLUGIN=$plugin FERRY_BENCH_EXPECT=$count \
        FERRY_BENCH_TIMING_FILE=$dir/timing \
        start_bg "$dir/ferry.log" "$binary" standalone "$dir/worker.properties" \
        "$dir/connector.properties"
    local worker=$bg_pid
    [ -n "$profile" ] && perf_attach "$worker" "$dir/ferry.log" "$profile"
    if ! wait_for "$TIMEOUT_S" test -s "$dir/timing"; then
        tail -20 "$dir/ferry.log" >&2
        die "sink run $i ($variant): ferry did not read $count records in $TIMEOUT_S s"
    fi
    [ -n "$profile" ] && perf_detach
    stop_pid "$worker"
    forget "$worker"
    local first last records rate_now
    read -r first last records <"$dir/timing"
    rate_now=$(rate "$records" "$first" "$last")
    if [ -n "$profile" ]; then
        log "sink run ($variant, profiled): ferry $(thousands "$rate_now") records/s"
        return
    fi
    case $variant in
        main) sink_ferry_rates+=("$rate_now") ;;
        base) sink_base_rates+=("$rate_now") ;;
        plain|route|json|unwrap) transform_rates[sink-$variant]+=" $rate_now" ;;
        *) sink_ferry_info_rates+=("$rate_now") ;;
    esac
    log "sink run $i: ferry ($variant) $(thousands "$rate_now") records/s"
}

# sink_raw_run I VARIANT [KEY=VALUE...]
sink_raw_run() {
    local i=$1 variant=$2
    shift 2
    local dir=$tmp/sink-$variant-raw-$i
    mkdir -p "$dir"
    timeout $(( TIMEOUT_S + 30 )) "$tools/raw_consumer" "$FERRY_TEST_BOOTSTRAP" "$sink_topic" \
        "$run_id-raw-sink-$variant-$i" "$COUNT" "$SINK_FLUSH_MS" $(( TIMEOUT_S * 1000 )) "$@" \
        >"$dir/consumer.out" 2>&1 ||
        { cat "$dir/consumer.out" >&2; die "sink run $i ($variant): raw_consumer failed"; }
    local first last records rate_now
    read -r first last records <"$dir/consumer.out"
    rate_now=$(rate "$records" "$first" "$last")
    if [ "$variant" = main ]; then sink_raw_rates+=("$rate_now"); else sink_raw_info_rates+=("$rate_now"); fi
    log "sink run $i: raw   ($variant) $(thousands "$rate_now") records/s"
}

# ---- memory ----------------------------------------------------------------------------------

memory_mixed_kb=()
memory_mixed_anon_kb=()
memory_sources_kb=()
memory_sources_anon_kb=()
memory_threads=()
memory_mixed_base_kb=()
memory_sources_base_kb=()

# memory_run I MODE [VARIANT]: MODE mixed = 5 SequenceSource + 5 NullSink, sources = 10
# SequenceSource; VARIANT new (default) or base.
memory_run() {
    local i=$1 mode=$2 variant=${3:-new}
    local dir=$tmp/memory-$2-$1-$variant empty=$run_id-mem-empty-$2-$1-$variant c files=()
    mkdir -p "$dir"
    worker_props "$dir/worker.properties" "mem-$mode-$i-$variant"
    sed -i "s#^plugin.path=.*#plugin.path=${variant_sequence[$variant]}#" "$dir/worker.properties"
    [ "$mode" = mixed ] && "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$empty" 1
    for c in 0 1 2 3 4 5 6 7 8 9; do
        local name=$run_id-mem-$mode-$i-$variant-$c
        if [ "$mode" = mixed ] && (( c >= 5 )); then
            printf '%s\n' "name=$name" "connector.class=NullSink" "tasks.max=1" \
                "topics=$empty" >"$dir/c$c.properties"
        else
            source_props "$dir/c$c.properties" "$name" "$run_id-mem-unused" 0
            sed -i 's/^partitions=.*/partitions=1/' "$dir/c$c.properties"
        fi
        files+=("$dir/c$c.properties")
    done
    start_bg "$dir/ferry.log" "${variant_ferry[$variant]}" standalone "$dir/worker.properties" "${files[@]}"
    local worker=$bg_pid
    if ! wait_for 60 log_count_at_least "$dir/ferry.log" "] running" 10; then
        tail -20 "$dir/ferry.log" >&2
        die "memory run $i ($mode): the 10 tasks did not all start"
    fi
    if [ "$mode" = mixed ] && ! wait_for 60 log_count_at_least "$dir/ferry.log" "] assigned " 5; then
        tail -20 "$dir/ferry.log" >&2
        die "memory run $i ($mode): the 5 sink tasks were not assigned their partition"
    fi
    sleep "$IDLE_SECONDS"
    kill -0 "$worker" 2>/dev/null || { tail -20 "$dir/ferry.log" >&2; die "memory run $i: ferry exited"; }
    local rss anon threads
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$worker/status")
    anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$worker/status")
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$worker/status")
    stop_pid "$worker"
    forget "$worker"
    if [ "$variant" = base ]; then
        if [ "$mode" = mixed ]; then memory_mixed_base_kb+=("$rss"); else memory_sources_base_kb+=("$rss"); fi
    elif [ "$mode" = mixed ]; then
        memory_mixed_kb+=("$rss")
        memory_mixed_anon_kb+=("$anon")
        memory_threads+=("$threads")
    else
        memory_sources_kb+=("$rss")
        memory_sources_anon_kb+=("$anon")
    fi
    log "memory run $i ($mode, $variant): VmRSS $rss kB (anonymous $anon kB), $threads threads"
}

# ---- start-up --------------------------------------------------------------------------------

startup_ms=()
startup_first_line_ms=()
startup_base_ms=()

log_ms() { # an ISO-8601 log timestamp -> ms since the epoch
    date -u -d "$1" +%s%3N
}

# startup_run I [VARIANT]: VARIANT new (default) or base.
startup_run() {
    local i=$1 variant=${2:-new}
    local dir=$tmp/startup-$i-$variant name=fbench-startup-$i-$variant
    mkdir -p "$dir"
    printf '%s\n' "plugin.path=${variant_sequence[$variant]}" \
        "key.converter=org.apache.kafka.connect.storage.StringConverter" \
        "value.converter=org.apache.kafka.connect.storage.StringConverter" >"$dir/worker.properties"
    source_props "$dir/connector.properties" "$name" "$name-topic" 0
    sed -i 's/^partitions=.*/partitions=1/' "$dir/connector.properties"
    local started=$EPOCHREALTIME   # wall clock, µs, taken just before the fork and exec
    start_bg "$dir/ferry.log" "${variant_ferry[$variant]}" standalone "$dir/worker.properties" \
        "$dir/connector.properties"
    local worker=$bg_pid
    if ! wait_for 30 log_has "$dir/ferry.log" "[task:$name-0] running"; then
        tail -20 "$dir/ferry.log" >&2
        die "start-up run $i: the task did not start"
    fi
    stop_pid "$worker"
    forget "$worker"
    local first_ts running_ts
    first_ts=$(head -1 "$dir/ferry.log" | cut -d' ' -f1)
    running_ts=$(grep -F "[task:$name-0] running" "$dir/ferry.log" | head -1 | cut -d' ' -f1)
    local started_us=${started/[.,]/} took
    took=$(awk -v r="$(log_ms "$running_ts")" -v s="$started_us" 'BEGIN { printf "%.1f\n", r - s / 1000 }')
    if [ "$variant" = base ]; then
        startup_base_ms+=("$took")
        log "start-up run $i (base): task running after $took ms"
        return
    fi
    startup_ms+=("$took")
    startup_first_line_ms+=("$(awk -v r="$(log_ms "$first_ts")" -v s="$started_us" \
        'BEGIN { printf "%.1f\n", r - s / 1000 }')")
    log "start-up run $i: task running after ${startup_ms[-1]} ms (first log line after" \
        "${startup_first_line_ms[-1]} ms)"
}

# ---- transforms --------------------------------------------------------------------------------

# Records/s per run of the transforms benchmarks, by "<path>-<variant>": source-plain, source-route,
# source-header, sink-plain, sink-route (routing); source-json, source-unwrap, sink-json,
# sink-unwrap (unwrap).
declare -A transform_rates=()
declare -A eos_rates=() # exactly-once benchmark: boundary mode (off, poll, interval) -> rates
eos_first_ms=()         # exactly-once benchmark: first-record latency, exactly-once on

# routing: every record renamed ($run_id-<rest> -> $run_id-routed-<rest>), given a header, and
# tested by a predicate on its new topic that matches none (so Filter drops nothing): the chain
# never reads a key or a value.
ROUTING_TRANSFORMS=(
    "transforms=route,origin,audit"
    "transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter"
    "transforms.route.regex=(fbench-[0-9]+-[0-9]+)-(.*)"
    "transforms.route.replacement=\$1-routed-\$2"
    "transforms.origin.type=org.apache.kafka.connect.transforms.InsertHeader"
    "transforms.origin.header=origin"
    "transforms.origin.value.literal=ferry-bench"
    "transforms.audit.type=org.apache.kafka.connect.transforms.Filter"
    "transforms.audit.predicate=audit-topic"
    "predicates=audit-topic"
    "predicates.audit-topic.type=org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
    "predicates.audit-topic.pattern=.*-audit"
)
routed_topic() { echo "$run_id-routed-${1#"$run_id"-}"; }

# unwrap: a Debezium insert becomes its row, loses a column and has another renamed, and gains
# a static field and the topic's name; every step works on the value's tree and its schema.
UNWRAP_TRANSFORMS=(
    "transforms=unwrap,fields,stamp"
    "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState"
    "transforms.fields.type=org.apache.kafka.connect.transforms.ReplaceField\$Value"
    "transforms.fields.exclude=notes"
    "transforms.fields.renames=email:contact_email"
    "transforms.stamp.type=org.apache.kafka.connect.transforms.InsertField\$Value"
    "transforms.stamp.static.field=pipeline"
    "transforms.stamp.static.value=ferry-bench"
    "transforms.stamp.topic.field=source_topic"
)
JSON_CONVERTER=(
    "value.converter=org.apache.kafka.connect.json.JsonConverter"
    "value.converter.schemas.enable=true"
)

# A field of a Connect schema in Kafka's JSON form: TYPE OPTIONAL (true or false) NAME.
schema_field() { printf '{"type":"%s","optional":%s,"field":"%s"}' "$1" "$2" "$3"; }

# The change event of the unwrap benchmark, as Debezium's PostgreSQL connector writes an insert
# through JsonConverter with schemas: json_event_text ({"schema": ..., "payload": ...}) and
# json_payload, the payload padded (the row's notes) to JSON_BYTES bytes.
json_event_build() {
    local row source value_schema schema head tail pad notes
    row=$(schema_field int32 false id),$(schema_field string false first_name)
    row+=,$(schema_field string false last_name),$(schema_field string false email)
    row+=,$(schema_field string true notes)
    source=$(schema_field string false connector),$(schema_field string false db)
    source+=,$(schema_field string false schema),$(schema_field string false table)
    source+=,$(schema_field int64 true lsn)
    value_schema="{\"type\":\"struct\",\"fields\":[$row],\"optional\":true,"
    value_schema+="\"name\":\"fbench.inventory.customers.Value\""
    schema="{\"type\":\"struct\",\"fields\":[$value_schema,\"field\":\"before\"},"
    schema+="$value_schema,\"field\":\"after\"},"
    schema+="{\"type\":\"struct\",\"fields\":[$source],\"optional\":false,"
    schema+="\"name\":\"io.debezium.connector.postgresql.Source\",\"field\":\"source\"},"
    schema+="$(schema_field string false op),$(schema_field int64 true ts_ms)],"
    schema+="\"optional\":false,\"name\":\"fbench.inventory.customers.Envelope\"}"
    head='{"before":null,"after":{"id":1001,"first_name":"Sally","last_name":"Thomas",'
    head+='"email":"sally.thomas@acme.com","notes":"'
    tail='"},"source":{"connector":"postgresql","db":"inventory","schema":"inventory",'
    tail+='"table":"customers","lsn":24023128},"op":"c","ts_ms":1700000000000}'
    pad=$(( JSON_BYTES - ${#head} - ${#tail} ))
    (( pad >= 0 )) || die "BENCH_JSON_BYTES=$JSON_BYTES is less than the event's" \
        "$(( ${#head} + ${#tail} )) bytes without its notes"
    printf -v notes '%*s' "$pad" ''
    json_payload=$head${notes// /n}$tail
    json_event_text="{\"schema\":$schema,\"payload\":$json_payload}"
}
json_payload=
json_event_text=

# transforms_preflight: on the embedded Kafka, starts one connector per path and chain the
# requested benchmarks use, before any measured run. Every task must start; a connector that
# ferry refuses stops the script, naming the transform and predicate classes it could not find
# (a chain whose transforms are not all in this ferry yet).
transforms_preflight() {
    local dir=$tmp/preflight files=() chain path name
    mkdir -p "$dir"
    printf '%s\n' "plugin.path=$sequence_dir" \
        "key.converter=org.apache.kafka.connect.storage.StringConverter" \
        "value.converter=org.apache.kafka.connect.storage.StringConverter" \
        "listeners=http://127.0.0.1:0" >"$dir/worker.properties"
    for chain in routing unwrap; do
        wants "$chain" || continue
        local keys=("${ROUTING_TRANSFORMS[@]}")
        [ "$chain" = unwrap ] && keys=("${UNWRAP_TRANSFORMS[@]}" "${JSON_CONVERTER[@]}")
        for path in source sink; do
            name=$run_id-preflight-$chain-$path
            if [ "$path" = source ]; then
                printf '%s\n' "name=$name" "connector.class=SequenceSource" \
                    "topic=$run_id-preflight" "partitions=1" "count=0" "${keys[@]}"
            else
                printf '%s\n' "name=$name" "connector.class=NullSink" \
                    "topics=$run_id-preflight" "${keys[@]}"
            fi >"$dir/$chain-$path.properties"
            files+=("$dir/$chain-$path.properties")
        done
    done
    log "checking that this ferry has the transforms of: ${files[*]##*/}"
    local file failed=0
    for file in "${files[@]}"; do
        transforms_preflight_one "$dir" "$file" || failed=1
    done
    (( failed == 0 )) && return 0
    local missing
    missing=$(cat "$dir"/*.log | grep -o 'Class [^ ]* could not be found' |
        sed 's/^Class \(.*\) could not be found$/\1/' | sort -u | paste -sd, - | sed 's/,/, /g')
    [ -n "$missing" ] &&
        die "this ferry does not have every transform the benchmark uses: missing $missing"
    cat "$dir"/*.log >&2
    die "the transforms benchmark's connectors did not start on the embedded Kafka (logs above)"
}

# transforms_preflight_one DIR FILE: one worker with that connector (a worker stops at the first
# connector it refuses); 0 when its task starts, else 1.
transforms_preflight_one() {
    local dir=$1 file=$2 log=$1/$(basename "$2" .properties).log
    start_bg "$log" "$ferry" standalone "$dir/worker.properties" "$file"
    local worker=$bg_pid
    # Settled: the task running, or the worker gone (it exits when it refuses the connector).
    wait_for 30 eval '! kill -0 "$worker" 2>/dev/null || log_has "$log" "] running"' || true
    local started=0
    kill -0 "$worker" 2>/dev/null && log_has "$log" "] running" && started=1
    stop_pid "$worker"
    forget "$worker"
    (( started ))
}

# ---- perf: where the time goes -------------------------------------------------------------------

perf_usable=0
perf_pid=
perf_check() {
    [ "$PERF" = 0 ] && return 0
    if command -v perf >/dev/null &&
        perf record -q -o "$tmp/perf-check.data" -- true >/dev/null 2>&1; then
        perf_usable=1
    elif [ "$PERF" = 1 ]; then
        die "BENCH_PERF=1, but perf cannot record here (is it installed?" \
            "kernel.perf_event_paranoid?)"
    else
        log "perf cannot record here: the unwrap benchmark reports its timing only"
    fi
}
# perf_attach PID LOG FILE: once the worker's task runs (perf -p follows the threads there are
# when it starts), samples the process 499 times a second with its call stacks (DWARF: the
# release build has no frame pointers) into FILE.
perf_attach() {
    wait_for 30 log_has "$2" "] running" || die "the profiled worker's task did not start ($2)"
    start_bg "${3%.data}.log" perf record -q -F 499 --call-graph dwarf,8192 -p "$1" -o "$3"
    perf_pid=$bg_pid
}
perf_detach() {
    kill -INT "$perf_pid" 2>/dev/null || true
    wait_bg "$perf_pid" || true
}
perf_summary() { # FILE: functions by inclusive share (what they and their callees took), then
    # libraries by their own share; addresses without a symbol (stripped libraries) left out.
    echo "    functions, with what they call (above 2%):"
    perf report -i "$1" --stdio --children --sort sym -q --percent-limit 2 -g none 2>/dev/null |
        awk '$3 == "[.]" && $4 !~ /^0x/ && $4 !~ /^(start_thread|clone3?|_start)$/ {
            printf "      %8s  %s\n", $1, $4 }' | head -25
    echo "    libraries, own time:"
    perf report -i "$1" --stdio --no-children --sort dso -q -g none 2>/dev/null |
        awk 'NF { printf "      %8s  %s\n", $1, $2 }' | head -8
}

# routing: for each round, the source path without then with the chain, then the sink path.
# With perf, one profiled run of each path without and with the chain.
routing_benchmark() {
    local i
    for (( i = 1; i <= RUNS; i++ )); do
        source_ferry_run "$i" plain
        source_ferry_run "$i" route "${ROUTING_TRANSFORMS[@]}"
        source_ferry_run "$i" header "origin.header=origin"
    done
    [ -n "$sink_topic" ] || sink_prefill
    for (( i = 1; i <= RUNS; i++ )); do
        sink_connector_extra=()
        sink_ferry_run "$i" plain "${CONSUMER_PROPS[@]}"
        sink_connector_extra=("${ROUTING_TRANSFORMS[@]}")
        sink_ferry_run "$i" route "${CONSUMER_PROPS[@]}"
    done
    if (( perf_usable )); then
        SOURCE_RUN_PROFILE=$tmp/perf-source-plain.data source_ferry_run 1 plain
        SOURCE_RUN_PROFILE=$tmp/perf-source-route.data source_ferry_run 1 route \
            "${ROUTING_TRANSFORMS[@]}"
        sink_connector_extra=()
        SINK_RUN_PROFILE=$tmp/perf-sink-plain.data sink_ferry_run 1 plain "${CONSUMER_PROPS[@]}"
        sink_connector_extra=("${ROUTING_TRANSFORMS[@]}")
        SINK_RUN_PROFILE=$tmp/perf-sink-route.data sink_ferry_run 1 route "${CONSUMER_PROPS[@]}"
    fi
    sink_connector_extra=()
}

# unwrap: the same rounds on change events; the sink reads the events a source run wrote. Then,
# with perf, one profiled run of each path without and with the chain.
unwrap_benchmark() {
    local i events=("structured.every=1" "structured.json=$json_event_text" "${JSON_CONVERTER[@]}")
    # Read by source_ferry_run and sink_ferry_run (bash's dynamic scope): every run of this
    # benchmark has JSON_COUNT events, and the sink reads those of the prefill run.
    local SOURCE_RUN_COUNT=$JSON_COUNT SINK_RUN_COUNT=$JSON_COUNT
    local SINK_RUN_TOPIC=$run_id-src-prefill-ferry-0
    for (( i = 1; i <= RUNS; i++ )); do
        source_ferry_run "$i" json "${events[@]}"
        source_ferry_run "$i" unwrap "${events[@]}" "${UNWRAP_TRANSFORMS[@]}"
    done
    source_ferry_run 0 prefill "${events[@]}"
    for (( i = 1; i <= RUNS; i++ )); do
        sink_connector_extra=("${JSON_CONVERTER[@]}")
        sink_ferry_run "$i" json "${CONSUMER_PROPS[@]}"
        sink_connector_extra=("${JSON_CONVERTER[@]}" "${UNWRAP_TRANSFORMS[@]}")
        sink_ferry_run "$i" unwrap "${CONSUMER_PROPS[@]}"
    done
    if (( perf_usable )); then
        SOURCE_RUN_PROFILE=$tmp/perf-source-json.data source_ferry_run 1 json "${events[@]}"
        SOURCE_RUN_PROFILE=$tmp/perf-source-unwrap.data source_ferry_run 1 unwrap \
            "${events[@]}" "${UNWRAP_TRANSFORMS[@]}"
        sink_connector_extra=("${JSON_CONVERTER[@]}")
        SINK_RUN_PROFILE=$tmp/perf-sink-json.data sink_ferry_run 1 json "${CONSUMER_PROPS[@]}"
        sink_connector_extra=("${JSON_CONVERTER[@]}" "${UNWRAP_TRANSFORMS[@]}")
        SINK_RUN_PROFILE=$tmp/perf-sink-unwrap.data sink_ferry_run 1 unwrap "${CONSUMER_PROPS[@]}"
    fi
    sink_connector_extra=()
}

# ---- exactly-once sources ----------------------------------------------------------------------

# The source path with exactly.once.source.support=enabled against the same path without it, the
# runs alternating in one invocation (transaction.boundary poll, then interval at 100 ms, for
# scale), and the first-record latency of a new exactly-once connector: from the exec of
# `ferry standalone` (real broker, fresh internal topics, a new topic created just before) to
# the topic's end offset moving (topic_tool watch, every 5 ms). The end offsets topic_tool reads
# are the last stable offsets (ListOffsets with librdkafka's default isolation.level,
# read_committed): both figures count committed records only, as a read_committed consumer sees
# them (an open transaction holds the end offset back; each commit adds one marker offset per
# partition, a few hundred over 1,000,000 records at batch.size 10,000).
EOS_WORKER="exactly.once.source.support=enabled"
eos_benchmark() {
    local i mode
    for (( i = 1; i <= RUNS; i++ )); do
        SOURCE_RUN_WORKER= source_ferry_run "$i" eos-off
        SOURCE_RUN_WORKER=$EOS_WORKER source_ferry_run "$i" eos-poll \
            exactly.once.support=required transaction.boundary=poll
        SOURCE_RUN_WORKER=$EOS_WORKER source_ferry_run "$i" eos-interval \
            exactly.once.support=required transaction.boundary=interval \
            transaction.boundary.interval.ms=100
    done
    for (( i = 1; i <= STARTUP_RUNS; i++ )); do
        for mode in off on; do
            eos_first_record_run "$i" "$mode"
        done
    done
}

# eos_first_record_run I off|on: ms from exec to the first record in a new topic.
eos_first_record_run() {
    local i=$1 mode=$2 dir=$tmp/first-$2-$1 topic=$run_id-first-$2-$1 extra=() connector=()
    mkdir -p "$dir"
    if [ "$mode" = on ]; then
        extra=("$EOS_WORKER")
        connector=(exactly.once.support=required transaction.boundary=poll)
    fi
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
    worker_props "$dir/worker.properties" "first-$mode-$i" "${extra[@]}"
    source_props "$dir/connector.properties" "$run_id-first-$mode-$i" "$topic" 1000 \
        "${connector[@]}"
    start_bg "$dir/watch.out" timeout 60 "$tools/topic_tool" watch "$FERRY_TEST_BOOTSTRAP" \
        "$topic" 1 30000 5
    local watcher=$bg_pid
    sleep 0.5 # the watcher's consumer connects first
    local started=${EPOCHREALTIME/[.,]/}
    start_bg "$dir/ferry.log" "$ferry" standalone "$dir/worker.properties" "$dir/connector.properties"
    local worker=$bg_pid rc=0
    wait_bg "$watcher" || rc=$?
    local seen=${EPOCHREALTIME/[.,]/}
    stop_pid "$worker"
    forget "$worker"
    (( rc == 0 )) || { tail -20 "$dir/ferry.log" >&2; die "first-record run $i ($mode) failed"; }
    local ms=$(( (seen - started) / 1000 ))
    [ "$mode" = on ] && eos_first_ms+=("$ms") || eos_first_off_ms+=("$ms")
    log "first record ($mode): $ms ms after exec"
}
eos_first_off_ms=()

# ---- main ------------------------------------------------------------------------------------

build_all
[ -n "$BASELINE" ] && build_baseline
if wants routing || wants unwrap; then
    transforms_preflight
fi
if wants routing || wants unwrap; then
    perf_check
fi
if wants unwrap; then
    json_event_build
fi
if wants source || wants sink || wants memory || wants routing || wants unwrap || wants eos; then
    need_kafka
    log "run $run_id on $FERRY_TEST_BOOTSTRAP; $RUNS runs of $COUNT records of $RECORD_BYTES bytes"
    kafka_warm_up
fi

if wants source; then
    for (( i = 1; i <= RUNS; i++ )); do
        source_ferry_run "$i" main
        [ -n "$BASELINE" ] && source_ferry_run "$i" base
        source_raw_run "$i"
        (( INFO )) && source_ferry_run "$i" info "${SOURCE_INFO_PROPS[@]}"
    done
fi
if wants sink; then
    sink_prefill
    for (( i = 1; i <= RUNS; i++ )); do
        sink_ferry_run "$i" main "${CONSUMER_PROPS[@]}"
        [ -n "$BASELINE" ] && sink_ferry_run "$i" base "${CONSUMER_PROPS[@]}"
        sink_raw_run "$i" main "${CONSUMER_PROPS[@]}"
        if (( INFO )); then
            sink_ferry_run "$i" info "${CONSUMER_PROPS[@]}" "${SINK_INFO_PROPS[@]}"
            sink_raw_run "$i" info "${CONSUMER_PROPS[@]}" "${SINK_INFO_PROPS[@]}"
        fi
    done
fi
if wants memory; then
    for (( i = 1; i <= MEMORY_RUNS; i++ )); do
        for variant in "${variants[@]}"; do
            memory_run "$i" mixed "$variant"
            memory_run "$i" sources "$variant"
        done
    done
fi
if wants startup; then
    for (( i = 1; i <= STARTUP_RUNS; i++ )); do
        for variant in "${variants[@]}"; do
            startup_run "$i" "$variant"
        done
    done
fi
if wants routing; then
    routing_benchmark
fi
if wants unwrap; then
    unwrap_benchmark
fi
if wants eos; then
    eos_benchmark
fi

# ---- report ----------------------------------------------------------------------------------

row() { printf '%-44s %14s %14s %7s %9s  %s\n' "$@"; }
rate_row() { # LABEL FERRY_RATES_NAME RAW_RATES_NAME TARGET_PCT|-
    local -n ferry_rates=$2 raw_rates=$3
    local f r p
    f=$(median "${ferry_rates[@]}"); r=$(median "${raw_rates[@]}"); p=$(percent "$f" "$r")
    if [ "$4" = - ]; then
        row "$1" "$(thousands "$f")" "$(thousands "$r")" "$p%" "(info)" ""
    else
        row "$1" "$(thousands "$f")" "$(thousands "$r")" "$p%" ">= $4%" "$(verdict "$p" ">=" "$4")"
    fi
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo
echo "ferry runtime benchmarks - $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores" \
    "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), librdkafka" \
    "$(pkg-config --modversion rdkafka), ferry $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "+ working tree, build-bench (release)"
echo "records: $(thousands "$COUNT") x $RECORD_BYTES bytes, $SOURCE_PARTITIONS source partitions ->" \
    "$TOPIC_PARTITIONS topic partitions, real broker ${FERRY_TEST_BOOTSTRAP:-(not used)}; medians of $RUNS runs" \
    "(memory $MEMORY_RUNS, start-up $STARTUP_RUNS)"
if [ -n "$kafka_pid_at_start" ] && [ "$(kafka_pid)" != "$kafka_pid_at_start" ]; then
    echo "WARNING: the broker restarted during the run (was $kafka_pid_at_start, now" \
        "$(kafka_pid)): some runs measured an outage, see the per-run figures"
fi
[ ${#PRODUCER_PROPS[@]} -gt 0 ] && echo "producer settings (ferry and raw): ${PRODUCER_PROPS[*]}"
[ ${#CONSUMER_PROPS[@]} -gt 0 ] && echo "consumer settings (ferry and raw): ${CONSUMER_PROPS[*]}"
if wants eos; then
    echo
    f=$(median ${eos_rates[off]:-})
    for mode in poll interval; do
        e=$(median ${eos_rates[$mode]:-})
        if [ "$mode" = poll ]; then
            row "exactly-once ($mode), records/s" "$(thousands "$e")" "off: $(thousands "$f")" \
                "$(percent "$e" "$f")%" ">= 80%" "$(verdict "$(percent "$e" "$f")" ">=" 80)"
        else
            row "exactly-once ($mode 100 ms), records/s" "$(thousands "$e")" "off: $(thousands "$f")" \
                "$(percent "$e" "$f")%" "(info)" ""
        fi
    done
    row "first record ms, exactly-once off" "$(median "${eos_first_off_ms[@]}")" "" "" "< 200" \
        "$(verdict "$(median "${eos_first_off_ms[@]}")" "<" 200)"
    row "first record ms, exactly-once on" "$(median "${eos_first_ms[@]}")" "" "" "< 500" \
        "$(verdict "$(median "${eos_first_ms[@]}")" "<" 500)"
fi
if wants source || wants sink || wants memory || wants startup; then
    echo
    row benchmark ferry "raw librdkafka" ratio target result
    row --------- ----- -------------- ----- ------ ------
fi
if wants source; then
    rate_row "source path, records/s" source_ferry_rates source_raw_rates 80
    (( INFO )) && rate_row "  same, ${SOURCE_INFO_PROPS[*]}" source_ferry_info_rates source_raw_rates -
fi
if wants sink; then
    rate_row "sink path, records/s" sink_ferry_rates sink_raw_rates 80
    (( INFO )) && rate_row "  same, both ${SINK_INFO_PROPS[*]}" sink_ferry_info_rates sink_raw_info_rates -
fi
if wants memory; then
    m=$(mb "$(median "${memory_mixed_kb[@]}")")
    row "RSS, 5 sources + 5 sinks idle" "$m MB" - - "< 20 MB" "$(verdict "$m" "<" 20)"
    m=$(mb "$(median "${memory_sources_kb[@]}")")
    row "RSS, 10 sources idle" "$m MB" - - "< 20 MB" "$(verdict "$m" "<" 20)"
fi
if wants startup; then
    s=$(median "${startup_ms[@]}")
    row "start-up to task running (embedded)" "$s ms" - - "< 100 ms" "$(verdict "$s" "<" 100)"
fi
if [ -n "$BASELINE" ]; then
    # change ROWLABEL NEW BASE HIGHER_IS_BETTER(1|0): the working tree against the baseline.
    change() {
        local c worse
        c=$(awk -v n="$2" -v b="$3" 'BEGIN { printf "%+.1f", 100 * (n - b) / b }')
        worse=$(awk -v c="$c" -v h="$4" 'BEGIN { print ((h && c < -5) || (!h && c > 5)) ? "WORSE" : "ok" }')
        printf '%-44s %14s %14s %8s%%  %s\n' "$1" "$2" "$3" "$c" "$worse"
    }
    echo
    printf '%-44s %14s %14s %9s  %s\n' "against the baseline" "this tree" "$baseline_label" change "(> 5% worse: WORSE)"
    wants source && change "source path, records/s" "$(median "${source_ferry_rates[@]}")" \
        "$(median "${source_base_rates[@]}")" 1
    wants sink && change "sink path, records/s" "$(median "${sink_ferry_rates[@]}")" \
        "$(median "${sink_base_rates[@]}")" 1
    if wants memory; then
        change "RSS kB, 5 sources + 5 sinks idle" "$(median "${memory_mixed_kb[@]}")" \
            "$(median "${memory_mixed_base_kb[@]}")" 0
        change "RSS kB, 10 sources idle" "$(median "${memory_sources_kb[@]}")" \
            "$(median "${memory_sources_base_kb[@]}")" 0
    fi
    wants startup && change "start-up ms (embedded)" "$(median "${startup_ms[@]}")" \
        "$(median "${startup_base_ms[@]}")" 0
fi
if wants routing || wants unwrap; then
    # transform_row LABEL WITH WITHOUT TARGET_PCT|-: the medians of transform_rates[WITH] and
    # [WITHOUT], their ratio, and what the chain costs a record (the difference of the times
    # one record takes, from the medians).
    transform_row() {
        local with without p cost
        # shellcheck disable=SC2086 # the runs are words
        with=$(median ${transform_rates[$2]:-}); without=$(median ${transform_rates[$3]:-})
        p=$(percent "$with" "$without")
        cost=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%+.2f us", 1e6 / a - 1e6 / b }')
        if [ "$4" = - ]; then
            printf '%-50s %12s %12s %7s %10s %9s  %s\n' "$1" "$(thousands "$with")" \
                "$(thousands "$without")" "$p%" "$cost" "(info)" ""
        else
            printf '%-50s %12s %12s %7s %10s %9s  %s\n' "$1" "$(thousands "$with")" \
                "$(thousands "$without")" "$p%" "$cost" ">= $4%" "$(verdict "$p" ">=" "$4")"
        fi
    }
    echo
    printf '%-50s %12s %12s %7s %10s %9s  %s\n' "transforms, records/s" "with" "without" ratio \
        "per record" target result
    printf '%-50s %12s %12s %7s %10s %9s  %s\n' --------------------- ---- ------- ----- \
        ---------- ------ ------
    if wants routing; then
        transform_row "source path, RegexRouter+InsertHeader+Filter" source-route source-plain \
            "$ROUTING_TARGET"
        transform_row "source path, no transforms, the plugin's header" source-header \
            source-plain -
        transform_row "source path, the chain against the plugin's header" source-route \
            source-header -
        transform_row "sink path, RegexRouter+InsertHeader+Filter" sink-route sink-plain \
            "$ROUTING_TARGET"
    fi
    if wants unwrap; then
        transform_row "source path, unwrap+ReplaceField+InsertField" source-unwrap source-json -
        transform_row "sink path, unwrap+ReplaceField+InsertField" sink-unwrap sink-json -
        echo "(unwrap: $(thousands "$JSON_COUNT") change events, payload ${#json_payload} bytes," \
            "${#json_event_text} bytes with the schema, JsonConverter with schemas)"
    fi
fi
echo
echo "runs:"
if wants source; then
    echo "  source ferry records/s: $(join "${source_ferry_rates[@]}")"
    (( INFO )) && echo "  source ferry ${SOURCE_INFO_PROPS[*]}: $(join "${source_ferry_info_rates[@]}")"
    echo "  source raw   records/s: $(join "${source_raw_rates[@]}") (raw_producer's own clock:" \
        "$(join "${source_raw_self_rates[@]}"))"
fi
if wants sink; then
    echo "  sink   ferry records/s: $(join "${sink_ferry_rates[@]}")"
    echo "  sink   raw   records/s: $(join "${sink_raw_rates[@]}") (commits every $SINK_FLUSH_MS ms)"
    if (( INFO )); then
        echo "  sink   ferry ${SINK_INFO_PROPS[*]}: $(join "${sink_ferry_info_rates[@]}")"
        echo "  sink   raw   ${SINK_INFO_PROPS[*]}: $(join "${sink_raw_info_rates[@]}")"
    fi
fi
if wants memory; then
    echo "  RSS kB, 5 sources + 5 sinks: $(join "${memory_mixed_kb[@]}") (anonymous:" \
        "$(join "${memory_mixed_anon_kb[@]}"); threads: $(join "${memory_threads[@]}"))"
    echo "  RSS kB, 10 sources: $(join "${memory_sources_kb[@]}") (anonymous:" \
        "$(join "${memory_sources_anon_kb[@]}")); real broker, ${IDLE_SECONDS} s after the tasks started"
fi
if wants startup; then
    echo "  start-up ms: $(join "${startup_ms[@]}") (exec to first log line:" \
        "$(join "${startup_first_line_ms[@]}") ms)"
fi
for key in source-plain source-route sink-plain sink-route source-json source-unwrap sink-json \
    sink-unwrap; do
    [ -n "${transform_rates[$key]:-}" ] && echo "  $key records/s:${transform_rates[$key]}"
done
if [ -n "$BASELINE" ]; then
    wants source && echo "  source baseline records/s: $(join "${source_base_rates[@]}")"
    wants sink && echo "  sink   baseline records/s: $(join "${sink_base_rates[@]}")"
    wants memory && echo "  RSS kB baseline, mixed: $(join "${memory_mixed_base_kb[@]}"); sources:" \
        "$(join "${memory_sources_base_kb[@]}")"
    wants startup && echo "  start-up ms baseline: $(join "${startup_base_ms[@]}")"
fi
if (( perf_usable )) && { wants routing || wants unwrap; }; then
    echo
    echo "where the time goes (perf: the worker's threads, 499 samples/s with call stacks, one" \
        "run each of $(thousands "$COUNT") records (plain, route) or $(thousands "$JSON_COUNT") events" \
        "(json, unwrap)):"
    for run in source-plain source-route sink-plain sink-route source-json source-unwrap sink-json sink-unwrap; do
        [ -f "$tmp/perf-$run.data" ] || continue
        echo "  $run:"
        perf_summary "$tmp/perf-$run.data"
    done
fi
exit 0
