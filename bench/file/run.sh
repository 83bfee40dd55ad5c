#!/usr/bin/env bash
# bench/file/run.sh - FileSource's throughput and memory against librdkafka alone, and FileSink's
# throughput and produce-to-disk delay.
#
#   throughput  a file of BENCH_COUNT lines of BENCH_LINE_BYTES bytes (plus '\n') sent to a fresh
#               topic by `ferry standalone` + FileSource (file=..., batch.size=BENCH_BATCH, String
#               converter) and by raw_file_producer.c (librdkafka alone: the same lines, the same
#               producer settings) into another fresh topic, alternating, on the same broker.
#               records/s from the first record to the last acknowledged one, both seen by the same
#               watcher (bench/runtime/topic_tool.c: the topic's end offsets every 25 ms).
#               Target: ferry >= 80% of raw.
#   memory      ferry's peak RSS (VmHWM) in those runs and in one run over a file BENCH_BIG_FACTOR
#               times larger: flat whatever the file size (the larger file's peak within 1.25x +
#               4 MB of the highest peak over the smaller one). raw_file_producer's for scale.
#   sink        a topic of BENCH_SINK_COUNT lines (filled by raw_file_producer) written to a file
#               by `ferry standalone` + FileSink (String converter, offset.flush.interval.ms=60000,
#               Kafka Connect's default): lines/s from the first byte in the file to 90% of them
#               (the rest of a run is the last flush, which a baseline that buffers would pay).
#               With BENCH_SINK_BASE=<git ref>, the same with the file plugin of that ref (built
#               from `git archive` into build-bench/base-<ref>), alternating: the ratio must not
#               drop below 90%.
#   delay       BENCH_DELAY_COUNT records at BENCH_DELAY_RATE records/s (bench/file/sink_delay.c)
#               into a one-partition topic that FileSink writes out, offset.flush.interval.ms=60000:
#               the time from rd_kafka_producev to the line read back from the file, p50/p99/max.
#               Target: p99 < 100 ms at 1,000 lines/s. Also for the base ref when set (how many
#               lines it wrote at all within the run).
#
# Usage: bench/file/run.sh
# Needs: the Kafka of tests/services (tests/services/services.sh start kafka), meson, ninja, cc,
# pkg-config rdkafka. Builds ferry and the file plugin (release, no sanitizers) into build-bench/,
# the tools into build-bench/bench-tools/file/.
# Environment: BENCH_RUNS (5), BENCH_COUNT (2000000), BENCH_LINE_BYTES (100), BENCH_BATCH (10000),
# BENCH_BIG_FACTOR (4), BENCH_TIMEOUT_S (180 per run), BENCH_KEEP_TMP (keep the logs),
# BENCH_SOURCE (1; 0 skips the source part), BENCH_SINK (1; 0 skips the sink part),
# BENCH_SINK_COUNT (BENCH_COUNT), BENCH_SINK_BASE (unset), BENCH_DELAY_COUNT (30000),
# BENCH_DELAY_RATE (1000), BENCH_SINK_DIR (where the sink's output files go; the run's temporary
# directory when unset; /dev/shm measures the sink without the disk).
# Topics the run creates carry its run id and are deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-5}
COUNT=${BENCH_COUNT:-2000000}
LINE_BYTES=${BENCH_LINE_BYTES:-100}
BATCH=${BENCH_BATCH:-10000}
BIG_FACTOR=${BENCH_BIG_FACTOR:-4}
TIMEOUT_S=${BENCH_TIMEOUT_S:-180}
SOURCE=${BENCH_SOURCE:-1}
SINK=${BENCH_SINK:-1}
SINK_COUNT=${BENCH_SINK_COUNT:-$COUNT}
SINK_BASE=${BENCH_SINK_BASE:-}
DELAY_COUNT=${BENCH_DELAY_COUNT:-30000}
DELAY_RATE=${BENCH_DELAY_RATE:-1000}
SINK_FLUSH_MS=60000
SINK_DIR=${BENCH_SINK_DIR:-}
TOPIC_PARTITIONS=4
WATCH_INTERVAL_MS=25

