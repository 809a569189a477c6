"""Starts the action server after validating every municipality folder; refuses to start if one is malformed.

Logs at LOG_LEVEL (Rasa's variable; default WARNING), every line masked (privacy/log_filter.py).
"""
from __future__ import annotations

import argparse
import logging
import sys

import settings
from municipalities import catalogue

DEFAULT_PORT = 5055
DEFAULT_LOG_LEVEL = "WARNING"  # what the action server printed before it configured logging
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s  - %(message)s"  # Rasa's own


def _configure_logging() -> None:
    from privacy import log_filter

    log_filter.install()
    level = settings.log_level(DEFAULT_LOG_LEVEL)
    known_level = isinstance(logging.getLevelName(level), int)
    logging.basicConfig(level=level if known_level else DEFAULT_LOG_LEVEL, format=LOG_FORMAT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--check", action="store_true", help="only validate the municipality folders")
    args = parser.parse_args(argv)
    _configure_logging()

    try:
        known = catalogue.load()
    except catalogue.MunicipalityError as error:
        print(f"Kontaktkatalogen er ugyldig, handlingsserveren starter ikke:\n  {error}", file=sys.stderr)
        return 2
    for municipality in known.municipalities.values():
        print(f"actions: {municipality.id} ({municipality.name}) OK, {len(municipality.contacts)} contacts",
              flush=True)
    if args.check:
        return 0

    from rasa_sdk.endpoint import run

    run(action_package_name="actions", port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
