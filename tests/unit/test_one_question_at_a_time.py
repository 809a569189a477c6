"""The channel hands on a message with two questions as two, in order; never a crisis."""
import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_server.channels.crisis_first import with_verdict
from rasa_server.channels.questions import one_question_at_a_time
from safety.verdict import assess

TWO = "hva er et pakkeforløp, og hvem ringer jeg for sønnen min på 15?"


def _handled(text: str):
    seen = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append((message.text, message.sender_id, message.metadata["crisis_verdict"]["level"]))

    message = UserMessage(text, CollectingOutputChannel(), "s1", metadata=with_verdict({"a": 1}, assess(text)))
    asyncio.run(one_question_at_a_time(on_new_message)(message))
    return seen


def test_two_questions_become_two_messages_in_order():
    assert _handled(TWO) == [("hva er et pakkeforløp", "s1", "none"),
                             ("hvem ringer jeg for sønnen min på 15?", "s1", "none")]


def test_one_question_stays_one_message():
    assert _handled("hvem ringer jeg for sønnen min på 15?") == [("hvem ringer jeg for sønnen min på 15?", "s1", "none")]


def test_a_crisis_is_never_split():
    text = "jeg vil ta livet mitt i kveld? hvem kan jeg ringe nå?"
    seen = _handled(text)
    assert len(seen) == 1 and seen[0][0] == text and seen[0][2] == "sure"
