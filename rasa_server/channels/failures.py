"""What a resident gets when the server cannot handle a message at all.

Rasa's channels log the exception (with the resident's text, unmasked) and answer 200 with
no messages: a silent failure, and for an API client an acknowledgement of a message that
was never stored. That happens when the tracker store (PostgreSQL) or the lock store (Redis)
is unreachable. Here the channel answers instead: the crisis answer first when the message is
a crisis, then a short apology with the municipality's phone number; REST gets status 503.
"""
from __future__ import annotations

import contextvars
import logging
from typing import TYPE_CHECKING, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage

if TYPE_CHECKING:
    from safety.verdict import CrisisVerdict

logger = logging.getLogger(__name__)

# Set inside a REST request's task when handling failed; read by the response middleware.
handling_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("handling_failed", default=False)


def failure_reply(message: UserMessage, verdict: Optional["CrisisVerdict"]) -> str:
    """The apology, after the crisis answer when the message's verdict (computed by the
    channel) flagged it; without a verdict, the pattern layer decides."""
    from rasa_server.texts import apology_text, crisis_text, message_language
    from safety.patterns import is_crisis

    flagged = verdict.flagged if verdict is not None else is_crisis(message.text or "")
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    lang = message_language(message.text, metadata)
    apology = apology_text(metadata.get("municipality"), lang)  # the municipality resolved by the channel
    if flagged:
        return f"{crisis_text(lang)}\n\n{apology}"
    return apology


def guarded(on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Callable[[UserMessage], Awaitable[None]]:
    """on_new_message that never fails silently: on any error the output channel gets the
    failure reply and `handling_failed` is set (the error is logged without the text)."""

    async def handle(message: UserMessage) -> None:
        from rasa_server.channels.crisis_first import verdict_of

        verdict = verdict_of(message)  # before: the NLU moves it out of the metadata
        try:
            await on_new_message(message)
        except Exception as error:  # noqa: BLE001 - every failure must reach the resident
            # the type only: Rasa's and SQLAlchemy's messages can carry the resident's words
            logger.error("Handling a message failed (%s); sent the apology.", type(error).__name__)
            logger.debug("Handling a message failed", exc_info=True)
            handling_failed.set(True)
            try:
                await message.output_channel.send_text_message(message.sender_id, failure_reply(message, verdict))
            except Exception:  # noqa: BLE001 - the socket may be gone too
                logger.exception("Could not send the failure reply")

    return handle
