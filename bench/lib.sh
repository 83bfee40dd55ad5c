# shellcheck shell=bash
# bench/lib.sh - what the benchmark scripts (bench/*/run.sh) share: messages, background
# processes and the clean-up at exit, and the arithmetic of their reports. Sourced after
# `set -euo pipefail`:
#
#   . "$root/bench/lib.sh"
#   bench_init es            # $bench_script, $tmp, children=(), the exit traps
#   bench_cleanup() { ...; } # optional: the script's own clean-up (topics, indices, slots)
#
# At exit, also on INT and TERM: every child started with start_bg that still runs is stopped
# (stop_pid, $bench_stop_seconds, default 15), bench_cleanup runs when the script defines it,
# and $tmp is removed unless BENCH_KEEP_TMP is set; the exit status stays the script's.

# bench_init NAME: $bench_script ("bench/NAME/run.sh"), a fresh $tmp, no children, the traps.
bench_init() {
    bench_script="bench/$1/run.sh"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench-$1.XXXXXX")
    children=()
    trap bench_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_topics_cleanup: deletes the topics and consumer groups whose names start with $run_id
# (topic_tool in $tools), when the script set FERRY_TEST_BOOTSTRAP and did not set $kafka_used to
# 0 (a run that never reached Kafka). For a script's bench_cleanup.
bench_topics_cleanup() {
    if (( ${kafka_used:-1} )) && [ -n "${FERRY_TEST_BOOTSTRAP:-}" ] && [ -x "$tools/topic_tool" ]; then
        timeout 60 "$tools/topic_tool" cleanup "$FERRY_TEST_BOOTSTRAP" "$run_id" 2>/dev/null ||
            echo "$bench_script: could not delete the topics and groups of $run_id" >&2
    fi
}

# bench_distributed_worker_props FILE BOOTSTRAP PLUGIN_PATH URL GROUP [KEY=VALUE...]: the config
# of one worker of a distributed cluster (bench/distributed, bench/soak): the group, its internal
# topics named after it (replication factor 1), string converters, then the extra lines.
bench_distributed_worker_props() {
    local file=$1 bootstrap=$2 plugin_path=$3 url=$4 group=$5 line
    shift 5
    cat >"$file" <<EOF
bootstrap.servers=$bootstrap
plugin.path=$plugin_path
listeners=$url
group.id=$group
config.storage.topic=$group-configs
offset.storage.topic=$group-offsets
status.storage.topic=$group-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
EOF
    for line in "$@"; do echo "$line" >>"$file"; done
}

bench_exit() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${children[@]}"; do
        stop_pid "$pid" "${bench_stop_seconds:-15}"
    done
    if declare -F bench_cleanup >/dev/null; then
        bench_cleanup || true
    fi
    if [ -n "${BENCH_KEEP_TMP:-}" ]; then
        echo "$bench_script: logs kept in $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$status"
}

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# port_listened PORT: whether something listens on 127.0.0.1:PORT (a connection succeeds).
port_listened() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bench_ports COUNT [BASE]: the first of COUNT consecutive loopback ports, in $bench_port. BASE
# (BENCH_PORT) when given, else one spread by the pid below the kernel's ephemeral range (the
# broker's and the clients' outgoing connections take ports from that range at any moment, so a
# port there may be taken between the check and the bind). Dies when a port is in use: a worker
# of another run answering on it would be taken for one of this run's.
bench_ports() {
    local count=$1 low=20000 high=32768 port attempt
    [ -r /proc/sys/net/ipv4/ip_local_port_range ] &&
        read -r high _ </proc/sys/net/ipv4/ip_local_port_range
    (( high > low + 2 * count )) || high=$(( low + 1000 + 2 * count ))
    for (( attempt = 0; attempt < 20; attempt++ )); do
        if [ -n "${2:-}" ]; then bench_port=$2
        else bench_port=$(( low + ($$ * 131 + attempt * 977) % (high - low - count) )); fi
        for (( port = bench_port; port < bench_port + count; port++ )); do
            port_listened "$port" && break
        done
        (( port == bench_port + count )) && return 0
        [ -n "${2:-}" ] && die "port $port (of BENCH_PORT=$2 .. $(( $2 + count - 1 ))) is in use"
    done
    die "no $count free consecutive ports between $low and $high"
}
die() { echo "$bench_script: $*" >&2; exit 1; }

