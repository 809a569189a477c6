"""Code that runs inside the Rasa server process (not the action server).

`install()` adapts how the server calls the action server (rasa_server.remote_actions), how
it looks up event classes (rasa_server.event_types), what happens when the tracker store
fails (rasa_server.tracker_store_failures), how it runs the model's graph
(rasa_server.graph_runner) and one check against the domain per message
(rasa_server.domain_checks). It runs when Rasa imports the project's channels
(credentials.yml), i.e. in every `rasa run` we start.
"""
from rasa_server import domain_checks, event_types, graph_runner, remote_actions, tracker_store_failures


def install() -> None:
    event_types.install()
    remote_actions.install()
    tracker_store_failures.install()
    graph_runner.install()
    domain_checks.install()
