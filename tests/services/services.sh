#!/usr/bin/env bash
# tests/services/services.sh - real servers for ferry's integration tests, on loopback only.
#
#   services.sh start|stop|restart|status|env [kafka] [postgres] [elasticsearch]
#                                             [elasticsearch9] [opensearch]
#
#   No name means the three default services (kafka, postgres, elasticsearch); elasticsearch9 and
#   opensearch are optional and must be named to start (tests/run.sh starts them too). `env` and
#   `stop` without names also take the optional servers that run.
#
#   start   installs what is missing (Debian packages with apt-get, jars from Maven Central),
#           starts the services in parallel and waits until each one answers. A service that is
#           already running and answering is left alone, so `start` can be run any number of times.
#   stop    SIGTERM, wait, then SIGKILL. Stopping a stopped service is fine.
#   restart stop, then start, the named services (no name: the three default ones); for tests of
#           recovery, e.g. bench/soak/run.sh restarting its private broker.
#   status  says per service whether it runs and answers; exits non-zero if one does not.
#   env     prints the variables the tests read:  eval "$(tests/services/services.sh env)"
#
# Services
#   kafka          Apache Kafka (org.apache.kafka:kafka_2.13 jars), KRaft single node (broker and
#                  controller), PLAINTEXT://127.0.0.1:19092, controller on 127.0.0.1:19093; the
#                  same broker is also the secured one:
#                    SASL_SSL://127.0.0.1:19094  SCRAM-SHA-512, user "ferry" (password in the users
#                                                file below)
#                    SSL://127.0.0.1:19095       a client certificate is required; its CN is the
#                                                principal (User:ferry-client)
#                    SASL_SSL://127.0.0.1:19096  OAUTHBEARER with Kafka's unsecured validator: any
#                                                unsigned JWT (alg none) with a sub and a future
#                                                exp; the principal is User:<sub>
#                  with ACLs (StandardAuthorizer). The plain listener's User:ANONYMOUS is a super
#                  user: tests that are not about security need no ACL, and a test grants the
#                  secured principals what it wants through the plain listener. The CA,
#                  certificates, stores and SCRAM password are made once per state dir by
#                  kafka/make-tls.sh (openssl and the JDK's keytool) in kafka/tls/, again when a
#                  file is missing; `env` names that directory (FERRY_TEST_TLS_DIR):
#                    ca.pem  truststore.jks  truststore.p12  (password in truststore.password)
#                    client.jks  client.p12  client.pem + client.key (encrypted PKCS#8)
#                            (password in keystore.password; key password the same)
#                    other-ca.pem    a CA that did not sign the broker's certificate
#                    expired-ca.pem  the test CA's key and name, valid only in 2020
#                    users           SCRAM users, "name:password" lines
#                  `start` restarts a running broker whose rendered server.properties differs
#                  (new listeners, new TLS files).
#   postgres       Debian's PostgreSQL, a throw-away cluster on 127.0.0.1:15432, wal_level=logical,
#                  trust auth on loopback (also for replication), superuser "ferry", database "ferry"
#   elasticsearch  Elasticsearch from the integ-test-zip, single node, http://127.0.0.1:19200,
#                  transport 127.0.0.1:19300, no security (Java 17+)
#   elasticsearch9 (optional) Elasticsearch 9 from its integ-test-zip, http://127.0.0.1:19201,
#                  transport 127.0.0.1:19301, no security. Needs Java 21+ (Debian 12 has none):
#                  a JDK under /usr/lib/jvm (e.g. Eclipse Temurin's temurin-25-jdk-amd64) or
#                  FERRY_JAVA21_HOME naming one
#   opensearch     (optional) OpenSearch 2 from its integ-test-zip, http://127.0.0.1:19202,
#                  transport 127.0.0.1:19302, no security plugin (Java 17+)
#   The versions are in tests/services/{elasticsearch,elasticsearch9,opensearch}/pom.xml; the
#   optional servers run with a 256 MB heap.
# When run as root, the servers run as an unprivileged system user (created when missing).
#
# A second, private set (for runs that restart servers, e.g. bench/soak/run.sh, away from the set
# every test uses): FERRY_SERVICES_PORT_OFFSET=N adds N to every port above (Kafka 19092+N ...
# 19096+N, PostgreSQL 15432+N, Elasticsearch 19200+N and 19300+N, ...), together with a
# FERRY_SERVICES_DIR of its own; every command then works on that set, and `env` prints its
# addresses. Ports below 20000 stay clear of the ephemeral range and of bench/lib.sh's ports.
#
# Environment
#   FERRY_SERVICES_DIR         state: jars, data, logs (default /var/tmp/ferry-services)
#   FERRY_SERVICES_TIMEOUT     seconds each service may take to answer after launch (default 180)
#   FERRY_SERVICES_USER        the unprivileged user, when run as root (default ferry-svc)
#   FERRY_SERVICES_PORT_OFFSET added to every port (default 0); a nonzero offset needs its own
#                              FERRY_SERVICES_DIR (the default one belongs to the default ports)
#   FERRY_JAVA21_HOME          a Java 21+ home for elasticsearch9 (default: the newest JDK found)
#   FERRY_ES_WRITE_QUEUE_SIZE  Elasticsearch thread_pool.write.queue_size (default: ES's own);
#                              `start` restarts a running node whose setting differs
#   FERRY_PG_WAL_LEVEL         PostgreSQL wal_level (default logical; a test of the CDC source's
#                              refusal sets replica); `start` restarts a running server whose
#                              setting differs
#
# State layout ($FERRY_SERVICES_DIR)
#   logs/<service>.log    one log per service (the search servers' own files are in
#                         <service>/logs/)
#   kafka/lib-<version>/  kafka/data/  kafka/server.properties  kafka/kafka.pid  kafka/tls/
#   postgres/data/  postgres/run/ (unix socket)
#   elasticsearch/elasticsearch-<version>/  elasticsearch/{config,data,logs,tmp}/  *.pid
#   elasticsearch9/elasticsearch-<version>/ ... and opensearch/opensearch-<version>/ ... alike
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=$(realpath -m "${FERRY_SERVICES_DIR:-/var/tmp/ferry-services}")
LOGS=$STATE/logs
TIMEOUT=${FERRY_SERVICES_TIMEOUT:-180}
ALL_SERVICES=(kafka postgres elasticsearch)
OPTIONAL_SERVICES=(elasticsearch9 opensearch)
SEARCH_SERVICES=(elasticsearch elasticsearch9 opensearch)

