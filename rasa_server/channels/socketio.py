"""Rasa's socket.io channel for the resident web chat, restricted and with conversation controls.

Differences from `rasa.core.channels.socketio.SocketIOInput`:

* only the origins in settings (ALLOWED_ORIGINS) may open a socket; a browser on any other
  site gets HTTP 400 from engineio (Rasa's channel accepts every origin);
* a socket is bound to the one conversation it asked for with `session_request`; it may send
  messages, rate answers, download and delete only that conversation;
* `delete_conversation` removes the conversation's events and feedback from the database
  (storage.conversations.delete_conversation) under the conversation's lock;
* `feedback` stores a thumbs up / down for a bot answer (storage.conversations.add_feedback);
* `download_conversation` answers with the conversation as stored (masked), as readable text in
  the widget's language (rasa_server/channels/transcript.py): the resident's own copy;
* `privacy_notice` answers with what the widget's privacy notice must state from the server:
  the municipality's name and its `retention_days` (content/municipalities/<id>/);
* `user_uttered` goes through the same checks as the REST channel (rasa_server/channels/guard.py): a message
  that is not text, empty or too long gets the Norwegian explanation as a bot message (a sure
  crisis, even oversized, goes on to the assistant), and control characters and lone surrogates are
  cleaned (a lone surrogate made spaCy fail and the message was lost);
* the page's `data-municipality` arrives in the message metadata; an unknown one gets a bot
  message saying the chat is set up wrong (rasa_server/channels/municipality.py).

Every event answers through the socket.io acknowledgement when the client asks for one:
`{"ok": true}` or `{"ok": false, "error": "<code>"}`.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

import settings
from rasa_server.channels import startup
from rasa_server.channels.admission import admitted
from rasa_server.channels.crisis_first import with_unsure_line, with_verdict
from rasa_server.channels.failures import guarded, handling_failed
from rasa_server.channels.guard import check_message, check_metadata
from rasa_server.channels import transcript
from rasa_server.channels.municipality import requested_id, resolve, unknown_text, with_municipality
from rasa_server.channels.origins import origin_checker
from rasa_server.channels.questions import one_question_at_a_time
from rasa_server.channels.rated_answers import find_rated_answer
from municipalities import catalogue
from safety.verdict import assess
from storage import conversations

logger = logging.getLogger(__name__)

DELETE_EVENT = "delete_conversation"
FEEDBACK_EVENT = "feedback"
DOWNLOAD_EVENT = "download_conversation"
PRIVACY_EVENT = "privacy_notice"
# uuid4().hex: what the server hands out; anything else from a client gets a fresh id
SESSION_ID_PATTERN = re.compile(r"^[0-9a-f]{32}$")
MAX_RATED_TEXT_CHARS = 20_000  # a rated answer is a few paragraphs; refuse anything huge


def _ok(**extra: Any) -> Dict[str, Any]:
    return {"ok": True, **extra}


def _error(code: str) -> Dict[str, Any]:
    return {"ok": False, "error": code}


def _one_argument(args: tuple) -> Any:
    """The event's payload; None (an invalid request) unless exactly one argument came."""
    return args[0] if len(args) == 1 else None


async def _maybe_await(result: Any) -> None:
    # enter_room / leave_room are plain methods in python-socketio 5.9, coroutines from 5.10
    if inspect.isawaitable(result):
        await result


