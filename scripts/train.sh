#!/usr/bin/env bash
# Trains the model only when data, domain or config changed (Rasa compares fingerprints
# and keeps the last model when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p models
echo "train: rasa train (skipped by Rasa itself when nothing changed)"
.venv/bin/rasa train --quiet --num-threads 2 "$@" 2>&1 | grep -vE "Warning|warn\(|^\s*$|it/s\]" || true
ls -t models/*.tar.gz >/dev/null 2>&1 || { echo "train: no model was produced" >&2; exit 1; }
echo "train: model $(ls -t models/*.tar.gz | head -1)"
