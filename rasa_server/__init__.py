"""Code that runs inside the Rasa server process (not the action server).

`install()` adapts how the server calls the action server (rasa_server.remote_actions). It runs
when Rasa imports the project's channels (credentials.yml), i.e. in every `rasa run` we start.
"""
from rasa_server.remote_actions import install

__all__ = ["install"]
