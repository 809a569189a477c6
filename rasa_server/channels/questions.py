"""A message that asks two or three things is handed on as that many messages, in order, so
each question gets its own answer (nlp/questions.py decides when a message does).

Only a message the crisis net found nothing in is split: a crisis, sure or unsure, is answered
as one message. Each part keeps the message's metadata (its verdict included) and is stored as
a user message of its own, so staff read the questions as the bot understood them.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from nlp.questions import split_questions
from rasa_server.channels.crisis_first import verdict_of
from safety.verdict import NONE


def one_question_at_a_time(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[None]]:
    async def handle(message: UserMessage) -> None:
        verdict = verdict_of(message)
        parts = split_questions(message.text or "") if verdict is not None and verdict.level == NONE else []
        if len(parts) < 2:
            await on_new_message(message)
            return
        for part in parts:
            await on_new_message(UserMessage(part, message.output_channel, message.sender_id,
                                             input_channel=message.input_channel,
                                             metadata=dict(message.metadata or {})))

    return handle
