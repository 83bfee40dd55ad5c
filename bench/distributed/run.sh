#!/usr/bin/env bash
# bench/distributed/run.sh - distributed mode's targets, measured on one cluster of BENCH_WORKERS
# (20) `ferry distributed` processes on the real broker, with BENCH_SOURCES (100) SequenceSource
# and BENCH_SINKS (100) NullSink connectors of one task each. With BENCH_TOPOLOGY=pipelines (the
# default) they are pipelines: source i writes topic i (one partition), which sink i reads. With
# fanout, every source writes one topic of 4 partitions that every sink reads, each sink in its
# consumer group: the broker then answers a fetch of every sink for nearly every record (100
# sinks x 100 records/s), a load on the broker's CPU more than on the cluster's.
#
#   cold      from the exec of the first worker (all workers started at once, then the connectors
#             created over REST, spread over the workers) to the first poll that sees every
#             connector and every task RUNNING. Target: < 30 s.
#   reassign  kill -9 of BENCH_KILL (5) workers that are not the leader, at once, to the first
#             poll that sees every connector and task RUNNING on a live worker. Target: within
#             scheduled.rebalance.max.delay.ms + session.timeout.ms + 5 s.
#   writes    BENCH_WRITES (200) REST writes through the followers, one at a time: pause/resume
#             pairs, then PUTs of connector configs; the leader found from GET /metrics
#             (ferry_cluster_leader 1). Target: p99 < 50 ms. The same pause/resume writes sent to
#             the leader itself are an informational row (the cost of the forwarding hop).
#   memory    VmRSS of every worker, BENCH_IDLE_SECONDS (10) after the cold start, each with its
#             share of the connectors: median and max. Target: < 20 MB. The details add each
#             worker's PSS (the libraries' pages divided among the processes mapping them).
#
# The statuses are polled every 100 ms with one GET /connectors?expand=status by cluster_probe.c,
# which also sends the REST requests (keep-alive, one at a time) and times them.
#
# Usage: bench/distributed/run.sh
# Needs: the Kafka of tests/services (tests/services/services.sh start kafka), meson, ninja, cc,
# pkg-config rdkafka, jansson and libcurl. Builds ferry (release, no sanitizers) and the sequence
# test plugin into build-bench/, the tools into build-bench/bench-tools/.
# Environment: BENCH_WORKERS (20), BENCH_SOURCES (100), BENCH_SINKS (100), BENCH_TOPOLOGY
# (pipelines or fanout), BENCH_KILL (5),
# BENCH_WRITES (200), BENCH_DELAY_MS (5000, scheduled.rebalance.max.delay.ms), BENCH_SESSION_MS
# (6000, session.timeout.ms), BENCH_IDLE_SECONDS (10), BENCH_TIMEOUT_S (180, the cold start's
# limit), BENCH_PORT (the first worker's port; by default one below the ephemeral port range,
# derived from the pid), BENCH_LOG_LEVEL (info, the workers' FERRY_LOG_LEVEL), BENCH_KEEP_TMP
# (keep the workers' logs).
# The group, topics and consumer groups the run creates carry its run id and are deleted on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

WORKERS=${BENCH_WORKERS:-20}
SOURCES=${BENCH_SOURCES:-100}
SINKS=${BENCH_SINKS:-100}
TOPOLOGY=${BENCH_TOPOLOGY:-pipelines}
KILL=${BENCH_KILL:-5}
WRITES=${BENCH_WRITES:-200}
DELAY_MS=${BENCH_DELAY_MS:-5000}
SESSION_MS=${BENCH_SESSION_MS:-6000}
IDLE_SECONDS=${BENCH_IDLE_SECONDS:-10}
TIMEOUT_S=${BENCH_TIMEOUT_S:-180}
LOG_LEVEL=${BENCH_LOG_LEVEL:-info}
CONNECTORS=$((SOURCES + SINKS))
COLD_TARGET_S=30
REASSIGN_TARGET_MS=$((DELAY_MS + SESSION_MS + 5000))
WRITE_TARGET_MS=50
RSS_TARGET_MB=20

