#!/usr/bin/env bash
# bench/compare/run.sh - ferry side by side with Apache Kafka Connect (the test broker's version,
# assembled from its Maven Central jars) and Debezium's PostgreSQL connector, on the services of
# tests/services, one process at a time, on the same data; prints one markdown table (each
# figure, the ratio, the settings) ready for bench/README.md. Method and fairness rules:
# bench/README.md, "bench/compare/run.sh".
#
#   file-source  FileStreamSource vs ferry: a file of BENCH_LINES lines of BENCH_LINE_BYTES bytes
#                into a fresh topic; records/s first record -> last (topic end offsets every
#                25 ms) and process start -> last; peak RSS; CPU seconds.
#   file-sink    FileStreamSink vs ferry: the same lines, produced once to a topic, written to a
#                file by each in a fresh consumer group; records/s from the first byte in the file
#                to the last line on disk, and from process start.
#   pg           Debezium vs ferry postgres-cdc: BENCH_PG_ROWS rows in BENCH_PG_BATCH-row
#                transactions into a table whose slot and publication exist; after the last
#                commit the reader starts and drains the WAL: events/s from the last commit to the
#                last event, and from the first event to the last; peak RSS; CPU seconds.
#                pg_recvlogical (pgoutput, the same publication, to /dev/null, until the LSN after
#                the last commit) is the limit. Then commit-to-event p50/p99 at BENCH_PG_RATE
#                rows/s for BENCH_PG_LATENCY_SECONDS.
#   transforms   the pg drain with ExtractNewRecordState + RegexRouter + InsertField on both.
#   footprint    distributed mode: process start -> BENCH_CONNECTORS FileStreamSource tasks
#                RUNNING (created through REST), idle RSS BENCH_IDLE_SETTLE_S later, and process
#                start -> the same tasks RUNNING again from the stored configs.
#   es           Kafka -> Elasticsearch: no Kafka Connect Elasticsearch sink is served by Maven
#                Central for this Kafka (bench/README.md): ferry against the curl _bulk loader,
#                by bench/es/run.sh with BENCH_ES_COUNT documents.
#
# Kafka Connect runs in each of its forms: the Kafka scripts' default heap (BENCH_HEAP), the same
# with a tuned producer (BENCH_TUNED_PRODUCER, cases that produce), and a smaller heap
# (BENCH_SMALL_HEAP). Every form runs BENCH_RUNS times, alternating with ferry; figures are
# medians.
#
# Usage: bench/compare/run.sh [file-source] [file-sink] [pg] [transforms] [footprint] [es]
#        (none = all)
# Needs: tests/services/services.sh start (Kafka, PostgreSQL, Elasticsearch), a JDK 17+ and Maven
# (services.sh installs them), meson, ninja, cc, pkg-config rdkafka jansson libpq libcurl, jq,
# curl, pg_recvlogical. Builds ferry and its plugins (release) into build-bench/, the tools into
# build-bench/bench-tools/compare/, Kafka Connect's jars into build-bench/compare-jvm/.
# Environment: BENCH_RUNS (3), BENCH_LINES (2000000), BENCH_LINE_BYTES (100), BENCH_BATCH (2000:
# FileStreamSource's batch.size, its default), BENCH_FLUSH_MS (60000: offset.flush.interval.ms,
# Kafka Connect's default), BENCH_PG_ROWS (200000), BENCH_PG_BATCH (1000), BENCH_PG_RATE (5000),
# BENCH_PG_LATENCY_SECONDS (20), BENCH_CONNECTORS (10), BENCH_IDLE_SETTLE_S (10),
# BENCH_ES_COUNT (300000), BENCH_HEAP ("-Xms256M -Xmx2G"), BENCH_SMALL_HEAP ("-Xms64M -Xmx256M"),
# BENCH_TUNED_PRODUCER ("linger.ms=5 batch.size=1000000": librdkafka's defaults, which ferry's
# producer runs with), BENCH_TIMEOUT_S (300 per run), BENCH_KEEP_TMP (keep the logs).
# Topics, consumer groups, tables, slots and publications carry the run id and are dropped at exit,
# also on Ctrl-C; every JVM, ferry and pg_recvlogical started is stopped.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-3}
LINES=${BENCH_LINES:-2000000}
LINE_BYTES=${BENCH_LINE_BYTES:-100}
BATCH=${BENCH_BATCH:-2000}
FLUSH_MS=${BENCH_FLUSH_MS:-60000}
PG_ROWS=${BENCH_PG_ROWS:-200000}
PG_BATCH=${BENCH_PG_BATCH:-1000}
PG_RATE=${BENCH_PG_RATE:-5000}
PG_LATENCY_SECONDS=${BENCH_PG_LATENCY_SECONDS:-20}
PG_LATENCY_BATCH=10
CONNECTORS=${BENCH_CONNECTORS:-10}
IDLE_SETTLE_S=${BENCH_IDLE_SETTLE_S:-10}
ES_COUNT=${BENCH_ES_COUNT:-300000}
HEAP=${BENCH_HEAP:--Xms256M -Xmx2G}
SMALL_HEAP=${BENCH_SMALL_HEAP:--Xms64M -Xmx256M}
TUNED_PRODUCER=${BENCH_TUNED_PRODUCER:-linger.ms=5 batch.size=1000000}
TIMEOUT_S=${BENCH_TIMEOUT_S:-300}
TOPIC_PARTITIONS=4
JSON=org.apache.kafka.connect.json.JsonConverter
STRING=org.apache.kafka.connect.storage.StringConverter
# What kafka-run-class.sh gives a worker besides its heap (KAFKA_JVM_PERFORMANCE_OPTS).
JVM_OPTS=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
          -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true)

