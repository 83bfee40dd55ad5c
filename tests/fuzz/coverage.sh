#!/usr/bin/env bash
# What the fuzzing reached: builds the replay binaries with clang's source-based coverage in
# build-fuzz-cov/, replays each target's seeds, regressions and what tests/fuzz/run.sh added
# (build-fuzz/fuzz-corpus/<target>/), and prints llvm-cov's line and branch coverage of the
# target's own parser files (README.md records the figures and the floors).
#
#   tests/fuzz/coverage.sh [TARGET...]   (default: every target)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${FERRY_FUZZ_COV_BUILD_DIR:-build-fuzz-cov}
corpora=${FERRY_FUZZ_BUILD_DIR:-build-fuzz}/fuzz-corpus

# The files each target is the fuzzing of.
declare -A parsers=(
  [properties]="worker/config/properties.c"
  [connector_file]="worker/config/connector_file.c"
  [config_provider]="worker/config/config_provider.c"
  [rest_request]="worker/rest/http_parser.c worker/rest/rest_router.c"
  [converter]="worker/convert/converter.c worker/convert/connect_json.c"
  [json_syntax]="worker/convert/json_syntax.c"
  [transforms]="worker/transforms/transform_chain.c worker/transforms/extract_new_record_state.c worker/transforms/flatten.c worker/transforms/cast.c"
  [pgoutput]="plugins/postgres-cdc/pgoutput_decoder.c"
  [pg_text]="plugins/postgres-cdc/pg_numeric.c plugins/postgres-cdc/pg_datetime.c plugins/postgres-cdc/pg_array.c"
  [es_bulk_response]="plugins/elasticsearch-sink/es_bulk_response.c"
  [line_reader]="plugins/file/line_reader.c"
  [utf8]="support/utf8.c"
)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(properties connector_file config_provider rest_request converter
  json_syntax transforms pgoutput pg_text es_bulk_response line_reader utf8)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" --buildtype=debug \
    -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
    -Dc_link_args='-fprofile-instr-generate -fcoverage-mapping'
fi
meson compile -C "$build" $(for t in "${targets[@]}"; do echo "tests/fuzz/fuzz_replay_$t"; done)

for t in "${targets[@]}"; do
  [ -n "${parsers[$t]:-}" ] || { echo "coverage.sh: unknown target '$t'" >&2; exit 2; }
  profiles="$build/fuzz-profiles/$t"
  rm -rf "$profiles"
  mkdir -p "$profiles"
  binary="$build/tests/fuzz/fuzz_replay_$t"
  LLVM_PROFILE_FILE="$profiles/seeds.profraw" "$binary" tests/fuzz/corpus/"$t" \
    tests/fuzz/regressions/"$t" >/dev/null
  if [ -n "$(ls -A "$corpora/$t" 2>/dev/null)" ]; then
    LLVM_PROFILE_FILE="$profiles/fuzzed.profraw" "$binary" "$corpora/$t" >/dev/null
  fi
  llvm-profdata merge -sparse "$profiles"/*.profraw -o "$profiles/merged.profdata"
  echo "== $t ($(ls "$corpora/$t" 2>/dev/null | wc -l) fuzzed inputs beside the seeds)"
  # llvm-cov names files as the compiler saw them (relative to the build directory): the
  # report's rows are picked by their path inside the repository.
  llvm-cov report "$binary" -instr-profile="$profiles/merged.profdata" |
    awk -v files="${parsers[$t]}" '
      BEGIN { n = split(files, wanted, " ") }
      { for (i = 1; i <= n; i++) if (index($1, wanted[i]) && length($1) - length(wanted[i]) <= 3)
          printf "  %-46s lines %7s of %5s  branches %7s of %5s\n", wanted[i], $10, $8, $13, $11 }'
done
