#!/usr/bin/env bash
# tests/compat/transforms_compare.sh - the transforms check (tests/compat/README.md): Kafka
# Connect's own transforms apply the table (harness.sh transforms), ferry's apply it too
# (compat_transforms apply), and the outcomes must be the same (compat_transforms compare).
#
#   transforms_compare.sh WORKDIR CHECKER TABLE [NAME...]
#
# NAME (or FERRY_COMPAT_TRANSFORMS=InsertField,Cast) runs only the cases that use those
# transforms or predicates. FERRY_COMPAT_SEED and FERRY_COMPAT_RANDOM choose the seed and the
# number of the random records. The harness's exit status passes through: 77 (skipped) or 1 when
# Java or Maven is missing.
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 WORKDIR CHECKER TABLE [NAME...]" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$1
checker=$2
table=$3
shift 3
out=$work/transforms
mkdir -p "$out"
"$here/harness.sh" "$work" transforms "$table" "${FERRY_COMPAT_SEED:-20261206}" \
    "${FERRY_COMPAT_RANDOM:-150}" "$out"
"$checker" apply "$table" "$out/inputs.jsonl" "$out/ferry.jsonl"
exec "$checker" compare "$table" "$out/inputs.jsonl" "$out/kafka.jsonl" "$out/ferry.jsonl" "$@"
