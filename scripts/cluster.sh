#!/usr/bin/env bash
# Sets up, trains if needed, and runs the assistant as a cluster on this machine (cluster/README.md):
#   nginx (web page, REST, socket.io)  http://localhost:8080   (CLUSTER_PORT)
#   2 Rasa servers, 2 action servers, PostgreSQL (tracker store), Redis (lock store),
#   review console http://localhost:8081. Data and logs in var/cluster/. Ctrl-C stops everything.
# Arguments go to `python -m cluster` (e.g. --rasa-servers 3).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

# the cluster runs its own PostgreSQL, Redis and nginx from Debian's packages
packages=(postgresql redis-server nginx)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "cluster: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts a packaged server on install; the cluster starts its own on other ports
    for pkg in "${missing[@]}"; do service "$pkg" stop >/dev/null 2>&1 || true; done
  else
    echo "cluster: these Debian packages are missing: ${missing[*]}" >&2
    echo "cluster: install them as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

scripts/setup.sh
scripts/train.sh
exec .venv/bin/python -m cluster "$@"
