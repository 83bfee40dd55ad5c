#!/usr/bin/env bash
# bench/soak/run.sh - the soak test: the README's pipelines on a three-worker distributed cluster
# and a private set of real servers, for MINUTES (60), under faults on a schedule.
#
#   logs   a writer appends JSON lines (SOAK_LOG_RATE/s) to app.json.log and rotates it every
#          SOAK_ROTATE_S (app.json.log -> .1 -> .2, .2 removed) -> FileSource -> Kafka ->
#          ElasticsearchSink, document id = the line's own "id" (ValueToKey + ExtractField$Key),
#          so a replayed line overwrites its document
#   cdc    a writer commits SOAK_PG_RATE/s inserts, updates and deletes on a table ->
#          PostgresCdcSource -> Kafka -> ElasticsearchSink (ExtractNewRecordState, deletes)
#   seq    SequenceSource with exactly.once.support=required (transaction.boundary=poll) ->
#          Kafka -> FileSink reading read_committed
#
# Faults, one every ~5 min (fewer minutes: the six spread over the run), in this cycle: restart
# the broker, restart Elasticsearch, restart PostgreSQL, kill -9 a worker (in turn) and start it
# again, pause and resume a connector (in turn), PUT a changed config (batch sizes, tasks.max).
# After each one the run waits for recovery without any other action: every connector and task
# RUNNING, each pipeline's output growing again and the sinks' lag under SOAK_RECOVER_LAG; a
# fault not recovered within SOAK_RECOVER_LIMIT_S (240) is a FAIL.
#
# Every 5 s (SOAK_SAMPLE_S) it samples each worker's RSS, open fds and threads from /proc (a
# worker restarted after kill -9 is a new pid: a new series), the sinks' lag (ferry's /metrics,
# ferry_sink_task_partition_lag summed over the workers) and the replication slot's lag in bytes.
# At the end: the writers stop, the pipelines drain, and each sink is checked against its source
# (PASS/FAIL lines; exit 1 on any FAIL); RSS and fds after warm-up get a fitted slope and a
# flat/growing verdict; gnuplot draws soak.png from samples.csv with the faults marked.
#
# Output: bench/soak/out/<timestamp>/ (samples.csv, faults.csv, soak.png, report.txt, the
# workers' and writers' logs).
#
# The servers: tests/services/services.sh with FERRY_SERVICES_PORT_OFFSET=SOAK_PORT_OFFSET (500:
# Kafka 19592, PostgreSQL 15932, Elasticsearch 19700) and FERRY_SERVICES_DIR=SOAK_SERVICES_DIR
# (/var/tmp/ferry-soak-services), started here and stopped and removed at the end and on Ctrl-C,
# unless SOAK_KEEP_SERVICES=1. The shared set the tests use is never touched.
#
# Usage: bench/soak/run.sh [MINUTES]
# Needs: what tests/services/services.sh needs, meson, ninja, cc, pkg-config rdkafka, kcat, jq,
# curl, gnuplot (installed with apt-get when missing and run as root). Builds ferry (release) and
# the plugins into build-bench/.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

MINUTES=${1:-60}
if ! [[ $MINUTES =~ ^[0-9]+$ ]] || ((MINUTES < 5)); then
    echo "bench/soak/run.sh: MINUTES must be a whole number of at least 5, not '$MINUTES'" >&2
    exit 2
fi
SAMPLE_S=${SOAK_SAMPLE_S:-5}
LOG_RATE=${SOAK_LOG_RATE:-20}
ROTATE_S=${SOAK_ROTATE_S:-120}
PG_RATE=${SOAK_PG_RATE:-4}
SEQ_INTERVAL_MS=${SOAK_SEQ_INTERVAL_MS:-200}
RECOVER_LAG=${SOAK_RECOVER_LAG:-2000}
RECOVER_LIMIT_S=${SOAK_RECOVER_LIMIT_S:-240}
FLUSH_MS=5000
export FERRY_SERVICES_PORT_OFFSET=${SOAK_PORT_OFFSET:-500}
export FERRY_SERVICES_DIR=${SOAK_SERVICES_DIR:-/var/tmp/ferry-soak-services}
services=$root/tests/services/services.sh

build=$root/build-bench
tools=$build/bench-tools
ferry=$build/worker/ferry
plugin_path=$build/plugins/file,$build/plugins/elasticsearch-sink,$build/plugins/postgres-cdc,$build/tests/plugins/sequence

out=$root/bench/soak/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
run_id="soak$(date +%s)"
services_started=0

. "$root/bench/lib.sh"
bench_init soak
bench_stop_seconds=30
bench_ports 3 "${BENCH_PORT:-}"
PORT_BASE=$bench_port

