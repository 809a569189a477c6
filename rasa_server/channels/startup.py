"""What a channel checks when Rasa builds it."""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def prepare() -> None:
    """Done once when Rasa builds a channel, not in a resident's turn."""
    from municipalities import catalogue
    from safety.verdict import default_assessor

    default_assessor()  # loads the crisis classifier
    catalogue.load()  # a malformed municipality folder stops the server here, naming the field
    check_started_through_entry_point()


def check_started_through_entry_point() -> None:
    """Logs an error when the server was started without `python -m rasa_server` (plain
    `rasa run`): then the tracker-store failure handling, the action deadline and the apology
    are missing."""
    import rasa_server

    if not rasa_server.installed():
        logger.error("The Rasa server was started without `python -m rasa_server run`: the project's "
                     "adaptations of Rasa (rasa_server/) are not installed. Start it with "
                     "`python -m rasa_server run ...` (scripts/run.sh does).")
