#!/usr/bin/env bash
# tests/compat/harness.sh - runs the Java compatibility harness (tests/compat/README.md): Apache
# Kafka's own JsonConverter, driven by dev.ferry.compat.Harness in one of its modes.
#
#   harness.sh WORKDIR MODE [ARGUMENT...]
#   harness.sh build/tests/compat/harness roundtrip tests/compat/records/ferry.jsonl
#
# WORKDIR holds what is built: Kafka's jars (Maven Central through ~/.m2, offline first, so a
# warm cache needs no network and a cold one is filled) and the compiled harness, each rebuilt
# when the pom or the sources change. It needs a JDK 17+ and Maven, which
# tests/services/services.sh installs; without them the harness is skipped (exit 77), or fails
# when FERRY_REQUIRE_SERVICES=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -lt 2 ]]; then
    echo "usage: $0 WORKDIR MODE [ARGUMENT...]" >&2
    exit 2
fi
work=$1
shift

missing() {
    if [[ ${FERRY_REQUIRE_SERVICES:-0} == 1 ]]; then
        echo "compat harness: $1, and FERRY_REQUIRE_SERVICES=1: failing" \
            "(tests/services/services.sh start, as root, installs it)" >&2
        exit 1
    fi
    echo "compat harness: skipped: $1 (tests/services/services.sh start installs it)" >&2
    exit 77
}

. "$here/maven_jars.sh"
jdk=$(jdk_find) || missing "no JDK 17 or later (java and javac)"

mkdir -p "$work"
work=$(cd "$work" && pwd)
# One build at a time: meson runs the compat tests in parallel, on the same WORKDIR.
exec 9>"$work/.lock"
flock 9

command -v mvn >/dev/null || [[ -f $work/lib/.pom-sum ]] || missing "no Maven (mvn)"
maven_jars "$here/pom.xml" "$work"

sources=("$here"/src/main/java/dev/ferry/compat/*.java)
source_sum=$(cat "$here/pom.xml" "${sources[@]}" | sha256sum | cut -d' ' -f1)
if [[ ! -f $work/classes/.sum || $(cat "$work/classes/.sum") != "$source_sum" ]]; then
    rm -rf "$work/classes"
    "$jdk/javac" --release 17 -encoding UTF-8 -Xlint:all -Werror -d "$work/classes" \
        -cp "$work/lib/*" "${sources[@]}"
    echo "$source_sum" >"$work/classes/.sum"
fi
exec 9>&-

exec "$jdk/java" -cp "$work/classes:$work/lib/*" dev.ferry.compat.Harness "$@"