bench_cleanup() { # the private servers, unless kept
    if ((services_started)); then
        if [ -n "${SOAK_KEEP_SERVICES:-}" ]; then
            log "private services kept: FERRY_SERVICES_PORT_OFFSET=$FERRY_SERVICES_PORT_OFFSET FERRY_SERVICES_DIR=$FERRY_SERVICES_DIR $services stop"
        else
            "$services" stop kafka postgres elasticsearch >>"$out/services.log" 2>&1 || true
            rm -rf "$FERRY_SERVICES_DIR"
        fi
    fi
}

# Every line of the run's log also goes to run.log.
say() { log "$@"; printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >>"$out/run.log"; }
elapsed() { echo $((SECONDS - t0)); }

# ---- build, servers ----------------------------------------------------------------------------

for cmd in kcat jq curl; do
    command -v "$cmd" >/dev/null || die "$cmd is needed"
done
if ! command -v gnuplot >/dev/null; then
    if [[ $EUID -eq 0 ]]; then
        log "installing gnuplot-nox"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox >"$tmp/apt.log" 2>&1 ||
            { tail -20 "$tmp/apt.log" >&2; die "apt-get install gnuplot-nox failed"; }
    else
        log "gnuplot is missing (apt-get install gnuplot-nox): the CSV only, no plot"
    fi
fi
pkg-config --exists rdkafka || die "pkg-config cannot find rdkafka"
build_ferry ferry file elasticsearch-sink postgres-cdc sequence
build_tool topic_tool bench/runtime/topic_tool.c rdkafka

say "starting the private services (port offset $FERRY_SERVICES_PORT_OFFSET, state $FERRY_SERVICES_DIR)"
services_started=1
"$services" start kafka postgres elasticsearch >>"$out/services.log" 2>&1 ||
    { tail -30 "$out/services.log" >&2; die "the private services did not start (log: $out/services.log)"; }
eval "$("$services" env kafka postgres elasticsearch)"
BOOT=$FERRY_TEST_BOOTSTRAP
ES=$FERRY_TEST_ES_URL
pg_port=$((15432 + FERRY_SERVICES_PORT_OFFSET))
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U ferry -d ferry -tAc "$1"; }

# ---- the pipelines -------------------------------------------------------------------------------

logs_topic=$run_id-logs
cdc_prefix=$run_id
table=customers
cdc_topic=$cdc_prefix.public.$table
seq_topic=$run_id-seq
slot=${run_id}_cdc
logs_index=$logs_topic
cdc_index=$cdc_topic
logs_dir=$out/logs
seq_file=$out/seq-sink.txt
mkdir -p "$logs_dir"

"$tools/topic_tool" create "$BOOT" "$logs_topic,$logs_topic-dlq,$cdc_topic,$seq_topic" 1 >/dev/null
psql_q "CREATE TABLE $table (id bigint PRIMARY KEY, v text NOT NULL)"
psql_q "INSERT INTO $table SELECT g, 'init' || g FROM generate_series(1, 100) g"

worker_url() { echo "http://127.0.0.1:$((PORT_BASE + $1))"; }

for i in 0 1 2; do
    bench_distributed_worker_props "$out/worker-$i.properties" "$BOOT" "$plugin_path" \
        "$(worker_url "$i")" "$run_id" "offset.flush.interval.ms=$FLUSH_MS" \
        exactly.once.source.support=enabled session.timeout.ms=10000 heartbeat.interval.ms=2000 \
        scheduled.rebalance.max.delay.ms=10000
done

logs_source='{"connector.class":"FileSource","tasks.max":"1",
  "files":"'$logs_dir'/app.json.log,'$logs_dir'/app.json.log.1","topic":"'$logs_topic'",
  "read.from":"beginning","rotate.wait.ms":"5000"}'
# shellcheck disable=SC2016 # ExtractField$Key is a class name
logs_sink='{"connector.class":"io.confluent.connect.elasticsearch.ElasticsearchSinkConnector",
  "tasks.max":"1","topics":"'$logs_topic'","connection.url":"'$ES'",
  "key.ignore":"false","schema.ignore":"true","batch.size":"2000",
  "value.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter.schemas.enable":"false",
  "transforms":"key,id","transforms.key.type":"org.apache.kafka.connect.transforms.ValueToKey",
  "transforms.key.fields":"id","transforms.id.type":"org.apache.kafka.connect.transforms.ExtractField$Key",
  "transforms.id.field":"id","behavior.on.malformed.documents":"warn","errors.tolerance":"all",
  "errors.deadletterqueue.topic.name":"'$logs_topic'-dlq","errors.deadletterqueue.topic.replication.factor":"1"}'