build=$root/build-bench
tools=$build/bench-tools
ferry=$build/worker/ferry
sequence_dir=$build/tests/plugins/sequence

(( KILL < WORKERS )) || { echo "run.sh: BENCH_KILL must be less than BENCH_WORKERS" >&2; exit 2; }
case $TOPOLOGY in
    pipelines | fanout) ;;
    *) echo "run.sh: BENCH_TOPOLOGY must be pipelines or fanout, not '$TOPOLOGY'" >&2; exit 2 ;;
esac

run_id="dbench-$(date +%s)-$$"
kafka_used=0

. "$root/bench/lib.sh"
bench_init distributed
bench_stop_seconds=30
bench_ports "$WORKERS" "${BENCH_PORT:-}"
PORT_BASE=$bench_port

bench_cleanup() { # the run's group, internal and data topics, and the sinks' consumer groups
    bench_topics_cleanup
}

# ---- helpers ---------------------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f\n", (b - a) / 1000 }'; } # US US
join_by() { local IFS=$1; shift; echo "$*"; }

# stop_workers: SIGTERM to every worker still running at once (a worker drains and leaves for
# itself, in parallel), then the usual wait for each.
stop_workers() {
    local pid
    for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${children[@]}"; do stop_pid "$pid" "$bench_stop_seconds"; done
    children=()
}

worker_url() { echo "http://127.0.0.1:$((PORT_BASE + $1))"; }
worker_id() { echo "127.0.0.1:$((PORT_BASE + $1))"; }

# worker_props I: worker I's config; every worker shares the group and the internal topics.
worker_props() {
    local i=$1
    bench_distributed_worker_props "$tmp/worker-$i.properties" "$FERRY_TEST_BOOTSTRAP" \
        "$sequence_dir" "$(worker_url "$i")" "$run_id" offset.storage.partitions=5 \
        status.storage.partitions=3 "session.timeout.ms=$SESSION_MS" heartbeat.interval.ms=1000 \
        rebalance.timeout.ms=20000 "scheduled.rebalance.max.delay.ms=$DELAY_MS"
}

source_name() { echo "$run_id-src-$1"; }
sink_name() { echo "$run_id-sink-$1"; }
# The topic of pipeline I (pipelines), or the one topic (fanout).
data_topic() {
    if [ "$TOPOLOGY" = pipelines ]; then echo "$run_id-data-$1"; else echo "$run_id-data"; fi
}
# source_config I [EXTRA]: one record a second, one source partition.
source_config() {
    printf '{"connector.class":"SequenceSource","tasks.max":"1","topic":"%s","partitions":"1","batch.size":"1","interval.ms":"1000"%s}' \
        "$(data_topic "$1")" "${2:-}"
}
sink_config() { printf '{"connector.class":"NullSink","tasks.max":"1","topics":"%s"}' "$(data_topic "$1")"; }

# Every connector's name, sources and sinks interleaved.
connector_names() {
    local i
    for (( i = 0; i < SOURCES || i < SINKS; i++ )); do
        (( i < SOURCES )) && source_name "$i"
        (( i < SINKS )) && sink_name "$i"
    done
    return 0
}

wait_healthy() { # I: worker I answers /health (30 s)
    local deadline=$(( $(now_us) + 30000000 ))
    while (( $(now_us) < deadline )); do
        curl -sf -o /dev/null --max-time 1 "$(worker_url "$1")/health" && return 0
        kill -0 "${worker_pids[$1]}" 2>/dev/null ||
            { tail -20 "$tmp/worker-$1.log" >&2; die "worker $1 exited"; }
        sleep 0.05
    done
    tail -20 "$tmp/worker-$1.log" >&2
    die "worker $1 not healthy within 30 s"
}

is_leader() { # I (the whole answer first: grep -q would cut the pipe, a failure under pipefail)
    local metrics
    metrics=$(curl -sf --max-time 10 "$(worker_url "$1")/metrics") || return 1
    grep -qx 'ferry_cluster_leader 1' <<<"$metrics"
}

