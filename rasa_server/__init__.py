"""Everything the Rasa server loads by module path, one sub-package per extension point:

    channels/   input channels named in credentials.yml (REST, the web chat's socket.io)
    nlu/        NLU components named in config.yml (spaCy, features, classifier, crisis net)
    policies/   policies named in config.yml (the fast RulePolicy)
    stores/     tracker and lock stores named in endpoints.yml
    patches/    changes to Rasa's internals, installed by install()

Nothing is installed on import: the one entry point `python -m rasa_server run|shell ...`
(rasa_server/__main__.py) calls install(), and every way of starting the server uses it
(scripts/run.sh, make shell, cluster.node, the systemd units through cluster.node, the test
and benchmark harness). Each patch refuses to install on a Rasa version it was not written
for. The libraries these parts use (safety/, privacy/, nlp/, storage/) import no Rasa.
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
    from rasa_server.patches import (
        domain_checks,
        event_types,
        graph_runner,
        remote_actions,
        session_start,
        tracker_store_failures,
    )

    event_types.install()
    remote_actions.install()
    tracker_store_failures.install()
    graph_runner.install()
    domain_checks.install()
    session_start.install()
    _installed = True


def installed() -> bool:
    return _installed
