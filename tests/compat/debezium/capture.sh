#!/usr/bin/env bash
# tests/compat/debezium/capture.sh - records what Debezium's PostgreSQL connector 3.6.1.Final,
# running on Kafka Connect 3.9.2 (standalone), writes for each case of cases/ into
# events/<case>.jsonl: the fixtures test_pg_cdc_debezium compares ferry's postgres-cdc with
# (tests/compat/debezium/README.md).
#
#   eval "$(tests/services/services.sh env)"
#   tests/compat/debezium/capture.sh WORKDIR [CASE...]
#
# A case is three files: cases/<case>.properties (the connector's own keys besides the
# connection's), cases/<case>.setup.sql (run before the connector starts) and cases/<case>.sql
# (run once the connector streams), and optionally cases/<case>.stopped.sql (run once the worker
# has stopped; the worker then starts again on its offsets). All cases run as connectors of one
# worker, each with its own slot, publication and topic prefix; the prefix is written "compat" in
# the fixture.
# WORKDIR holds the jars (fetched as tests/compat/harness.sh does), the worker's files and its log.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -lt 1 ]]; then
    echo "usage: $0 WORKDIR [CASE...]" >&2
    exit 2
fi
: "${FERRY_TEST_BOOTSTRAP:?eval \"\$(tests/services/services.sh env)\" first}"
: "${FERRY_TEST_PG_DSN:?eval \"\$(tests/services/services.sh env)\" first}"
mkdir -p "$1"
work=$(cd "$1" && pwd)
shift
if [[ $# -gt 0 ]]; then
    cases=("$@")
else
    cases=()
    for file in "$here"/cases/*.properties; do
        cases+=("$(basename "$file" .properties)")
    done
fi

# The jars: Maven Central through ~/.m2, offline first.
. "$here/../maven_jars.sh"
maven_jars "$here/pom.xml" "$work"
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$work/lib/*" "$here/src/DumpTopics.java"
classpath="$work/classes:$work/lib/*"

# key=value pairs of the DSN, for Debezium's database.* keys
dsn_get() {
    local pair
    for pair in $FERRY_TEST_PG_DSN; do
        [[ $pair == "$1="* ]] && { echo "${pair#*=}"; return 0; }
    done
    echo "$2"
}
psql_run() { psql -X -q -v ON_ERROR_STOP=1 "$FERRY_TEST_PG_DSN" "$@"; }

run=dbzc$(date +%s)
rm -rf "$work/run"
mkdir -p "$work/run"
cat >"$work/run/worker.properties" <<PROPS
bootstrap.servers=$FERRY_TEST_BOOTSTRAP
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$work/run/offsets
offset.flush.interval.ms=1000
listeners=http://127.0.0.1:18399
plugin.path=
PROPS
connect_log4j "$work/run/log4j.properties" "$work/run/connect.log" INFO

for case in "${cases[@]}"; do
    psql_run -f "$here/cases/$case.setup.sql"
    slot="${run}_$case"
    # a slot an interrupted capture left (one run's slots are dropped at its end)
    psql_run -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                 WHERE slot_name ~ '^dbzc[0-9]+_$case\$' AND NOT active" >/dev/null
    psql_run -c "DROP PUBLICATION IF EXISTS ${slot}" >/dev/null
    {
        echo "name=$case"
        echo "connector.class=io.debezium.connector.postgresql.PostgresConnector"
        echo "database.hostname=$(dsn_get host 127.0.0.1)"
        echo "database.port=$(dsn_get port 5432)"
        echo "database.user=$(dsn_get user postgres)"
        echo "database.password=$(dsn_get password '')"
        echo "database.dbname=$(dsn_get dbname postgres)"
        echo "topic.prefix=${run}_$case"
        echo "plugin.name=pgoutput"
        echo "slot.name=$slot"
        echo "publication.name=$slot"
        echo "publication.autocreate.mode=filtered"
        # The broker may not create topics (auto.create.topics.enable=false, as the test broker
        # runs): Kafka Connect creates the connector's, with the broker's defaults.
        echo "topic.creation.default.replication.factor=-1"
        echo "topic.creation.default.partitions=-1"
        # "compat" in a case's keys is its topic prefix (a notification topic's name, say)
        grep -v '^#' "$here/cases/$case.properties" | sed "s/compat/${run}_$case/g"
    } >"$work/run/$case.properties"
done

connect=
stop_connect() {
    if [[ -n $connect ]]; then
        kill "$connect" 2>/dev/null && wait "$connect" 2>/dev/null || true
    fi
    connect=
}
# Slots left behind would hold WAL on the shared server: this run's go with it.
drop_slots() {
    psql_run -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                 WHERE slot_name LIKE '${run}\_%' AND NOT active" >/dev/null || true
}
trap 'stop_connect; drop_slots' EXIT

# Starts the worker with the connectors of the given cases (the offsets file kept from a previous
# start) and returns once every one streams: its slot active, after its snapshot if it takes one.
start_connect() {
    local -a files=()
    local case active=0
    for case in "$@"; do
        files+=("$work/run/$case.properties")
    done
    java -Dlog4j.configuration="file:$work/run/log4j.properties" -cp "$classpath" \
        org.apache.kafka.connect.cli.ConnectStandalone "$work/run/worker.properties" \
        "${files[@]}" >>"$work/run/connect.out" 2>&1 &
    connect=$!
    for _ in $(seq 1 120); do
        active=$(psql_run -At -c "SELECT count(*) FROM pg_replication_slots
                                  WHERE slot_name LIKE '${run}\_%' AND active")
        [[ $active == "$#" ]] && break
        kill -0 "$connect" 2>/dev/null || { tail -50 "$work/run/connect.log" >&2; exit 1; }
        sleep 1
    done
    if [[ $active != "$#" ]]; then
        echo "capture: the connectors did not all stream ($work/run/connect.log)" >&2
        exit 1
    fi
    sleep 2
}

start_connect "${cases[@]}"
for case in "${cases[@]}"; do
    psql_run -f "$here/cases/$case.sql"
done
sleep 8
stop_connect

# Cases with cases/<case>.stopped.sql: those statements run while the worker is stopped, then
# the worker starts again on its offsets.
restarted=()
for case in "${cases[@]}"; do
    [[ -f $here/cases/$case.stopped.sql ]] || continue
    sleep 2 # the walsenders of the stopped worker exit
    psql_run -f "$here/cases/$case.stopped.sql"
    restarted+=("$case")
done
if [[ ${#restarted[@]} -gt 0 ]]; then
    start_connect "${restarted[@]}"
    sleep 8
    stop_connect
fi
trap drop_slots EXIT

for case in "${cases[@]}"; do
    java -Dlog4j.configuration="file:$work/run/log4j.properties" -cp "$classpath" DumpTopics \
        "$FERRY_TEST_BOOTSTRAP" "${run}_$case" compat "$here/events/$case.jsonl"
    psql_run -c "DROP PUBLICATION IF EXISTS ${run}_$case" >/dev/null
    echo "$case: $(wc -l <"$here/events/$case.jsonl") records"
done