# running URLS TIMEOUT_MS OUT [LIVE_IDS]: cluster_probe running; "DONE_NS POLLS" and the
# per-worker task counts in OUT. 1 on timeout.
running() {
    local urls=$1 timeout_ms=$2 out=$3
    shift 3
    "$tools/cluster_probe" running "$urls" "$CONNECTORS" "$timeout_ms" "$@" >"$out"
}

# spread OUT: "min/median/max tasks per worker (N workers)" from cluster_probe running's output.
spread() {
    local counts
    mapfile -t counts < <(awk '$1 == "tasks" { print $3 }' "$1")
    echo "$(printf '%s\n' "${counts[@]}" | sort -n | head -1)/$(median "${counts[@]}")/$(printf '%s\n' "${counts[@]}" | sort -n | tail -1) on ${#counts[@]} workers"
}

worker_logs_hint() { echo "workers' logs: $tmp/worker-*.log (set BENCH_KEEP_TMP=1 to keep them)"; }

# ---- build and broker --------------------------------------------------------------------------

pkg-config --exists rdkafka jansson libcurl || die "pkg-config cannot find rdkafka, jansson and libcurl"
build_ferry ferry sequence
build_tool topic_tool bench/runtime/topic_tool.c rdkafka
build_tool cluster_probe bench/distributed/cluster_probe.c libcurl jansson

# Give a broker that is (re)starting (another suite's test may restart it) a minute to answer.
for (( i = 0; i < 60; i++ )); do
    tests/services/services.sh status kafka >/dev/null 2>&1 && break
    sleep 1
done
tests/services/services.sh status kafka >/dev/null 2>&1 ||
    die "the Kafka of tests/services is not running: tests/services/services.sh start kafka"
eval "$(tests/services/services.sh env)"
[ -n "${FERRY_TEST_BOOTSTRAP:-}" ] || die "tests/services/services.sh env gave no FERRY_TEST_BOOTSTRAP"
kafka_used=1
if [ "$TOPOLOGY" = pipelines ]; then
    topics=()
    for (( i = 0; i < SOURCES || i < SINKS; i++ )); do topics+=("$(data_topic "$i")"); done
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$(join_by , "${topics[@]}")" 1
else
    "$tools/topic_tool" create "$FERRY_TEST_BOOTSTRAP" "$(data_topic 0)" 4
fi

all_urls=()
for (( i = 0; i < WORKERS; i++ )); do
    worker_props "$i"
    all_urls+=("$(worker_url "$i")")
done
log "run $run_id: $WORKERS workers (ports $PORT_BASE-$((PORT_BASE + WORKERS - 1))), $SOURCES sources +" \
    "$SINKS sinks ($TOPOLOGY); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. cold start -------------------------------------------------------------------------------

worker_pids=()
cold_start_us=$(now_us)
for (( i = 0; i < WORKERS; i++ )); do
    FERRY_LOG_LEVEL=$LOG_LEVEL start_bg "$tmp/worker-$i.log" "$ferry" distributed "$tmp/worker-$i.properties"
    worker_pids+=("$bg_pid")
done
for (( i = 0; i < WORKERS; i++ )); do wait_healthy "$i"; done
healthy_ms=$(ms_between "$cold_start_us" "$(now_us)")
log "all $WORKERS workers healthy after $healthy_ms ms; creating $CONNECTORS connectors"

while read -r name; do
    case $name in
        *-src-*) config=$(source_config "${name##*-}") ;;
        *) config=$(sink_config "${name##*-}") ;;
    esac
    echo "POST /connectors {\"name\":\"$name\",\"config\":$config}"
done < <(connector_names) >"$tmp/create.requests"
# A worker that knows no leader yet answers 409: retried for up to a minute.
"$tools/cluster_probe" send "$(join_by , "${all_urls[@]}")" 60000 "$tmp/create.times" <"$tmp/create.requests" \
    >"$tmp/create.out" 2>"$tmp/create.err" ||
    { cat "$tmp/create.err" >&2; worker_logs_hint >&2; die "creating the connectors failed"; }
