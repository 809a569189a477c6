"""A fingerprint of everything a trained model depends on, to skip `rasa train` when nothing changed.

Rasa compares fingerprints too, but only after importing itself and TensorFlow and loading
every training file: 9-17 s on this machine for a model it then keeps (docs/performance.md).
Hashing the inputs takes milliseconds. The hash is stricter than Rasa's: it also covers the
code of the custom NLU components and the versions of the libraries that shape the model, so
a change there retrains although Rasa's own check would keep the old model.
"""
from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Dict, Iterable, Optional

from settings import PROJECT_ROOT as ROOT

# custom components named in config.yml: their code is part of the model's behaviour
COMPONENT_CODE = ("rasa_server/nlu", "rasa_server/policies", "nlp", "safety")
# libraries whose version changes the trained model (nb-core-news-sm only where installed)
DISTRIBUTIONS = ("rasa", "spacy", "nb-core-news-sm", "spacy-lookups-data", "scikit-learn", "numpy")
STAMP_NAME = ".fingerprint.json"


def _files(paths: Iterable[Path], suffix: str = "") -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob(f"*{suffix}") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            yield path


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _digest(paths: Iterable[Path], root: Path, extra: str = "", suffix: str = "") -> str:
    digest = hashlib.sha256()
    for path in _files(paths, suffix):
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(b"\0" + path.read_bytes() + b"\0")
    digest.update(extra.encode())
    return digest.hexdigest()


def fingerprint(config: Path, domain: Path, data: Path, root: Path = ROOT) -> Dict[str, str]:
    """`inputs`: what Rasa fingerprints itself; `code`: what Rasa's check does not see."""
    versions = "".join(f"{name}={_version(name)}\n" for name in DISTRIBUTIONS)
    return {"inputs": _digest([config, domain, data], root),
            # the Python code only: the crisis corpus (safety/corpus/) trains the crisis
            # classifier, a file of its own (safety/classifier.py), not the Rasa model
            "code": _digest([root / name for name in COMPONENT_CODE], root, versions, suffix=".py")}


def newest_model(out: Path) -> Optional[Path]:
    models = sorted(out.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return models[-1] if models else None


def recorded(out: Path) -> Dict[str, str]:
    """The fingerprint recorded with the newest model in `out` (empty when there is none)."""
    stamp, model = out / STAMP_NAME, newest_model(out)
    if model is None or not stamp.exists():
        return {}
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("fingerprint") or {} if data.get("model") == model.name else {}


def record(out: Path, current: Dict[str, str], model: Path) -> None:
    (out / STAMP_NAME).write_text(json.dumps({"fingerprint": current, "model": model.name}), encoding="utf-8")
