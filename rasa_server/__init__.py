"""Code that runs inside the Rasa server process (not the action server).

`install()` adapts how the server calls the action server (rasa_server.remote_actions), how
it looks up event classes (rasa_server.event_types), what happens when the tracker store
fails (rasa_server.tracker_store_failures), how it runs the model's graph
(rasa_server.graph_runner) and one check against the domain per message
(rasa_server.domain_checks). Nothing is installed on import: the one entry point
`python -m rasa_server run|shell ...` (rasa_server/__main__.py) installs it, and every way of
starting the server uses that entry point (scripts/run.sh, make shell, cluster.node, the
systemd units through cluster.node, the test and benchmark harness). Each patch refuses to
install on a Rasa version it was not written for.
"""
from __future__ import annotations

WRITTEN_FOR_RASA = "3.6.21"  # the version every patch here was written and tested against
_installed = False


class UnsupportedRasaVersion(RuntimeError):
    pass


def require_rasa_version(patch: str) -> None:
    """Raises, naming the patch, unless the running Rasa is the one the patches were written for."""
    import rasa

    if rasa.__version__ != WRITTEN_FOR_RASA:
        raise UnsupportedRasaVersion(
            f"{patch} was written for Rasa {WRITTEN_FOR_RASA} and refuses to patch Rasa {rasa.__version__}: "
            f"check the patch against the new version's code, then update rasa_server.WRITTEN_FOR_RASA")


def install() -> None:
    global _installed
    from rasa_server import domain_checks, event_types, graph_runner, remote_actions, tracker_store_failures

    event_types.install()
    remote_actions.install()
    tracker_store_failures.install()
    graph_runner.install()
    domain_checks.install()
    _installed = True


def installed() -> bool:
    return _installed
