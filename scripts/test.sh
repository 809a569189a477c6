#!/usr/bin/env bash
# Sets up, trains if needed, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONPATH="$PWD"

scripts/system_packages.sh
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
# Rasa's own checks: the training data against the domain, and the test stories
echo "test: rasa data validate; rasa test core --stories tests/test_stories.yml"
.venv/bin/rasa data validate --domain domain.yml --data data --config config.yml >logs/validate.log 2>&1 \
  || { tail -20 logs/validate.log >&2; echo "test: rasa data validate FAILED" >&2; failed=1; }
.venv/bin/rasa test core --stories tests/test_stories.yml --model models --out reports/stories \
  --fail-on-prediction-errors >logs/stories.log 2>&1 \
  || { tail -20 logs/stories.log >&2; echo "test: Rasa test stories FAILED (reports/stories/failed_test_stories.yml)" >&2; failed=1; }
run_pytest -m "not browser" "$@"
for folder in $(grep -rlE "mark\.browser" tests --include='*.py' | xargs -n1 dirname | sort -u); do
  run_pytest -m browser "$folder" "$@"
done
exit "$failed"
