#!/usr/bin/env bash
# Checks that includes between the worker's folders point one way only: a file may include its
# own folder and the folders below it in LAYERS, never one above. The order is the architecture
# of docs/architecture.md; support/ is below all of them. Usage: check-layers.sh [SOURCE_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
# Lowest first; "support" is the top-level support library, which any folder may include.
LAYERS=(support base config convert plugin kafka stores transforms tasks runtime cluster herder rest cli ctl)

rank() {
  local i
  for i in "${!LAYERS[@]}"; do
    [ "${LAYERS[$i]}" = "$1" ] && { echo "$i"; return; }
  done
  echo -1
}

status=0
checked=0
for dir in "$root"/worker/*/; do
  folder=$(basename "$dir")
  own=$(rank "$folder")
  if [ "$own" -lt 0 ]; then
    echo "worker/$folder: a folder missing from the layer order in $0" >&2
    status=1
    continue
  fi
  while IFS=: read -r file line include; do
    target=${include%%/*}
    other=$(rank "$target")
    checked=$((checked + 1))
    if [ "$other" -lt 0 ]; then
      echo "${file#"$root"/}:$line: includes \"$include\", outside the worker's layers" >&2
      status=1
    elif [ "$other" -gt "$own" ]; then
      echo "${file#"$root"/}:$line: $folder/ includes \"$include\" from $target/, a layer above it" >&2
      status=1
    fi
  done < <(grep -Hn -o '^#include "[^"]*/[^"]*"' "$dir"*.[ch] | sed 's/#include "\(.*\)"/\1/')
done
# main.c sits at the top; nothing else may live loose in worker/.
for file in "$root"/worker/*.[ch]; do
  [ "$(basename "$file")" = main.c ] && continue
  echo "${file#"$root"/}: a source file outside the worker's folders" >&2
  status=1
done
[ "$status" -eq 0 ] && echo "layers: $checked includes between worker folders, all pointing down"
exit "$status"
