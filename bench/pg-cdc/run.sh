#!/usr/bin/env bash
# bench/pg-cdc/run.sh - the PostgreSQL CDC source (PostgresCdcSource) against its targets:
#
#   throughput  a loader inserts BENCH_ROWS rows (transactions of BENCH_BATCH rows, INSERT ...
#               SELECT generate_series, as fast as it can) into a captured table while ferry
#               streams them to Kafka (JSON converter, schemas on: Debezium's full envelope).
#               Change events/s from the first event in the topic to the last, seen by the same
#               watcher (topic end offsets every 25 ms). Target: >= 50,000 events/s.
#   latency     the loader inserts at a fixed BENCH_RATE rows/s (transactions of
#               BENCH_LATENCY_BATCH rows) for BENCH_LATENCY_SECONDS; the topic stamps each record
#               with its append time (message.timestamp.type=LogAppendTime), so an event's
#               commit-to-Kafka-ack latency is that time minus its source.ts_us (the commit time).
#               p50 and p99. Target: p99 < 50 ms at 5,000 rows/s.
#   memory      one transaction of BENCH_BIG_TX rows (INSERT ... SELECT); ferry's VmRSS sampled
#               every 100 ms from the commit until the last event is in Kafka. Target: < 50 MB.
#               With the worker's defaults: ferry bounds a producer's queue to 16 MB
#               (queue.buffering.max.kbytes; librdkafka's own default is 1 GB, the Java
#               producer's buffer.memory 32 MB); the informational row with librdkafka's 1 GB
#               shows what the producer queue alone holds then.
#   incremental an incremental snapshot (execute-snapshot through the signal table, chunks of
#               BENCH_INCR_CHUNK) of a BENCH_INCR_ROWS-row table: read events/s from the signal to
#               the last read event in the topic (one change of the table first, so that the
#               producer knows its topic: its first record otherwise waits for the topic's
#               metadata, and the stream with it), once alone and once while the loader inserts BENCH_RATE
#               rows/s into a second captured table, whose commit-to-Kafka-ack p50/p99 (measured
#               as in latency) is streaming's latency during the snapshot; and once more so,
#               the snapshot capped at BENCH_INCR_MAX_RATE rows/s
#               (incremental.snapshot.max.rows.per.second). Target: p99 < 100 ms.
#
#   eos         (on request) exactly-once sources: the throughput run with BENCH_EOS_ROWS rows,
#               alternating exactly.once.source.support disabled and enabled with
#               transaction.boundary poll, interval (1 s) and connector (one Kafka transaction per
#               database transaction of BENCH_BATCH rows), in one invocation, BENCH_EOS_RUNS
#               rounds of the four; medians per mode. Target: poll >= 80% of disabled.
#
# Usage: bench/pg-cdc/run.sh [throughput] [latency] [memory] [incremental] [eos]
#        (none = the first three)
# Needs: the Kafka and PostgreSQL of tests/services (tests/services/services.sh start kafka
# postgres), meson, ninja, cc, pkg-config rdkafka, jansson and libpq. Builds ferry and the
# postgres-cdc plugin (release, no sanitizers) into build-bench/, the tool into
# build-bench/bench-tools/pg-cdc/.
# Environment: BENCH_RUNS (3), BENCH_ROWS (1000000), BENCH_BATCH (1000), BENCH_RATE (5000),
# BENCH_LATENCY_BATCH (10), BENCH_LATENCY_SECONDS (30), BENCH_BIG_TX (1000000),
# BENCH_SCHEMAS (true), BENCH_TIMEOUT_S (300), BENCH_INFO (1), BENCH_EOS_ROWS (300000),
# BENCH_EOS_RUNS (3), BENCH_EOS_CONNECTOR (connector settings added to every eos run, blank-separated,
# e.g. "max.batch.size=8192"),
# BENCH_INCR_ROWS (1000000), BENCH_INCR_CHUNK (1024, Debezium's default),
# BENCH_INCR_MAX_RATE (20000),
# BENCH_KEEP_TMP (keep the logs), BENCH_PERF (perf record the worker during throughput and eos
# runs).
# Tables, slots, publications and topics carry the run id and are dropped on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-3}
ROWS=${BENCH_ROWS:-1000000}
BATCH=${BENCH_BATCH:-1000}
RATE=${BENCH_RATE:-5000}
LATENCY_BATCH=${BENCH_LATENCY_BATCH:-10}
LATENCY_SECONDS=${BENCH_LATENCY_SECONDS:-30}
BIG_TX=${BENCH_BIG_TX:-1000000}
SCHEMAS=${BENCH_SCHEMAS:-true}
TIMEOUT_S=${BENCH_TIMEOUT_S:-300}
INFO=${BENCH_INFO:-1}
EOS_ROWS=${BENCH_EOS_ROWS:-300000}
EOS_RUNS=${BENCH_EOS_RUNS:-3}
INCR_ROWS=${BENCH_INCR_ROWS:-1000000}
INCR_CHUNK=${BENCH_INCR_CHUNK:-1024}
INCR_MAX_RATE=${BENCH_INCR_MAX_RATE:-20000}

