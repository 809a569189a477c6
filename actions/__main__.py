"""Starts the action server after validating the contact directory; refuses to start if it is malformed."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import settings
from actions.directory import DirectoryError, load_directory

DEFAULT_PORT = 5055


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--check", action="store_true", help="only validate the contact directory")
    args = parser.parse_args(argv)

    path = Path(settings.load().contacts_file)
    try:
        contacts = load_directory(path)
    except DirectoryError as error:
        print(f"Kontaktkatalogen er ugyldig, handlingsserveren starter ikke:\n  {error}", file=sys.stderr)
        return 2
    print(f"actions: contact directory {path} OK ({len(contacts)} contacts)", flush=True)
    if args.check:
        return 0

    from rasa_sdk.endpoint import run

    run(action_package_name="actions", port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
