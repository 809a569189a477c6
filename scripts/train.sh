#!/usr/bin/env bash
# Trains the model only when something it depends on changed: data, domain, config, the custom
# components' code or the library versions (training/fingerprint.py; Rasa's own check runs
# only after 9-17 s of imports and loading). Full output in logs/train.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p models logs
echo "train: rasa train, unless nothing changed since the last model ..."
started=$(date +%s)
if ! .venv/bin/python -m training --num-threads 2 "$@" >logs/train.log 2>&1; then
  tail -40 logs/train.log >&2
  echo "train: FAILED (full log: logs/train.log)" >&2
  exit 1
fi
tr '\r' '\n' <logs/train.log | grep -E "spaCy pipeline active|Nothing changed|trained and saved|training from scratch|Crisis classifier" | sort -u | sed 's/^/train: /' || true
echo "train: done in $(( $(date +%s) - started )) s; model $(ls -t models/*.tar.gz | head -1)"