: "${FERRY_TEST_BOOTSTRAP:?run eval \"\$(tests/services/services.sh env)\" first}"
: "${FERRY_TEST_PG_DSN:?run eval \"\$(tests/services/services.sh env)\" first}"

build=$root/build-bench
tools=$build/bench-tools/pg-cdc
ferry=$build/worker/ferry
plugin_dir=$build/plugins/postgres-cdc
run_id="pgbench_$(date +%s)_$$"
slots=()
tables=()

benchmarks=("$@")
[ ${#benchmarks[@]} -eq 0 ] && benchmarks=(throughput latency memory)
for b in "${benchmarks[@]}"; do
    case $b in throughput|latency|memory|incremental|eos) ;; *) echo "run.sh: unknown benchmark '$b'" >&2; exit 2 ;; esac
done
wants() { local b; for b in "${benchmarks[@]}"; do [ "$b" = "$1" ] && return 0; done; return 1; }

. "$root/bench/lib.sh"
bench_init pg-cdc
bench_stop_seconds=30 # a worker may be flushing a large transaction
psql_q() { psql "$FERRY_TEST_PG_DSN" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

bench_cleanup() { # the run's slots, publications, tables and topics
    local slot table
    for slot in "${slots[@]}"; do
        psql_q "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                WHERE slot_name = '$slot' AND NOT active" >/dev/null 2>&1 || true
        psql_q "DROP PUBLICATION IF EXISTS $slot" >/dev/null 2>&1 || true
    done
    for table in "${tables[@]}"; do psql_q "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true; done
    [ -x "$tools/pgcdc_bench" ] && timeout 60 "$tools/pgcdc_bench" cleanup "$FERRY_TEST_BOOTSTRAP" "$run_id" 2>/dev/null || true
}

# ---- build ------------------------------------------------------------------------------------

build_ferry ferry postgres-cdc
build_tool pgcdc_bench bench/pg-cdc/pgcdc_bench.c rdkafka jansson libpq

# ---- helpers ------------------------------------------------------------------------------------

dsn_value() { # KEY: a field of FERRY_TEST_PG_DSN
    sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$FERRY_TEST_PG_DSN"
}
pg_host=$(dsn_value host); pg_port=$(dsn_value port); pg_user=$(dsn_value user); pg_db=$(dsn_value dbname)

# worker_props FILE LABEL [KEY=VALUE...]
worker_props() {
    local file=$1 label=$2
    shift 2
    {
        echo "bootstrap.servers=$FERRY_TEST_BOOTSTRAP"
        echo "plugin.path=$plugin_dir"
        echo "key.converter=org.apache.kafka.connect.json.JsonConverter"
        echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
        echo "key.converter.schemas.enable=$SCHEMAS"
        echo "value.converter.schemas.enable=$SCHEMAS"
        echo "group.id=$run_id-$label-cluster"
        echo "offset.storage.topic=$run_id-$label-offsets"
        echo "config.storage.topic=$run_id-$label-configs"
        echo "status.storage.topic=$run_id-$label-status"
        echo "offset.storage.replication.factor=1"
        echo "config.storage.replication.factor=1"
        echo "status.storage.replication.factor=1"
        echo "offset.flush.interval.ms=5000"
        echo "listeners=http://127.0.0.1:0"
        printf '%s\n' "$@"
    } >"$file"
}

# connector_props FILE LABEL TABLE
connector_props() {
    local file=$1 label=$2 table=$3
    cat >"$file" <<EOF
name=$run_id-$label
connector.class=io.debezium.connector.postgresql.PostgresConnector
database.hostname=$pg_host
database.port=$pg_port
database.user=$pg_user
database.dbname=$pg_db
topic.prefix=${run_id}_$label
plugin.name=pgoutput
slot.name=${run_id}_$label
publication.name=${run_id}_$label
publication.autocreate.mode=filtered
table.include.list=public\\.$table
snapshot.mode=no_data
slot.drop.on.stop=true
topic.creation.default.replication.factor=1
topic.creation.default.partitions=1
EOF
    slots+=("${run_id}_$label")
}

new_table() { # LABEL: creates the table; its name in $table (no subshell: the clean-up list)
    table="${run_id}_$1"
    psql_q "CREATE TABLE $table (id int PRIMARY KEY, v text)"
    tables+=("$table")
}

# start_ferry LOG WORKER CONNECTOR: starts ferry, waits until it streams; pid in $ferry_pid
start_ferry() {
    start_bg "$1" "$ferry" standalone "$2" "$3"
    ferry_pid=$bg_pid
    local i
    for (( i = 0; i < 600; i++ )); do
        grep -q "streaming from slot" "$1" && return 0
        kill -0 "$ferry_pid" 2>/dev/null || { tail -20 "$1" >&2; die "ferry exited"; }
        sleep 0.1
    done
    tail -20 "$1" >&2
    die "ferry did not start streaming"
}

stop_ferry() {
    stop_pid "$ferry_pid" "$bench_stop_seconds"
    forget "$ferry_pid"
}

# cpu_ticks PID: the CPU time the process has used, user and system, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure_stream LABEL COUNT WHAT: loads COUNT rows into $table as fast as the loader goes while a
# watcher counts $topic's events (and, with BENCH_PERF, perf records the worker); dies naming
# WHAT when not all arrive. Sets $loader_rate, $stream_rate (events/s, first to last event) and
# $stream_cpu_us (the worker's CPU time per event, µs: on this CPU-bound machine what a mode
# costs, steadier than its rate).
measure_stream() {
    local label=$1 count=$2 what=$3 watch_pid perf_pid= first last ticks_before
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" "$count" $(( TIMEOUT_S * 1000 )) 25 \
        >"$tmp/$label.watch" &
    watch_pid=$!
    if [ -n "${BENCH_PERF:-}" ]; then # a profile of the worker while it streams
        perf record -F 999 -g -p "$ferry_pid" -o "$tmp/$label.perf" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    ticks_before=$(cpu_ticks "$ferry_pid")
    loader_rate=$("$tools/pgcdc_bench" load "$FERRY_TEST_PG_DSN" "$table" "$count" 0 "$BATCH")
    wait "$watch_pid" || die "$what: not all $count events arrived"
    stream_cpu_us=$(awk -v t=$(( $(cpu_ticks "$ferry_pid") - ticks_before )) -v hz="$(getconf CLK_TCK)" \
        -v n="$count" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
    read -r first last <"$tmp/$label.watch"
    stream_rate=$(rate "$count" "$first" "$last")
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

results=()
report() { results+=("$(printf '%-48s %14s %14s  %s' "$1" "$2" "$3" "$4")"); }

# ---- throughput ----------------------------------------------------------------------------------

if wants throughput; then
    rates=()
    loader_rates=()
    for (( run = 1; run <= RUNS; run++ )); do
        label="tp$run"
        new_table "$label"
        worker_props "$tmp/$label.worker" "$label"
        connector_props "$tmp/$label.connector" "$label" "$table"
        topic="${run_id}_$label.public.$table"
        start_ferry "$tmp/$label.log" "$tmp/$label.worker" "$tmp/$label.connector"
        measure_stream "$label" "$ROWS" "throughput run $run"
        log "throughput run $run: $stream_rate events/s (loader $loader_rate rows/s)"
        rates+=("$stream_rate")
        loader_rates+=("$loader_rate")
        stop_ferry
    done
    value=$(median "${rates[@]}")
    report "streaming inserts, events/s (schemas $SCHEMAS)" "$value" ">= 50000" "$(verdict "$value" ">=" 50000)"
    report "  loader rows/s (for scale)" "$(median "${loader_rates[@]}")" "" "info"
fi

# ---- latency -------------------------------------------------------------------------------------

if wants latency; then
    label="lat"
    new_table "$label"
    topic="${run_id}_$label.public.$table"
    "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1 message.timestamp.type=LogAppendTime
    worker_props "$tmp/$label.worker" "$label"
    connector_props "$tmp/$label.connector" "$label" "$table"
    start_ferry "$tmp/$label.log" "$tmp/$label.worker" "$tmp/$label.connector"
    # One row first, so that the producer knows the topic before the measured rows come.
    psql_q "INSERT INTO $table VALUES (0, 'warm-up')"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" 1 $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        die "latency: the warm-up event did not arrive"
    count=$(( RATE * LATENCY_SECONDS ))
    loader_rate=$("$tools/pgcdc_bench" load "$FERRY_TEST_PG_DSN" "$table" "$count" "$RATE" "$LATENCY_BATCH")
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" $(( count + 1 )) $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        die "latency: not all $count events arrived"
    read -r p50 p99 max n < <("$tools/pgcdc_bench" latency "$FERRY_TEST_BOOTSTRAP" "$topic" $(( count + 1 )))
    log "latency: $n events at $loader_rate rows/s: p50 $p50 ms, p99 $p99 ms, max $max ms"
    stop_ferry
    report "commit-to-Kafka-ack p50 ms at $loader_rate rows/s" "$p50" "" "info"
    report "commit-to-Kafka-ack p99 ms at $loader_rate rows/s" "$p99" "< 50" "$(verdict "$p99" "<" 50)"
fi

# ---- exactly-once sources ------------------------------------------------------------------------

if wants eos; then
    declare -A eos_rates=() eos_cpus=()
    eos_pcts=()
    for (( run = 1; run <= EOS_RUNS; run++ )); do
        declare -A round=()
        for mode in off poll interval connector; do
            label="eos$mode$run"
            new_table "$label"
            topic="${run_id}_$label.public.$table"
            "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
            if [ "$mode" = off ]; then
                worker_props "$tmp/$label.worker" "$label"
            else
                worker_props "$tmp/$label.worker" "$label" exactly.once.source.support=enabled
            fi
            connector_props "$tmp/$label.connector" "$label" "$table"
            # shellcheck disable=SC2086 # BENCH_EOS_CONNECTOR: connector settings, one word each
            [ -n "${BENCH_EOS_CONNECTOR:-}" ] && printf '%s\n' ${BENCH_EOS_CONNECTOR} >>"$tmp/$label.connector"
            [ "$mode" != off ] && printf '%s\n' exactly.once.support=required \
                "transaction.boundary=$mode" transaction.boundary.interval.ms=1000 \
                >>"$tmp/$label.connector"
            start_ferry "$tmp/$label.log" "$tmp/$label.worker" "$tmp/$label.connector"
            measure_stream "$label" "$EOS_ROWS" "eos run $run ($mode)"
            round[$mode]=$stream_rate
            eos_rates[$mode]+="${round[$mode]} "
            eos_cpus[$mode]+="$stream_cpu_us "
            log "eos run $run ($mode): ${round[$mode]} events/s, ferry CPU $stream_cpu_us µs/event (loader $loader_rate rows/s)"
            stop_ferry
            # Twelve runs of a million 3 KB events would hold 36 GB of topics until the exit.
            "$tools/pgcdc_bench" cleanup "$FERRY_TEST_BOOTSTRAP" "${run_id}_$label" >/dev/null 2>&1 || true
            psql_q "DROP TABLE IF EXISTS $table" >/dev/null
        done
        eos_pcts+=("$(percent "${round[poll]}" "${round[off]}")")
        unset round
    done
    declare -A eos_rate=()
    for mode in off poll interval connector; do
        # shellcheck disable=SC2086 # the rates, one word each
        eos_rate[$mode]=$(median ${eos_rates[$mode]})
    done
    pct=$(percent "${eos_rate[poll]}" "${eos_rate[off]}")
    report "exactly-once off, events/s ($EOS_ROWS rows)" "${eos_rate[off]}" "" "info"
    report "exactly-once poll, events/s (% of off)" "${eos_rate[poll]} ($pct%)" ">= 80%" "$(verdict "$pct" ">=" 80)"
    report "  poll % of off, run by run" "${eos_pcts[*]}" "" "info"
    report "exactly-once interval 1 s, events/s" "${eos_rate[interval]} ($(percent "${eos_rate[interval]}" "${eos_rate[off]}")%)" "" "info"
    report "exactly-once connector, events/s" "${eos_rate[connector]} ($(percent "${eos_rate[connector]}" "${eos_rate[off]}")%)" "" "info"
    # shellcheck disable=SC2086 # the CPU times, one word each
    report "  ferry CPU µs/event: off poll interval connector" "$(median ${eos_cpus[off]}) $(median ${eos_cpus[poll]}) $(median ${eos_cpus[interval]}) $(median ${eos_cpus[connector]})" "" "info"
fi

# ---- memory --------------------------------------------------------------------------------------

# memory_run LABEL [WORKER KEY=VALUE...]: peak VmRSS (MB) during one transaction of BIG_TX rows
memory_run() {
    local label=$1
    shift
    local table topic peak=0 rss before
    new_table "$label"
    topic="${run_id}_$label.public.$table"
    worker_props "$tmp/$label.worker" "$label" "$@"
    connector_props "$tmp/$label.connector" "$label" "$table"
    start_ferry "$tmp/$label.log" "$tmp/$label.worker" "$tmp/$label.connector"
    sleep 1
    before=$(rss_kb "$ferry_pid")
    psql_q "INSERT INTO $table SELECT g, 'row ' || g FROM generate_series(1, $BIG_TX) g"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" "$BIG_TX" $(( TIMEOUT_S * 1000 )) 100 \
        >"$tmp/$label.watch" &
    local watch_pid=$!
    while kill -0 "$watch_pid" 2>/dev/null; do
        rss=$(rss_kb "$ferry_pid")
        (( rss > peak )) && peak=$rss
        sleep 0.1
    done
    wait "$watch_pid" || die "memory: not all $BIG_TX events arrived"
    stop_ferry
    log "memory ($label): VmRSS $(( before / 1024 )) MB before the transaction, peak $(( peak / 1024 )) MB while streaming it"
    peak_mb=$(megabytes "$peak")
}

if wants memory; then
    memory_run mem
    report "peak RSS MB, 1 tx of $BIG_TX rows (default producer queue)" "$peak_mb" "< 50" "$(verdict "$peak_mb" "<" 50)"
    if (( INFO )); then
        memory_run memdefault "producer.queue.buffering.max.kbytes=1048576"
        report "  the same with librdkafka's default queue (1 GB)" "$peak_mb" "" "info"
    fi
fi

# ---- incremental ---------------------------------------------------------------------------------

# incremental_run LABEL LOAD(0/1) MAX_RATE: an incremental snapshot of a fresh INCR_ROWS-row table
# (incremental.snapshot.max.rows.per.second=MAX_RATE, 0: unlimited); its read events/s in
# $incr_rate; with LOAD, the loader at RATE rows/s into a second captured table during it, whose
# latency is in $incr_p50 / $incr_p99 (and the loader's rows/s in $incr_loaded)
incremental_run() {
    local label=$1 load=$2 max_rate=$3 big lat signal topic lat_topic notify count loader_pid=
    new_table "${label}b"
    big=$table
    psql_q "INSERT INTO $big SELECT g, 'row ' || g FROM generate_series(1, $INCR_ROWS) g"
    psql_q "VACUUM ANALYZE $big" >/dev/null
    new_table "${label}l"
    lat=$table
    signal="${run_id}_${label}s"
    psql_q "CREATE TABLE $signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))"
    tables+=("$signal")
    topic="${run_id}_$label.public.$big"
    lat_topic="${run_id}_$label.public.$lat"
    notify="${run_id}_$label.notifications"
    "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
    "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$notify" 1
    "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$lat_topic" 1 message.timestamp.type=LogAppendTime
    worker_props "$tmp/$label.worker" "$label"
    connector_props "$tmp/$label.connector" "$label" "$big"
    {
        grep -v '^table.include.list=' "$tmp/$label.connector"
        echo "table.include.list=public\\.$big,public\\.$lat"
        echo "signal.data.collection=public.$signal"
        echo "incremental.snapshot.chunk.size=$INCR_CHUNK"
        echo "incremental.snapshot.max.rows.per.second=$max_rate"
        echo "notification.enabled.channels=sink"
        echo "notification.sink.topic.name=$notify"
    } >"$tmp/$label.connector.full"
    mv "$tmp/$label.connector.full" "$tmp/$label.connector"
    start_ferry "$tmp/$label.log" "$tmp/$label.worker" "$tmp/$label.connector"
    psql_q "INSERT INTO $lat VALUES (0, 'warm-up')"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$lat_topic" 1 $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        die "incremental: the warm-up event did not arrive"
    # and one change of the big table, so that the producer knows its topic before the snapshot
    psql_q "UPDATE $big SET v = v WHERE id = 1"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" 1 $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        die "incremental: the warm-up change did not arrive"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" $(( INCR_ROWS + 1 )) $(( TIMEOUT_S * 1000 )) 25 \
        >"$tmp/$label.watch" &
    local watch_pid=$!
    if (( load )); then
        count=$(( RATE * LATENCY_SECONDS ))
        "$tools/pgcdc_bench" load "$FERRY_TEST_PG_DSN" "$lat" "$count" "$RATE" "$LATENCY_BATCH" \
            >"$tmp/$label.loaded" &
        loader_pid=$!
        sleep 2 # streaming at its pace first
    fi
    local signalled
    signalled=$(date +%s%N) # the clock runs from the signal (the topic already has the warm-up)
    psql_q "INSERT INTO $signal VALUES ('bench-1', 'execute-snapshot', '{\"data-collections\": [\"public.$big\"]}')"
    wait "$watch_pid" || die "incremental ($label): not all $INCR_ROWS read events arrived"
    read -r first done <"$tmp/$label.watch"
    first=$signalled
    incr_rate=$(rate "$INCR_ROWS" "$first" "$done")
    log "incremental ($label): $INCR_ROWS rows in $(awk -v a="$first" -v b="$done" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s, $incr_rate rows/s"
    if (( load )); then
        wait "$loader_pid" || die "incremental ($label): the loader failed"
        incr_loaded=$(cat "$tmp/$label.loaded")
        "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$lat_topic" $(( count + 1 )) $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
            die "incremental ($label): not all $count streamed events arrived"
        local max n
        read -r incr_p50 incr_p99 max n < <("$tools/pgcdc_bench" latency "$FERRY_TEST_BOOTSTRAP" "$lat_topic" $(( count + 1 )))
        log "incremental ($label): streaming $n events at $incr_loaded rows/s: p50 $incr_p50 ms, p99 $incr_p99 ms, max $max ms"
    fi
    stop_ferry
}

if wants incremental; then
    incremental_run inc0 0 0
    report "incremental snapshot rows/s, alone" "$incr_rate" "" "info"
    incremental_run inc1 1 0
    report "incremental snapshot rows/s, $RATE rows/s streamed" "$incr_rate" "" "info"
    report "  streaming p50 ms during it ($incr_loaded rows/s)" "$incr_p50" "" "info"
    report "  streaming p99 ms during it ($incr_loaded rows/s)" "$incr_p99" "< 100" "$(verdict "$incr_p99" "<" 100)"
    incremental_run inc2 1 "$INCR_MAX_RATE"
    report "the same, max.rows.per.second=$INCR_MAX_RATE: rows/s" "$incr_rate" "" "info"
    report "  streaming p50 ms during it ($incr_loaded rows/s)" "$incr_p50" "" "info"
    report "  streaming p99 ms during it ($incr_loaded rows/s)" "$incr_p99" "< 100" "$(verdict "$incr_p99" "<" 100)"
fi

echo
printf '%-48s %14s %14s  %s\n' "benchmark" "value" "target" "verdict"
printf '%s\n' "${results[@]}"
