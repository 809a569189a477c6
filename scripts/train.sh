#!/usr/bin/env bash
# Trains the model only when data, domain or config changed (Rasa compares fingerprints
# and keeps the last model when nothing changed). Full output in logs/train.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p models logs
echo "train: rasa train (Rasa skips it when nothing changed) ..."
started=$(date +%s)
if ! .venv/bin/rasa train --num-threads 2 "$@" >logs/train.log 2>&1; then
  tail -40 logs/train.log >&2
  echo "train: FAILED (full log: logs/train.log)" >&2
  exit 1
fi
tr '\r' '\n' <logs/train.log | grep -E "spaCy pipeline active|Nothing changed|trained and saved" | sort -u | sed 's/^/train: /' || true
echo "train: done in $(( $(date +%s) - started )) s; model $(ls -t models/*.tar.gz | head -1)"
