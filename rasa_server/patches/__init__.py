"""Changes to Rasa's internals, each measured and tested against Rasa's own code.

Installed only by `rasa_server.install()` (called by the entry point `python -m rasa_server`);
each module's `install()` refuses a Rasa version it was not written for.
"""
