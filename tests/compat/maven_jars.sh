# shellcheck shell=bash
# tests/compat/maven_jars.sh - the jars of a pom.xml from Maven Central and the JDK to run them,
# for the scripts that run Kafka Connect's own Java code (harness.sh, debezium/capture.sh,
# ctl/record.sh, bench/compare/run.sh). Sourced:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/maven_jars.sh"
#   maven_jars POM WORKDIR    # the jars in WORKDIR/lib, or a message and exit 1
#   jdk=$(jdk_find)           # the bin directory of a JDK 17+, or status 1
#   connect_log4j FILE LOG LEVEL  # a log4j.properties for a worker: LEVEL and up into LOG
#
# The jars are fetched again only when the pom changed (its sum is kept in WORKDIR/lib/.pom-sum),
# offline first (what ~/.m2 holds), then from Maven Central; Maven's output goes to
# WORKDIR/mvn.log and is shown when the fetch fails.
maven_jars() {
    local pom=$1 work=$2 sum
    sum=$(sha256sum "$pom" | cut -d' ' -f1)
    if [[ -f $work/lib/.pom-sum && $(cat "$work/lib/.pom-sum") == "$sum" ]]; then
        return 0
    fi
    if ! command -v mvn >/dev/null; then
        echo "$(basename "$0"): no Maven (mvn) to fetch the jars of $pom" >&2
        exit 1
    fi
    rm -rf "$work/lib"
    # Maven writes next to its pom: a copy keeps the source tree clean.
    cp "$pom" "$work/pom.xml"
    local fetch=(mvn -B -q -f "$work/pom.xml" dependency:copy-dependencies
                 -DoutputDirectory="$work/lib")
    if ! "${fetch[@]}" -o >"$work/mvn.log" 2>&1 && ! "${fetch[@]}" >"$work/mvn.log" 2>&1; then
        cat "$work/mvn.log" >&2
        echo "$(basename "$0"): could not fetch the jars of $pom (Maven's output above)" >&2
        exit 1
    fi
    echo "$sum" >"$work/lib/.pom-sum"
}

# jdk_find: the bin directory of a JDK 17+ (java and javac): JAVA_HOME, javac on the PATH,
# Debian's JVMs; status 1 when there is none.
jdk_find() {
    local candidate major
    local -a candidates=()
    [[ -n ${JAVA_HOME:-} ]] && candidates+=("$JAVA_HOME/bin")
    candidate=$(command -v javac 2>/dev/null || true)
    [[ -n $candidate ]] && candidates+=("$(dirname "$(readlink -f "$candidate")")")
    for candidate in /usr/lib/jvm/java-*-openjdk-*/bin; do
        candidates+=("$candidate")
    done
    for candidate in "${candidates[@]}"; do
        [[ -x $candidate/java && -x $candidate/javac ]] || continue
        major=$("$candidate/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
        if [[ $major =~ ^[0-9]+$ ]] && ((major >= 17)); then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# connect_log4j FILE LOG LEVEL: writes FILE, a log4j.properties that sends LEVEL (INFO, WARN...)
# and up to LOG, for a worker started with -Dlog4j.configuration=file:FILE (reload4j).
connect_log4j() {
    cat >"$1" <<PROPS
log4j.rootLogger=$3, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
PROPS
}
