"""Rasa's REST channel with input checks (rasa_server/channels/guard.py) in front of it.

Rasa's own channel answers 500 to a JSON list, [] to a number, and accepts any size. This one
answers 400 / 413 with a JSON error in Norwegian, strips control characters, and answers an
oversized crisis message with the crisis response instead of refusing it: it is passed on whole, answered and stored.

Every message's crisis verdict is computed here, once, and passed on in its metadata
(rasa_server/channels/crisis_first.py): the gate serves a sure crisis first and the NLU reads it.

Metadata that is not a JSON object (or is nested very deep) used to make Rasa drop the message
with an error in the log and answer 200 []; it is refused with 400 now. A client-chosen
`input_channel` is dropped: the masking tracker store keeps that field as structure, unmasked.

The municipality is resolved here too (rasa_server/channels/municipality.py): the one the
metadata names, or the default; an unknown one is refused with 400.

When handling fails (tracker store or lock store unreachable), the answer is 503 with the
crisis answer if needed and an apology with the phone number (rasa_server/channels/failures.py).
"""
from __future__ import annotations

from typing import Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server.channels import startup
from rasa_server.channels.admission import admitted
from rasa_server.channels.crisis_first import with_unsure_line, with_verdict
from rasa_server.channels.failures import guarded, handling_failed
from rasa_server.channels.municipality import resolve, unknown_text, with_municipality
from rasa_server.channels.guard import (
    BAD_METADATA,
    BAD_SENDER,
    MAX_BODY_BYTES,
    TOO_LONG,
    check_message,
    check_metadata,
    check_sender,
)
from rasa_server.channels.questions import one_question_at_a_time
from safety.verdict import assess


def refuse(status: int, error: str) -> HTTPResponse:
    return response.json({"error": error}, status=status)


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        startup.prepare()
        blueprint = super().blueprint(guarded(with_unsure_line(one_question_at_a_time(admitted(on_new_message)))))

        @blueprint.middleware("response")
        async def fail_loudly(request: Request, reply: HTTPResponse) -> Optional[HTTPResponse]:
            # the body holds the apology (rasa_server/channels/failures.py); 503 says nothing was stored
            if handling_failed.get():
                handling_failed.set(False)
                return HTTPResponse(reply.body, status=503, content_type="application/json")
            return None

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            handling_failed.set(False)  # keep-alive: one task serves several requests
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            if len(request.body) > MAX_BODY_BYTES:
                return refuse(413, TOO_LONG)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises on invalid JSON
                return refuse(400, "Forespørselen må være JSON.")
            if not isinstance(body, dict):
                return refuse(400, 'Forespørselen må være et JSON-objekt: {"sender": "...", "message": "..."}')
            sender = check_sender(body.get("sender", "default"))
            if sender is None:
                return refuse(400, BAD_SENDER)
            checked = check_message(body.get("message"))
            if checked.text is None:
                return refuse(checked.status, checked.error)
            verdict = assess(checked.text)  # once: the gate, the NLU and the store read it
            if checked.too_long and not verdict.sure:
                return refuse(checked.status, checked.error)
            if not check_metadata(body.get("metadata")):
                return refuse(400, BAD_METADATA)
            municipality = resolve(body.get("metadata"))
            if municipality is None:
                return refuse(400, unknown_text(body.get("metadata"), verdict.sure, checked.text))
            body["sender"], body["message"] = sender, checked.text
            body["metadata"] = with_municipality(with_verdict(body.get("metadata"), verdict), municipality)
            body.pop("input_channel", None)
            return None

        return blueprint
