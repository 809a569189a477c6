#!/usr/bin/env bash
# Installs the Debian packages the whole test suite needs (browser, cluster and fault tests),
# when they are missing and this runs as root; otherwise says which tests will be skipped.
# Used by scripts/test.sh (make test) and .ci/run.
set -euo pipefail

packages=(chromium postgresql redis-server nginx curl)
# node and npm build the web chat; the machine image has them, a bare Debian does not
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "system packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts packaged servers on install in some images; the tests start their own
  for service in postgresql redis-server nginx; do service "$service" stop >/dev/null 2>&1 || true; done
else
  echo "system packages: missing ${missing[*]} and not root: the browser, cluster and fault tests" \
       "that need them will be skipped (pytest lists each skip and its reason at the end)" >&2
fi
