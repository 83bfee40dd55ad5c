#!/usr/bin/env bash
# The Debian packages, built and used as a user gets them: builds ferry and ferry-dev from a copy
# of the checkout (dpkg-buildpackage, without sanitizers, without the test suites), installs them
# on this machine, checks the installed layout (ferry --version, ferry plugins from the installed
# plugin directory, the man pages, the ferry user), runs the quickstart pipeline with the installed
# binary and plugins, builds the example plugin against the installed ferry-dev with pkg-config and
# loads it, verifies the installed systemd units, then purges both packages and removes the user
# the install created, so that the machine is left as it was. Needs root (dpkg -i); refuses to
# run when a ferry package is installed already.
#
#   tests/package/run.sh            (tests/run.sh runs it after the suites)
#
# Environment: FERRY_PACKAGE_KEEP=1 keeps the work directory (packages, build log).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "package: FAIL: $*" >&2; exit 1; }
step() { echo "package: $*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root: the packages are installed with dpkg -i and purged"
for package in ferry ferry-dev; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'installed'; then
    fail "$package is installed on this machine; this test installs and purges its own build"
  fi
done

# Build tools and what the checks run, installed as tools/install-build-deps.sh installs the build
# dependencies: dpkg-buildpackage and dh (debhelper), systemd-analyze (systemd), man (man-db).
"$root/tools/install-build-deps.sh"
tools=(dpkg-dev debhelper systemd man-db)
missing=()
for package in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/ferry-package.XXXXXX)
user_existed=0
getent passwd ferry >/dev/null && user_existed=1
installed=0
# Purges what this test installed and removes the user (and group) the install created; Debian
# leaves system users behind on purge, this test does not.
restore() {
  if [ "$installed" = 1 ]; then
    installed=0
    dpkg --purge ferry-dev ferry >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; return 1; }
  fi
  if [ "$user_existed" = 0 ]; then
    if getent passwd ferry >/dev/null; then userdel ferry || return 1; fi
    if getent group ferry >/dev/null; then groupdel ferry || return 1; fi
  fi
}
cleanup() {
  local status=$?
  restore || status=1
  if [ "${FERRY_PACKAGE_KEEP:-0}" = 1 ]; then echo "package: kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

# A copy of the checkout, without build directories: what a clean checkout holds.
step "copying the sources to $work/ferry"
mkdir "$work/ferry"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$work/ferry"
else
  tar -C "$root" --exclude='./build*' --exclude='./.services' -cf - . | tar -xf - -C "$work/ferry"
fi

step "dpkg-buildpackage -us -uc -b (a few minutes: one more build of ferry)"
started=$(date +%s)
(cd "$work/ferry" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
  dpkg-buildpackage -us -uc -b -Pnocheck) >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; fail "dpkg-buildpackage failed (log: $work/build.log)"; }
step "built in $(( $(date +%s) - started )) s: $(cd "$work" && echo *.deb)"

version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$root/meson.build" | head -1)
step "dpkg -i ferry ferry-dev"
installed=1
dpkg -i "$work"/ferry_*.deb "$work"/ferry-dev_*.deb >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "dpkg -i failed"; }

# The binary, its version, its man pages and its user.
[ "$(command -v ferry)" = /usr/bin/ferry ] || fail "ferry is not /usr/bin/ferry"
ferry --version | grep -q "^ferry $version " || fail "ferry --version: $(ferry --version)"
for page in ferry ferry-standalone ferry-distributed ferry-ctl; do
  man -w "$page" >/dev/null 2>&1 || fail "no man page $page"
done
getent passwd ferry >/dev/null || fail "the install did not create the user ferry"
# The man pages keep up with the help: every command of `ferry --help` (and of `ferry ctl --help`)
# is in its page.
manual() { MANWIDTH=200 LC_ALL=C man "$1" 2>/dev/null; }
for command in $(ferry --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
  manual ferry | grep -q "ferry $command" || fail "ferry(1) does not describe ferry $command"
done
if ferry ctl --help >/dev/null 2>&1; then
  for command in $(ferry ctl --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z|-]*\).*/\1/p' | tr '|' ' '); do
    manual ferry-ctl | grep -qw -- "$command" || fail "ferry-ctl(1) does not describe $command"
  done
