#!/usr/bin/env bash
# Sets up the Python 3.10 virtual environment and the Norwegian spaCy model.
# Idempotent: re-installs only when requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.requirements.sha256"

find_python310() {
  # Rasa 3.6 needs Python 3.10; on these machines it comes from pyenv.
  for candidate in python3.10 "$(pyenv root 2>/dev/null)/versions/3.10"*/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "setup: Python 3.10 not found (install it with pyenv: pyenv install 3.10)" >&2
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  PY=$(find_python310)
  echo "setup: creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi

want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (one resolve, pins in requirements.txt)"
  "$VENV/bin/python" -m pip install -q --upgrade "pip<24.1" wheel
  "$VENV/bin/python" -m pip install -q -r requirements.txt
  echo "$want" > "$STAMP"
fi

"$VENV/bin/python" -m nlp.setup_spacy_model
# The name lists the masker reads (privacy/data/names.tsv.gz), once: skipped while up to date
"$VENV/bin/python" -m privacy.build_names

# The resident web chat: pinned npm packages (package-lock.json), bundled into webchat/dist
webchat/build.sh