cdc_source='{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","tasks.max":"1",
  "database.hostname":"127.0.0.1","database.port":"'$pg_port'","database.user":"ferry","database.dbname":"ferry",
  "topic.prefix":"'$cdc_prefix'","plugin.name":"pgoutput","slot.name":"'$slot'","publication.name":"'$slot'",
  "publication.autocreate.mode":"filtered","table.include.list":"public.'$table'","snapshot.mode":"initial",
  "key.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter":"org.apache.kafka.connect.json.JsonConverter"}'
cdc_sink='{"connector.class":"io.confluent.connect.elasticsearch.ElasticsearchSinkConnector","tasks.max":"1",
  "topics":"'$cdc_topic'","connection.url":"'$ES'","batch.size":"2000",
  "key.converter":"org.apache.kafka.connect.json.JsonConverter","value.converter":"org.apache.kafka.connect.json.JsonConverter",
  "transforms":"unwrap","transforms.unwrap.type":"io.debezium.transforms.ExtractNewRecordState",
  "transforms.unwrap.delete.tombstone.handling.mode":"tombstone","key.ignore":"false","schema.ignore":"false",
  "behavior.on.null.values":"delete","write.method":"insert"}'
seq_source='{"connector.class":"SequenceSource","tasks.max":"1","topic":"'$seq_topic'","partitions":"1",
  "batch.size":"10","interval.ms":"'$SEQ_INTERVAL_MS'","exactly.once.support":"required",
  "transaction.boundary":"poll"}'
seq_sink='{"connector.class":"FileSink","tasks.max":"1","topics":"'$seq_topic'","file":"'$seq_file'",
  "consumer.override.isolation.level":"read_committed"}'
connectors=(logs-source logs-sink cdc-source cdc-sink seq-source seq-sink)
declare -A config=([logs-source]=$logs_source [logs-sink]=$logs_sink [cdc-source]=$cdc_source
    [cdc-sink]=$cdc_sink [seq-source]=$seq_source [seq-sink]=$seq_sink)

# ---- workers -------------------------------------------------------------------------------------

worker_pids=(0 0 0)
start_worker() { # I
    local i=$1
    FERRY_LOG_LEVEL=info "$ferry" distributed "$out/worker-$i.properties" >>"$out/worker-$i.log" 2>&1 &
    worker_pids[i]=$!
    children+=("$!")
}
wait_healthy() { # I
    local i
    for ((i = 0; i < 300; i++)); do
        curl -sf -o /dev/null --max-time 2 "$(worker_url "$1")/health" && return 0
        sleep 0.2
    done
    return 1
}
live_url() { # the URL of a worker that answers
    local i
    for i in 0 1 2; do
        curl -sf -o /dev/null --max-time 2 "$(worker_url "$i")/health" && { worker_url "$i"; return 0; }
    done
    return 1
}
# rest METHOD PATH [BODY]: to any live worker; retried while the cluster answers 409 (rebalancing)
rest() {
    local method=$1 path=$2 url code=000 i
    local -a data=()
    (($# > 2)) && data=(--data-binary "$3")
    for ((i = 0; i < 60; i++)); do
        url=$(live_url) || { sleep 1; continue; }
        code=$(curl -s -o "$tmp/rest.out" -w '%{http_code}' --max-time 30 -X "$method" \
            -H 'Content-Type: application/json' "${data[@]}" "$url$path") || code=000
        case $code in
            2??) return 0 ;;
            409 | 000 | 5??) sleep 1 ;;
            *) echo "$method $path: HTTP $code $(cat "$tmp/rest.out")" >&2; return 1 ;;
        esac
    done
    echo "$method $path: no success within 60 tries (last HTTP $code)" >&2
    return 1
}

for i in 0 1 2; do start_worker "$i"; done
for i in 0 1 2; do wait_healthy "$i" || die "worker $i not healthy (log: $out/worker-$i.log)"; done
for name in "${connectors[@]}"; do
    rest POST /connectors "{\"name\":\"$name\",\"config\":$(jq -c . <<<"${config[$name]}")}" ||
        die "creating $name failed"
done
say "run $run_id: 3 workers (ports $PORT_BASE-$((PORT_BASE + 2))), ${#connectors[@]} connectors, $MINUTES min; output $out"

# all_running: every connector and task RUNNING (from one live worker's view)
all_running() {
    local url
    url=$(live_url) || return 1
    curl -sf --max-time 10 "$url/connectors?expand=status" >"$tmp/status.json" 2>/dev/null || return 1
    jq -e --argjson n "${#connectors[@]}" '(to_entries | length) == $n and all(.[];
        .status.connector.state == "RUNNING" and (.status.tasks | length) > 0
        and all(.status.tasks[]; .state == "RUNNING"))' "$tmp/status.json" >/dev/null
}

