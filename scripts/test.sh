#!/usr/bin/env bash
# Sets up, trains if needed, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

scripts/setup.sh
scripts/train.sh
# Playwright's sync API keeps an event loop running in its process, which breaks any later
# test calling asyncio.run() or starting Playwright again; so every folder with browser
# tests gets a pytest process of its own, after the rest.
failed=0
run_pytest() {
  local code=0
  .venv/bin/python -m pytest "$@" || code=$?
  if [ "$code" -eq 5 ]; then echo "test: pytest collected no tests: $*" >&2; failed=1
  elif [ "$code" -ne 0 ]; then failed=1; fi
}
run_pytest -m "not browser" "$@"
for folder in $(grep -rlE "mark\.browser" tests --include='*.py' | xargs -n1 dirname | sort -u); do
  run_pytest -m browser "$folder" "$@"
done
exit "$failed"
