#!/usr/bin/env bash
# bench/es/run.sh - Kafka -> Elasticsearch with ferry's ElasticsearchSink against a reference
# loader that posts the same documents as ready-made _bulk bodies.
#
#   throughput  BENCH_COUNT JSON documents of about BENCH_DOC_BYTES bytes are produced once to a
#               topic (4 partitions). Each ferry run reads all of it in a fresh consumer group
#               (key.ignore=true, batch.size BENCH_BATCH, max.in.flight.requests
#               BENCH_CONCURRENCY, read.timeout.ms=0 as the reference never gives up on a request,
#               other keys at Confluent's defaults) into a fresh index, once with JsonConverter
#               without schemas (what Confluent configs use: the worker checks every value's
#               syntax and hands the text to the sink, no tree) and once with StringConverter (the
#               bytes path: the sink checks the JSON itself). The worker's consumer prefetch is the
#               runtime's default unless BENCH_CONSUMER_QUEUE_KB sets
#               consumer.queued.max.messages.kbytes.
#               Each reference run (es_bench.c load: libcurl multi, every body built before the
#               clock starts, the same action lines, batch size and concurrency) posts the same
#               documents into another fresh index. Both are timed the same way: es_bench watch
#               polls the index's indexing.index_total every 50 ms, from the first operation seen
#               to the last. Runs alternate. Target: ferry >= 90% of the reference.
#   memory      ferry's peak RSS (VmHWM) in those runs, and in one more JsonConverter run with a
#               smaller prefetch (BENCH_SMALL_QUEUE_KB, 1024). Target: < 50 MB.
#
# Usage: bench/es/run.sh
# Needs: the Kafka and Elasticsearch of tests/services (tests/services/services.sh start kafka
# elasticsearch), meson, ninja, cc, pkg-config rdkafka libcurl. Builds ferry and the plugin
# (release, no sanitizers) into build-bench/, the tools into build-bench/bench-tools/es/.
# Environment: BENCH_RUNS (3), BENCH_COUNT (300000), BENCH_DOC_BYTES (1024), BENCH_BATCH (2000),
# BENCH_CONCURRENCY (5), BENCH_SHARDS (1), BENCH_CONSUMER_QUEUE_KB (unset: the runtime's default),
# BENCH_SMALL_QUEUE_KB (1024), BENCH_TIMEOUT_S (300 per run), BENCH_KEEP_TMP, BENCH_FERRY_KEYS and BENCH_WORKER_KEYS
# (more connector / worker lines, space-separated key=value).
# Topics and indices the run creates carry its run id and are deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

RUNS=${BENCH_RUNS:-3}
COUNT=${BENCH_COUNT:-300000}
DOC_BYTES=${BENCH_DOC_BYTES:-1024}
BATCH=${BENCH_BATCH:-2000}
CONCURRENCY=${BENCH_CONCURRENCY:-5}
SHARDS=${BENCH_SHARDS:-1}
TIMEOUT_S=${BENCH_TIMEOUT_S:-300}
CONSUMER_QUEUE_KB=${BENCH_CONSUMER_QUEUE_KB:-}
SMALL_QUEUE_KB=${BENCH_SMALL_QUEUE_KB:-1024}
JSON=org.apache.kafka.connect.json.JsonConverter
STRING=org.apache.kafka.connect.storage.StringConverter
TOPIC_PARTITIONS=4
WATCH_INTERVAL_MS=50

build=$root/build-bench
tools=$build/bench-tools/es
ferry=$build/worker/ferry
run_id="fbench-es-$(date +%s)-$$"
indices=()

. "$root/bench/lib.sh"
bench_init es

bench_cleanup() { # the run's indices and topics
    local index
    for index in "${indices[@]}"; do
        curl -s -o /dev/null -XDELETE "${FERRY_TEST_ES_URL:-http://127.0.0.1:19200}/$index" || true
    done
    bench_topics_cleanup
}

# ---- set-up ----------------------------------------------------------------------------------

pkg-config --exists rdkafka libcurl || die "pkg-config cannot find rdkafka or libcurl"
build_ferry ferry elasticsearch-sink
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
build_tool raw_file_producer bench/file/raw_file_producer.c rdkafka
build_tool es_bench bench/es/es_bench.c libcurl

tests/services/services.sh status kafka elasticsearch >/dev/null 2>&1 ||
    die "Kafka and Elasticsearch of tests/services must run: tests/services/services.sh start kafka elasticsearch"
eval "$(tests/services/services.sh env)"
es=$FERRY_TEST_ES_URL

