# shellcheck shell=bash
# tests/compat/maven_jars.sh - the jars of a pom.xml from Maven Central, for the scripts that run
# Kafka Connect's own Java code (harness.sh, debezium/capture.sh, ctl/record.sh). Sourced:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/maven_jars.sh"
#   maven_jars POM WORKDIR    # the jars in WORKDIR/lib, or a message and exit 1
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
