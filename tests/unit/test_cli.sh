#!/usr/bin/env bash
# The ferry command line: --version, `plugins` in text and JSON from the same definitions, and
# clear refusals of bad arguments. Usage: test_cli.sh FERRY_BINARY PLUGIN_DIR
set -euo pipefail
ferry=$1
plugins=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ferry" --version >"$out/version" || fail "--version exited non-zero"
grep -Eq '^ferry [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI [0-9]+\.[0-9]+; librdkafka ' "$out/version" \
  || fail "unexpected version line: $(cat "$out/version")"

"$ferry" plugins --plugin-path "$plugins" >"$out/text" 2>"$out/text.log" || fail "plugins exited non-zero"
grep -q '^ExampleSource (source connector, plugin example 1.0.0)$' "$out/text" || fail "no ExampleSource line"
grep -q 'aliases: io.ferry.example.ExampleSourceConnector' "$out/text" || fail "no aliases"
grep -Eq '^    topic  STRING  required  importance: HIGH$' "$out/text" || fail "no topic key"
grep -Eq '^    interval.ms  LONG  default: 1000  range: \[0\.\.3600000\]  importance: LOW$' "$out/text" \
  || fail "no interval.ms key"
grep -q 'Milliseconds between two records.' "$out/text" || fail "no documentation"

"$ferry" plugins --plugin-path "$plugins" --json >"$out/json" || fail "plugins --json exited non-zero"
grep -q '"class": "io.ferry.example.ExampleSourceConnector"' "$out/json" || fail "JSON lacks the class"
grep -q '"name": "ExampleSource"' "$out/json" || fail "JSON lacks the name"
grep -q '"name": "interval.ms"' "$out/json" || fail "JSON lacks interval.ms"
grep -q '"default_value": "1000"' "$out/json" || fail "JSON lacks the default"

"$ferry" plugins --plugin-path /no/such/dir >"$out/none" 2>"$out/none.log" || fail "missing dir is not an error"
grep -q 'no connector plugins found' "$out/none" || fail "missing dir: no empty listing"
grep -q 'plugin.path directory /no/such/dir cannot be read' "$out/none.log" || fail "missing dir not logged"

set +e
"$ferry" frobnicate >/dev/null 2>"$out/unknown"; rc=$?
[ $rc -eq 2 ] || fail "unknown command exited $rc, expected 2"
grep -q "unknown command 'frobnicate'" "$out/unknown" || fail "unknown command not named"
"$ferry" plugins --bogus >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "bad option exited $rc, expected 2"
FERRY_LOG_LEVEL=loud "$ferry" --version >/dev/null 2>"$out/level"; rc=$?
[ $rc -eq 2 ] || fail "bad FERRY_LOG_LEVEL exited $rc, expected 2"
grep -q "FERRY_LOG_LEVEL='loud'" "$out/level" || fail "bad log level not named"
echo "cli: all checks passed"
