#!/usr/bin/env bash
# Checks that every source file the docs name exists: a path (worker/runtime/worker.c, or its
# tail cli/standalone_command.c) must be a file of the repository, a bare name (`offset_store.c`)
# must be the name of one. Covers
# README.md and docs/**/*.md. Usage: check-doc-paths.sh [SOURCE_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files --cached --others --exclude-standard)
else
  files=$(find . -type f -not -path './build*' | sed 's#^\./##')
fi
names=$(printf '%s\n' "$files" | sed 's#.*/##' | sort -u)
status=0
checked=0
for doc in README.md docs/*.md docs/*/*.md; do
  [ -f "$doc" ] || continue
  while IFS=: read -r line ref; do
    ref=${ref#/}
    checked=$((checked + 1))
    if [[ $ref == */* ]]; then
      grep -qxF -- "$ref" <<<"$files" && continue
      grep -qE -- "/${ref//./\\.}\$" <<<"$files" && continue
      # A path relative to the doc's own folder (../plugins/example/example.c).
      [ -f "$(dirname "$doc")/$ref" ] && continue
    else
      grep -qxF -- "$ref" <<<"$names" && continue
    fi
    echo "$doc:$line: names $ref, which is not in the repository" >&2
    status=1
  done < <(grep -noE '[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(c|h|sh|java|py)\b' "$doc" | grep -vE ':(https?|[a-z]+\.[a-z]+\.)' || true)
done
[ "$status" -eq 0 ] && echo "docs: $checked source file names, all in the repository"
exit "$status"
