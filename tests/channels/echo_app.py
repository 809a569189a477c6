"""A Sanic server with only the web chat channel and an echo bot (no trained model needed).

Used by the channel tests, and by hand to work on the widget while no model exists:

    ALLOWED_ORIGINS=http://localhost:8080 TRACKER_DB=/tmp/echo.db \
        .venv/bin/python -m tests.channels.echo_app --port 5005

It uses the real channel (credentials.yml), tracker store class and lock store; only the dialogue
is an echo: "Du skrev: <text>" with two quick-reply buttons.
"""
from __future__ import annotations

import argparse
import logging

import yaml
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Sanic

from settings import PROJECT_ROOT

CHANNEL_KEY = "rasa_server.channels.socketio.RestrictedSocketIOInput"
ECHO_BUTTONS = [
    {"title": "Hva er et pakkeforløp?", "payload": "hva er et pakkeforløp"},
    {"title": "Kontakt", "payload": "kontakt"},
]


class EchoAgent:
    """Stands in for rasa.core.agent.Agent: same tracker store and lock store, echo replies."""

    def __init__(self) -> None:
        from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore

        self.tracker_store = ConfiguredSQLTrackerStore(domain=Domain.empty())
        self.lock_store = InMemoryLockStore()

    async def handle_message(self, message: UserMessage) -> None:
        async with self.lock_store.lock(message.sender_id):
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(UserUttered(message.text, input_channel=message.input_channel))
            reply = f"Du skrev: {message.text}"
            tracker.update(BotUttered(reply))
            await self.tracker_store.save(tracker)
        await message.output_channel.send_text_with_buttons(message.sender_id, reply, ECHO_BUTTONS)


def create_app() -> Sanic:
    from rasa_server.channels.socketio import RestrictedSocketIOInput

    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    channel = RestrictedSocketIOInput.from_credentials(credentials[CHANNEL_KEY])
    app = Sanic("echo_webchat")
    app.ctx.agent = EchoAgent()
    register([channel], app, route="/webhooks/")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    create_app().run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
