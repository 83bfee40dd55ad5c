#!/usr/bin/env bash
# tests/compat/ctl/record.sh - records the REST answers of the real Kafka Connect 3.9.2
# (distributed, one worker, on the test broker) to the requests `ferry ctl` makes, into
# answers/: the fixtures tests/unit/test_ctl_replay.c serves back to `ferry ctl` over HTTP, so
# that its reading of Kafka Connect's answers is tested without Kafka Connect.
#
#   eval "$(tests/services/services.sh env)"
#   tests/compat/ctl/record.sh WORKDIR
#   git diff tests/compat/ctl/answers/
#
# The worker runs a FileStreamSource and a FileStreamSink connector on one topic and a
# FileStreamSink whose file cannot be created (its task FAILED, with a trace). Every answer is
# answers/<name>.http: the status line, the headers that matter (Content-Type, Location), an
# empty line and the body as Kafka Connect sent it; answers/index.tsv maps "METHOD<TAB>TARGET"
# to it, and answers/<name>.request.json holds the body a PUT or POST sent. The run's own names
# are written alike in every run: topics and the group "ctlrec-*", WORKDIR "/tmp/ctl-record".
# WORKDIR holds the jars (fetched as tests/compat/debezium/capture.sh does), the worker's files
# and its log (WORKDIR/run/connect.log). It needs a JDK 17+, Maven and curl.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ne 1 ]]; then
    echo "usage: $0 WORKDIR" >&2
    exit 2
fi
: "${FERRY_TEST_BOOTSTRAP:?eval \"\$(tests/services/services.sh env)\" first}"
mkdir -p "$1"
work=$(cd "$1" && pwd)
port=${FERRY_CTL_RECORD_PORT:-18398}
url=http://127.0.0.1:$port
answers=$here/answers

# The jars: Maven Central through ~/.m2, offline first.
. "$here/../maven_jars.sh"
maven_jars "$here/pom.xml" "$work"
classpath="$work/lib/*"

run=ctlrec$(date +%s)
rm -rf "$work/run"
mkdir -p "$work/run"
connect_log4j "$work/run/log4j.properties" "$work/run/connect.log" INFO
java_run() {
    java -Dlog4j.configuration="file:$work/run/log4j.properties" -cp "$classpath" "$@"
}

# The test broker creates no topic on its own: the worker's three and the connectors' one are
# made here, as kafka-topics.sh makes them.
topic_create() {
    java_run org.apache.kafka.tools.TopicCommand --bootstrap-server "$FERRY_TEST_BOOTSTRAP" \
        --create --if-not-exists --topic "$1" --partitions "$2" --replication-factor 1 "${@:3}" \
        >>"$work/run/topics.log" 2>&1 || { cat "$work/run/topics.log" >&2; exit 1; }
}
topic_create "$run-configs" 1 --config cleanup.policy=compact
topic_create "$run-offsets" 5 --config cleanup.policy=compact
topic_create "$run-status" 5 --config cleanup.policy=compact
topic_create "$run-lines" 1
# The sink connectors' consumer groups (connect-<name>) outlive a run: a previous run's offsets
# would show in this one's answers.
java_run org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$FERRY_TEST_BOOTSTRAP" --delete --group connect-ctl-file-sink \
    --group connect-ctl-failing >>"$work/run/topics.log" 2>&1 || true

cat >"$work/run/worker.properties" <<PROPS
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
group.id=$run-group
config.storage.topic=$run-configs
offset.storage.topic=$run-offsets
status.storage.topic=$run-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.flush.interval.ms=1000
listeners=$url
rest.advertised.host.name=127.0.0.1
plugin.path=
PROPS

connect=
stop_connect() {
    if [[ -n $connect ]]; then
        kill "$connect" 2>/dev/null && wait "$connect" 2>/dev/null || true
    fi
    connect=
}
trap stop_connect EXIT

# A worker left on the port would answer in this one's place.
if curl -s -o /dev/null "$url/"; then
    echo "record: something already listens on $url (FERRY_CTL_RECORD_PORT chooses another)" >&2
    exit 1
fi
# Started without java_run, so that $! is the JVM itself and stop_connect stops it.
java -Dlog4j.configuration="file:$work/run/log4j.properties" -cp "$classpath" \
    org.apache.kafka.connect.cli.ConnectDistributed "$work/run/worker.properties" \
    >>"$work/run/connect.out" 2>&1 &
connect=$!

# Waits until `curl ARGS` prints what the pattern matches, or fails after 120 s.
wait_for() {
    local pattern=$1 what=$2
    shift 2
    for _ in $(seq 1 240); do
        curl -sf "$@" 2>/dev/null | grep -qE "$pattern" && return 0
        kill -0 "$connect" 2>/dev/null || { tail -50 "$work/run/connect.log" >&2; exit 1; }
        sleep 0.5
    done
    echo "record: $what did not come ($work/run/connect.log)" >&2
    exit 1
}
wait_for '^\[' "the worker's REST API" "$url/connectors"