build=$root/build-bench
tools=$build/bench-tools/file
ferry=$build/worker/ferry
run_id="fbench-file-$(date +%s)-$$"

. "$root/bench/lib.sh"
bench_init file

bench_cleanup() { # the run's topics
    bench_topics_cleanup
}

# ---- set-up ----------------------------------------------------------------------------------

pkg-config --exists rdkafka || die "pkg-config cannot find rdkafka"
build_ferry ferry file
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
build_tool raw_file_producer bench/file/raw_file_producer.c rdkafka
build_tool sink_delay bench/file/sink_delay.c rdkafka

# The file plugin of another ref, for the sink's baseline: its sources only (git archive), the
# plugin target only.
base_plugins=
if [ "$SINK" = 1 ] && [ -n "$SINK_BASE" ]; then
    base_rev=$(git rev-parse --short "$SINK_BASE^{commit}") || die "unknown ref $SINK_BASE"
    base_build=$build/base-$base_rev
    if [ ! -f "$base_build/out/build.ninja" ]; then
        log "configuring the file plugin of $SINK_BASE ($base_rev) in $base_build"
        rm -rf "$base_build"
        mkdir -p "$base_build/src"
        git archive "$base_rev" | tar -x -C "$base_build/src"
        meson setup "$base_build/out" "$base_build/src" --buildtype=release -Db_sanitize=none \
            >"$tmp/base-setup.log" 2>&1 || { cat "$tmp/base-setup.log" >&2; die "meson setup of $SINK_BASE failed"; }
    fi
    meson compile -C "$base_build/out" plugins/file/file >"$tmp/base-compile.log" 2>&1 ||
        { tail -30 "$tmp/base-compile.log" >&2; die "cannot build the file plugin of $SINK_BASE"; }
    base_plugins=$base_build/out/plugins/file
fi

tests/services/services.sh status kafka >/dev/null 2>&1 ||
    die "the Kafka of tests/services is not running: tests/services/services.sh start kafka"
eval "$(tests/services/services.sh env)"

log "writing $(thousands "$COUNT") lines of $LINE_BYTES bytes, and $BIG_FACTOR times as many"
make_lines "$tmp/lines.txt" "$COUNT" "$LINE_BYTES"
[ "$SOURCE" = 1 ] && make_lines "$tmp/big.txt" $(( COUNT * BIG_FACTOR )) "$LINE_BYTES"

# ---- the runs --------------------------------------------------------------------------------

watch_topic() { # TOPIC COUNT: the watcher's pid in $watcher
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$1" "$TOPIC_PARTITIONS"
    start_bg "$tmp/$1.watch" timeout $(( TIMEOUT_S + 30 )) "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$1" "$2" $(( TIMEOUT_S * 1000 )) "$WATCH_INTERVAL_MS"
    watcher=$bg_pid
}

