"""Custom Rasa input channels of the project (the resident web chat's socket.io channel).

credentials.yml names `channels.socketio.RestrictedSocketIOInput`. Rasa imports this package in
every server we start, so it also installs the server-side adaptations (rasa_server/).
"""
import rasa_server

rasa_server.install()
