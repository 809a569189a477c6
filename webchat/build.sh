#!/usr/bin/env bash
# Installs the widget's pinned npm packages (package-lock.json) and builds webchat/dist.
# Idempotent: npm ci runs only when package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")"

STAMP=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "webchat: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$STAMP"
fi
npm run --silent check
npm run --silent build
