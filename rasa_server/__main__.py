"""`python -m rasa_server run|shell [rasa's arguments]`: the one way to start this project's Rasa server.

Installs the project's adaptations of Rasa (rasa_server.install(), which refuses a Rasa version
the patches were not written for), then hands the arguments to Rasa's own command line in the
same process, so `run` and `shell` behave as `rasa run` and `rasa shell` with the patches in.
Every log line is masked (privacy/log_filter.py), also at `--debug`.
"""
from __future__ import annotations

import sys

COMMANDS = ("run", "shell")


def main(argv=None) -> int:
    from privacy import log_filter

    log_filter.install()  # before Rasa logs anything: at --debug it logs what residents write
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m rasa_server {{{','.join(COMMANDS)}}} [rasa's arguments]", file=sys.stderr)
        return 2
    import rasa_server

    try:
        rasa_server.install()
    except rasa_server.UnsupportedRasaVersion as error:
        print(f"rasa_server: {error}", file=sys.stderr)
        return 3
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