# stop_pid PID [SECONDS]: SIGTERM, wait at most SECONDS (15), then SIGKILL; reaps it.
stop_pid() {
    local pid=$1 limit=$(( ${2:-15} * 10 )) i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < limit; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$bench_script: process $pid did not stop in time; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# start_bg LOG COMMAND...: runs COMMAND in the background, output to LOG; its pid in $bg_pid.
start_bg() {
    local out=$1
    shift
    "$@" >"$out" 2>&1 &
    bg_pid=$!
    children+=("$bg_pid")
}

# forget PID: drops a pid the script has waited for or stopped from the clean-up list.
forget() {
    local keep=() pid
    for pid in "${children[@]}"; do [ "$pid" != "$1" ] && keep+=("$pid"); done
    children=("${keep[@]}")
}

# build_ferry TARGET...: configures $build (release, no sanitizers) when it is not yet, and builds
# the meson targets (ferry, plugins).
build_ferry() {
    command -v meson >/dev/null || die "meson is needed (tools/install-build-deps.sh)"
    if [ ! -f "$build/build.ninja" ]; then
        log "configuring $build (release, no sanitizers)"
        meson setup "$build" --buildtype=release -Db_sanitize=none >"$tmp/setup.log" 2>&1 ||
            { cat "$tmp/setup.log" >&2; die "meson setup failed"; }
    fi
    log "building $* in $build"
    # Regenerate first: meson compile only knows the targets of the last configuration.
    { ninja -C "$build" build.ninja && meson compile -C "$build" "$@"; } >"$tmp/compile.log" 2>&1 ||
        { tail -30 "$tmp/compile.log" >&2; die "meson compile failed"; }
}

# build_tool NAME SOURCE [PKG...]: compiles a benchmark tool (SOURCE relative to the repository)
# into $tools/NAME with the flags of the pkg-config packages. A tool may use the support library
# ("support/strbuf.h"): all of it but config_bind, which needs the plugin ABI.
build_tool() {
    local name=$1 source=$2
    shift 2
    mkdir -p "$tools"
    local support=("$root"/support/{array,base64,hex,strbuf,strlist,utf8}.c)
    # shellcheck disable=SC2046 # the flags are words
    cc -std=gnu11 -O2 -Wall -Wextra -I"$root" -o "$tools/$name" "$root/$source" "${support[@]}" \
        $( (($#)) && pkg-config --cflags --libs "$@") || die "cannot compile $source"
}

# make_lines FILE COUNT WIDTH: COUNT lines "<number> xxx...x" of WIDTH bytes each, then '\n'.
make_lines() {
    awk -v n="$2" -v width="$3" 'BEGIN {
        pad = sprintf("%*s", width, ""); gsub(/ /, "x", pad)
        for (i = 0; i < n; i++) { s = sprintf("%012d ", i); print s substr(pad, 1, width - length(s)) } }' >"$1"
}

# ---- processes: memory and CPU -----------------------------------------------------------------

# tree_pids PID: PID and every process below it, one a line (a JVM or ferry is one process; a
# wrapper such as timeout has its child below it).
tree_pids() {
    local pid=$1 child
    echo "$pid"
    for child in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
        tree_pids "$child"
    done
}

# tree_status_kb PID FIELD: the sum of FIELD (VmRSS: resident now, VmHWM: each one's peak) in
# /proc/*/status over the tree of PID, in kB. Summed peaks bound the tree's peak from above; for
# one process (a JVM, ferry) it is the kernel's own high-water mark, exact where sampling would
# miss a short peak.
tree_status_kb() {
    local pid total=0 value
    for pid in $(tree_pids "$1"); do
        value=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null)
        total=$(( total + ${value:-0} ))
    done
    echo "$total"
}

# cpu_seconds PID: user + system CPU time of PID and its reaped children so far (utime, stime,
# cutime, cstime of /proc/PID/stat), in seconds with two decimals.
cpu_seconds() {
    local stat ticks
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo nan; return 0; }
    ticks=$(getconf CLK_TCK)
    # Fields after the command name, which is in parentheses and may hold spaces: utime is the
    # 12th of them.
    awk -v t="$ticks" '{ printf "%.2f\n", ($12 + $13 + $14 + $15) / t }' <<<"${stat##*) }"
}

# ---- arithmetic --------------------------------------------------------------------------------

median() { # numbers on the command line; "nan" for none
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f\n", n / ((b - a) / 1e9) }'; } # N FIRST_NS LAST_NS: per second
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", 100 * a / b }'; }                 # A B: A as a percentage of B
megabytes() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }                                # KB
verdict() { # VALUE OP TARGET (OP ">=" or "<"): PASS or FAIL
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
        ok = (op == ">=") ? (v >= t) : (v < t); print ok ? "PASS" : "FAIL" }'
}
thousands() { # 1234567.5 -> 1,234,568
    awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); out = ""
        while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
        print s out }'
}
