"""Custom Rasa input channels of the project (REST with input checks, the resident web chat's
socket.io channel), named in credentials.yml.

Importing this package changes nothing in Rasa: the server's adaptations (rasa_server/patches/) are
installed by the entry point `python -m rasa_server run`, which every way of starting the
server uses. A channel built without them logs an error (rasa_server/channels/startup.py).
"""
