"""Installs nb_core_news_sm where its host is reachable, else builds the fallback; says which.

Run by scripts/setup.sh. Never installs anything under the name nb_core_news_sm except
the real model through spaCy's own downloader.
"""
from __future__ import annotations

import os
import subprocess
import sys

import settings
from nlp import spacy_model

DOWNLOAD_TIMEOUT_SECONDS = 120  # a closed network fails fast; a slow one gets two minutes


def try_download() -> bool:
    env = dict(os.environ, PIP_DEFAULT_TIMEOUT="15", PIP_RETRIES="0")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "spacy", "download", spacy_model.PREFERRED_MODEL],
            env=env,
            capture_output=True,
            text=True,
            timeout=DOWNLOAD_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def main() -> int:
    if not settings.skip_spacy_download() and not spacy_model.preferred_model_installed():
        print(f"setup: trying to install {spacy_model.PREFERRED_MODEL} ...", flush=True)
        try_download()
    if spacy_model.preferred_model_installed():
        print(f"setup: spaCy pipeline active: {spacy_model.PREFERRED_MODEL}")
        return 0
    spacy_model.build_fallback()
    print(
        f"setup: spaCy pipeline active: {spacy_model.FALLBACK_NAME} "
        f"({spacy_model.PREFERRED_MODEL} could not be installed here; "
        f"using blank 'nb' + lookup lemmatizer from spacy-lookups-data)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
