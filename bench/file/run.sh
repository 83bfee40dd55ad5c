#!/usr/bin/env bash
# bench/file/run.sh - FileSource's throughput and memory against librdkafka alone.
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
#
# Usage: bench/file/run.sh
# Needs: the Kafka of tests/services (tests/services/services.sh start kafka), meson, ninja, cc,
# pkg-config rdkafka. Builds ferry and the file plugin (release, no sanitizers) into build-bench/,
# the tools into build-bench/bench-tools/file/.
# Environment: BENCH_RUNS (5), BENCH_COUNT (2000000), BENCH_LINE_BYTES (100), BENCH_BATCH (10000),
# BENCH_BIG_FACTOR (4), BENCH_TIMEOUT_S (180 per run), BENCH_KEEP_TMP (keep the logs).
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
TOPIC_PARTITIONS=4
WATCH_INTERVAL_MS=25

build=$root/build-bench
tools=$build/bench-tools/file
ferry=$build/worker/ferry
run_id="fbench-file-$(date +%s)-$$"

. "$root/bench/lib.sh"
bench_init file

bench_cleanup() { # the run's topics
    if [ -x "$tools/topic_tool" ] && [ -n "${FERRY_TEST_BOOTSTRAP:-}" ]; then
        timeout 60 "$tools/topic_tool" cleanup "$FERRY_TEST_BOOTSTRAP" "$run_id" 2>/dev/null ||
            echo "$bench_script: could not delete the topics of $run_id" >&2
    fi
}

# ---- set-up ----------------------------------------------------------------------------------

pkg-config --exists rdkafka || die "pkg-config cannot find rdkafka"
build_ferry ferry file
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
build_tool raw_file_producer bench/file/raw_file_producer.c rdkafka

tests/services/services.sh status kafka >/dev/null 2>&1 ||
    die "the Kafka of tests/services is not running: tests/services/services.sh start kafka"
eval "$(tests/services/services.sh env)"

# Lines "<number> xxx...x": LINE_BYTES bytes each, then '\n'.
make_lines() { # FILE COUNT
    awk -v n="$2" -v width="$LINE_BYTES" 'BEGIN {
        pad = sprintf("%*s", width, ""); gsub(/ /, "x", pad)
        for (i = 0; i < n; i++) { s = sprintf("%012d ", i); print s substr(pad, 1, width - length(s)) } }' >"$1"
}
log "writing $(thousands "$COUNT") lines of $LINE_BYTES bytes, and $BIG_FACTOR times as many"
make_lines "$tmp/lines.txt" "$COUNT"
make_lines "$tmp/big.txt" $(( COUNT * BIG_FACTOR ))

# ---- the runs --------------------------------------------------------------------------------

watch_topic() { # TOPIC COUNT: the watcher's pid in $watcher
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$1" "$TOPIC_PARTITIONS"
    start_bg "$tmp/$1.watch" timeout $(( TIMEOUT_S + 30 )) "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$1" "$2" $(( TIMEOUT_S * 1000 )) "$WATCH_INTERVAL_MS"
    watcher=$bg_pid
}

ferry_rates=()
ferry_peaks=()
ferry_run() { # LABEL FILE COUNT: the rate in $rate, ferry's VmHWM (kB) in $peak
    local label=$1 file=$2 count=$3 topic=$run_id-$1 dir=$tmp/$1
    mkdir -p "$dir"
    cat >"$dir/worker.properties" <<EOF
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
plugin.path=$build/plugins/file
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

for (( i = 1; i <= RUNS; i++ )); do
    ferry_run "ferry-$i" "$tmp/lines.txt" "$COUNT"
    ferry_rates+=("$rate")
    ferry_peaks+=("$peak")
    raw_run "raw-$i" "$tmp/lines.txt" "$COUNT"
    raw_rates+=("$rate")
    raw_peaks+=("$peak")
done
ferry_run ferry-big "$tmp/big.txt" $(( COUNT * BIG_FACTOR ))
big_rate=$rate
big_peak=$peak
raw_run raw-big "$tmp/big.txt" $(( COUNT * BIG_FACTOR ))
raw_big_peak=$peak

# ---- report ----------------------------------------------------------------------------------

f=$(median "${ferry_rates[@]}")
r=$(median "${raw_rates[@]}")
p=$(percent "$f" "$r")
fp=$(median "${ferry_peaks[@]}")
rp=$(median "${raw_peaks[@]}")
fp_max=$(printf '%s\n' "${ferry_peaks[@]}" | sort -n | tail -1)
file_mb=$(( $(stat -c %s "$tmp/lines.txt") / 1048576 ))
big_mb=$(( $(stat -c %s "$tmp/big.txt") / 1048576 ))
row() { printf '%-46s %16s %16s %8s %8s  %s\n' "$@"; }
echo
echo "ferry file benchmark - $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, librdkafka" \
    "$(pkg-config --modversion rdkafka), ferry $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
    "+ working tree, build-bench (release)"
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