# Documents of about DOC_BYTES bytes, log-like, each a JSON object on one line.
log "writing $(thousands "$COUNT") documents of about $DOC_BYTES bytes"
awk -v n="$COUNT" -v width="$DOC_BYTES" 'BEGIN {
    srand(7)
    levels[0] = "info"; levels[1] = "warn"; levels[2] = "error"; levels[3] = "debug"
    for (i = 0; i < n; i++) {
        head = sprintf("{\"@timestamp\":\"2026-01-%02dT%02d:%02d:%02d.%03dZ\",\"host\":\"web-%02d\",\"level\":\"%s\",\"service\":\"checkout\",\"trace\":\"%016x\",\"user\":{\"id\":%d,\"country\":\"DE\"},\"latency_ms\":%d,\"message\":\"request ",
            1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 1000, i % 40, levels[i % 4], i * 2654435761 % 4294967296, i % 100000, i % 997)
        tail = "\"}"
        pad = width - length(head) - length(tail)
        body = ""
        while (length(body) < pad) body = body sprintf("%d done after retry; ", i)
        print head substr(body, 1, pad) tail
    } }' >"$tmp/docs.json"

topic=$run_id-docs
"$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$topic" "$TOPIC_PARTITIONS"
log "producing them to $topic"
"$tools/raw_file_producer" "$FERRY_TEST_BOOTSTRAP" "$topic" "$tmp/docs.json" 10000 \
    >"$tmp/produce.out" || { cat "$tmp/produce.out" >&2; die "producing the documents failed"; }

make_index() { # INDEX
    indices+=("$1")
    curl -sf -o /dev/null -XPUT "$es/$1" -H 'Content-Type: application/json' \
        -d "{\"settings\":{\"number_of_shards\":$SHARDS,\"number_of_replicas\":0}}" ||
        die "cannot create index $1"
}

watch_index() { # INDEX COUNT: the watcher's pid in $watcher
    start_bg "$tmp/$1.watch" timeout $(( TIMEOUT_S + 30 )) "$tools/es_bench" watch "$es" "$1" \
        "$2" $(( TIMEOUT_S * 1000 )) "$WATCH_INTERVAL_MS"
    watcher=$bg_pid
}

ferry_run() { # LABEL CONVERTER [QUEUE_KB]: the rate in $rate, ferry's VmHWM (kB) in $peak
    local label=$1 converter=$2 queue_kb=${3:-$CONSUMER_QUEUE_KB} index=$run_id-$1 dir=$tmp/$1
    mkdir -p "$dir"
    make_index "$index"
    cat >"$dir/worker.properties" <<EOF
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
plugin.path=$build/plugins/elasticsearch-sink
listeners=http://127.0.0.1:$(( 20000 + RANDOM % 20000 ))
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=$converter
value.converter.schemas.enable=false
${queue_kb:+consumer.queued.max.messages.kbytes=$queue_kb}
group.id=$index-cluster
offset.storage.topic=$index-offsets
config.storage.topic=$index-configs
status.storage.topic=$index-status
offset.storage.replication.factor=1
config.storage.replication.factor=1
status.storage.replication.factor=1
$(printf '%s\n' ${BENCH_WORKER_KEYS:-})
EOF
    # The topic is written into the index of this run (topic.to.external.resource.mapping).
    printf '%s\n' "name=$index" \
        "connector.class=io.confluent.connect.elasticsearch.ElasticsearchSinkConnector" \
        "connection.url=$es" "topics=$topic" "key.ignore=true" "batch.size=$BATCH" \
        "max.in.flight.requests=$CONCURRENCY" "read.timeout.ms=0" "external.resource.usage=INDEX" \
        "topic.to.external.resource.mapping=$topic:$index" ${BENCH_FERRY_KEYS:-} \
        >"$dir/connector.properties"
    watch_index "$index" "$COUNT"
    start_bg "$dir/ferry.log" "$ferry" standalone "$dir/worker.properties" \
        "$dir/connector.properties"
    local worker=$bg_pid
    wait "$watcher" || { tail -20 "$dir/ferry.log" >&2; die "$label: ferry did not index $COUNT documents"; }
    peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$worker/status")
    stop_pid "$worker"
    local first done_at
    read -r first done_at <"$tmp/$index.watch"
    rate=$(rate "$COUNT" "$first" "$done_at")
    log "$label: ferry $(thousands "$rate") docs/s, peak RSS $(megabytes "$peak") MB"
    curl -s -o /dev/null -XDELETE "$es/$index" || true
}

