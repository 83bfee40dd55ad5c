#!/usr/bin/env bash
# The quickstart: a working pipeline with nothing else installed. It installs the build
# dependencies, builds ferry, and runs one worker on the embedded (in-memory) Kafka with two
# connectors: a FileSource tailing input.log into the topic `quickstart`, and a FileSink writing
# that topic to output.log. Lines you append to input.log show up in output.log; Ctrl-C stops the
# worker gracefully.
#
#   ./quickstart.sh            run it and follow output.log until Ctrl-C
#   ./quickstart.sh --once     run it, check that the lines went through, stop (for scripts)
#
# Environment: FERRY_BUILD_DIR (default build; an existing build is reused as it is),
# FERRY_BIN (an installed ferry, e.g. /usr/bin/ferry, run with its installed plugins instead of
# building one), FERRY_QUICKSTART_DIR (default a new directory under /tmp),
# FERRY_QUICKSTART_PORT (8083).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

once=0
case "${1:-}" in
  --once) once=1 ;;
  "") ;;
  *) echo "usage: $0 [--once]" >&2; exit 2 ;;
esac

# An installed ferry finds its plugins by itself (no plugin.path); a build's are in the build.
ferry=${FERRY_BIN:-}
plugin_path_line=
if [ -z "$ferry" ]; then
  build=${FERRY_BUILD_DIR:-build}
  if [ ! -x "$build/worker/ferry" ] || [ "$build" = build ]; then
    tools/install-build-deps.sh
    [ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
    meson compile -C "$build" >/dev/null
  fi
  build=$(cd "$build" && pwd)
  ferry=$build/worker/ferry
  plugin_path_line="plugin.path=$build/plugins"
fi

work=${FERRY_QUICKSTART_DIR:-$(mktemp -d /tmp/ferry-quickstart.XXXXXX)}
mkdir -p "$work"
port=${FERRY_QUICKSTART_PORT:-8083}
input=$work/input.log
output=$work/output.log
rm -f "$output"
printf '%s\n' "hello from ferry" "line 2" "line 3" >"$input"

# No bootstrap.servers: the worker starts the embedded Kafka.
cat >"$work/worker.properties" <<EOF
$plugin_path_line
listeners=http://127.0.0.1:$port
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.flush.interval.ms=1000
EOF
cat >"$work/file-source.properties" <<EOF
name=quickstart-source
connector.class=FileStreamSource
file=$input
topic=quickstart
EOF
cat >"$work/file-sink.properties" <<EOF
name=quickstart-sink
connector.class=FileStreamSink
file=$output
topics=quickstart
EOF

# A session of its own: Ctrl-C reaches this script only, which then stops ferry with one SIGTERM
# (a second signal would make ferry exit at once instead of draining).
setsid "$ferry" standalone "$work/worker.properties" "$work/file-source.properties" \
  "$work/file-sink.properties" >"$work/ferry.log" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" && echo "ferry stopped gracefully." || echo "ferry exited with status $?."
  fi
}
trap 'echo; stop; exit 0' INT TERM

# The three lines through Kafka and back.
for _ in $(seq 1 300); do
  [ -f "$output" ] && [ "$(wc -l <"$output")" -ge 3 ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/ferry.log" >&2; echo "ferry exited" >&2; exit 1; }
  sleep 0.1
done
if ! [ -f "$output" ] || [ "$(wc -l <"$output")" -lt 3 ]; then
  tail -20 "$work/ferry.log" >&2
  echo "quickstart: the lines did not reach $output within 30 s" >&2
  stop
  exit 1
fi

rest=
if curl -sf -m 2 "http://127.0.0.1:$port/" >/dev/null 2>&1; then
  rest="REST API: http://127.0.0.1:$port   (try: curl -s http://127.0.0.1:$port/connectors)"
fi
bootstrap=$(grep -o 'Bootstrap address: [^ ,)]*' "$work/ferry.log" | head -1 | cut -d' ' -f3 || true)
cat <<EOF

ferry is running a pipeline on the embedded Kafka${bootstrap:+ (bootstrap $bootstrap, try kcat -b $bootstrap -L)}:
  $input  ->  FileSource  ->  topic quickstart  ->  FileSink  ->  $output
${rest:+$rest
}Log: $work/ferry.log

$output now holds:
EOF
cat "$output"

if [ "$once" = 1 ]; then
  echo "one more line" >>"$input"
  for _ in $(seq 1 100); do
    grep -qx "one more line" "$output" && break
    sleep 0.1
  done
  grep -qx "one more line" "$output" || { echo "quickstart: an appended line did not arrive" >&2; stop; exit 1; }
  echo "one more line"
  trap - INT TERM
  kill -TERM "$pid"
  wait "$pid" || { echo "quickstart: ferry did not stop gracefully" >&2; exit 1; }
  echo "quickstart: pipeline checked, ferry stopped gracefully."
  exit 0
fi

echo
echo "Append lines to $input (echo hi >> $input); they appear below. Ctrl-C stops ferry."
tail -n 0 -f "$output" &
tail_pid=$!
trap 'kill $tail_pid 2>/dev/null; echo; stop; exit 0' INT TERM
wait "$pid" || true
kill $tail_pid 2>/dev/null || true