# ---- writers -------------------------------------------------------------------------------------

# The log writer: LOG_RATE lines a second in batches of a tenth, rotated every ROTATE_S; the
# count written is in lines.count (rewritten after each batch).
log_writer() {
    set +e
    local n=0 batch=$(((LOG_RATE + 9) / 10)) next_rotate=$((SECONDS + ROTATE_S)) i
    while [ ! -e "$out/stop-writers" ]; do
        {
            for ((i = 0; i < batch; i++)); do
                printf '{"@timestamp":"%(%Y-%m-%dT%H:%M:%S)T","level":"INFO","id":"L%d","message":"soak line %d"}\n' -1 "$n" "$n"
                n=$((n + 1))
            done
        } >>"$logs_dir/app.json.log"
        echo "$n" >"$out/lines.count"
        if ((SECONDS >= next_rotate)); then
            rm -f "$logs_dir/app.json.log.2"
            [ -e "$logs_dir/app.json.log.1" ] && mv "$logs_dir/app.json.log.1" "$logs_dir/app.json.log.2"
            mv "$logs_dir/app.json.log" "$logs_dir/app.json.log.1"
            : >"$logs_dir/app.json.log"
            next_rotate=$((SECONDS + ROTATE_S))
        fi
        sleep 0.1
    done
}

# The table writer: PG_RATE transactions a second, an insert, an update or a delete of the oldest
# row, each setting v to a new token. What committed (psql exit 0) goes to pg-committed.txt:
# "v TOKEN" for inserts and updates, "d ID" for deletes. A failed statement (server restarting)
# is tried again with a new token.
pg_writer() {
    set +e
    local next=101 low=1 k=0 op id token sql done_id
    local pause
    pause=$(awk -v r="$PG_RATE" 'BEGIN { printf "%.3f", 1 / r }')
    : >"$out/pg-committed.txt"
    while [ ! -e "$out/stop-writers" ]; do
        k=$((k + 1))
        token="t$k"
        op=$((RANDOM % 10))
        if ((op < 4 || next - low < 50)); then
            id=$next
            sql="INSERT INTO $table VALUES ($id, '$token') ON CONFLICT (id) DO UPDATE SET v = excluded.v"
            op=i
        elif ((op < 8)); then
            id=$((low + RANDOM % (next - low)))
            sql="UPDATE $table SET v = '$token' WHERE id = $id RETURNING id"
            op=u
        else
            id=$low
            sql="DELETE FROM $table WHERE id = $id RETURNING id"
            op=d
        fi
        # An update or delete that matched no row changed nothing and is not counted (a delete
        # can commit while its client loses the connection to a restarting server).
        if done_id=$(psql_q "$sql" 2>>"$out/pg-writer.log"); then
            if [ "$op" = i ] || [ -n "$done_id" ]; then
                case $op in
                    i) echo "v $token" >>"$out/pg-committed.txt"; next=$((next + 1)) ;;
                    u) echo "v $token" >>"$out/pg-committed.txt" ;;
                    d) echo "d $id" >>"$out/pg-committed.txt"; low=$((low + 1)) ;;
                esac
            elif [ "$op" = d ]; then
                low=$((low + 1))
            fi
        fi
        sleep "$pause"
    done
}

# ---- sampling ------------------------------------------------------------------------------------

# sink_lags: "logs cdc seq" lag sums from every live worker's /metrics
sink_lags() {
    local i
    for i in 0 1 2; do
        curl -sf --max-time 3 "$(worker_url "$i")/metrics" 2>/dev/null || true
    done | awk '/^ferry_sink_task_partition_lag\{/ {
            if (match($0, /connector="[^"]*"/)) { c = substr($0, RSTART + 11, RLENGTH - 12); sum[c] += $NF }
        } END { printf "%d %d %d\n", sum["logs-sink"], sum["cdc-sink"], sum["seq-sink"] }'
}
slot_lag() {
    psql_q "SELECT coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), -1)::bigint
            FROM pg_replication_slots WHERE slot_name = '$slot'" 2>/dev/null | grep -E '^-?[0-9]+$' || echo -1
}
# proc_sample PID: "rss_kb fds threads", or "NaN NaN NaN" when the process is gone
proc_sample() {
    local pid=$1 rss threads fds
    if [ "$pid" -gt 0 ] && [ -r "/proc/$pid/status" ]; then
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
        [ -n "$rss" ] && { echo "$rss $fds $threads"; return; }
    fi
    echo "NaN NaN NaN"
}