put_config() {
    curl -sf -X PUT -H 'Content-Type: application/json' --data "$2" \
        "$url/connectors/$1/config" >/dev/null
}
printf 'first line\nsecond line\nthird line\n' >"$work/run/input.txt"
put_config ctl-file-source "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\",
    \"tasks.max\":\"1\",\"file\":\"$work/run/input.txt\",\"topic\":\"$run-lines\"}"
put_config ctl-file-sink "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",
    \"tasks.max\":\"1\",\"file\":\"$work/run/output.txt\",\"topics\":\"$run-lines\",
    \"archive.sftp.password\":\"s3cret-value\"}"
put_config ctl-failing "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",
    \"tasks.max\":\"1\",\"file\":\"$work/run/missing/output.txt\",\"topics\":\"$run-lines\"}"

wait_for '"state":"RUNNING".*"tasks":\[\{"id":0,"state":"RUNNING"' "ctl-file-source running" \
    "$url/connectors/ctl-file-source/status"
wait_for '"state":"RUNNING".*"tasks":\[\{"id":0,"state":"RUNNING"' "ctl-file-sink running" \
    "$url/connectors/ctl-file-sink/status"
wait_for '"tasks":\[\{"id":0,"state":"FAILED"' "ctl-failing's failed task" \
    "$url/connectors/ctl-failing/status"
for _ in $(seq 1 60); do
    [[ -f $work/run/output.txt && $(wc -l <"$work/run/output.txt") -ge 3 ]] && break
    sleep 0.5
done
# Both offsets are committed every offset.flush.interval.ms.
wait_for '"offset":\{"position":' "the source's offsets" "$url/connectors/ctl-file-source/offsets"
wait_for "\"kafka_topic\":\"$run-lines\"\\},\"offset\":\\{\"kafka_offset\":3" "the sink's offsets" \
    "$url/connectors/ctl-file-sink/offsets"

rm -rf "$answers"
mkdir -p "$answers"
printf '# method\ttarget\tanswer (tests/compat/ctl/record.sh)\n' >"$answers/index.tsv"

# The run's names written alike in every run.
normalise() { sed -e "s|$work|/tmp/ctl-record|g" -e "s|$run|ctlrec|g"; }

# record NAME METHOD TARGET [BODY]: one request, its answer in answers/NAME.http.
record() {
    local name=$1 method=$2 target=$3 body=${4-}
    local -a data=()
    if [[ -n $body ]]; then
        printf '%s\n' "$body" | normalise >"$answers/$name.request.json"
        data=(-H 'Content-Type: application/json' --data "$body")
    fi
    curl -sS -X "$method" "${data[@]}" -D "$work/run/headers" -o "$work/run/body" \
        "$url$target"
    {
        tr -d '\r' <"$work/run/headers" | grep -E '^HTTP/'
        tr -d '\r' <"$work/run/headers" | grep -iE '^(content-type|location):' || true
        echo
        normalise <"$work/run/body"
    } >"$answers/$name.http"
    printf '%s\t%s\t%s\n' "$method" "$target" "$name.http" >>"$answers/index.tsv"
}

record server-info GET /
record connectors GET /connectors
record connectors-expanded GET '/connectors?expand=status&expand=info'
for connector in ctl-file-source ctl-file-sink ctl-failing; do
    record "$connector" GET "/connectors/$connector"
    for part in config status tasks topics offsets; do
        record "$connector-$part" GET "/connectors/$connector/$part"
    done
done
record plugins GET /connector-plugins
record plugins-all GET '/connector-plugins?connectorsOnly=false'
record validate-errors PUT \
    /connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config/validate \
    '{"connector.class":"org.apache.kafka.connect.file.FileStreamSinkConnector","name":"ctl-invalid","tasks.max":"none"}'
# A logger Kafka Connect has (one per class that logs) and one it has not (a package); the list
# after a level was set, which then names the loggers set, with their last_modified.
record logger-worker GET /admin/loggers/org.apache.kafka.connect.runtime.Worker
record logger-missing GET /admin/loggers/org.apache.kafka.connect
record logger-set PUT /admin/loggers/org.apache.kafka.connect.file '{"level":"DEBUG"}'
record loggers GET /admin/loggers
record not-found-get GET /connectors/ctl-missing
record not-found-delete DELETE /connectors/ctl-missing
record conflict-create POST /connectors \
    "{\"name\":\"ctl-file-sink\",\"config\":{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"topics\":\"$run-lines\",\"file\":\"$work/run/output.txt\"}}"
record offsets-reset-running DELETE /connectors/ctl-file-source/offsets
record restart-failed POST '/connectors/ctl-failing/restart?includeTasks=true&onlyFailed=true'

stop_connect
echo "record: $(($(wc -l <"$answers/index.tsv") - 1)) answers in $answers"
