#!/usr/bin/env bash
# The quickstart: installs the build dependencies, builds ferry and shows what it holds.
set -euo pipefail
cd "$(dirname "$0")"
tools/install-build-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
meson compile -C build >/dev/null
echo "== build/worker/ferry --version"
build/worker/ferry --version
echo
echo "== build/worker/ferry plugins"
build/worker/ferry plugins
