"""Custom Rasa input channels of the project (the resident web chat's socket.io channel).

credentials.yml names `channels.socketio.RestrictedSocketIOInput`.
"""
