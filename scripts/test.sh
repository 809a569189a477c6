#!/usr/bin/env bash
# Sets up, trains if needed, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

scripts/setup.sh
scripts/train.sh
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then echo "test: no tests were collected" >&2; exit 1; fi
exit "$status"