reference_run() { # LABEL: the rate in $rate
    local label=$1 index=$run_id-$1
    make_index "$index"
    watch_index "$index" "$COUNT"
    timeout "$TIMEOUT_S" "$tools/es_bench" load "$es" "$index" "$tmp/docs.json" "$BATCH" \
        "$CONCURRENCY" >"$tmp/$label.out" || { cat "$tmp/$label.out" >&2; die "$label: the loader failed"; }
    wait "$watcher" || die "$label: the reference's documents were not all indexed"
    local first done_at self_first self_last documents
    read -r first done_at <"$tmp/$index.watch"
    read -r self_first self_last documents peak <"$tmp/$label.out"
    rate=$(rate "$COUNT" "$first" "$done_at")
    log "$label: reference $(thousands "$rate") docs/s (its own clock:" \
        "$(thousands "$(rate "$documents" "$self_first" "$self_last")")), RSS $(megabytes "$peak") MB"
    curl -s -o /dev/null -XDELETE "$es/$index" || true
}

# An untimed load of all the documents warms Elasticsearch (JIT, caches): after a shorter one
# (50,000 documents) the first timed round still ran at half speed for ferry and reference alike.
make_index "$run_id-warm"
"$tools/es_bench" load "$es" "$run_id-warm" "$tmp/docs.json" "$BATCH" "$CONCURRENCY" >/dev/null
curl -s -o /dev/null -XDELETE "$es/$run_id-warm" || true
sleep 3 # let the deletion and its merges settle

json_rates=()
string_rates=()
ferry_peaks=()
reference_rates=()
for (( i = 1; i <= RUNS; i++ )); do
    ferry_run "ferry-json-$i" "$JSON"
    json_rates+=("$rate")
    ferry_peaks+=("$peak")
    reference_run "reference-$i"
    reference_rates+=("$rate")
    ferry_run "ferry-string-$i" "$STRING"
    string_rates+=("$rate")
    ferry_peaks+=("$peak")
done

# Memory with a smaller prefetch: what the worker's librdkafka queue costs.
ferry_run "ferry-json-small-queue" "$JSON" "$SMALL_QUEUE_KB"
small_rate=$rate
small_peak=$peak

fj=$(median "${json_rates[@]}")
fs=$(median "${string_rates[@]}")
r=$(median "${reference_rates[@]}")
pj=$(percent "$fj" "$r")
ps=$(percent "$fs" "$r")
peak_max=$(printf '%s\n' "${ferry_peaks[@]}" | sort -n | tail -1)
row() { printf '%-44s %14s %14s %8s %8s  %s\n' "$@"; }
echo
echo "ferry Elasticsearch benchmark - $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores," \
    "Elasticsearch $(curl -s "$es/_nodes/_local?filter_path=nodes.*.version" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')," \
    "ferry $(git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree, build-bench (release)"
echo "$(thousands "$COUNT") documents of ~$DOC_BYTES bytes, topic of $TOPIC_PARTITIONS partitions," \
    "batch $BATCH, $CONCURRENCY requests in flight, index of $SHARDS shard(s), worker" \
    "consumer.queued.max.messages.kbytes=${CONSUMER_QUEUE_KB:-(runtime default)}; medians of $RUNS runs"
echo
row benchmark ferry reference ratio target result
row --------- ----- --------- ----- ------ ------
row "Kafka -> ES docs/s, JsonConverter" "$(thousands "$fj")" "$(thousands "$r")" "$pj%" ">= 90%" "$(verdict "$pj" ">=" 90)"
row "Kafka -> ES docs/s, StringConverter" "$(thousands "$fs")" "$(thousands "$r")" "$ps%" ">= 90%" "$(verdict "$ps" ">=" 90)"
row "ferry peak RSS (highest run above)" "$(megabytes "$peak_max") MB" - - "< 50 MB" \
    "$(verdict "$peak_max" "<" $(( 50 * 1024 )))"
row "ferry peak RSS, prefetch ${SMALL_QUEUE_KB} kB" "$(megabytes "$small_peak") MB" - - "< 50 MB" \
    "$(verdict "$small_peak" "<" $(( 50 * 1024 )))"
echo "(with the ${SMALL_QUEUE_KB} kB prefetch, JsonConverter: $(thousands "$small_rate") docs/s)"
echo
echo "runs (docs/s):"
echo "  ferry, JsonConverter:   ${json_rates[*]}"
echo "  ferry, StringConverter: ${string_rates[*]}"
echo "  ferry peak RSS kB:      ${ferry_peaks[*]}"
echo "  reference:              ${reference_rates[*]}"