worker_file() { # DIR TOPIC PLUGIN_DIR [EXTRA LINES...]: DIR/worker.properties
    local dir=$1 topic=$2 plugins=$3
    shift 3
    cat >"$dir/worker.properties" <<EOF
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
plugin.path=$plugins
listeners=http://127.0.0.1:$(( 20000 + RANDOM % 20000 ))
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
group.id=$topic-cluster
offset.storage.topic=$topic-offsets
config.storage.topic=$topic-configs
status.storage.topic=$topic-status
offset.storage.replication.factor=1
config.storage.replication.factor=1
status.storage.replication.factor=1
EOF
    (($#)) && printf '%s\n' "$@" >>"$dir/worker.properties"
    return 0
}

ferry_rates=()
ferry_peaks=()
ferry_run() { # LABEL FILE COUNT: the rate in $rate, ferry's VmHWM (kB) in $peak
    local label=$1 file=$2 count=$3 topic=$run_id-$1 dir=$tmp/$1
    mkdir -p "$dir"
    worker_file "$dir" "$topic" "$build/plugins/file"
    printf '%s\n' "name=$topic" "connector.class=FileSource" "file=$file" "topic=$topic" \
        "batch.size=$BATCH" >"$dir/connector.properties"
    watch_topic "$topic" "$count"
    start_bg "$dir/ferry.log" "$ferry" standalone "$dir/worker.properties" \
        "$dir/connector.properties"
    local worker=$bg_pid
    wait "$watcher" || { tail -20 "$dir/ferry.log" >&2; die "$label: ferry did not deliver $count lines"; }
    peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$worker/status")
    stop_pid "$worker"
    local first done_at
    read -r first done_at <"$tmp/$topic.watch"
    rate=$(rate "$count" "$first" "$done_at")
    log "$label: ferry $(thousands "$rate") lines/s, peak RSS $(megabytes "$peak") MB"
}

raw_rates=()
raw_peaks=()
raw_run() { # LABEL FILE COUNT
    local label=$1 topic=$run_id-$1
    watch_topic "$topic" "$3"
    timeout "$TIMEOUT_S" "$tools/raw_file_producer" "$FERRY_TEST_BOOTSTRAP" "$topic" "$2" \
        "$BATCH" >"$tmp/$label.out" || { cat "$tmp/$label.out" >&2; die "$label: raw_file_producer failed"; }
    wait "$watcher" || die "$label: the raw producer's lines did not all arrive"
    local first done_at self_first self_last acked
    read -r first done_at <"$tmp/$topic.watch"
    read -r self_first self_last acked peak <"$tmp/$label.out"
    rate=$(rate "$3" "$first" "$done_at")
    log "$label: raw   $(thousands "$rate") lines/s (its own clock:" \
        "$(thousands "$(rate "$acked" "$self_first" "$self_last")")), peak RSS $(megabytes "$peak") MB"
}

# A short untimed run, so that the broker's JIT and page cache are warm for the first one.
warm_count=$(( COUNT < 200000 ? COUNT : 200000 ))
head -n "$warm_count" "$tmp/lines.txt" >"$tmp/warm.txt"
raw_run warm-up "$tmp/warm.txt" "$warm_count"

# ---- the sink --------------------------------------------------------------------------------

sink_start() { # LABEL PLUGIN_DIR TOPIC: ferry + FileSink; the output in $output, the pid in $worker
    local label=$1 plugins=$2 topic=$3 dir=$tmp/$1
    mkdir -p "$dir"
    output=$dir/out.txt
    [ -n "$SINK_DIR" ] && output=$SINK_DIR/$run_id-$label.txt
    worker_file "$dir" "$run_id-$label" "$plugins" "offset.flush.interval.ms=$SINK_FLUSH_MS"
    printf '%s\n' "name=$run_id-$label" "connector.class=FileSink" "file=$output" \
        "topics=$topic" >"$dir/connector.properties"
    start_bg "$dir/ferry.log" "$ferry" standalone "$dir/worker.properties" \
        "$dir/connector.properties"
    worker=$bg_pid
}

sink_rates=()
base_sink_rates=()
sink_run() { # LABEL PLUGIN_DIR: lines/s in $rate
    local label=$1 bytes first=0 at90=0 size now deadline
    bytes=$(stat -c %s "$tmp/sink-input.txt")
    sink_start "$label" "$2" "$sink_topic"
    deadline=$(( $(date +%s) + TIMEOUT_S ))
    while :; do
        size=$(stat -c %s "$output" 2>/dev/null || echo 0)
        now=$(date +%s%N)
        (( first == 0 && size > 0 )) && first=$now
        if (( size * 10 >= bytes * 9 )); then at90=$now; break; fi
        (( $(date +%s) < deadline )) ||
            { tail -20 "$tmp/$label/ferry.log" >&2; die "$label: the sink wrote $size of $bytes bytes"; }
        sleep 0.01
    done
    stop_pid "$worker"
    forget "$worker"
    [ -n "$SINK_DIR" ] && rm -f "$output"
    rate=$(rate $(( SINK_COUNT * 9 / 10 )) "$first" "$at90")
    log "$label: FileSink $(thousands "$rate") lines/s"
}

delay_run() { # LABEL PLUGIN_DIR: "SEEN P50 P99 MAX" in $delay
    local label=$1 topic=$run_id-$1 i
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
    sink_start "$label" "$2" "$topic"
    for (( i = 0; i < 600; i++ )); do
        grep -q "assigned 1 partitions" "$tmp/$label/ferry.log" 2>/dev/null && break
        sleep 0.1
    done
    delay=$("$tools/sink_delay" "$FERRY_TEST_BOOTSTRAP" "$topic" "$output" "$DELAY_COUNT" \
        "$DELAY_RATE" $(( DELAY_COUNT * 1000 / DELAY_RATE + 10000 )) || true)
    stop_pid "$worker"
    forget "$worker"
    [ -n "$SINK_DIR" ] && rm -f "$output"
    log "$label: lines seen, p50, p99, max (ms): $delay"
}

if [ "$SINK" = 1 ]; then
    sink_topic=$run_id-sink-in
    head -n "$SINK_COUNT" "$tmp/lines.txt" >"$tmp/sink-input.txt"
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$sink_topic" "$TOPIC_PARTITIONS"
    log "filling $sink_topic with $(thousands "$SINK_COUNT") lines"
    timeout "$TIMEOUT_S" "$tools/raw_file_producer" "$FERRY_TEST_BOOTSTRAP" "$sink_topic" \
        "$tmp/sink-input.txt" "$BATCH" >"$tmp/sink-fill.out" || die "cannot fill $sink_topic"
    # Alternating, and in turn first in a pair: the first run after the fill is often slower.
    for (( i = 1; i <= RUNS; i++ )); do
        if [ -n "$base_plugins" ] && (( i % 2 == 0 )); then
            sink_run "base-sink-$i" "$base_plugins"
            base_sink_rates+=("$rate")
        fi
        sink_run "sink-$i" "$build/plugins/file"
        sink_rates+=("$rate")
        if [ -n "$base_plugins" ] && (( i % 2 == 1 )); then
            sink_run "base-sink-$i" "$base_plugins"
            base_sink_rates+=("$rate")
        fi
    done
    delay_run delay "$build/plugins/file"
    delay_ferry=$delay
    if [ -n "$base_plugins" ]; then
        delay_run base-delay "$base_plugins"
        delay_base=$delay
    fi
fi

for (( i = 1; i <= RUNS && SOURCE == 1; i++ )); do
    ferry_run "ferry-$i" "$tmp/lines.txt" "$COUNT"
    ferry_rates+=("$rate")
    ferry_peaks+=("$peak")
    raw_run "raw-$i" "$tmp/lines.txt" "$COUNT"
    raw_rates+=("$rate")
    raw_peaks+=("$peak")
done
if [ "$SOURCE" = 1 ]; then
    ferry_run ferry-big "$tmp/big.txt" $(( COUNT * BIG_FACTOR ))
    big_rate=$rate
    big_peak=$peak
    raw_run raw-big "$tmp/big.txt" $(( COUNT * BIG_FACTOR ))
    raw_big_peak=$peak
fi

# ---- report ----------------------------------------------------------------------------------

f=$(median "${ferry_rates[@]}")
r=$(median "${raw_rates[@]}")
p=$(percent "$f" "$r")
fp=$(median "${ferry_peaks[@]}")
rp=$(median "${raw_peaks[@]}")
fp_max=$(printf '%s\n' "${ferry_peaks[@]}" | sort -n | tail -1)
file_mb=$(( $(stat -c %s "$tmp/lines.txt") / 1048576 ))
row() { printf '%-46s %16s %16s %8s %8s  %s\n' "$@"; }
echo
echo "ferry file benchmark - $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, librdkafka" \
    "$(pkg-config --modversion rdkafka), ferry $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "+ working tree, build-bench (release)"
if [ "$SOURCE" = 1 ]; then
big_mb=$(( $(stat -c %s "$tmp/big.txt") / 1048576 ))
echo "$(thousands "$COUNT") lines of $LINE_BYTES bytes ($file_mb MB) -> $TOPIC_PARTITIONS partitions," \
    "batch.size $BATCH, broker $FERRY_TEST_BOOTSTRAP; medians of $RUNS runs"
echo
row benchmark ferry "raw librdkafka" ratio target result
row --------- ----- -------------- ----- ------ ------
row "file -> Kafka, lines/s" "$(thousands "$f")" "$(thousands "$r")" "$p%" ">= 80%" \
    "$(verdict "$p" ">=" 80)"
row "peak RSS, $file_mb MB file (median)" "$(megabytes "$fp") MB" "$(megabytes "$rp") MB" - - ""
# Flat: the peak over a file BIG_FACTOR times larger stays within the spread of the peaks over the
# smaller one (librdkafka's queue, up to 100,000 records, is most of it and comes and goes).
row "peak RSS, $big_mb MB file" "$(megabytes "$big_peak") MB" "$(megabytes "$raw_big_peak") MB" - \
    "flat" "$(awk -v a="$big_peak" -v b="$fp_max" 'BEGIN { print (a <= b * 1.25 + 4096) ? "PASS" : "FAIL" }')"
echo "(the $big_mb MB run: ferry $(thousands "$big_rate") lines/s)"
echo
echo "runs (lines/s):"
echo "  ferry: ${ferry_rates[*]}   peak RSS kB: ${ferry_peaks[*]}"
echo "  raw:   ${raw_rates[*]}   peak RSS kB: ${raw_peaks[*]}"
fi

if [ "$SINK" = 1 ]; then
    sf=$(median "${sink_rates[@]}")
    read -r seen p50 p99 max <<<"$delay_ferry"
    echo
    echo "FileSink: $(thousands "$SINK_COUNT") lines from $TOPIC_PARTITIONS partitions," \
        "offset.flush.interval.ms=$SINK_FLUSH_MS; delay: $(thousands "$DELAY_COUNT") lines at" \
        "$DELAY_RATE/s, one partition"
    echo
    row benchmark ferry "${SINK_BASE:-(no base)}" ratio target result
    row --------- ----- -------------- ----- ------ ------
    if [ -n "$base_plugins" ]; then
        bf=$(median "${base_sink_rates[@]}")
        sp=$(percent "$sf" "$bf")
        row "Kafka -> file, lines/s" "$(thousands "$sf")" "$(thousands "$bf")" "$sp%" ">= 90%" \
            "$(verdict "$sp" ">=" 90)"
        read -r bseen bp50 bp99 bmax <<<"$delay_base"
        base_delay="$(thousands "${bseen:-0}") lines seen"
    else
        row "Kafka -> file, lines/s" "$(thousands "$sf")" - - - ""
        base_delay=-
    fi
    if [ "${seen:-0}" = "$DELAY_COUNT" ]; then
        row "produce -> line in the file, p99" "$p99 ms" "$base_delay" - "< 100 ms" \
            "$(verdict "$p99" "<" 100)"
    else
        row "produce -> line in the file, p99" "${seen:-0} lines seen" "$base_delay" - "< 100 ms" FAIL
    fi
    echo "(delay p50 $p50 ms, max $max ms)"
    echo
    echo "runs (lines/s):"
    echo "  FileSink: ${sink_rates[*]}"
    [ -n "$base_plugins" ] && echo "  base:     ${base_sink_rates[*]}   base delay (seen p50 p99 max): $delay_base"
fi