# The sampler reads the workers' pids from pids.txt (rewritten when a worker restarts).
sampler() {
    set +e
    local t pids lags i
    echo "t_s,epoch,w0_pid,w0_rss_kb,w0_fds,w0_threads,w1_pid,w1_rss_kb,w1_fds,w1_threads,w2_pid,w2_rss_kb,w2_fds,w2_threads,lag_logs,lag_cdc,lag_seq,slot_lag_bytes" >"$out/samples.csv"
    while [ ! -e "$out/stop-sampler" ]; do
        t=$(elapsed)
        read -r -a pids <"$out/pids.txt" || continue
        lags=$(sink_lags)
        {
            printf '%s,%s' "$t" "$(date +%s)"
            for i in 0 1 2; do
                printf ',%s,%s' "${pids[$i]}" "$(proc_sample "${pids[$i]}" | tr ' ' ',')"
            done
            printf ',%s,%s\n' "${lags// /,}" "$(slot_lag)"
        } >>"$out/samples.csv"
        sleep "$SAMPLE_S"
    done
}

t0=$SECONDS
save_pids() { echo "${worker_pids[*]}" >"$out/pids.tmp" && mv "$out/pids.tmp" "$out/pids.txt"; }
save_pids
echo "t_s,fault,target,recover_s,result" >"$out/faults.csv"
rm -f "$out/stop-writers" "$out/stop-sampler"
echo 0 >"$out/lines.count"
log_writer >>"$out/log-writer.log" 2>&1 &
children+=("$!")
pg_writer >>"$out/pg-writer.log" 2>&1 &
children+=("$!")
sampler >>"$out/sampler.log" 2>&1 &
children+=("$!")

# ---- faults --------------------------------------------------------------------------------------

total_s=$((MINUTES * 60))
warmup_s=$((total_s / 10 < 300 ? total_s / 10 : 300))
((warmup_s >= 60)) || warmup_s=60
tail_s=$((total_s / 10 > 60 ? total_s / 10 : 60))
span_s=$((total_s - warmup_s - tail_s))
fault_count=$((span_s / 300 > 6 ? span_s / 300 : 6))
fault_every=$((span_s / fault_count))
faults=(broker elasticsearch postgres kill-worker pause-resume reconfigure)
failures=0

progress_markers() { # "ES logs docs, seq file lines, cdc topic end offset"
    local logs seq cdc
    logs=$(curl -sf --max-time 5 "$ES/$logs_index/_count" 2>/dev/null | jq -r '.count // 0' 2>/dev/null) || logs=0
    seq=$(wc -l <"$seq_file" 2>/dev/null) || seq=0
    cdc=$(timeout 20 "$tools/topic_tool" count "$BOOT" "$cdc_topic" 2>/dev/null) || cdc=0
    echo "${logs:-0} ${seq:-0} ${cdc:-0}"
}

# await_recovery: every connector and task RUNNING, each pipeline's output grown past its value at
# the end of the fault, the sinks' lag under RECOVER_LAG; prints the seconds it took, 1 on timeout.
await_recovery() {
    local start=$SECONDS base now lags sum
    read -r -a base <<<"$(progress_markers)"
    while ((SECONDS - start < RECOVER_LIMIT_S)); do
        sleep 2
        all_running || continue
        read -r -a now <<<"$(progress_markers)"
        ((now[0] > base[0] && now[1] > base[1] && now[2] > base[2])) || continue
        lags=$(sink_lags)
        sum=$(awk '{ print $1 + $2 + $3 }' <<<"$lags")
        ((sum < RECOVER_LAG)) || continue
        echo $((SECONDS - start))
        return 0
    done
    return 1
}

