"""Starts one Rasa server of the cluster, after checking that it can really serve.

    python -m cluster.node --model models/x.tar.gz [any other `rasa run` arguments]

Plain `rasa run` does not stop on a bad path (Rasa 3.6.21, checked by hand):
- a missing --model file: it loads the newest model in ./models instead (a debug-level log
  line only), or, with no model there, prints a multi-line error and exits with code 0;
- a missing --endpoints or --credentials file: a warning, then ./endpoints.yml (whose lock
  store is in memory: no lock shared with the other servers) or none at all.
So a typo would start a node with another model or without the shared stores. This checks
the model archive and the endpoints / credentials files first; on a problem it prints one
line (Norwegian / English) naming it and exits with code 2. When everything is in order it
replaces itself with `python -m rasa_server run` (same arguments), so signals from the launcher reach Rasa
directly.
"""
from __future__ import annotations

import argparse
import json
import os
import posixpath
import sys
import tarfile
import zlib
from pathlib import Path
from typing import List, Optional, Sequence

# Paths inside a Rasa 3 model archive (rasa.engine.storage.local_model_storage)
METADATA_FILE = "metadata.json"
RASA2_FINGERPRINT_FILE = "fingerprint.json"  # a Rasa 2 model: Rasa 3 cannot load it
# what rasa.engine.storage.storage.ModelMetadata.from_dict reads without a default
REQUIRED_METADATA = ("domain", "model_id", "rasa_open_source_version", "train_schema", "predict_schema")
EXIT_REFUSED = 2


class NodeCheckError(Exception):
    """A reason the node must not start, already worded for the operator."""


def _member(archive: tarfile.TarFile, name: str) -> Optional[tarfile.TarInfo]:
    for member in archive.getmembers():
        # Rasa writes "metadata.json"; other tar tools write "./metadata.json"
        if member.isfile() and posixpath.normpath(member.name).lstrip("/") == name:
            return member
    return None


def check_model(path: Path) -> str:
    """Returns the model's Rasa version; raises NodeCheckError if it is not a loadable Rasa 3 model."""
    if not path.exists():
        raise NodeCheckError(f"modellfila finnes ikke / model file not found: {path}")
    if not path.is_file():
        raise NodeCheckError(f"modellen er ikke en fil / model is not a file: {path}")
    if not os.access(path, os.R_OK):
        raise NodeCheckError(f"modellfila kan ikke leses / model file is not readable: {path}")
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            if _member(archive, RASA2_FINGERPRINT_FILE):
                raise NodeCheckError(
                    f"modellen er fra Rasa 2 og kan ikke brukes / model is a Rasa 2 model: {path}"
                )
            member = _member(archive, METADATA_FILE)
            if member is None:
                raise NodeCheckError(
                    f"modellarkivet mangler {METADATA_FILE} / model archive has no {METADATA_FILE}"
                    f" (not a Rasa model): {path}"
                )
            raw = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise NodeCheckError(
            f"modellfila er ikke et tar.gz-arkiv / model file is not a tar.gz archive: {path} ({error})"
        ) from None
    return _checked_version(raw, path)


def _checked_version(raw: bytes, path: Path) -> str:
    """The fields Rasa's ModelMetadata.from_dict needs, and Rasa's own minimum model version.

    Not ModelMetadata.from_dict itself: it builds the training graph, which imports
    TensorFlow and takes ~15 s on this machine; a bad graph still fails when Rasa loads it.
    """
    from packaging import version
    from rasa.constants import MINIMUM_COMPATIBLE_VERSION

    try:
        metadata = json.loads(raw)
    except ValueError as error:
        raise NodeCheckError(
            f"modellens {METADATA_FILE} er ikke gyldig JSON / model {METADATA_FILE} is not valid JSON:"
            f" {path} ({error})"
        ) from None
    missing = [key for key in REQUIRED_METADATA if not isinstance(metadata, dict) or key not in metadata]
    if missing:
        raise NodeCheckError(
            f"modellens {METADATA_FILE} mangler {', '.join(missing)} / model {METADATA_FILE} lacks"
            f" {', '.join(missing)}: {path}"
        )
    model_version = str(metadata["rasa_open_source_version"])
    try:
        too_old = version.parse(model_version) < version.parse(MINIMUM_COMPATIBLE_VERSION)
    except version.InvalidVersion:
        too_old = True
    if too_old:
        raise NodeCheckError(
            f"modellen er trent med Rasa {model_version}, denne Rasa trenger minst"
            f" {MINIMUM_COMPATIBLE_VERSION} / model trained with Rasa {model_version}, needs"
            f" {MINIMUM_COMPATIBLE_VERSION} or newer: {path}"
        )
    return model_version


def check_config_file(path: Path, what: str, sections_are_mappings: bool) -> None:
    """Reads the file the way `rasa run` does (YAML, ${ENV} substitution); raises on a problem."""
    if not path.is_file():
        raise NodeCheckError(f"{what}-fila finnes ikke / {what} file not found: {path}")
    from rasa.shared.utils.io import read_config_file

    try:
        content = read_config_file(path)
    except Exception as error:  # noqa: BLE001 - YAML syntax, unset ${VAR}, not a mapping
        message = " ".join(str(error).split())
        raise NodeCheckError(
            f"{what}-fila kan ikke leses / {what} file does not parse: {path} ({message})"
        ) from None
    if sections_are_mappings:
        for section, value in content.items():
            if value is not None and not isinstance(value, dict):
                raise NodeCheckError(
                    f"{what}-fila: «{section}» må være en tabell / {what} file: "
                    f"'{section}' must be a mapping: {path}"
                )


def _rasa_command() -> List[str]:
    # the project's entry point (installs its adaptations of Rasa), with this venv's python
    return [sys.executable, "-m", "rasa_server", "run"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage block
        raise NodeCheckError(f"argumentfeil / bad arguments: {message}")


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The arguments this module checks; every other one goes to `rasa run` untouched."""
    parser = _Parser(prog="python -m cluster.node", add_help=False)
    parser.add_argument("-m", "--model", required=True)
    parser.add_argument("--endpoints")
    parser.add_argument("--credentials")
    known, _rest = parser.parse_known_args(list(argv))
    return known


def check(argv: Sequence[str]) -> None:
    """Raises NodeCheckError when `rasa run <argv>` would start a node that cannot serve."""
    args = parse(argv)
    check_model(Path(args.model))
    if args.endpoints:
        check_config_file(Path(args.endpoints), "endpoints", sections_are_mappings=True)
    if args.credentials:
        check_config_file(Path(args.credentials), "credentials", sections_are_mappings=False)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        check(argv)
    except NodeCheckError as error:
        print(f"Rasa-noden starter ikke / Rasa node not started: {error}", file=sys.stderr, flush=True)
        return EXIT_REFUSED
    command = _rasa_command()
    sys.stdout.flush()
    os.execv(command[0], [*command, *argv])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
