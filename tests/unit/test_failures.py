"""When a message cannot be handled at all: the resident gets the apology (and 113 first for a
crisis), nothing is faked from memory, and the failure is marked for the channel's 503."""
import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

import rasa_server
from actions.replies import TECHNICAL_APOLOGY
from rasa_server.channels.failures import guarded, handling_failed
from rasa_server.texts import crisis_text
from rasa_server.patches.tracker_store_failures import TrackerStoreUnavailable


async def _broken(message):
    raise ConnectionError("database is down")


async def _fine(message):
    await message.output_channel.send_text_message(message.sender_id, "svar")


def _handle(on_new_message, text):
    async def scenario():
        output = CollectingOutputChannel()
        await guarded(on_new_message)(UserMessage(text, output, "resident"))
        return output.messages, handling_failed.get()
    return asyncio.run(scenario())


def test_a_failure_gets_the_apology_and_is_marked():
    messages, failed = _handle(_broken, "hva er et pakkeforløp?")
    assert failed
    assert [m["text"] for m in messages] == [messages[0]["text"]]
    assert messages[0]["text"].startswith(TECHNICAL_APOLOGY) and "901 50 842" in messages[0]["text"]


def test_a_crisis_that_fails_still_gets_113_first():
    messages, failed = _handle(_broken, "jeg vil ikke leve lenger")
    assert failed
    text = "\n\n".join(m["text"] for m in messages)  # channels split a text at blank lines
    assert text.startswith(crisis_text()) and TECHNICAL_APOLOGY in text


def test_a_normal_turn_is_untouched():
    messages, failed = _handle(_fine, "hei")
    assert not failed and [m["text"] for m in messages] == ["svar"]


class _DownStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionError("PostgreSQL restarting")

    async def save(self, tracker):
        raise ConnectionError("PostgreSQL restarting")


@pytest.fixture(autouse=True)
def installed():
    rasa_server.install()


def test_the_tracker_store_never_falls_back_to_an_empty_memory_tracker():
    store = FailSafeTrackerStore(_DownStore(Domain.empty()))
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(store.retrieve("resident"))
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(store.save(DialogueStateTracker.from_events("resident", [])))
    with pytest.raises(TrackerStoreUnavailable):
        asyncio.run(store.get_or_create_tracker("resident"))
    assert list(asyncio.run(store.fallback_tracker_store.keys())) == []