kills=0 pauses=0 reconfigs=0
# restart_service SVC: the private set's SVC (a failed restart is for the recovery wait to judge)
restart_service() {
    "$services" restart "$1" >>"$out/services.log" 2>&1 || say "  restarting $1 failed (log: $out/services.log)"
    target=$1
}
run_fault() { # KIND: does it; what it hit in $target (no subshell: it restarts workers)
    case $1 in
        broker) restart_service kafka ;;
        elasticsearch) restart_service elasticsearch ;;
        postgres) restart_service postgres ;;
        kill-worker)
            local i=$((kills % 3)) old
            kills=$((kills + 1))
            old=${worker_pids[$i]}
            kill -KILL "$old" 2>/dev/null || true
            wait "$old" 2>/dev/null || true
            forget "$old"
            sleep 5
            start_worker "$i"
            save_pids
            wait_healthy "$i" >/dev/null || true
            target="worker-$i (pid $old -> ${worker_pids[$i]})"
            ;;
        pause-resume)
            local name=${connectors[$((pauses % ${#connectors[@]}))]}
            pauses=$((pauses + 1))
            { rest PUT "/connectors/$name/pause" && sleep 15 && rest PUT "/connectors/$name/resume"; } ||
                say "  pause/resume of $name failed"
            target=$name
            ;;
        reconfigure)
            # In turn: the logs sink's batch size, the seq sink's tasks.max, the seq source's batch.
            local name key value current
            case $((reconfigs % 3)) in
                0) name=logs-sink key=batch.size value=$((reconfigs % 2 ? 2000 : 500)) ;;
                1) name=seq-sink key=tasks.max value=$((reconfigs % 2 ? 2 : 1)) ;;
                2) name=seq-source key=batch.size value=$((reconfigs % 2 ? 20 : 10)) ;;
            esac
            reconfigs=$((reconfigs + 1))
            { rest GET "/connectors/$name/config" && current=$(cat "$tmp/rest.out") &&
                rest PUT "/connectors/$name/config" "$(jq -c --arg k "$key" --arg v "$value" '.[$k] = $v' <<<"$current")"; } ||
                say "  reconfiguring $name failed"
            target="$name $key=$value"
            ;;
    esac
}

