#!/usr/bin/env bash
# The README's quickstart, as a user runs it but without the terminal: quickstart.sh --once builds
# nothing (it is given this build), runs the file pipeline on the embedded Kafka, checks that the
# lines and an appended one went through, and stops ferry with one SIGTERM. Also fails when the
# worker's log holds a sanitizer report.
#   test_quickstart.sh QUICKSTART_SH BUILD_DIR
set -uo pipefail
quickstart=$1
build=$2
dir=$(mktemp -d /tmp/ferry-quickstart-test.XXXXXX)
trap 'rm -rf "$dir"' EXIT
port=$(( 20000 + RANDOM % 12000 ))  # below the ephemeral range (32768-)
fail() { echo "FAIL: $*"; tail -30 "$dir/ferry.log" 2>/dev/null; exit 1; }

FERRY_BUILD_DIR=$build FERRY_QUICKSTART_DIR=$dir FERRY_QUICKSTART_PORT=$port \
  timeout 120 "$quickstart" --once >"$dir/out.txt" 2>&1 || { cat "$dir/out.txt"; fail "quickstart.sh --once failed"; }
cat "$dir/out.txt"
grep -q "pipeline checked, ferry stopped gracefully" "$dir/out.txt" || fail "no success line"
expected=$'hello from ferry\nline 2\nline 3\none more line'
[ "$(cat "$dir/output.log")" = "$expected" ] || fail "output.log holds: $(cat "$dir/output.log")"
grep -q "EMBEDDED KAFKA" "$dir/ferry.log" || fail "the worker did not announce the embedded Kafka"
if grep -Eq "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$dir/ferry.log"; then
  fail "sanitizer report in the worker's log"
fi
echo "quickstart: OK"
