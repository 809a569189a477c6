"""Starts the action server after validating every municipality folder; refuses to start if one is malformed."""
from __future__ import annotations

import argparse
import sys

from municipalities import catalogue

DEFAULT_PORT = 5055


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--check", action="store_true", help="only validate the municipality folders")
    args = parser.parse_args(argv)

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