say "warm-up ${warmup_s}s, then $fault_count faults every ${fault_every}s, ${tail_s}s of calm"
for ((f = 0; f < fault_count; f++)); do
    at=$((warmup_s + f * fault_every))
    while (($(elapsed) < at)); do sleep 1; done
    kind=${faults[$((f % ${#faults[@]}))]}
    start_t=$(elapsed)
    say "fault $((f + 1))/$fault_count at ${start_t}s: $kind"
    run_fault "$kind"
    if await_recovery >/dev/null; then
        took=$(($(elapsed) - start_t))
        result=recovered
        say "  $target: recovered ${took}s after the fault began"
    else
        took=$(($(elapsed) - start_t))
        result=FAIL
        failures=$((failures + 1))
        say "  $target: NOT recovered within ${RECOVER_LIMIT_S}s"
    fi
    echo "$start_t,$kind,\"$target\",$took,$result" >>"$out/faults.csv"
done
while (($(elapsed) < total_s)); do sleep 1; done

# ---- drain and check -----------------------------------------------------------------------------

say "stopping the writers; draining"
touch "$out/stop-writers"
sleep 3
rest PUT /connectors/seq-source/pause || true
sleep $((FLUSH_MS / 1000 + 5))
lines=$(cat "$out/lines.count")

wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
    local limit=$1 start=$SECONDS
    shift
    while ((SECONDS - start < limit)); do
        "$@" && return 0
        sleep 2
    done
    return 1
}
es_count() { curl -sf --max-time 10 "$ES/$1/_refresh" >/dev/null 2>&1; curl -sf --max-time 10 "$ES/$1/_count" | jq -r .count; }
logs_done() { [ "$(es_count "$logs_index")" = "$lines" ]; }
seq_topic_dump() { kcat -C -b "$BOOT" -t "$seq_topic" -o beginning -e -q -X isolation.level=read_committed -f '%s\n' 2>/dev/null; }
seq_done() {
    seq_topic_dump | cut -d: -f2 | sort -n >"$tmp/seq-topic.txt"
    [ -s "$tmp/seq-topic.txt" ] && sort -u "$seq_file" | cut -d: -f2 | sort -n | cmp -s - "$tmp/seq-topic.txt"
}
cdc_done() {
    psql_q "SELECT id || ' ' || v FROM $table ORDER BY id" >"$tmp/pg-rows.txt"
    curl -sf --max-time 10 "$ES/$cdc_index/_refresh" >/dev/null 2>&1
    curl -sf --max-time 30 "$ES/$cdc_index/_search?size=10000&sort=id:asc" |
        jq -r '.hits.hits[]._source | "\(.id) \(.v)"' >"$tmp/es-rows.txt" 2>/dev/null || return 1
    cmp -s "$tmp/pg-rows.txt" "$tmp/es-rows.txt"
}
wait_for 300 logs_done || true
wait_for 300 cdc_done || true
wait_for 300 seq_done || true

check() { # NAME OK DETAILS
    local verdict=FAIL
    (($2)) && verdict=PASS
    ((${2})) || failures=$((failures + 1))
    printf '%-34s %s  %s\n' "$1" "$verdict" "$3" | tee -a "$out/report.txt"
}

{ echo; echo "soak $run_id: $MINUTES min, $fault_count faults"; } | tee -a "$out/report.txt"
es_logs=$(es_count "$logs_index")
topic_logs=$("$tools/topic_tool" count "$BOOT" "$logs_topic")
check "logs: lines == ES documents" "$([ "$es_logs" = "$lines" ] && echo 1 || echo 0)" \
    "$lines lines written, $es_logs documents; topic $topic_logs records ($((topic_logs - lines)) replayed, overwritten by id)"

cdc_done && cdc_ok=1 || cdc_ok=0
check "cdc: table == ES documents" "$cdc_ok" \
    "$(wc -l <"$tmp/pg-rows.txt") rows, $(wc -l <"$tmp/es-rows.txt") documents$( ((cdc_ok)) || echo "; diff: $(diff "$tmp/pg-rows.txt" "$tmp/es-rows.txt" | grep -c '^[<>]') lines")"
kcat -C -b "$BOOT" -t "$cdc_topic" -o beginning -e -q -f '%s\n' 2>/dev/null |
    jq -r 'select(.payload != null) | .payload |
        if .op == "d" then "d \(.before.id)" else "v \(.after.v)" end' | sort -u >"$tmp/cdc-topic.txt"
sort -u "$out/pg-committed.txt" >"$tmp/cdc-committed.txt"
missing=$(comm -23 "$tmp/cdc-committed.txt" "$tmp/cdc-topic.txt" | wc -l)
check "cdc: every committed change in topic" "$([ "$missing" = 0 ] && echo 1 || echo 0)" \
    "$(wc -l <"$tmp/cdc-committed.txt") committed changes, $missing missing from $cdc_topic"

seq_topic_dump | cut -d: -f2 | sort -n >"$tmp/seq-topic.txt"
seq_n=$(wc -l <"$tmp/seq-topic.txt")
seq_unique=$(sort -u "$tmp/seq-topic.txt" | wc -l)
seq_max=$(tail -n 1 "$tmp/seq-topic.txt")
check "seq: read_committed exactly once" \
    "$([ "$seq_n" -gt 0 ] && [ "$seq_n" = "$seq_unique" ] && [ "$seq_max" = $((seq_n - 1)) ] && echo 1 || echo 0)" \
    "$seq_n records, $seq_unique distinct, highest $seq_max ($((seq_n - seq_unique)) duplicates, $((seq_max + 1 - seq_unique)) gaps)"

file_n=$(wc -l <"$seq_file")
file_unique=$(sort -u "$seq_file" | wc -l)
file_missing=$(comm -23 <(sort -u "$tmp/seq-topic.txt") <(cut -d: -f2 "$seq_file" | sort -u) | wc -l)
# At least once: a sink task restarted (fault, rebalance) writes again at most what it wrote
# since its last offset commit, one offset.flush.interval.ms of records; bound = each fault's worth
# (with 10 s of margin each) at the source's rate.
seq_rate=$(awk -v ms="$SEQ_INTERVAL_MS" 'BEGIN { printf "%d", 20 * 1000 / ms }')
dup_bound=$((fault_count * seq_rate * (FLUSH_MS / 1000 + 10)))
check "seq: file sink has every record" "$([ "$file_missing" = 0 ] && [ "$file_n" -gt 0 ] && echo 1 || echo 0)" \
    "$file_n lines, $file_unique distinct, $file_missing of the topic's missing"
check "seq: file sink duplicates in bound" "$(( file_n - file_unique <= dup_bound ? 1 : 0 ))" \
    "$((file_n - file_unique)) duplicates, bound $dup_bound ($fault_count faults x ${seq_rate}/s x $((FLUSH_MS / 1000 + 10)) s)"

recovered=$(grep -c ',recovered$' "$out/faults.csv" || true)
check "faults recovered without action" "$([ "$recovered" = "$fault_count" ] && echo 1 || echo 0)" \
    "$recovered of $fault_count; $(awk -F, 'NR > 1 { printf "%s %ss; ", $2, $4 }' "$out/faults.csv")"

touch "$out/stop-sampler"
sleep 1

# ---- flatness ------------------------------------------------------------------------------------

# Per worker process (a pid's series), the samples after its own warm-up (the run's warm-up,
# from the process's first sample) and outside the faults (from a fault's start to one sample
# after its recovery: connections dropped and made again, tasks moving, are not a trend):
# least-squares slope per minute, growth over the fitted span (slope x span). Flat: RSS growth
# <= max(2 MB, 5 % of the series' mean) and fds growth <= max(4, 5 % of the mean).
flat_report=$(awk -F, -v warm="$warmup_s" -v step="$SAMPLE_S" '
FNR == NR { if (FNR > 1) { from[++faults] = $1; to[faults] = $1 + $4 + step }; next }
FNR > 1 {
    for (f = 1; f <= faults; f++) if ($1 >= from[f] && $1 <= to[f]) next
    for (w = 0; w < 3; w++) {
        pid = $(3 + 4 * w); rss = $(4 + 4 * w); fds = $(5 + 4 * w)
        if (rss == "NaN" || pid == 0) continue
        key = w ":" pid
        if (!(key in first)) { first[key] = $1; order[++n] = key }
        if ($1 - first[key] < warm) continue
        c[key]++; sx[key] += $1; sxx[key] += $1 * $1
        sr[key] += rss; sxr[key] += $1 * rss; sf[key] += fds; sxf[key] += $1 * fds; mf[key] += fds
        if (!(key in t1)) t1[key] = $1
        t2[key] = $1
    }
} END {
    flat = 1
    for (i = 1; i <= n; i++) {
        k = order[i]
        if (c[k] < 10) { printf "worker %s: %d samples after warm-up, too few to fit\n", k, c[k]; continue }
        d = c[k] * sxx[k] - sx[k] * sx[k]
        br = (c[k] * sxr[k] - sx[k] * sr[k]) / d
        bf = (c[k] * sxf[k] - sx[k] * sf[k]) / d
        span = t2[k] - t1[k]
        gr = br * span; gf = bf * span; mean = sr[k] / c[k]; meanf = mf[k] / c[k]
        lim = (mean * 0.05 > 2048) ? mean * 0.05 : 2048
        limf = (meanf * 0.05 > 4) ? meanf * 0.05 : 4
        ok = (gr <= lim && gf <= limf)
        if (!ok) flat = 0
        printf "worker %s: RSS %+.1f KB/min (%+.0f KB over %d s, mean %.0f KB, limit %.0f KB), fds %+.3f/min (%+.1f, mean %.0f, limit %.0f), %s\n",
            k, br * 60, gr, span, mean, lim, bf * 60, gf, meanf, limf, ok ? "flat" : "GROWING"
    }
    print flat ? "verdict: flat" : "verdict: GROWING"
}' "$out/faults.csv" "$out/samples.csv")
printf '%s\n' "$flat_report" | tee -a "$out/report.txt"
check "RSS and fds flat after warm-up" "$(grep -q '^verdict: flat' <<<"$flat_report" && echo 1 || echo 0)" "see above"

# ---- plot ----------------------------------------------------------------------------------------

if command -v gnuplot >/dev/null; then
    # Each fault a dashed line across the four panels, its kind written along it.
    awk -F, 'NR > 1 {
        printf "set arrow from %s, graph 0 to %s, graph 1 nohead dt 2 lc rgb \"gray40\"\n", $1, $1
        printf "set label \"%s\" at %s, graph 0.97 rotate by 90 right offset 1,0 font \",8\" tc rgb \"gray40\"\n", $2, $1
    }' "$out/faults.csv" >"$tmp/faults.gp"
    gnuplot <<EOF 2>>"$out/gnuplot.log" || log "gnuplot failed (log: $out/gnuplot.log)"
set terminal pngcairo size 1400,1000 font ",10"
set output "$out/soak.png"
set datafile separator ","
set datafile missing "NaN"
set multiplot layout 4,1 title "ferry soak $run_id: $MINUTES min, 3 workers, faults marked"
set xrange [0:*]
set grid
set key outside right
load "$tmp/faults.gp"
set ylabel "RSS (MB)"
set yrange [0:*]
plot for [w=0:2] "$out/samples.csv" using 1:(column(4+4*w)/1024) every ::1 with lines title sprintf("worker %d", w)
set ylabel "open fds"
set yrange [0:*]
plot for [w=0:2] "$out/samples.csv" using 1:(column(5+4*w)) every ::1 with lines title sprintf("worker %d", w)
set ylabel "threads"
set yrange [0:*]
plot for [w=0:2] "$out/samples.csv" using 1:(column(6+4*w)) every ::1 with lines title sprintf("worker %d", w)
set ylabel "lag (records)"
set yrange [0:*]
set y2label "slot lag (bytes)"
set y2range [0:*]
# Caught-up sinks read 0 or 1 (a transaction marker): room above the top line.
set offsets 0, 0, graph 0.15, 0
set y2tics
set xlabel "seconds"
plot "$out/samples.csv" using 1:15 every ::1 with lines title "logs sink", \
     "" using 1:16 every ::1 with lines title "cdc sink", \
     "" using 1:17 every ::1 with lines title "seq sink", \
     "" using 1:18 every ::1 axes x1y2 with lines title "slot lag (bytes)"
unset multiplot
EOF
fi

say "report: $out/report.txt; CSV: $out/samples.csv, $out/faults.csv; plot: $out/soak.png"
if ((failures)); then
    say "FAIL: $failures check(s) failed"
    exit 1
fi
say "PASS"
