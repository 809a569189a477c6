"""The crisis verdict of a message, computed once by the channel and passed on with it.

The channel assesses the text (safety/verdict.py) before the admission gate and writes the
verdict into the message's metadata, replacing anything a client sent under that key. The gate
lets a sure crisis in first, the NLU component (rasa_server/nlu/crisis_safety_net.py) reads the verdict instead
of running the detector again and moves it into the parse data, where it is stored with the
message for the review console. So read it from the metadata before handling, not after.
After the answer to an unsure message, the channel adds the one line with 113 and 116 117.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage

from safety.verdict import UNSURE, VERDICT_KEY, CrisisVerdict


def with_verdict(metadata: Any, verdict: CrisisVerdict) -> Dict[str, Any]:
    """The message's metadata with the verdict under VERDICT_KEY (a client's value replaced)."""
    merged = dict(metadata) if isinstance(metadata, dict) else {}
    merged[VERDICT_KEY] = verdict.as_dict()
    return merged


def verdict_of(message: UserMessage) -> Optional[CrisisVerdict]:
    metadata = getattr(message, "metadata", None)
    return CrisisVerdict.from_dict(metadata.get(VERDICT_KEY)) if isinstance(metadata, dict) else None


def with_unsure_line(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[None]]:
    """on_new_message, followed by the 113 / 116 117 line when the verdict was unsure."""
    from rasa_server.texts import crisis_hint_text, message_language

    async def handle(message: UserMessage) -> None:
        verdict = verdict_of(message)  # before: the NLU moves it from the metadata to the parse data
        await on_new_message(message)
        if verdict is not None and verdict.level == UNSURE:
            lang = message_language(message.text, message.metadata)
            await message.output_channel.send_text_message(message.sender_id, crisis_hint_text(lang))

    return handle
