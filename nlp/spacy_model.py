"""Which Norwegian spaCy pipeline is used: nb_core_news_sm where installed, else a named fallback.

nb_core_news_sm is published on spaCy's own release host, which some machines cannot reach.
The fallback is a blank Norwegian (`nb`) pipeline with the lookup lemmatizer from
spacy-lookups-data, saved under a name that cannot be mistaken for the real model.
"""
from __future__ import annotations

from pathlib import Path
from typing import Tuple

from settings import PROJECT_ROOT

PREFERRED_MODEL = "nb_core_news_sm"
FALLBACK_NAME = "nb_blank_lookup_fallback"
FALLBACK_PATH = PROJECT_ROOT / ".spacy" / FALLBACK_NAME


def preferred_model_installed() -> bool:
    import spacy

    return spacy.util.is_package(PREFERRED_MODEL)


def build_fallback(path: Path = FALLBACK_PATH) -> Path:
    """Builds and saves the blank-nb + lookup-lemmatizer pipeline."""
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the nb lookup tables from spacy-lookups-data
    nlp.meta["name"] = FALLBACK_NAME
    nlp.meta["description"] = (
        "Fallback for nb_core_news_sm: blank Norwegian tokenizer + lookup lemmatizer "
        "(spacy-lookups-data). Built by nlp/setup_spacy_model.py."
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return path


def resolve(prefer_fallback: bool = False) -> Tuple[str, str]:
    """Returns (what to pass to spacy.load, a human label of the active pipeline)."""
    if not prefer_fallback and preferred_model_installed():
        return PREFERRED_MODEL, PREFERRED_MODEL
    if not (FALLBACK_PATH / "meta.json").exists():
        build_fallback()
    return str(FALLBACK_PATH), f"{FALLBACK_NAME} (fallback: {PREFERRED_MODEL} is not installed)"