all_cases=(file-source file-sink pg transforms footprint es)
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=("${all_cases[@]}")
for c in "${cases[@]}"; do
    case " ${all_cases[*]} " in *" $c "*) ;; *) echo "run.sh: unknown case '$c' (${all_cases[*]})" >&2; exit 2 ;; esac
done
wants() { local c; for c in "${cases[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }

build=$root/build-bench
tools=$build/bench-tools/compare
ferry=$build/worker/ferry
jvm_work=$build/compare-jvm
# One id for Kafka and PostgreSQL names alike: lower case, digits and '_'.
run_id="cmp_$(date +%s)_$$"
kafka_used=0
tables=()

. "$root/bench/lib.sh"
. "$root/tests/compat/maven_jars.sh"
bench_init compare
bench_stop_seconds=30 # a JVM flushing and committing on SIGTERM

psql_q() { psql "$FERRY_TEST_PG_DSN" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

bench_cleanup() { # the run's slots, publications, tables, topics and groups
    if [ -n "${FERRY_TEST_PG_DSN:-}" ] && (( ${#tables[@]} )); then
        psql_q "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
                WHERE slot_name LIKE '$run_id%' AND active" >/dev/null 2>&1 || true
        sleep 0.5
        psql_q "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                WHERE slot_name LIKE '$run_id%' AND NOT active" >/dev/null 2>&1 || true
        local name
        for name in "${tables[@]}"; do
            psql_q "DROP PUBLICATION IF EXISTS $name" >/dev/null 2>&1 || true
            psql_q "DROP TABLE IF EXISTS $name" >/dev/null 2>&1 || true
        done
    fi
    bench_topics_cleanup
}

# ---- set-up ----------------------------------------------------------------------------------

for tool in jq curl psql pg_recvlogical; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
pkg-config --exists rdkafka jansson libpq libcurl || die "pkg-config cannot find rdkafka, jansson, libpq or libcurl"
services=(kafka)
{ wants pg || wants transforms; } && services+=(postgres)
wants es && services+=(elasticsearch)
tests/services/services.sh status "${services[@]}" >/dev/null 2>&1 ||
    die "${services[*]} of tests/services must run: tests/services/services.sh start"
eval "$(tests/services/services.sh env)"

# Kafka Connect at the broker's version: the pom's must be the services' one.
pom_version() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1" | head -n 1; }
kafka_version=$(pom_version tests/services/kafka/pom.xml kafka.version)
[ "$(pom_version bench/compare/pom.xml kafka.version)" = "$kafka_version" ] ||
    die "bench/compare/pom.xml's kafka.version is not the test broker's ($kafka_version)"
debezium_version=$(pom_version bench/compare/pom.xml debezium.version)
jdk=$(jdk_find) || die "no JDK 17 or later (tests/services/services.sh start installs one)"
mkdir -p "$jvm_work"
log "fetching Kafka Connect $kafka_version and Debezium $debezium_version (Maven, cached)"
maven_jars bench/compare/pom.xml "$jvm_work"
java_version=$("$jdk/java" -version 2>&1 | head -n 1 | sed 's/"//g')

build_ferry ferry file postgres-cdc elasticsearch-sink
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
build_tool raw_file_producer bench/file/raw_file_producer.c rdkafka
build_tool pgcdc_bench bench/pg-cdc/pgcdc_bench.c rdkafka jansson libpq
kafka_used=1

bench_ports 200
next_port=$bench_port
port_take() { port=$next_port; next_port=$(( next_port + 1 )); }

# ---- the two sides ---------------------------------------------------------------------------

# A side is "ferry" or a Kafka Connect form: "kc" (BENCH_HEAP), "kc-tuned" (BENCH_HEAP and
# BENCH_TUNED_PRODUCER), "kc-small" (BENCH_SMALL_HEAP).
side_name() {
    case $1 in
        ferry) echo "ferry" ;;
        kc) echo "Kafka Connect $kafka_version, $HEAP" ;;
        kc-tuned) echo "Kafka Connect $kafka_version, $HEAP, producer $TUNED_PRODUCER" ;;
        kc-small) echo "Kafka Connect $kafka_version, $SMALL_HEAP" ;;
    esac
}

# worker_props FILE SIDE MODE LABEL CONVERTER [KEY=VALUE...]: a worker's properties, the same keys
# for both sides where both have them. MODE standalone or distributed.
worker_props() {
    local file=$1 side=$2 mode=$3 label=$4 converter=$5 pair
    shift 5
    port_take
    {
        echo "bootstrap.servers=$FERRY_TEST_BOOTSTRAP"
        echo "listeners=http://127.0.0.1:$port"
        echo "rest.advertised.host.name=127.0.0.1"
        echo "key.converter=$converter"
        echo "value.converter=$converter"
        echo "offset.flush.interval.ms=$FLUSH_MS"
        echo "producer.acks=all"
        if [ "$side" = ferry ]; then
            echo "plugin.path=$build/plugins/file,$build/plugins/postgres-cdc"
        else
            echo "plugin.path="
        fi
        if [ "$mode" = distributed ] || [ "$side" = ferry ]; then
            # ferry keeps a standalone worker's offsets in Kafka too: the same topic names.
            echo "group.id=$run_id-$label"
            echo "config.storage.topic=$run_id-$label-configs"
            echo "offset.storage.topic=$run_id-$label-offsets"
            echo "status.storage.topic=$run_id-$label-status"
            echo "config.storage.replication.factor=1"
            echo "offset.storage.replication.factor=1"
            echo "status.storage.replication.factor=1"
            echo "offset.storage.partitions=25"
            echo "status.storage.partitions=5"
        fi
        [ "$mode" = standalone ] && [ "$side" != ferry ] &&
            echo "offset.storage.file.filename=$(dirname "$file")/offsets"
        if [ "$side" = kc-tuned ]; then
            for pair in $TUNED_PRODUCER; do echo "producer.$pair"; done
        fi
        (($#)) && printf '%s\n' "$@"
    } >"$file"
    return 0
}

# side_start SIDE MODE DIR [CONNECTOR.properties...]: starts the worker of DIR/worker.properties;
# its pid in $worker, its start (ns since the epoch) in $started.
side_start() {
    local side=$1 mode=$2 dir=$3
    shift 3
    started=$(date +%s%N)
    if [ "$side" = ferry ]; then
        start_bg "$dir/worker.log" "$ferry" "$mode" "$dir/worker.properties" "$@"
    else
        local heap=$HEAP main=org.apache.kafka.connect.cli.ConnectStandalone
        [ "$side" = kc-small ] && heap=$SMALL_HEAP
        [ "$mode" = distributed ] && main=org.apache.kafka.connect.cli.ConnectDistributed
        connect_log4j "$dir/log4j.properties" "$dir/connect.log" WARN
        # shellcheck disable=SC2086 # the heap flags are words
        start_bg "$dir/worker.log" "$jdk/java" $heap "${JVM_OPTS[@]}" \
            -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$jvm_work/lib/*" \
            "$main" "$dir/worker.properties" "$@"
    fi
    worker=$bg_pid
}

# side_stop: peak RSS (kB) in $peak and CPU seconds in $cpu of $worker, then stops it.
side_stop() {
    peak=$(tree_status_kb "$worker" VmHWM)
    cpu=$(cpu_seconds "$worker")
    stop_pid "$worker" "$bench_stop_seconds"
    forget "$worker"
}

# A run that fails: ferry's ends the script (a ferry that cannot do the work is a bug to look
# at, not a figure); a peer's is kept for the table (failures below it, the median of the runs
# that finished) and the case goes on, as a JVM that runs out of heap on the case's data is a
# result too. The run's worker is stopped; the caller returns.
declare -A failures=() # "CASE|SIDE" -> what failed, run by run
# side_failed SIDE DIR WHAT
side_failed() {
    local side=$1 dir=$2 what=$3 cause
    tail -20 "$dir/worker.log" >&2
    [ -f "$dir/connect.log" ] && tail -20 "$dir/connect.log" >&2
    [ "$side" = ferry ] && die "$what ($dir)"
    cause=$(side_fatal_error "$dir")
    what="$(basename "$dir"): $what${cause:+: $cause}"
    failures[$c|$side]="${failures[$c|$side]:+${failures[$c|$side]}; }$what"
    log "$c, $(side_name "$side") failed ($what); its run is left out, the case goes on"
    stop_pid "$worker" 10
    forget "$worker"
}
# side_fatal_error DIR: the first error that stops a JVM worker from doing the work, from its logs
side_fatal_error() {
    grep -h -o -m 1 'java\.lang\.OutOfMemoryError[^(]*' "$1/worker.log" "$1/connect.log" 2>/dev/null |
        head -n 1 | sed 's/[[:space:]]*$//'
}
# side_wait PID DIR: waits for PID (a watcher) while the worker lives and has not met a fatal
# error (a JVM out of heap lives on without producing); 0 when PID succeeded.
side_wait() {
    while kill -0 "$1" 2>/dev/null; do
        if ! kill -0 "$worker" 2>/dev/null || [ -n "$(side_fatal_error "$2")" ]; then
            kill "$1" 2>/dev/null || true
            wait "$1" 2>/dev/null || true
            forget "$1"
            return 1
        fi
        sleep 0.1
    done
    forget "$1"
    wait "$1"
}

watch_topic() { # TOPIC COUNT: the watcher's pid in $watcher, its answer in $tmp/TOPIC.watch
    start_bg "$tmp/$1.watch" timeout $(( TIMEOUT_S + 30 )) "$tools/topic_tool" watch \
        "$FERRY_TEST_BOOTSTRAP" "$1" "$2" $(( TIMEOUT_S * 1000 )) 25
    watcher=$bg_pid
}

# span_rate COUNT FIRST_NS LAST_NS: COUNT per second, over at least one watch interval (25 ms): a
# small count may arrive between two looks, which then says only that it took less than that.
span_rate() { rate "$1" "$2" $(( $3 > $2 + 25000000 ? $3 : $2 + 25000000 )); }

# ---- results ---------------------------------------------------------------------------------

rows=()
# row CASE MEASURE FERRY PEER PEER_FIGURE RATIO TARGET: one line of the table.
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
times_more() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f×\n", a / b; else print "-" }'; }
# check RATIO_TEXT TARGET: "PASS"/"FAIL" after the ratio when a target is given
check() { { [ -z "$2" ] || [ "$1" = - ]; } && { echo "-"; return; }; echo "≥ $2× $(verdict "${1%×}" ">=" "$2")"; }
declare -A figures=() # SIDE/MEASURE -> the runs' values, space-separated
add() { figures[$1]="${figures[$1]:-} $2"; }
med() { # KEY: the median of its runs
    # shellcheck disable=SC2086 # the runs are words
    median ${figures[$1]:-}
}

# compare_rows CASE MEASURE KIND TARGET SIDES...: a row per Kafka Connect form against ferry's
# median. KIND "rate" (ferry / peer, more is better), "cost" (peer / ferry, less is better).
compare_rows() {
    local case=$1 measure=$2 kind=$3 target=$4 side f p ratio
    shift 4
    f=$(med "ferry/$measure")
    for side in "$@"; do
        p=$(med "$side/$measure")
        if [ "$kind" = rate ]; then ratio=$(times_more "$f" "$p"); else ratio=$(times_more "$p" "$f"); fi
        local peer
        peer=$(side_name "$side")
        [ -n "${failures[$case|$side]:-}" ] && peer="$peer (runs failed: below)"
        row "$case" "$measure" "$(show "$measure" "$f")" "$peer" "$(show "$measure" "$p")" \
            "$ratio" "$(check "$ratio" "$target")"
    done
}
show() { # MEASURE VALUE: the value in the measure's unit ("failed": no run finished)
    [ -z "$2" ] && { echo "failed (below)"; return; }
    case $1 in
        *RSS*) echo "$(megabytes "$2") MB" ;;
        *"CPU s"*) echo "$2 s" ;;
        *" ms"*) echo "$2 ms" ;;
        *) thousands "$2" ;;
    esac
}

# ---- file -> Kafka ---------------------------------------------------------------------------

if wants file-source || wants file-sink; then
    log "writing $(thousands "$LINES") lines of $LINE_BYTES bytes"
    make_lines "$tmp/lines.txt" "$LINES" "$LINE_BYTES"
fi

# add_file_run CASE SIDE RUN FIRST_NS LAST_NS: the figures of a file run ($started, $peak, $cpu)
add_file_run() {
    local side=$2 first=$4 last=$5
    add "$side/records/s, first → last" "$(span_rate "$LINES" "$first" "$last")"
    add "$side/records/s, start → last" "$(rate "$LINES" "$started" "$last")"
    add "$side/peak RSS" "$peak"
    add "$side/CPU s" "$cpu"
    log "$1, $side run $3: $(thousands "$(span_rate "$LINES" "$first" "$last")") records/s," \
        "peak RSS $(megabytes "$peak") MB, CPU $cpu s"
}

file_source_run() { # SIDE RUN
    local side=$1 label=fs-$1-$2 dir=$tmp/fs-$1-$2 topic first done_at
    topic=$run_id-$label
    mkdir -p "$dir"
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" "$TOPIC_PARTITIONS"
    worker_props "$dir/worker.properties" "$side" standalone "$label" "$STRING"
    printf '%s\n' "name=$run_id-$label" \
        "connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector" "tasks.max=1" \
        "file=$tmp/lines.txt" "topic=$topic" "batch.size=$BATCH" >"$dir/connector.properties"
    watch_topic "$topic" "$LINES"
    side_start "$side" standalone "$dir" "$dir/connector.properties"
    side_wait "$watcher" "$dir" ||
        { side_failed "$side" "$dir" "did not deliver $LINES lines"; return 0; }
    side_stop
    read -r first done_at <"$tmp/$topic.watch"
    add_file_run "file -> Kafka" "$side" "$2" "$first" "$done_at"
}

if wants file-source; then
    c="file → Kafka"
    for (( i = 1; i <= RUNS; i++ )); do
        for side in ferry kc kc-tuned kc-small; do file_source_run "$side" "$i"; done
    done
    compare_rows "$c" "records/s, first → last" rate 5 kc kc-tuned kc-small
    compare_rows "$c" "records/s, start → last" rate "" kc kc-tuned kc-small
    compare_rows "$c" "peak RSS" cost 10 kc kc-tuned kc-small
    compare_rows "$c" "CPU s" cost "" kc kc-tuned kc-small
fi

# ---- Kafka -> file ---------------------------------------------------------------------------

file_sink_run() { # SIDE RUN
    local side=$1 label=fk-$1-$2 dir=$tmp/fk-$1-$2 bytes size first=0 now deadline output
    mkdir -p "$dir"
    output=$dir/out.txt
    bytes=$(stat -c %s "$tmp/lines.txt")
    worker_props "$dir/worker.properties" "$side" standalone "$label" "$STRING"
    printf '%s\n' "name=$run_id-$label" \
        "connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector" "tasks.max=1" \
        "file=$output" "topics=$sink_topic" >"$dir/connector.properties"
    side_start "$side" standalone "$dir" "$dir/connector.properties"
    deadline=$(( $(date +%s) + TIMEOUT_S ))
    while :; do
        size=$(stat -c %s "$output" 2>/dev/null || echo 0)
        now=$(date +%s%N)
        (( first == 0 && size > 0 )) && first=$now
        (( size >= bytes )) && break
        { kill -0 "$worker" 2>/dev/null && [ -z "$(side_fatal_error "$dir")" ]; } ||
            { side_failed "$side" "$dir" "stopped working after $size of $bytes bytes"; return 0; }
        (( $(date +%s) < deadline )) ||
            { side_failed "$side" "$dir" "wrote $size of $bytes bytes in ${TIMEOUT_S} s"; return 0; }
        sleep 0.02
    done
    side_stop
    rm -f "$output"
    add_file_run "Kafka -> file" "$side" "$2" "$first" "$now"
}

if wants file-sink; then
    figures=()
    sink_topic=$run_id-sink-in
    c="Kafka → file"
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$sink_topic" "$TOPIC_PARTITIONS"
    log "filling $sink_topic with the lines"
    timeout "$TIMEOUT_S" "$tools/raw_file_producer" "$FERRY_TEST_BOOTSTRAP" "$sink_topic" \
        "$tmp/lines.txt" >"$tmp/sink-fill.out" || die "cannot fill $sink_topic"
    for (( i = 1; i <= RUNS; i++ )); do
        for side in ferry kc kc-small; do file_sink_run "$side" "$i"; done
    done
    compare_rows "$c" "records/s, first → last" rate 3 kc kc-small
    compare_rows "$c" "records/s, start → last" rate "" kc kc-small
    compare_rows "$c" "peak RSS" cost 10 kc kc-small
    compare_rows "$c" "CPU s" cost "" kc kc-small
fi

# ---- PostgreSQL -> Kafka ---------------------------------------------------------------------

# pg_prepare LABEL: a table, its publication and a pgoutput slot, all named $run_id_LABEL (in
# $table); the slot exists before the rows are written, so every reader starts from the same WAL.
pg_prepare() {
    table="${run_id}_$1"
    tables+=("$table")
    psql_q "CREATE TABLE $table (id int PRIMARY KEY, v text)"
    psql_q "CREATE PUBLICATION $table FOR TABLE $table"
    psql_q "SELECT pg_create_logical_replication_slot('$table', 'pgoutput')" >/dev/null
}
pg_drop() { # TABLE: once its reader has stopped
    psql_q "SELECT pg_drop_replication_slot('$1')" >/dev/null 2>&1 || true
    psql_q "DROP PUBLICATION IF EXISTS $1" >/dev/null
    psql_q "DROP TABLE IF EXISTS $1" >/dev/null
}
pg_value() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$FERRY_TEST_PG_DSN"; }

# pg_connector FILE LABEL TABLE [KEY=VALUE...]: Debezium's keys, the same file for both sides
pg_connector() {
    local file=$1 label=$2 table=$3
    shift 3
    {
        echo "name=$run_id-$label"
        echo "connector.class=io.debezium.connector.postgresql.PostgresConnector"
        echo "tasks.max=1"
        echo "database.hostname=$(pg_value host)"
        echo "database.port=$(pg_value port)"
        echo "database.user=$(pg_value user)"
        echo "database.password=$(pg_value password)"
        echo "database.dbname=$(pg_value dbname)"
        echo "topic.prefix=$run_id-$label"
        echo "plugin.name=pgoutput"
        echo "slot.name=$table"
        echo "publication.name=$table"
        echo "publication.autocreate.mode=disabled"
        echo "table.include.list=public\\.$table"
        echo "snapshot.mode=no_data"
        (($#)) && printf '%s\n' "$@"
    } >"$file"
    return 0
}

# pg_drain_run CASE SIDE RUN [KEY=VALUE...]: BENCH_PG_ROWS rows written, then read by SIDE
# (a worker side or "recvlogical") with the connector keys given; events/s from the last commit
# to the last event and from the first event to the last, peak RSS, CPU seconds.
pg_drain_run() {
    local case=$1 side=$2 label=$1-$2-$3 dir=$tmp/$1-$2-$3 topic first done_at committed lsn
    shift 3
    mkdir -p "$dir"
    pg_prepare "${label//-/_}"
    topic=$run_id-$label.public.$table
    (( $# )) && topic=$run_id-$label-routed
    "$tools/pgcdc_bench" load "$FERRY_TEST_PG_DSN" "$table" "$PG_ROWS" 0 "$PG_BATCH" >"$dir/loader.out"
    committed=$(date +%s%N)
    if [ "$side" = recvlogical ]; then
        lsn=$(psql_q "SELECT pg_current_wal_lsn()")
        timeout "$TIMEOUT_S" pg_recvlogical -d "$FERRY_TEST_PG_DSN" --slot "$table" --start \
            --endpos "$lsn" --no-loop -o proto_version=1 -o "publication_names=$table" \
            -f /dev/null 2>"$dir/recvlogical.log" || { cat "$dir/recvlogical.log" >&2; die "pg_recvlogical failed"; }
        done_at=$(date +%s%N)
        add "$side/events/s, last commit → last event" "$(rate "$PG_ROWS" "$committed" "$done_at")"
        pg_drop "$table"
        log "$case, pg_recvlogical run: $(thousands "$(rate "$PG_ROWS" "$committed" "$done_at")") events/s"
        return 0
    fi
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
    worker_props "$dir/worker.properties" "$side" standalone "$label" "$JSON"
    pg_connector "$dir/connector.properties" "$label" "$table" "$@"
    watch_topic "$topic" "$PG_ROWS"
    side_start "$side" standalone "$dir" "$dir/connector.properties"
    if ! side_wait "$watcher" "$dir"; then
        side_failed "$side" "$dir" "did not deliver $PG_ROWS events"
        pg_drop "$table"
        return 0
    fi
    side_stop
    pg_drop "$table"
    read -r first done_at <"$tmp/$topic.watch"
    add "$side/events/s, last commit → last event" "$(rate "$PG_ROWS" "$committed" "$done_at")"
    add "$side/events/s, first → last event" "$(span_rate "$PG_ROWS" "$first" "$done_at")"
    add "$side/peak RSS" "$peak"
    add "$side/CPU s" "$cpu"
    log "$case, $side run: $(thousands "$(rate "$PG_ROWS" "$committed" "$done_at")") events/s from the" \
        "last commit, $(thousands "$(rate "$PG_ROWS" "$first" "$done_at")") from the first event," \
        "peak RSS $(megabytes "$peak") MB, CPU $cpu s"
}

# pg_latency_run SIDE RUN: commit-to-event p50/p99 at BENCH_PG_RATE rows/s
pg_latency_run() {
    local side=$1 label=pl-$1-$2 dir=$tmp/pl-$1-$2 topic count i p50 p99 max n active
    mkdir -p "$dir"
    pg_prepare "${label//-/_}"
    topic=$run_id-$label.public.$table
    "$tools/pgcdc_bench" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1 message.timestamp.type=LogAppendTime
    worker_props "$dir/worker.properties" "$side" standalone "$label" "$JSON"
    pg_connector "$dir/connector.properties" "$label" "$table"
    side_start "$side" standalone "$dir" "$dir/connector.properties"
    for (( i = 0; i < TIMEOUT_S * 10; i++ )); do
        active=$(psql_q "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$table' AND active")
        [ "$active" = 1 ] && break
        kill -0 "$worker" 2>/dev/null || break
        sleep 0.1
    done
    [ "$active" = 1 ] || { side_failed "$side" "$dir" "did not start streaming"; pg_drop "$table"; return 0; }
    # One row first: the producer learns the topic before the measured rows come.
    psql_q "INSERT INTO $table VALUES (0, 'warm-up')"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" 1 $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        { side_failed "$side" "$dir" "the warm-up event did not arrive"; pg_drop "$table"; return 0; }
    count=$(( PG_RATE * PG_LATENCY_SECONDS ))
    "$tools/pgcdc_bench" load "$FERRY_TEST_PG_DSN" "$table" "$count" "$PG_RATE" "$PG_LATENCY_BATCH" >"$dir/loader.out"
    "$tools/pgcdc_bench" watch "$FERRY_TEST_BOOTSTRAP" "$topic" $(( count + 1 )) $(( TIMEOUT_S * 1000 )) 100 >/dev/null ||
        { side_failed "$side" "$dir" "not all $count events arrived"; pg_drop "$table"; return 0; }
    read -r p50 p99 max n < <("$tools/pgcdc_bench" latency "$FERRY_TEST_BOOTSTRAP" "$topic" $(( count + 1 )))
    side_stop
    pg_drop "$table"
    add "$side/commit → event p50 ms" "$p50"
    add "$side/commit → event p99 ms" "$p99"
    log "PostgreSQL latency, $side run $2: $n events at $(cat "$dir/loader.out") rows/s: p50 $p50 ms, p99 $p99 ms, max $max ms"
}

if wants pg; then
    figures=()
    c="PostgreSQL → Kafka"
    for (( i = 1; i <= RUNS; i++ )); do
        for side in recvlogical ferry kc kc-tuned kc-small; do pg_drain_run pg "$side" "$i"; done
    done
    for (( i = 1; i <= RUNS; i++ )); do
        for side in ferry kc; do pg_latency_run "$side" "$i"; done
    done
    m="events/s, last commit → last event"
    f=$(med "ferry/$m")
    lim=$(med "recvlogical/$m")
    row "$c" "$m" "$(thousands "$f")" "pg_recvlogical (pgoutput → /dev/null)" "$(thousands "$lim")" \
        "$(percent "$f" "$lim")%" "≥ 80% $(verdict "$(percent "$f" "$lim")" ">=" 80)"
    compare_rows "$c" "$m" rate 3 kc kc-tuned kc-small
    for side in kc kc-tuned kc-small; do
        p=$(med "$side/$m")
        [ -n "$p" ] && p="$(percent "$p" "$lim")%" || p="failed (below)"
        row "$c" "$m, % of pg_recvlogical" "$(percent "$f" "$lim")%" "$(side_name "$side")" "$p" - -
    done
    compare_rows "$c" "events/s, first → last event" rate "" kc kc-tuned kc-small
    compare_rows "$c" "peak RSS" cost 10 kc kc-tuned kc-small
    compare_rows "$c" "CPU s" cost "" kc kc-tuned kc-small
    compare_rows "$c" "commit → event p50 ms" cost "" kc
    compare_rows "$c" "commit → event p99 ms" cost "" kc
fi

# ---- transforms ------------------------------------------------------------------------------

if wants transforms; then
    figures=()
    c="transforms"
    for (( i = 1; i <= RUNS; i++ )); do
        for side in ferry kc kc-tuned kc-small; do
            pg_drain_run tr "$side" "$i" "transforms=unwrap,route,insert" \
                "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState" \
                "transforms.route.type=org.apache.kafka.connect.transforms.RegexRouter" \
                "transforms.route.regex=.*" "transforms.route.replacement=$run_id-tr-$side-$i-routed" \
                "transforms.insert.type=org.apache.kafka.connect.transforms.InsertField\$Value" \
                "transforms.insert.static.field=origin" "transforms.insert.static.value=bench"
        done
    done
    compare_rows "$c" "events/s, first → last event" rate "" kc kc-tuned kc-small
    compare_rows "$c" "events/s, last commit → last event" rate "" kc kc-tuned kc-small
    compare_rows "$c" "peak RSS" cost 10 kc kc-tuned kc-small
fi

# ---- footprint -------------------------------------------------------------------------------

# tasks_running URL: how many connectors have all their tasks RUNNING (and at least one)
tasks_running() {
    curl -sf "$1/connectors?expand=status" 2>/dev/null | jq '[.[] | .status |
        select(.connector.state == "RUNNING" and (.tasks | length) > 0 and
               all(.tasks[]; .state == "RUNNING"))] | length' 2>/dev/null || echo 0
}
wait_running() { # URL COUNT DIR SIDE: $now once COUNT connectors run; 1 when the run failed
    local i
    for (( i = 0; i < TIMEOUT_S * 20; i++ )); do
        [ "$(tasks_running "$1")" = "$2" ] && { now=$(date +%s%N); return 0; }
        kill -0 "$worker" 2>/dev/null || { side_failed "$4" "$3" "the worker exited"; return 1; }
        sleep 0.05
    done
    side_failed "$4" "$3" "$2 connectors did not reach RUNNING"
    return 1
}

footprint_run() { # SIDE RUN
    local side=$1 label=fp-$1-$2 dir=$tmp/fp-$1-$2 url n topic i
    mkdir -p "$dir"
    topic=$run_id-$label
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" 1
    worker_props "$dir/worker.properties" "$side" distributed "$label" "$STRING"
    url=http://127.0.0.1:$port
    side_start "$side" distributed "$dir"
    for (( i = 0; i < TIMEOUT_S * 20; i++ )); do
        curl -sf -o /dev/null "$url/connectors" && break
        kill -0 "$worker" 2>/dev/null || { side_failed "$side" "$dir" "the worker exited"; return 0; }
        sleep 0.05
    done
    for (( n = 1; n <= CONNECTORS; n++ )); do
        printf 'line %d\n' 1 2 3 >"$dir/in-$n.txt"
        # Refused (409) while the worker is still joining its group: tried again.
        for (( i = 0; i < TIMEOUT_S * 20; i++ )); do
            curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' \
                "$url/connectors/$run_id-$label-$n/config" \
                --data "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\",
                         \"tasks.max\":\"1\",\"file\":\"$dir/in-$n.txt\",\"topic\":\"$topic\"}" && break
            kill -0 "$worker" 2>/dev/null || { side_failed "$side" "$dir" "the worker exited"; return 0; }
            sleep 0.05
        done
        (( i < TIMEOUT_S * 20 )) || { side_failed "$side" "$dir" "PUT of connector $n refused"; return 0; }
    done
    wait_running "$url" "$CONNECTORS" "$dir" "$side" || return 0
    add "$side/start → tasks RUNNING, fresh ms" $(( (now - started) / 1000000 ))
    sleep "$IDLE_SETTLE_S"
    add "$side/idle RSS" "$(tree_status_kb "$worker" VmRSS)"
    side_stop
    side_start "$side" distributed "$dir"
    wait_running "$url" "$CONNECTORS" "$dir" "$side" || return 0
    add "$side/start → tasks RUNNING, stored configs ms" $(( (now - started) / 1000000 ))
    side_stop
    log "footprint, $side run $2: fresh ${figures[$side/start → tasks RUNNING, fresh ms]##* } ms," \
        "stored ${figures[$side/start → tasks RUNNING, stored configs ms]##* } ms," \
        "idle RSS $(megabytes "${figures[$side/idle RSS]##* }") MB"
}

if wants footprint; then
    figures=()
    c="footprint ($CONNECTORS connectors)"
    for (( i = 1; i <= RUNS; i++ )); do
        for side in ferry kc kc-small; do footprint_run "$side" "$i"; done
    done
    compare_rows "$c" "idle RSS" cost 10 kc kc-small
    compare_rows "$c" "start → tasks RUNNING, fresh ms" cost "" kc kc-small
    compare_rows "$c" "start → tasks RUNNING, stored configs ms" cost "" kc kc-small
fi

# ---- Elasticsearch ---------------------------------------------------------------------------

if wants es; then
    log "Kafka -> Elasticsearch: bench/es/run.sh, $(thousands "$ES_COUNT") documents, $RUNS runs"
    BENCH_RUNS=$RUNS BENCH_COUNT=$ES_COUNT bench/es/run.sh >"$tmp/es.out" 2>"$tmp/es.log" ||
        { tail -20 "$tmp/es.log" >&2; die "bench/es/run.sh failed"; }
    read -r es_ferry es_ref < <(sed -n 's/^Kafka -> ES docs\/s, JsonConverter *\([0-9,]*\) *\([0-9,]*\) .*/\1 \2/p' "$tmp/es.out")
    es_peak=$(sed -n 's/^ferry peak RSS (highest run above) *\([0-9.]* MB\).*/\1/p' "$tmp/es.out")
    es_ratio=$(times_more "${es_ferry//,/}" "${es_ref//,/}")
    row "Kafka → Elasticsearch" "docs/s (JsonConverter, no schemas)" "$es_ferry" \
        "curl _bulk loader (bench/es, no JVM sink served)" "$es_ref" "$es_ratio" -
    row "Kafka → Elasticsearch" "peak RSS" "$es_peak" "-" "-" - -
fi

# ---- the table -------------------------------------------------------------------------------

mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "### ferry against Kafka Connect $kafka_version and Debezium $debezium_version ($(date -u +%Y-%m-%d))"
echo
echo "- machine: $(nproc) cores ($cpu_model), $mem_gib GiB memory; $java_version;" \
    "ferry $(git rev-parse --short HEAD 2>/dev/null || echo '?') (build-bench, release)"
echo "- command: \`$(for v in $(compgen -v BENCH_); do
    [ "$v" != BENCH_KEEP_TMP ] && printf '%s=%q ' "$v" "${!v}"; done)bench/compare/run.sh${*:+ $*}\`;" \
    "medians of $RUNS runs per side, sides alternating, one process at a time"
echo "- Kafka Connect: jars of connect-runtime/-file/-json/-transforms $kafka_version, heap" \
    "\`$HEAP\` (the Kafka scripts' default) or \`$SMALL_HEAP\`, \`${JVM_OPTS[*]}\`; tuned producer:" \
    "\`$TUNED_PRODUCER\` (librdkafka's defaults, which ferry's producer uses); Debezium $debezium_version"
echo "- both: the same connector properties, topics of $TOPIC_PARTITIONS partitions (CDC: 1)," \
    "producer.acks=all, offset.flush.interval.ms=$FLUSH_MS, String converter (files) or JsonConverter" \
    "with schemas (CDC); FileStreamSource batch.size=$BATCH; $(thousands "$LINES") lines of" \
    "$LINE_BYTES B; $(thousands "$PG_ROWS") rows in $PG_BATCH-row transactions; latency at" \
    "$PG_RATE rows/s for $PG_LATENCY_SECONDS s ($PG_LATENCY_BATCH-row transactions)"
echo "- ratio: ferry ÷ peer for rates, peer ÷ ferry for memory, CPU and time (how many times less)"
echo
echo "| case | measure | ferry | peer | peer's figure | ratio | target |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if (( ${#failures[@]} )); then
    echo
    echo "Runs that failed (left out of the medians above, which are of the runs that finished):"
    echo
    for key in "${!failures[@]}"; do
        echo "- ${key%%|*}, $(side_name "${key#*|}"): ${failures[$key]}"
    done
fi
