#!/usr/bin/env bash
# What the fuzzing reached: builds the replay binaries with clang's source-based coverage in
# build-fuzz-cov/, replays each target's seeds, regressions and what tests/fuzz/run.sh added
# (build-fuzz/fuzz-corpus/<target>/), and prints llvm-cov's line and branch coverage of the
# target's own parser files against their floors (floors.txt), PASS or FAIL for each; exits 1
# when a file is below its floor (README.md records the figures and why a floor differs).
#
#   tests/fuzz/coverage.sh [TARGET...]   (default: every target)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
build=${FERRY_FUZZ_COV_BUILD_DIR:-build-fuzz-cov}
corpora=${FERRY_FUZZ_BUILD_DIR:-build-fuzz}/fuzz-corpus

# The files each target is the fuzzing of, and their floors: floors.txt, one place.
floors=tests/fuzz/floors.txt
known=$(awk '!/^#/ && NF { print $1 }' "$floors" | uniq)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && read -r -d '' -a targets <<<"$known" || true
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$known" || { echo "coverage.sh: unknown target '$t'" >&2; exit 2; }
done

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" --buildtype=debug \
    -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
    -Dc_link_args='-fprofile-instr-generate -fcoverage-mapping'
fi
meson compile -C "$build" $(for t in "${targets[@]}"; do echo "tests/fuzz/fuzz_replay_$t"; done)

status=0
for t in "${targets[@]}"; do
  profiles="$build/fuzz-profiles/$t"
  rm -rf "$profiles"
  mkdir -p "$profiles"
  binary="$build/tests/fuzz/fuzz_replay_$t"
  # The replay's log (the transforms warn) goes beside the profiles.
  LLVM_PROFILE_FILE="$profiles/seeds.profraw" "$binary" tests/fuzz/corpus/"$t" \
    tests/fuzz/regressions/"$t" >/dev/null 2>"$profiles/replay.log" ||
    { echo "coverage.sh: the replay of $t failed: $profiles/replay.log" >&2; exit 1; }
  if [ -n "$(ls -A "$corpora/$t" 2>/dev/null)" ]; then
    LLVM_PROFILE_FILE="$profiles/fuzzed.profraw" "$binary" "$corpora/$t" \
      >/dev/null 2>>"$profiles/replay.log" ||
      { echo "coverage.sh: the replay of $t failed: $profiles/replay.log" >&2; exit 1; }
  fi
  llvm-profdata merge -sparse "$profiles"/*.profraw -o "$profiles/merged.profdata"
  echo "== $t ($(ls "$corpora/$t" 2>/dev/null | wc -l) fuzzed inputs beside the seeds)"
  # llvm-cov names files as the compiler saw them (relative to the build directory): the
  # report's rows are picked by their path inside the repository. A file missing from the
  # report (never compiled into the binary) fails too.
  llvm-cov report "$binary" -instr-profile="$profiles/merged.profdata" >"$profiles/report.txt"
  if ! awk -v target="$t" '
      FNR == NR { if ($1 == target) { n++; file[n] = $2; lines[n] = $3; branches[n] = $4 } next }
      { for (i = 1; i <= n; i++)
          if (index($1, file[i]) && length($1) - length(file[i]) <= 3) {
            seen[i] = 1; line_cover[i] = $10; line_count[i] = $8
            branch_cover[i] = $13; branch_count[i] = $11 } }
      END {
        bad = 0
        for (i = 1; i <= n; i++) {
          if (!seen[i]) { printf "  %-46s not in the report  FAIL\n", file[i]; bad = 1; continue }
          l = line_cover[i] + 0; b = branch_cover[i] == "-" ? 100 : branch_cover[i] + 0
          ok = l >= lines[i] && b >= branches[i]
          printf "  %-46s lines %7s of %5s (floor %s%%)  branches %7s of %5s (floor %s%%)  %s\n",
                 file[i], line_cover[i], line_count[i], lines[i], branch_cover[i],
                 branch_count[i], branches[i], ok ? "PASS" : "FAIL"
          if (!ok) bad = 1
        }
        exit bad
      }' "$floors" "$profiles/report.txt"; then
    status=1
  fi
done
if [ $status -ne 0 ]; then
  echo "coverage.sh: a file is below its floor (tests/fuzz/floors.txt)" >&2
fi
exit $status
