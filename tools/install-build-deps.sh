#!/usr/bin/env bash
# Installs what building ferry needs (compiler, meson, and the libraries of DESIGN.md) from
# Debian's packages, when anything is missing. Idempotent and quiet when all is there.
set -euo pipefail

packages=(
  gcc pkg-config meson ninja-build
  librdkafka-dev libpq-dev libcurl4-openssl-dev libjansson-dev libgnutls28-dev libssl-dev
  libpcre2-dev libcmocka-dev
  # for the tests: kafkacat and curl drive the services, zsh runs ferry ctl's completion script
  kafkacat curl zsh
  # for the console's browser test: Debian's headless Chromium driven by Debian's Selenium
  chromium chromium-driver python3-selenium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-build-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi
echo "install-build-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
