#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz/ (README.md there): builds them with clang under
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/ (-Dfuzz=true), then fuzzes each
# target for SECONDS, starting from its seed corpus and its regressions. What the fuzzer adds
# goes to build-fuzz/fuzz-corpus/<target>/ (the repository's corpus stays small); a crash stops
# the run and leaves its input in build-fuzz/fuzz-artifacts/<target>/: fix it, then keep the
# input under tests/fuzz/regressions/<target>/, where the unit suite replays it.
#
#   tests/fuzz/run.sh                  every target, 60 s each
#   tests/fuzz/run.sh TARGET [SECONDS] one target (properties, pgoutput, ...)
#   tests/fuzz/run.sh all SECONDS      every target, SECONDS each
#
# FERRY_FUZZ_BUILD_DIR (build-fuzz) and FERRY_FUZZ_ARGS (more libFuzzer flags, e.g. -runs=N)
# change the defaults. Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${FERRY_FUZZ_BUILD_DIR:-build-fuzz}
target=${1:-all}
seconds=${2:-60}

targets=$(sed -n "s/^  '\([a-z0-9_]*\)' : .*_dep,\$/\1/p" tests/fuzz/meson.build)
if [ "$target" != all ]; then
  if ! grep -qx "$target" <<<"$targets"; then
    echo "run.sh: unknown target '$target'; the targets are: $(echo $targets)" >&2
    exit 2
  fi
  targets=$target
fi

if ! command -v clang >/dev/null; then
  echo "run.sh: clang is missing (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
meson compile -C "$build" $(for t in $targets; do echo "tests/fuzz/fuzz_$t"; done)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for t in $targets; do
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seeds=(tests/fuzz/corpus/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && seeds+=(tests/fuzz/regressions/"$t")
  echo "== fuzz_$t: $seconds s"
  # -rss_limit_mb: a parser that balloons on small input is a finding too.
  if ! "$build/tests/fuzz/fuzz_$t" "$corpus" "${seeds[@]}" \
       -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$artifacts/" -print_final_stats=1 ${FERRY_FUZZ_ARGS:-} \
       2> "$build/fuzz-artifacts/$t.log"; then
    echo "run.sh: fuzz_$t found a problem: $build/fuzz-artifacts/$t.log, inputs in $artifacts/" >&2
    status=1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$build/fuzz-artifacts/$t.log" || true
done
exit $status
