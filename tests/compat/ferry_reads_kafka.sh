#!/usr/bin/env bash
# tests/compat/ferry_reads_kafka.sh - Kafka's JsonConverter writes the compatibility cases
# (harness.sh write), then ferry's converter reads them (test_compat_ferry_reads_kafka).
#
#   ferry_reads_kafka.sh WORKDIR CHECKER
#
# The harness's exit status passes through: 77 (skipped) or 1 when Java or Maven is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ne 2 ]]; then
    echo "usage: $0 WORKDIR CHECKER" >&2
    exit 2
fi
work=$1
checker=$2
mkdir -p "$work"
"$here/harness.sh" "$work" write "$work/kafka-written.jsonl"
exec "$checker" "$work/kafka-written.jsonl"