class _AppAwareBlueprint(SocketBlueprint):
    """Remembers the Sanic app so socket handlers can reach the agent's lock store."""

    def __init__(self, channel: "RestrictedSocketIOInput", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        self.ctx.channel.app = app
        super().register(app, options)


class RestrictedSocketIOInput(SocketIOInput):
    """socket.io input channel with an origin allow-list, delete and feedback events."""

    @classmethod
    def name(cls) -> Text:
        # keep Rasa's name: output channel "socketio", webhook /webhooks/socketio
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app: Optional[Sanic] = None
        self._engine = None

    # -- helpers -------------------------------------------------------------------------

    def engine(self):
        """The conversation database, opened on first use (never at import)."""
        if self._engine is None:
            self._engine = conversations.engine_from_settings()
        return self._engine

    async def _in_thread(self, func: Callable[..., Any], *args: Any) -> Any:
        # SQLAlchemy here is synchronous: keep the event loop free for other residents
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(func, *args))

    def _conversation_lock(self, session_id: Text):
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        lock_store = getattr(agent, "lock_store", None)
        if lock_store is None:
            return contextlib.nullcontext()
        return lock_store.lock(session_id)

    async def _bound_session(self, sio: AsyncServer, sid: Text, data: Any) -> Optional[Text]:
        """The conversation this socket is bound to, if `data` names exactly that one."""
        if not self.session_persistence:
            return sid  # Rasa's rule without persistence: the socket id is the sender id
        session = await sio.get_session(sid, namespace=self.namespace)
        bound = session.get("session_id")
        requested = data.get("session_id") if isinstance(data, dict) else None
        if bound and requested == bound:
            return bound
        return None

    async def _request_session(self, sio: AsyncServer, sid: Text, data: Any) -> Tuple[Optional[Text], Dict[str, Any]]:
        """(the conversation a request may touch, None) or (None, the error to answer with)."""
        if not isinstance(data, dict):
            return None, _error("invalid_request")
        session_id = await self._bound_session(sio, sid, data)
        return (session_id, {}) if session_id is not None else (None, _error("unknown_session"))

    # -- handlers (methods so they can be unit-tested with a stand-in server) ------------

    async def on_connect(self, sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
        if not self.jwt_key:
            return True
        if auth and auth.get("token"):
            payload = rasa.core.channels.channel.decode_bearer_token(
                auth.get("token"), self.jwt_key, self.jwt_algorithm
            )
            return bool(payload)
        return False

    async def on_session_request(self, sio: AsyncServer, sid: Text, data: Any) -> None:
        requested = data.get("session_id") if isinstance(data, dict) else None
        if not (isinstance(requested, str) and SESSION_ID_PATTERN.match(requested)):
            requested = uuid.uuid4().hex
        session = await sio.get_session(sid, namespace=self.namespace)
        previous = session.get("session_id")
        if previous and previous != requested:
            await _maybe_await(sio.leave_room(sid, previous, namespace=self.namespace))
        if self.session_persistence:
            await _maybe_await(sio.enter_room(sid, requested, namespace=self.namespace))
        await sio.save_session(sid, {"session_id": requested}, namespace=self.namespace)
        await sio.emit("session_confirm", requested, room=sid, namespace=self.namespace)

    async def on_user_message(
        self,
        sio: AsyncServer,
        sid: Text,
        data: Any,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> Dict[str, Any]:
        sender_id, refusal = await self._request_session(sio, sid, data)
        if sender_id is None:
            if isinstance(data, dict):
                logger.warning("socket.io message for a conversation the socket is not bound to; ignored")
            return refusal
        checked = check_message(data.get("message", ""))
        verdict = assess(checked.text) if checked.text is not None else None  # once per message
        if checked.text is None or (checked.too_long and not verdict.sure):
            await sio.emit(self.bot_message_evt, {"text": checked.error}, room=sid, namespace=self.namespace)
            return _error("message_too_long" if checked.status == 413 else "invalid_message")
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except (ValueError, RecursionError):
                metadata = {}
        if not check_metadata(metadata):
            metadata = {}
        municipality = resolve(metadata)
        if municipality is None:  # the page is set up wrong: say so, never another municipality's facts
            await sio.emit(self.bot_message_evt, {"text": unknown_text(metadata, verdict.sure, checked.text)},
                           room=sid, namespace=self.namespace)
            return _error("unknown_municipality")
        handling_failed.set(False)
        await guarded(with_unsure_line(one_question_at_a_time(admitted(on_new_message))))(
            UserMessage(
                checked.text,
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=with_municipality(with_verdict(metadata, verdict), municipality),
            )
        )
        # the resident got the apology; the acknowledgement says the message was not stored
        return _error("not_stored") if handling_failed.get() else _ok()

    async def on_delete(self, sio: AsyncServer, sid: Text, data: Any) -> Dict[str, Any]:
        session_id, refusal = await self._request_session(sio, sid, data)
        if session_id is None:
            return refusal
        try:
            async with self._conversation_lock(session_id):
                await self._in_thread(conversations.delete_conversation, self.engine(), session_id)
        except Exception:  # the resident must learn that deletion failed
            logger.exception("deleting a conversation failed")
            return _error("delete_failed")
        await _maybe_await(sio.leave_room(sid, session_id, namespace=self.namespace))
        await sio.save_session(sid, {}, namespace=self.namespace)
        logger.info("a resident deleted their conversation")
        return _ok()

    async def on_feedback(self, sio: AsyncServer, sid: Text, data: Any) -> Dict[str, Any]:
        session_id, refusal = await self._request_session(sio, sid, data)
        if session_id is None:
            return refusal
        rating = data.get("rating")
        text = data.get("text")
        if rating not in conversations.VALID_RATINGS:
            return _error("invalid_rating")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_RATED_TEXT_CHARS:
            return _error("invalid_text")
        try:
            answer = await self._in_thread(find_rated_answer, self.engine(), session_id, text)
            if answer is None:
                return _error("unknown_answer")
            await self._in_thread(
                conversations.add_feedback, self.engine(), session_id, rating, answer.text, answer.timestamp
            )
        except Exception:
            logger.exception("storing feedback failed")
            return _error("feedback_failed")
        return _ok()

    async def on_download(self, sio: AsyncServer, sid: Text, data: Any) -> Dict[str, Any]:
        """The bound conversation as stored, as text: {"ok", "text", "messages"}."""
        session_id, refusal = await self._request_session(sio, sid, data)
        if session_id is None:
            return refusal
        try:
            # under the lock: an answer being written is in the copy once its turn is stored
            async with self._conversation_lock(session_id):
                events, truncated = await self._in_thread(transcript.stored_events, self.engine(), session_id)
            found = catalogue.load().get(transcript.municipality_of(events))
            copy = transcript.render(
                events,
                transcript.language(data.get("lang")),
                municipality_name=found.name if found else None,
                zone=settings.load().timezone,
                truncated=truncated,
            )
        except Exception:
            logger.exception("reading a conversation for its download failed")
            return _error("download_failed")
        logger.info("a resident downloaded their conversation")
        return _ok(text=copy.text, messages=copy.messages)

    async def on_privacy_notice(self, sio: AsyncServer, sid: Text, data: Any) -> Dict[str, Any]:
        """The facts of the privacy notice for the widget's municipality (public, no session needed)."""
        if not isinstance(data, dict):
            return _error("invalid_request")
        found = catalogue.load().resolve(requested_id(data))
        if found is None:
            return _error("unknown_municipality")
        return _ok(municipality=found.name, retention_days=found.retention_days)

    # -- Rasa glue -----------------------------------------------------------------------

    def create_server(self) -> AsyncServer:
        is_allowed = origin_checker(settings.load().allowed_origins)
        logger.info("socket.io accepts the origins %s", sorted(is_allowed.allowed))
        return AsyncServer(async_mode="sanic", cors_allowed_origins=is_allowed)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        startup.prepare()
        sio = self.create_server()
        socketio_webhook = _AppAwareBlueprint(self, sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio  # get_output_channel uses it
        ns = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=ns)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return await self.on_connect(sid, environ, auth)

        # a client may emit any number of arguments: a handler with a fixed signature raised
        # TypeError inside python-socketio (a traceback, and no acknowledgement at all)
        @sio.on("session_request", namespace=ns)
        async def session_request(sid: Text, *args: Any) -> None:
            await self.on_session_request(sio, sid, _one_argument(args))

        @sio.on(self.user_message_evt, namespace=ns)
        async def handle_message(sid: Text, *args: Any) -> Dict[str, Any]:
            return await self.on_user_message(sio, sid, _one_argument(args), on_new_message)

        @sio.on(DELETE_EVENT, namespace=ns)
        async def delete_conversation(sid: Text, *args: Any) -> Dict[str, Any]:
            return await self.on_delete(sio, sid, _one_argument(args))

        @sio.on(FEEDBACK_EVENT, namespace=ns)
        async def feedback(sid: Text, *args: Any) -> Dict[str, Any]:
            return await self.on_feedback(sio, sid, _one_argument(args))

        @sio.on(DOWNLOAD_EVENT, namespace=ns)
        async def download_conversation(sid: Text, *args: Any) -> Dict[str, Any]:
            return await self.on_download(sio, sid, _one_argument(args))

        @sio.on(PRIVACY_EVENT, namespace=ns)
        async def privacy_notice(sid: Text, *args: Any) -> Dict[str, Any]:
            return await self.on_privacy_notice(sio, sid, _one_argument(args))

        return socketio_webhook