fi

# The installed plugin directory is the default, and holds the three plugins (not the example).
plugin_dir=$(pkg-config --variable=plugindir ferry-plugin)
ferry plugins >"$work/plugins.txt"
head -1 "$work/plugins.txt" | grep -qx "plugin.path: $plugin_dir" ||
  fail "ferry plugins does not default to $plugin_dir: $(head -1 "$work/plugins.txt")"
for connector in FileSource FileSink PostgresCdcSource ElasticsearchSink; do
  grep -q "^$connector (" "$work/plugins.txt" || fail "ferry plugins does not list $connector"
done
! grep -q "^ExampleSource (" "$work/plugins.txt" || fail "the example plugin is installed"
step "ferry $version in /usr/bin, plugins from $plugin_dir"

# The quickstart pipeline with the installed binary and plugins, the embedded Kafka, file to file.
port=$(( 20000 + RANDOM % 12000 ))
FERRY_BIN=/usr/bin/ferry FERRY_QUICKSTART_DIR="$work/quickstart" FERRY_QUICKSTART_PORT=$port \
  timeout 120 "$root/quickstart.sh" --once >"$work/quickstart.txt" 2>&1 ||
  { cat "$work/quickstart.txt" >&2; tail -20 "$work/quickstart/ferry.log" >&2 || true;
    fail "the quickstart failed with the installed ferry"; }
grep -q "pipeline checked, ferry stopped gracefully" "$work/quickstart.txt" ||
  fail "the quickstart did not check its pipeline"
step "quickstart pipeline: OK"

# A third-party plugin: the example's source as ferry-dev ships it, built with pkg-config alone.
mkdir "$work/plugin"
example=/usr/share/doc/ferry-dev/examples/example.c
[ -f "$example" ] || fail "ferry-dev does not ship $example"
cp "$example" "$work/plugin/"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -Wall -Wextra -Werror -shared -fPIC -o "$work/plugin/example.so" "$work/plugin/example.c" \
  $(pkg-config --cflags --libs ferry-plugin) || fail "the example plugin does not build"
ferry plugins --plugin-path "$work/plugin" >"$work/example.txt"
grep -q "^ExampleSource (source connector, plugin example " "$work/example.txt" ||
  { cat "$work/example.txt" >&2; fail "ferry plugins --plugin-path does not load the plugin"; }
step "third-party plugin built with pkg-config ferry-plugin and loaded: OK"

# The units as systemd reads them (no running systemd needed), and their hardening.
units=(/lib/systemd/system/ferry.service /lib/systemd/system/ferry@.service)
systemd-analyze verify "${units[@]}" || fail "systemd-analyze verify failed"
for unit in "${units[@]}"; do
  systemd-analyze security --offline=true --threshold=25 "$unit" >"$work/security.txt" 2>&1 ||
    { tail -5 "$work/security.txt" >&2; fail "$unit: exposure above 2.5"; }
done
step "systemd-analyze verify and security: OK"

# Purge (cleanup does it on failure too), then check that nothing is left behind.
restore || fail "the purge failed"
left=$(ls -d /usr/bin/ferry /etc/ferry /lib/systemd/system/ferry*.service \
  /usr/lib/sysusers.d/ferry.conf /usr/include/ferry "$plugin_dir" /usr/share/doc/ferry \
  /usr/share/doc/ferry-dev /usr/share/man/man1/ferry*.1* 2>/dev/null || true)
[ -z "$left" ] || fail "left after the purge: $left"
if [ "$user_existed" = 0 ] && getent passwd ferry >/dev/null; then fail "the user ferry is left"; fi
step "purged; the machine is as it was"
echo "package: OK"