created_ms=$(ms_between "$cold_start_us" "$(now_us)")
log "created after $created_ms ms ($(cat "$tmp/create.out"))"

running "$(join_by , "${all_urls[@]}")" $(( TIMEOUT_S * 1000 )) "$tmp/cold.out" ||
    { worker_logs_hint >&2; die "the cluster did not run every connector and task within $TIMEOUT_S s"; }
read -r cold_done_ns cold_polls <"$tmp/cold.out"
cold_ms=$(ms_between "$cold_start_us" "$(( cold_done_ns / 1000 ))")
cold_s=$(awk -v ms="$cold_ms" 'BEGIN { printf "%.1f", ms / 1000 }')
# Who runs what, kept with the logs (BENCH_KEEP_TMP) to tell slow writes by their owners.
curl -sf --max-time 10 "$(worker_url 0)/connectors?expand=status" >"$tmp/status-cold.json" || true
log "cold start: every connector and task RUNNING after $cold_ms ms (tasks per worker min/median/max" \
    "$(spread "$tmp/cold.out"))"

# ---- 2. memory -------------------------------------------------------------------------------

# cpu_ticks PID...: user + system clock ticks of the processes, summed.
cpu_ticks() {
    local pid sum=0
    for pid in "$@"; do sum=$(( sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat") )); done
    echo "$sum"
}
idle_ticks=$(cpu_ticks "${worker_pids[@]}")
idle_us=$(now_us)
sleep "$IDLE_SECONDS"
# The cluster's CPU while idle, in cores (100% = one core busy), all workers together.
idle_cores=$(awk -v t="$(( $(cpu_ticks "${worker_pids[@]}") - idle_ticks ))" -v hz="$(getconf CLK_TCK)" \
    -v us="$(( $(now_us) - idle_us ))" 'BEGIN { printf "%.0f", 100 * t / hz / (us / 1e6) }')
log "idle: the $WORKERS workers used $idle_cores% of a core together"
rss_kb=()
rss_anon_kb=()
rss_threads=()
pss_kb=()
for pid in "${worker_pids[@]}"; do
    rss_kb+=("$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")")
    rss_anon_kb+=("$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status")")
    rss_threads+=("$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")")
    # PSS: the shared libraries' pages divided among the processes that map them.
    pss_kb+=("$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)")
done
rss_median_kb=$(median "${rss_kb[@]}")
rss_max_kb=$(printf '%s\n' "${rss_kb[@]}" | sort -n | tail -1)
log "RSS: median $rss_median_kb kB, max $rss_max_kb kB (per worker: $(join_by ' ' "${rss_kb[@]}"))"

# ---- 3. writes through the followers ----------------------------------------------------------

leader=
for (( i = 0; i < WORKERS; i++ )); do
    if is_leader "$i"; then leader=$i; break; fi
done
[ -n "$leader" ] || { worker_logs_hint >&2; die "no worker says ferry_cluster_leader 1 in /metrics"; }
follower_urls=()
for (( i = 0; i < WORKERS; i++ )); do (( i != leader )) && follower_urls+=("$(worker_url "$i")"); done
log "leader: worker $leader ($(worker_id "$leader"))"

mapfile -t names < <(connector_names)
# pause_resume N: N writes, a pause then a resume of each connector in turn.
pause_resume() {
    local i
    for (( i = 0; i < $1; i++ )); do
        if (( i % 2 == 0 )); then echo "PUT /connectors/${names[i / 2 % CONNECTORS]}/pause"
        else echo "PUT /connectors/${names[i / 2 % CONNECTORS]}/resume"; fi
    done
}
# config_puts N: N PUTs of sources' configs, each with a changed (unknown, so harmless) key: a
# real change, which the owner applies by restarting the connector.
config_puts() {
    local i
    for (( i = 0; i < $1; i++ )); do
        echo "PUT /connectors/$(source_name $(( i % SOURCES )))/config $(source_config $(( i % SOURCES )) ",\"bench.write\":\"$i\"")"
    done
}
# machine_busy: "BUSY TOTAL" jiffies of all CPUs since boot (/proc/stat), to tell how loaded the
# machine was (ferry, the broker, and whatever else runs) while the writes ran.
machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
write_run() { # LABEL URLS GENERATOR: the figures of cluster_probe send
    local busy0 total0 busy1 total1 ticks0
    read -r busy0 total0 < <(machine_busy)
    ticks0=$(cpu_ticks "${live_pids[@]}")
    "$tools/cluster_probe" send "$2" 0 "$tmp/writes-$1.times" < <($3 "$WRITES") \
        >"$tmp/writes-$1.out" 2>"$tmp/writes-$1.err" ||
        { cat "$tmp/writes-$1.err" >&2; echo "$bench_script: some $1 writes failed" >&2; }
    read -r busy1 total1 < <(machine_busy)
    # Both as a share of the machine's cores (200% = both cores of a 2-core machine busy).
    write_cpu[$1]="machine $(awk -v b=$(( busy1 - busy0 )) -v t=$(( total1 - total0 )) -v n="$(nproc)" \
        'BEGIN { printf "%.0f", 100 * n * b / t }')%, workers $(awk -v w=$(( $(cpu_ticks "${live_pids[@]}") - ticks0 )) \
        -v t=$(( total1 - total0 )) -v n="$(nproc)" 'BEGIN { printf "%.0f", 100 * n * w / t }')%"
    log "$1: $(cat "$tmp/writes-$1.out") (CPU: ${write_cpu[$1]})"
}
declare -A write_cpu
live_pids=("${worker_pids[@]}")
field() { sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" "$tmp/writes-$1.out"; } # LABEL KEY

write_run pause-followers "$(join_by , "${follower_urls[@]}")" pause_resume
write_run pause-leader "$(worker_url "$leader")" pause_resume
write_run config-followers "$(join_by , "${follower_urls[@]}")" config_puts

running "$(join_by , "${all_urls[@]}")" 120000 "$tmp/after-writes.out" ||
    { worker_logs_hint >&2; die "after the writes, not every connector and task RUNNING within 120 s"; }

# ---- 4. kill -9 of workers that are not the leader ----------------------------------------------

killed=()
live_urls=()
live_ids=()
for (( i = WORKERS - 1; i >= 0; i-- )); do
    if (( ${#killed[@]} < KILL && i != leader )); then killed+=("$i")
    else live_urls+=("$(worker_url "$i")"); live_ids+=("$(worker_id "$i")"); fi
done
killed_tasks=0
for i in "${killed[@]}"; do
    killed_tasks=$(( killed_tasks + $(awk -v id="$(worker_id "$i")" \
        '$1 == "tasks" && $2 == id { n = $3 } END { print n + 0 }' "$tmp/after-writes.out") ))
done
log "kill -9 of workers $(join_by ' ' "${killed[@]}") ($killed_tasks tasks)"
kill_us=$(now_us)
for i in "${killed[@]}"; do kill -KILL "${worker_pids[$i]}"; done
for i in "${killed[@]}"; do
    wait "${worker_pids[$i]}" 2>/dev/null || true
    forget "${worker_pids[$i]}"
done
reassign_ok=1
running "$(join_by , "${live_urls[@]}")" $(( REASSIGN_TARGET_MS + 60000 )) "$tmp/reassign.out" \
    "$(join_by , "${live_ids[@]}")" || reassign_ok=0
if (( reassign_ok )); then
    read -r reassign_done_ns _ <"$tmp/reassign.out"
    reassign_ms=$(ms_between "$kill_us" "$(( reassign_done_ns / 1000 ))")
    log "reassigned: every connector and task RUNNING on a live worker $reassign_ms ms after the kill" \
        "(tasks per worker $(spread "$tmp/reassign.out"))"
else
    reassign_ms=">$(( REASSIGN_TARGET_MS + 60000 ))"
    worker_logs_hint >&2
fi

log "stopping the $(( WORKERS - KILL )) remaining workers"
stop_workers

# ---- report ----------------------------------------------------------------------------------

row() { printf '%-58s %16s %16s  %s\n' "$@"; }
p99_follow=$(field pause-followers p99_ms)
p99_config=$(field config-followers p99_ms)
rss_median_mb=$(megabytes "$rss_median_kb")
rss_max_mb=$(megabytes "$rss_max_kb")
results=()
echo
echo "ferry distributed, $WORKERS workers, $SOURCES SequenceSource + $SINKS NullSink (one task each, $TOPOLOGY)," \
     "session.timeout.ms=$SESSION_MS, scheduled.rebalance.max.delay.ms=$DELAY_MS, broker $FERRY_TEST_BOOTSTRAP"
echo
row figure value target result
row ------ ----- ------ ------
results+=("$(verdict "$cold_s" "<" "$COLD_TARGET_S")")
row "cold start to all $CONNECTORS connectors + tasks RUNNING" "$cold_s s" "< $COLD_TARGET_S s" "${results[-1]}"
if (( reassign_ok )); then results+=("$(verdict "$reassign_ms" "<" "$REASSIGN_TARGET_MS")")
else results+=(FAIL); fi
row "reassign after kill -9 of $KILL workers" "$reassign_ms ms" "< $REASSIGN_TARGET_MS ms" "${results[-1]}"
results+=("$(verdict "$p99_follow" "<" "$WRITE_TARGET_MS")")
row "pause/resume through followers, p99 ($WRITES writes)" "$p99_follow ms" "< $WRITE_TARGET_MS ms" "${results[-1]}"
results+=("$(verdict "$p99_config" "<" "$WRITE_TARGET_MS")")
row "PUT config through followers, p99 ($WRITES writes)" "$p99_config ms" "< $WRITE_TARGET_MS ms" "${results[-1]}"
row "  pause/resume on the leader itself, p99 (info)" "$(field pause-leader p99_ms) ms" "" ""
results+=("$(verdict "$rss_median_mb" "<" "$RSS_TARGET_MB")")
row "RSS per worker, median" "$rss_median_mb MB" "< $RSS_TARGET_MB MB" "${results[-1]}"
results+=("$(verdict "$rss_max_mb" "<" "$RSS_TARGET_MB")")
row "RSS per worker, max" "$rss_max_mb MB" "< $RSS_TARGET_MB MB" "${results[-1]}"
echo
echo "details:"
echo "  cold start: workers started at 0, all healthy at $healthy_ms ms, $CONNECTORS connectors created" \
     "(POST, round robin over the workers) by $created_ms ms, all RUNNING at $cold_ms ms ($cold_polls polls);" \
     "tasks per worker min/median/max $(spread "$tmp/cold.out")"
echo "  creates: $(cat "$tmp/create.out")"
for label in pause-followers pause-leader config-followers; do
    echo "  writes $label: $(cat "$tmp/writes-$label.out") (CPU of the $(nproc) cores meanwhile: ${write_cpu[$label]})"
done
echo "  reassign: killed workers $(join_by ' ' "${killed[@]}") (not the leader, worker $leader) with" \
     "$killed_tasks tasks; clock from just before the kills to the first poll with every connector" \
     "and task RUNNING on the $(( WORKERS - KILL )) live workers$( (( reassign_ok )) &&
     echo "; tasks per worker after: $(spread "$tmp/reassign.out")")"
echo "  idle CPU of all workers together over the $IDLE_SECONDS s before the RSS: $idle_cores% of a core"
echo "  RSS kB per worker: $(join_by ' ' "${rss_kb[@]}") (anonymous: $(join_by ' ' "${rss_anon_kb[@]}"); threads: $(join_by ' ' "${rss_threads[@]}"))"
echo "  PSS kB per worker (shared pages divided among the processes): median $(median "${pss_kb[@]}"), each: $(join_by ' ' "${pss_kb[@]}")"
for r in "${results[@]}"; do [ "$r" = PASS ] || exit 1; done
exit 0