PORT_OFFSET=${FERRY_SERVICES_PORT_OFFSET:-0}
if [[ ! $PORT_OFFSET =~ ^[0-9]+$ ]] || ((PORT_OFFSET > 40000)); then
    printf 'services: error: FERRY_SERVICES_PORT_OFFSET must be a whole number from 0 to 40000, not %s\n' \
        "'$PORT_OFFSET'" >&2
    exit 2
fi
if ((PORT_OFFSET != 0)) && [[ $STATE == "$(realpath -m /var/tmp/ferry-services)" ]]; then
    printf 'services: error: FERRY_SERVICES_PORT_OFFSET=%s needs a FERRY_SERVICES_DIR of its own (not %s, the default set'"'"'s)\n' \
        "$PORT_OFFSET" "$STATE" >&2
    exit 2
fi
KAFKA_PORT=$((19092 + PORT_OFFSET))
KAFKA_CONTROLLER_PORT=$((19093 + PORT_OFFSET))
KAFKA_SASL_PORT=$((19094 + PORT_OFFSET))
KAFKA_MTLS_PORT=$((19095 + PORT_OFFSET))
KAFKA_OAUTH_PORT=$((19096 + PORT_OFFSET))
PG_PORT=$((15432 + PORT_OFFSET))
ES_PORT=$((19200 + PORT_OFFSET))
ES_TRANSPORT_PORT=$((19300 + PORT_OFFSET))
ES9_PORT=$((19201 + PORT_OFFSET))
ES9_TRANSPORT_PORT=$((19301 + PORT_OFFSET))
OS_PORT=$((19202 + PORT_OFFSET))
OS_TRANSPORT_PORT=$((19302 + PORT_OFFSET))

KAFKA_DIR=$STATE/kafka
PG_DIR=$STATE/postgres
ES_DIR=$STATE/elasticsearch
ES9_DIR=$STATE/elasticsearch9
OS_DIR=$STATE/opensearch

if [[ $EUID -eq 0 ]]; then
    SVC_USER=${FERRY_SERVICES_USER:-ferry-svc}
else
    SVC_USER=$(id -un)
fi

# Set in the Elasticsearch start job when it holds the Maven lock (fd 8) on behalf of the others.
HOLDS_FETCH_LOCK=0

say() { printf 'services: %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|restart|status|env [kafka] [postgres] [elasticsearch] [elasticsearch9] [opensearch]" >&2
    exit 2
}

# The value of <name>...</name> in a pom (the versions live in the poms only).
pom_property() {
    sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1" | head -n 1
}

KAFKA_VERSION=$(pom_property "$HERE/kafka/pom.xml" kafka.version)
ES_VERSION=$(pom_property "$HERE/elasticsearch/pom.xml" elasticsearch.version)
ES9_VERSION=$(pom_property "$HERE/elasticsearch9/pom.xml" elasticsearch.version)
OS_VERSION=$(pom_property "$HERE/opensearch/pom.xml" opensearch.version)
KAFKA_LIB=$KAFKA_DIR/lib-$KAFKA_VERSION
KAFKA_TLS_DIR=$KAFKA_DIR/tls

# ---------------------------------------------------------------------------------------------
# Helpers

# Run a command as the service user (directly when we are not root).
as_svc() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$SVC_USER" -- "$@"
    else
        "$@"
    fi
}

# Start a long-running server in its own session, as the service user, detached from our
# stdin/stdout (so `$(services.sh start)` or a pipe never waits for it); its output goes to LOG.
# The server's pid (the exec'd command) is written to PIDFILE.
launch_bg() {
    local pidfile=$1 log=$2 workdir=$3
    shift 3
    rm -f "$pidfile"
    # shellcheck disable=SC2016 # expanded by the inner sh
    local -a wrapper=(sh -c 'cd "$1" || exit 1; echo $$ >"$2"; log=$3; shift 3; exec "$@" </dev/null >>"$log" 2>&1'
                      sh "$workdir" "$pidfile" "$log" "$@")
    if [[ $EUID -eq 0 ]]; then
        setsid runuser -u "$SVC_USER" -- "${wrapper[@]}" </dev/null >/dev/null 2>&1 &
    else
        setsid "${wrapper[@]}" </dev/null >/dev/null 2>&1 &
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        [[ -s $pidfile ]] && return 0
        sleep 0.1
    done
    die "could not launch $1 (no pid file $pidfile)"
}

