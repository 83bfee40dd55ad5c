#!/usr/bin/env bash
# The one command that proves ferry: installs the build dependencies, builds with warnings as
# errors under AddressSanitizer and UndefinedBehaviorSanitizer, starts real Kafka, PostgreSQL,
# Elasticsearch 8 and 9 and OpenSearch on loopback (tests/services/services.sh), and runs the unit
# and integration suites against them, then the Debian packages' test (tests/package/run.sh).
# Services are left running so that a second run is fast; stop them with
# `tests/services/services.sh stop`.
#
#   tests/run.sh            everything
#   tests/run.sh unit       only the unit suite (no services started)
#   tests/run.sh tsan [unit|integration] [TEST...]
#                           the suites (default: both), or the tests named, under ThreadSanitizer
#                           in build-tsan/ (-Db_sanitize=thread; tests/tsan.supp for third-party
#                           code); slower, so not part of CI's run; no package test
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tsan=
if [ "${1:-}" = tsan ]; then
  tsan=1
  shift
fi
build=${FERRY_TEST_BUILD_DIR:-build-test}
[ -n "$tsan" ] && build=${FERRY_TEST_BUILD_DIR:-build-tsan}
suites=()
names=()
for arg in "$@"; do
  case "$arg" in
    unit|integration) suites+=("$arg") ;;
    *) names+=("$arg") ;;
  esac
done
[ ${#suites[@]} -eq 0 ] && suites=(unit integration)

started=$(date +%s)
tools/install-build-deps.sh

sanitizers=address,undefined
[ -n "$tsan" ] && sanitizers=thread
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=debugoptimized -Dwerror=true \
    -Db_sanitize=$sanitizers -Db_lundef=false
fi
meson compile -C "$build"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
# A report fails the test (exit code 66), as ASan's do; second_deadlock_stack names both locks
# of a lock-order report.
export TSAN_OPTIONS=${TSAN_OPTIONS:-suppressions=$root/tests/tsan.supp:halt_on_error=1:exitcode=66:second_deadlock_stack=1:print_suppressions=0}
test_args=()
# The tsan setup (tests/tsan/meson.build) gives more time and makes librdkafka's threads visible.
[ -n "$tsan" ] && test_args+=(--setup tsan)

suite_args=()
for suite in "${suites[@]}"; do
  suite_args+=(--suite "$suite")
  if [ "$suite" = integration ]; then
    # The optional search servers too: the ES sink's test runs on each (docs/testing.md).
    tests/services/services.sh start kafka postgres elasticsearch elasticsearch9 opensearch
    eval "$(tests/services/services.sh env)"
    export FERRY_REQUIRE_SERVICES=1
  fi
done

status=0
meson test -C "$build" --print-errorlogs --num-processes 2 "${test_args[@]}" "${suite_args[@]}" \
  "${names[@]}" || status=$?

# With the integration suite (CI's run), the Debian packages too: built, installed, used, purged.
package=
if [[ " ${suites[*]} " == *" integration "* ]] && [ -z "$tsan" ] && [ ${#names[@]} -eq 0 ]; then
  package=OK
  tests/package/run.sh || { package=FAIL; status=1; }
fi

# One closing line in the plain form CI reads, from meson's own log of this run.
log="$build/meson-logs/testlog${tsan:+-tsan}.json"
count() { { grep -o "\"result\": \"$1\"" "$log" || true; } | wc -l; }
passed=$(count OK); skipped=$(count SKIP)
failed=$(( $(grep -c '"result"' "$log") - passed - skipped ))
[ "$package" = OK ] && passed=$((passed + 1))
[ "$package" = FAIL ] && failed=$((failed + 1))
echo "tests: $passed passed, $failed failed, $skipped skipped"
echo "tests/run.sh: finished in $(( $(date +%s) - started )) s with status $status"
exit $status