# pid of a live process from PIDFILE whose command line matches PATTERN (extended regex), else
# fail. The pattern guards against a stale pid file naming a process that reused the pid.
live_pid() {
    local pidfile=$1 pattern=$2 pid
    [[ -s $pidfile ]] || return 1
    pid=$(head -n 1 "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE -- "$pattern" || return 1
    echo "$pid"
}

# Wait up to SECONDS for all PIDS to exit; fail if one is still there.
wait_gone() {
    local seconds=$1 pid i alive
    shift
    for ((i = 0; i < seconds * 5; i++)); do
        alive=0
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        ((alive)) || return 0
        sleep 0.2
    done
    return 1
}

# SIGTERM, wait up to SECONDS, then SIGKILL.
terminate() {
    local seconds=$1 pid
    shift
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait_gone "$seconds" "$@" && return 0
    say "still running after ${seconds}s: sending SIGKILL to $*"
    for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait_gone 5 "$@" || true
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Refuse to start when someone else listens on our ports (their server is not ours to use).
check_ports_free() {
    local svc=$1 port
    shift
    for port in "$@"; do
        port_in_use "$port" && die "$svc: 127.0.0.1:$port is already in use by a process that is not this script's $svc (see: ss -ltnp 'sport = :$port')"
    done
    return 0
}

# Create LOG as the service user so that the server can append to it.
ensure_log() {
    [[ -e $1 ]] || as_svc touch "$1"
}

show_log_tail() {
    local svc=$1 log=$LOGS/$1.log
    printf 'services: --- last lines of %s ---\n' "$log" >&2
    tail -n 30 "$log" 2>/dev/null | cut -c 1-300 >&2 || true
    printf 'services: --- end of %s ---\n' "$log" >&2
}

# A Java binary of at least MAJOR (default 17): FERRY_JAVA21_HOME (when MAJOR > 17), JAVA_HOME,
# the PATH, Debian's JVMs, then any other JDK under /usr/lib/jvm (Temurin's, for Java 21+).
find_java() {
    local minimum=${1:-17} candidate major
    local -a candidates=()
    ((minimum > 17)) && [[ -n ${FERRY_JAVA21_HOME:-} ]] && candidates+=("$FERRY_JAVA21_HOME/bin/java")
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin/java")
    candidate=$(command -v java 2>/dev/null || true)
    [[ -n $candidate ]] && candidates+=("$(readlink -f "$candidate")")
    for candidate in /usr/lib/jvm/java-*-openjdk-*/bin/java /usr/lib/jvm/*/bin/java; do
        [[ -x $candidate ]] && candidates+=("$candidate")
    done
    for candidate in "${candidates[@]}"; do
        [[ -x $candidate ]] || continue
        major=$("$candidate" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
        if [[ $major =~ ^[0-9]+$ ]] && ((major >= minimum)); then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# What to do when no Java MAJOR+ is found.
java_hint() {
    (($1 > 17)) || return 0
    printf ' (Debian 12 packages none: unpack an Eclipse Temurin %s+ JDK from adoptium.net' "$1"
    printf ' into /usr/lib/jvm, or set FERRY_JAVA21_HOME to a JDK %s+ home)' "$1"
}

find_pg_bin() {
    local dir best=
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && best=$dir
    done
    [[ -n $best ]] && echo "$best"
}

# ---------------------------------------------------------------------------------------------
# Installation (apt-get for system packages, once; Maven Central for the servers' jars)

ensure_packages() {
    local svc
    local -a pkgs=()
    local need_java=0
    for svc in "$@"; do
        case $svc in
            kafka)
                need_java=1
                command -v mvn >/dev/null || pkgs+=(maven)
                command -v kcat >/dev/null || pkgs+=(kcat)
                ;;
            elasticsearch | elasticsearch9 | opensearch)
                need_java=1
                command -v mvn >/dev/null || pkgs+=(maven)
                command -v unzip >/dev/null || pkgs+=(unzip)
                command -v curl >/dev/null || pkgs+=(curl)
                ;;
            postgres)
                find_pg_bin >/dev/null || pkgs+=(postgresql)
                ;;
        esac
    done
    # A JDK, not only a runtime: tests/compat/harness.sh compiles against Kafka's converter.
    local java
    if ((need_java)) && ! { java=$(find_java) && [[ -x ${java%/java}/javac ]]; }; then
        pkgs+=(openjdk-17-jdk-headless)
    fi
    ((${#pkgs[@]})) || return 0
    # Deduplicate (maven may be listed twice).
    mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
    [[ $EUID -eq 0 ]] || die "missing packages (${pkgs[*]}): run as root or install them with apt-get"
    say "installing Debian packages: ${pkgs[*]}"
    local no_main=/etc/postgresql-common/createcluster.d/ferry-no-main-cluster.conf
    if [[ " ${pkgs[*]} " == *" postgresql "* ]]; then
        # Debian's package would create and start a "main" cluster on 5432: we do not want one.
        mkdir -p "$(dirname "$no_main")"
        echo 'create_main_cluster = false' >"$no_main"
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${pkgs[@]}" >"$STATE/apt-install.log" 2>&1 || {
        tail -n 30 "$STATE/apt-install.log" >&2
        die "apt-get install ${pkgs[*]} failed (full output: $STATE/apt-install.log)"
    }
    rm -f "$no_main"
}

ensure_user() {
    [[ $EUID -eq 0 ]] || return 0
    id -u "$SVC_USER" >/dev/null 2>&1 && return 0
    say "creating system user $SVC_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SVC_USER"
}

ensure_state_dirs() {
    mkdir -p "$STATE" "$LOGS" "$KAFKA_DIR" "$PG_DIR" "$ES_DIR" "$ES9_DIR" "$OS_DIR"
    chmod 755 "$STATE"
    if [[ $EUID -eq 0 ]]; then
        chown "$SVC_USER:" "$LOGS" "$KAFKA_DIR" "$PG_DIR" "$ES_DIR" "$ES9_DIR" "$OS_DIR"
    fi
    as_svc test -w "$LOGS" ||
        die "user $SVC_USER cannot write $LOGS (a parent of $STATE is private?): set FERRY_SERVICES_DIR elsewhere"
}

# Maven runs one at a time (they share ~/.m2). The Elasticsearch job of a parallel start is
# handed the lock (fd 8) up front so that the largest download starts first.
with_fetch_lock() {
    if ((HOLDS_FETCH_LOCK)); then
        "$@"
    else
        flock "$STATE/.fetch.lock" "$@"
    fi
}

fetch_unlock() {
    if ((HOLDS_FETCH_LOCK)); then
        flock -u 8
        exec 8>&-
        HOLDS_FETCH_LOCK=0
    fi
}

mvn_fetch() {
    local log=$1
    shift
    if ! with_fetch_lock mvn -B -q "$@" >"$log" 2>&1; then
        cat "$log" >&2
        return 1
    fi
}

# ---------------------------------------------------------------------------------------------
# Kafka

kafka_pid() { live_pid "$KAFKA_DIR/kafka.pid" kafka.Kafka; }

kafka_answering() {
    kcat -L -b "127.0.0.1:$KAFKA_PORT" -m 3 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$KAFKA_PORT"
}

# The secured listeners answer a metadata request: SASL_SSL as user ferry, TLS with the client
# certificate, and OAUTHBEARER with librdkafka's unsigned test token (principal ferry).
kafka_secured_answering() {
    local tls=$KAFKA_TLS_DIR
    [[ -r $tls/users && -r $tls/keystore.password ]] || return 1
    kcat -L -m 3 -b "127.0.0.1:$KAFKA_SASL_PORT" -X security.protocol=SASL_SSL \
        -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=ferry -X "sasl.password=$(kafka_scram_password)" \
        -X "ssl.ca.location=$tls/ca.pem" 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$KAFKA_SASL_PORT" &&
        kcat -L -m 3 -b "127.0.0.1:$KAFKA_MTLS_PORT" -X security.protocol=SSL \
            -X "ssl.ca.location=$tls/ca.pem" -X "ssl.certificate.location=$tls/client.pem" \
            -X "ssl.key.location=$tls/client.key" -X "ssl.key.password=$(<"$tls/keystore.password")" \
            2>/dev/null | grep -q "broker 1 at 127.0.0.1:$KAFKA_MTLS_PORT" &&
        kcat -L -m 3 -b "127.0.0.1:$KAFKA_OAUTH_PORT" -X security.protocol=SASL_SSL \
            -X sasl.mechanisms=OAUTHBEARER -X enable.sasl.oauthbearer.unsecure.jwt=true \
            -X sasl.oauthbearer.config=principal=ferry -X "ssl.ca.location=$tls/ca.pem" \
            2>/dev/null | grep -q "broker 1 at 127.0.0.1:$KAFKA_OAUTH_PORT"
}

kafka_healthy() { kafka_answering && kafka_secured_answering; }

# What make-tls.sh leaves in the TLS directory; one missing means making them all again.
KAFKA_TLS_FILES=(ca.pem broker.p12 broker.password truststore.jks truststore.p12 truststore.password
    client.jks client.p12 client.pem client.key keystore.password other-ca.pem expired-ca.pem users)

kafka_tls_complete() {
    local file
    for file in "${KAFKA_TLS_FILES[@]}"; do
        [[ -s $KAFKA_TLS_DIR/$file ]] || return 1
    done
}

# The CA, certificates, stores and SCRAM password, made once per state dir (under a lock: two
# `start`s at once must not make two sets). Readable by the tests and the broker's user.
kafka_ensure_tls() {
    {
        flock 7
        kafka_tls_complete && return 0
        local java keytool
        java=$(find_java) || die "kafka: no Java 17+ found"
        keytool=$(dirname "$java")/keytool
        [[ -x $keytool ]] || die "kafka: no keytool next to $java (a JDK is needed, not only a JRE)"
        say "kafka: making the secured listeners' CA, certificates and stores in $KAFKA_TLS_DIR"
        rm -rf "$KAFKA_TLS_DIR"
        "$HERE/kafka/make-tls.sh" "$KAFKA_TLS_DIR" "$keytool" || die "kafka: making the TLS files failed"
        if [[ $EUID -eq 0 ]]; then
            chown -R "root:$SVC_USER" "$KAFKA_TLS_DIR"
            chmod 750 "$KAFKA_TLS_DIR"
            chmod 640 "$KAFKA_TLS_DIR"/*
        else
            chmod 700 "$KAFKA_TLS_DIR"
        fi
    } 7>"$STATE/.tls.lock"
}

kafka_scram_password() {
    sed -n 's/^ferry://p' "$KAFKA_TLS_DIR/users"
}

kafka_render_config() {
    local template
    template=$(<"$HERE/kafka/server.properties.in")
    template=${template//@DATA_DIR@/"$KAFKA_DIR/data"}
    template=${template//@TLS_DIR@/"$KAFKA_TLS_DIR"}
    template=${template//@BROKER_PASSWORD@/"$(<"$KAFKA_TLS_DIR/broker.password")"}
    template=${template//@TRUSTSTORE_PASSWORD@/"$(<"$KAFKA_TLS_DIR/truststore.password")"}
    template=${template//@PLAIN_PORT@/"$KAFKA_PORT"}
    template=${template//@CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}
    template=${template//@SASL_PORT@/"$KAFKA_SASL_PORT"}
    template=${template//@MTLS_PORT@/"$KAFKA_MTLS_PORT"}
    template=${template//@OAUTH_PORT@/"$KAFKA_OAUTH_PORT"}
    printf '%s\n' "$template"
}

# A running broker started with other settings (an older file without the secured listeners, or
# TLS files made again since) must restart.
kafka_config_changed() {
    [[ -f $KAFKA_DIR/server.properties ]] || return 1
    kafka_ensure_tls
    [[ $(kafka_render_config) != "$(<"$KAFKA_DIR/server.properties")" ]]
}

kafka_prepare() {
    if [[ ! -f $KAFKA_LIB/.complete ]]; then
        say "kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central"
        rm -rf "$KAFKA_LIB.tmp"
        cp "$HERE/kafka/pom.xml" "$KAFKA_DIR/pom.xml"
        mvn_fetch "$KAFKA_DIR/mvn.log" -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies \
            -DoutputDirectory="$KAFKA_LIB.tmp" ||
            die "kafka: could not fetch the Kafka jars (mvn output above)"
        touch "$KAFKA_LIB.tmp/.complete"
        mv "$KAFKA_LIB.tmp" "$KAFKA_LIB"
    fi
    kafka_ensure_tls
    kafka_render_config >"$KAFKA_DIR/server.properties"
    cp "$HERE/kafka/log4j.properties" "$KAFKA_DIR/log4j.properties"
}

# The broker's java command line (JVM options and class path), in KAFKA_JAVA.
kafka_java_cmd() {
    local java
    java=$(find_java) || die "kafka: no Java 17+ found"
    KAFKA_JAVA=("$java" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -Djava.awt.headless=true
        -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -Dferry.log.file="$LOGS/kafka.log"
        -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_LIB/*")
}

kafka_launch() {
    local log=$LOGS/kafka.log
    local -a KAFKA_JAVA
    check_ports_free kafka "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT" "$KAFKA_MTLS_PORT" \
        "$KAFKA_OAUTH_PORT"
    ensure_log "$log"
    kafka_java_cmd
    if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
        local cluster_id
        # A random UUID in Kafka's URL-safe base64, not starting with '-' (the storage tool would
        # take it for an option).
        cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        while [[ $cluster_id == -* ]]; do
            cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        done
        say "kafka: formatting KRaft storage (cluster id $cluster_id)"
        as_svc mkdir -p "$KAFKA_DIR/data"
        # The SCRAM user comes with the storage; kafka_post_start adds it to an older one.
        as_svc "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" \
            -c "$KAFKA_DIR/server.properties" \
            --add-scram "SCRAM-SHA-512=[name=ferry,password=$(kafka_scram_password)]" >>"$log" 2>&1 ||
            { show_log_tail kafka; die "kafka: formatting the storage failed"; }
    fi
    say "kafka: starting Apache Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
    launch_bg "$KAFKA_DIR/kafka.pid" "$log" "$KAFKA_DIR" \
        "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_DIR/server.properties"
}

# The SCRAM user ferry must exist with the password of the users file: a storage formatted before
# the secured listeners existed, or TLS files made again, need it set (through the plain listener,
# whose principal is a super user).
kafka_post_start() {
    local i log=$LOGS/kafka.log
    for ((i = 0; i < 3; i++)); do
        kafka_secured_answering && return 0
        sleep 1
    done
    say "kafka: setting user ferry's SCRAM-SHA-512 password"
    local -a KAFKA_JAVA
    kafka_java_cmd
    "${KAFKA_JAVA[@]}" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter \
        --entity-type users --entity-name ferry \
        --add-config "SCRAM-SHA-512=[password=$(kafka_scram_password)]" >>"$log" 2>&1 ||
        { show_log_tail kafka; die "kafka: setting the SCRAM password failed"; }
    for ((i = 0; i < 30; i++)); do
        kafka_secured_answering && return 0
        sleep 1
    done
    show_log_tail kafka
    die "kafka: the secured listeners (127.0.0.1:$KAFKA_SASL_PORT, 127.0.0.1:$KAFKA_MTLS_PORT," \
        "127.0.0.1:$KAFKA_OAUTH_PORT) do not answer"
}

kafka_stop() {
    local pid
    pid=$(kafka_pid) || return 0
    say "kafka: stopping (pid $pid)"
    terminate 60 "$pid"
    rm -f "$KAFKA_DIR/kafka.pid"
}

kafka_endpoint() {
    echo "127.0.0.1:$KAFKA_PORT (SASL_SSL 127.0.0.1:$KAFKA_SASL_PORT, mTLS 127.0.0.1:$KAFKA_MTLS_PORT, OAUTHBEARER 127.0.0.1:$KAFKA_OAUTH_PORT)"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

PG_DATA=$PG_DIR/data
PG_RUN=$PG_DIR/run

pg_bin() {
    local dir
    dir=$(find_pg_bin) || die "postgres: no PostgreSQL server binaries under /usr/lib/postgresql"
    echo "$dir/$1"
}

pg_psql() {
    "$(pg_bin psql)" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U ferry "$@"
}

postgres_pid() { live_pid "$PG_DATA/postmaster.pid" postgres; }

postgres_render_config() {
    local template wal_level=${FERRY_PG_WAL_LEVEL:-logical}
    [[ $wal_level =~ ^(minimal|replica|logical)$ ]] ||
        die "FERRY_PG_WAL_LEVEL must be minimal, replica or logical, not '$wal_level'"
    template=$(<"$HERE/postgres/postgresql.conf.in")
    template=${template//@RUN_DIR@/"$PG_RUN"}
    template=${template//@PORT@/"$PG_PORT"}
    printf '%s\n' "${template//@WAL_LEVEL@/"$wal_level"}"
}

# A running server started with other settings (e.g. another wal_level) must restart.
postgres_config_changed() {
    [[ -f $PG_DATA/ferry.conf ]] || return 1
    [[ $(postgres_render_config) != "$(cat "$PG_DATA/ferry.conf" 2>/dev/null)" ]]
}

postgres_answering() {
    "$(pg_bin pg_isready)" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1
}

postgres_healthy() {
    [[ $(pg_psql -d ferry -tAc 'SELECT 1' 2>/dev/null) == 1 ]]
}

postgres_prepare() {
    local log=$LOGS/postgres.log
    ensure_log "$log"
    if [[ ! -f $PG_DATA/PG_VERSION ]]; then
        say "postgres: creating a throw-away cluster in $PG_DATA"
        rm -rf "$PG_DATA"
        as_svc "$(pg_bin initdb)" -D "$PG_DATA" -U ferry -A trust -E UTF8 --locale=C \
            >>"$log" 2>&1 || { show_log_tail postgres; die "postgres: initdb failed"; }
        echo "include 'ferry.conf'" | as_svc tee -a "$PG_DATA/postgresql.conf" >/dev/null
    fi
    as_svc mkdir -p "$PG_RUN"
    postgres_render_config | as_svc tee "$PG_DATA/ferry.conf" >/dev/null
    as_svc tee "$PG_DATA/pg_hba.conf" <"$HERE/postgres/pg_hba.conf" >/dev/null
}

postgres_launch() {
    local log=$LOGS/postgres.log
    check_ports_free postgres "$PG_PORT"
    say "postgres: starting PostgreSQL $(basename "$(dirname "$(dirname "$(pg_bin postgres)")")") on 127.0.0.1:$PG_PORT"
    # pg_ctl detaches the postmaster (own session, output to the log) and waits until it accepts
    # connections; this runs in its own job, in parallel with the other services.
    local out
    out=$(as_svc "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$log" -w -t "$TIMEOUT" -s start </dev/null 2>&1) || {
        printf '%s\n' "$out" >&2
        printf 'services: error: postgres did not start within %ss; its log is %s\n' "$TIMEOUT" "$log" >&2
        show_log_tail postgres
        die "postgres: pg_ctl start failed"
    }
}

postgres_post_start() {
    if [[ -z $(pg_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferry'") ]]; then
        say "postgres: creating database ferry"
        pg_psql -d postgres -c 'CREATE DATABASE ferry'
    fi
    # initdb -U ferry made "ferry" the bootstrap superuser; say REPLICATION out loud anyway.
    pg_psql -d postgres -c 'ALTER ROLE ferry WITH SUPERUSER REPLICATION LOGIN'
}

postgres_stop() {
    local pid
    pid=$(postgres_pid) || return 0
    say "postgres: stopping (pid $pid)"
    as_svc "$(pg_bin pg_ctl)" -D "$PG_DATA" -m fast -w -t 60 -s stop >/dev/null 2>&1 ||
        terminate 10 "$pid"
}

postgres_endpoint() { echo "127.0.0.1:$PG_PORT"; }

# ---------------------------------------------------------------------------------------------
# Search servers: Elasticsearch 8 (the default), Elasticsearch 9 and OpenSearch 2, each from its
# integ-test-zip on Maven Central, run alike. search_use SVC points the S_* variables at one.

search_use() {
    case $1 in
        elasticsearch)
            S_PRODUCT=Elasticsearch S_DIST=elasticsearch S_DIR=$ES_DIR S_PORT=$ES_PORT
            S_TRANSPORT_PORT=$ES_TRANSPORT_PORT S_VERSION=$ES_VERSION S_POM=$HERE/elasticsearch/pom.xml
            S_CONFIG=elasticsearch.yml S_TEMPLATE=$HERE/elasticsearch/elasticsearch.yml.in
            S_NODE=ferry-es S_CLASS='org\.elasticsearch' S_ENV=ES S_JAVA_MAJOR=17 S_HEAP=512m
            S_WRITE_QUEUE=${FERRY_ES_WRITE_QUEUE_SIZE:-}
            ;;
        elasticsearch9)
            S_PRODUCT=Elasticsearch S_DIST=elasticsearch S_DIR=$ES9_DIR S_PORT=$ES9_PORT
            S_TRANSPORT_PORT=$ES9_TRANSPORT_PORT S_VERSION=$ES9_VERSION S_POM=$HERE/elasticsearch9/pom.xml
            S_CONFIG=elasticsearch.yml S_TEMPLATE=$HERE/elasticsearch/elasticsearch.yml.in
            S_NODE=ferry-es9 S_CLASS='org\.elasticsearch' S_ENV=ES S_JAVA_MAJOR=21 S_HEAP=256m
            S_WRITE_QUEUE=
            ;;
        opensearch)
            S_PRODUCT=OpenSearch S_DIST=opensearch S_DIR=$OS_DIR S_PORT=$OS_PORT
            S_TRANSPORT_PORT=$OS_TRANSPORT_PORT S_VERSION=$OS_VERSION S_POM=$HERE/opensearch/pom.xml
            S_CONFIG=opensearch.yml S_TEMPLATE=$HERE/opensearch/opensearch.yml.in
            S_NODE=ferry-opensearch S_CLASS='org\.opensearch' S_ENV=OPENSEARCH S_JAVA_MAJOR=17
            S_HEAP=256m S_WRITE_QUEUE=
            ;;
        *) die "not a search server: $1" ;;
    esac
    S_SVC=$1
    S_HOME=$S_DIR/$S_DIST-$S_VERSION
    # The launcher's pid is first the launch wrapper, then bin/<dist> (a shell script), and only
    # then the Java CLI; each stage must count as alive, or a slow machine sees a start as an exit.
    S_LAUNCHER_PATTERN="$S_CLASS|$S_HOME/bin/$S_DIST"
}

search_render_config() {
    local template
    template=$(<"$S_TEMPLATE")
    template=${template//@DATA_DIR@/"$S_DIR/data"}
    template=${template//@LOGS_DIR@/"$S_DIR/logs"}
    template=${template//@NODE_NAME@/"$S_NODE"}
    template=${template//@HTTP_PORT@/"$S_PORT"}
    template=${template//@TRANSPORT_PORT@/"$S_TRANSPORT_PORT"}
    printf '%s\n' "$template"
    if [[ -n $S_WRITE_QUEUE ]]; then
        [[ $S_WRITE_QUEUE =~ ^-?[0-9]+$ ]] ||
            die "FERRY_ES_WRITE_QUEUE_SIZE must be an integer, not '$S_WRITE_QUEUE'"
        printf '# FERRY_ES_WRITE_QUEUE_SIZE\nthread_pool.write.queue_size: %s\n' "$S_WRITE_QUEUE"
    fi
}

# A running node started with other settings (e.g. another write queue size) must restart.
search_config_changed() {
    search_use "$1"
    [[ -f $S_DIR/config/$S_CONFIG ]] || return 1
    [[ $(search_render_config) != "$(<"$S_DIR/config/$S_CONFIG")" ]]
}

search_pid() {
    search_use "$1"
    live_pid "$S_DIR/server.pid" "$S_CLASS" || live_pid "$S_DIR/launcher.pid" "$S_LAUNCHER_PATTERN"
}

search_answering() {
    search_use "$1"
    curl -fsS --max-time 10 \
        "http://127.0.0.1:$S_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null |
        grep -q '"timed_out":false'
}

search_prepare() {
    search_use "$1"
    if [[ ! -f $S_HOME/.complete ]]; then
        say "$S_SVC: fetching the $S_PRODUCT $S_VERSION integ-test-zip from Maven Central"
        local tmp=$S_DIR/download
        rm -rf "$tmp" "$S_HOME"
        mkdir -p "$tmp"
        cp "$S_POM" "$S_DIR/pom.xml"
        mvn_fetch "$S_DIR/mvn.log" -f "$S_DIR/pom.xml" dependency:copy -DoutputDirectory="$tmp" ||
            die "$S_SVC: could not fetch the distribution (mvn output above)"
        fetch_unlock
        unzip -q "$tmp/$S_DIST-$S_VERSION.zip" -d "$tmp"
        # Its config files are mode 660: the node's user must own the distribution.
        [[ $EUID -ne 0 ]] || chown -R "$SVC_USER:" "$tmp/$S_DIST-$S_VERSION"
        mv "$tmp/$S_DIST-$S_VERSION" "$S_HOME"
        touch "$S_HOME/.complete"
        rm -rf "$tmp"
    fi
    fetch_unlock
    if [[ ! -d $S_DIR/config ]]; then
        # A config dir of our own (the node writes its keystore there); the dist stays read-only.
        as_svc mkdir -p "$S_DIR/config.tmp"
        as_svc cp -r "$S_HOME/config/." "$S_DIR/config.tmp/"
        as_svc mv "$S_DIR/config.tmp" "$S_DIR/config"
    fi
    as_svc mkdir -p "$S_DIR/data" "$S_DIR/logs" "$S_DIR/tmp"
    search_render_config | as_svc tee "$S_DIR/config/$S_CONFIG" >/dev/null
}

search_launch() {
    search_use "$1"
    local log=$LOGS/$S_SVC.log java
    check_ports_free "$S_SVC" "$S_PORT" "$S_TRANSPORT_PORT"
    ensure_log "$log"
    java=$(find_java "$S_JAVA_MAJOR") || die "$S_SVC: no Java $S_JAVA_MAJOR+ found$(java_hint "$S_JAVA_MAJOR")"
    say "$S_SVC: starting $S_PRODUCT $S_VERSION on http://127.0.0.1:$S_PORT${S_WRITE_QUEUE:+ (write queue size $S_WRITE_QUEUE)}"
    rm -f "$S_DIR/server.pid"
    # ES_JAVA_HOME/OPENSEARCH_JAVA_HOME, *_PATH_CONF, *_TMPDIR, *_JAVA_OPTS: the same four for both.
    launch_bg "$S_DIR/launcher.pid" "$log" "$S_DIR" \
        env -u JAVA_HOME "${S_ENV}_JAVA_HOME=$(dirname "$(dirname "$java")")" \
        "${S_ENV}_PATH_CONF=$S_DIR/config" "${S_ENV}_TMPDIR=$S_DIR/tmp" \
        "${S_ENV}_JAVA_OPTS=-Xms$S_HEAP -Xmx$S_HEAP" \
        "$S_HOME/bin/$S_DIST" -p "$S_DIR/server.pid"
}

search_stop() {
    search_use "$1"
    local -a pids=()
    local pid launcher=
    pid=$(live_pid "$S_DIR/server.pid" "$S_CLASS") && pids+=("$pid")
    launcher=$(live_pid "$S_DIR/launcher.pid" "$S_LAUNCHER_PATTERN") && pids+=("$launcher")
    ((${#pids[@]})) || return 0
    say "$S_SVC: stopping (pid ${pids[*]})"
    # The launcher stops its server cleanly on SIGTERM; signal the server itself only without one.
    if [[ -n $launcher ]]; then
        kill -TERM "$launcher" 2>/dev/null || true
        wait_gone 60 "${pids[@]}" || terminate 10 "${pids[@]}"
    else
        terminate 60 "${pids[@]}"
    fi
    rm -f "$S_DIR/server.pid" "$S_DIR/launcher.pid"
}

search_endpoint() {
    search_use "$1"
    echo "http://127.0.0.1:$S_PORT"
}

# The service functions the commands call (<svc>_pid, <svc>_launch, ...) for each search server.
for search_svc in "${SEARCH_SERVICES[@]}"; do
    for search_fn in config_changed pid answering prepare launch stop endpoint; do
        eval "${search_svc}_${search_fn}() { search_${search_fn} $search_svc; }"
    done
    eval "${search_svc}_healthy() { search_answering $search_svc; }"
    eval "${search_svc}_post_start() { :; }"
done
unset search_svc search_fn

# ---------------------------------------------------------------------------------------------
# Commands

wait_ready() {
    local svc=$1 start=$SECONDS
    while ((SECONDS - start < TIMEOUT)); do
        if ! "${svc}_pid" >/dev/null; then
            printf 'services: error: %s exited while starting; its log is %s\n' "$svc" "$LOGS/$svc.log" >&2
            show_log_tail "$svc"
            return 1
        fi
        if "${svc}_answering"; then
            "${svc}_post_start"
            say "$svc: ready at $("${svc}_endpoint") ($((SECONDS - start))s)"
            return 0
        fi
        sleep 1
    done
    printf 'services: error: %s did not answer at %s within %ss; its log is %s\n' \
        "$svc" "$("${svc}_endpoint")" "$TIMEOUT" "$LOGS/$svc.log" >&2
    show_log_tail "$svc"
    # Leave nothing half-started behind: the next start begins afresh.
    "${svc}_stop" || true
    return 1
}

start_one() {
    local svc=$1 pid
    if pid=$("${svc}_pid"); then
        if declare -F "${svc}_config_changed" >/dev/null && "${svc}_config_changed"; then
            say "$svc: running with other settings: restarting it"
            "${svc}_stop"
        elif "${svc}_healthy"; then
            say "$svc: already running (pid $pid) at $("${svc}_endpoint")"
            return 0
        else
            fetch_unlock
            say "$svc: running (pid $pid) but not answering yet: waiting"
            wait_ready "$svc"
            return
        fi
    fi
    "${svc}_prepare"
    fetch_unlock
    "${svc}_launch"
    wait_ready "$svc"
}

cmd_start() {
    mkdir -p "$STATE"
    ensure_packages "$@"
    ensure_user
    ensure_state_dirs
    if (($# == 1)); then
        start_one "$1"
        return
    fi
    local svc
    local -a order=() failed=()
    local -A job_pids=()
    # Elasticsearch first: the largest download and the slowest server to boot.
    for svc in elasticsearch elasticsearch9 opensearch kafka postgres; do
        [[ " $* " == *" $svc "* ]] && order+=("$svc")
    done
    for svc in "${order[@]}"; do
        if [[ $svc == elasticsearch ]]; then
            exec 8>"$STATE/.fetch.lock"
            flock 8
            (HOLDS_FETCH_LOCK=1 start_one "$svc") &
            job_pids[$svc]=$!
            exec 8>&-
        else
            (start_one "$svc") &
            job_pids[$svc]=$!
        fi
    done
    for svc in "${order[@]}"; do
        wait "${job_pids[$svc]}" || failed+=("$svc")
    done
    if ((${#failed[@]})); then
        die "could not start: ${failed[*]}"
    fi
    say "all started: ${order[*]}"
}

cmd_stop() {
    local svc
    local -a pids=()
    for svc in "$@"; do
        "${svc}_stop" &
        pids+=($!)
    done
    local rc=0 pid
    for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
    for svc in "$@"; do
        if "${svc}_pid" >/dev/null; then
            say "$svc: still running"
            rc=1
        else
            say "$svc: stopped"
        fi
    done
    return "$rc"
}

cmd_restart() {
    cmd_stop "$@" || die "could not stop: $*"
    cmd_start "$@"
}

cmd_status() {
    local svc pid rc=0
    for svc in "$@"; do
        if pid=$("${svc}_pid"); then
            if "${svc}_healthy"; then
                say "$svc: running (pid $pid), answering at $("${svc}_endpoint")"
            else
                say "$svc: running (pid $pid) but NOT answering at $("${svc}_endpoint"); log: $LOGS/$svc.log"
                rc=1
            fi
        else
            say "$svc: not running"
            rc=1
        fi
    done
    return "$rc"
}

cmd_env() {
    local svc
    for svc in "$@"; do
        case $svc in
            kafka)
                echo "export FERRY_TEST_BOOTSTRAP=127.0.0.1:$KAFKA_PORT"
                echo "export FERRY_TEST_SASL_BOOTSTRAP=127.0.0.1:$KAFKA_SASL_PORT"
                echo "export FERRY_TEST_MTLS_BOOTSTRAP=127.0.0.1:$KAFKA_MTLS_PORT"
                echo "export FERRY_TEST_OAUTH_BOOTSTRAP=127.0.0.1:$KAFKA_OAUTH_PORT"
                echo "export FERRY_TEST_TLS_DIR=$KAFKA_TLS_DIR"
                ;;
            postgres) echo "export FERRY_TEST_PG_DSN='host=127.0.0.1 port=$PG_PORT user=ferry dbname=ferry'" ;;
            elasticsearch) echo "export FERRY_TEST_ES_URL=http://127.0.0.1:$ES_PORT" ;;
            elasticsearch9) echo "export FERRY_TEST_ES9_URL=http://127.0.0.1:$ES9_PORT" ;;
            opensearch) echo "export FERRY_TEST_OPENSEARCH_URL=http://127.0.0.1:$OS_PORT" ;;
        esac
    done
}

main() {
    (($# >= 1)) || usage
    # Every path is absolute; the service user may not be allowed into the caller's directory.
    cd /
    local cmd=$1 svc
    shift
    local -a services=()
    for svc in "$@"; do
        case $svc in
            kafka | postgres | elasticsearch | elasticsearch9 | opensearch)
                [[ " ${services[*]} " == *" $svc "* ]] || services+=("$svc") ;;
            *) echo "services: unknown service '$svc' (kafka, postgres, elasticsearch, elasticsearch9, opensearch)" >&2; usage ;;
        esac
    done
    if ((${#services[@]} == 0)); then
        services=("${ALL_SERVICES[@]}")
        if [[ $cmd == env || $cmd == stop || $cmd == restart ]]; then
            # The optional servers too when they run (a test of one skips without its variable).
            for svc in "${OPTIONAL_SERVICES[@]}"; do
                "${svc}_pid" >/dev/null && services+=("$svc")
            done
        fi
    fi
    case $cmd in
        start) cmd_start "${services[@]}" ;;
        stop) cmd_stop "${services[@]}" ;;
        restart) cmd_restart "${services[@]}" ;;
        status) cmd_status "${services[@]}" ;;
        env) cmd_env "${services[@]}" ;;
        *) usage ;;
    esac
}

main "$@"
