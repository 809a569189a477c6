"""The whole bot with no action server: the resident gets the apology with the phone number
fast, never an empty reply, and the apology is stored like any bot message."""
import json
import time

import pytest
import sqlalchemy as sa

from actions.replies import TECHNICAL_APOLOGY
from cluster.local_assistant import running_assistant

from .conftest import texts


@pytest.fixture(scope="module")
def bot_without_actions(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("no-actions"), with_actions=False) as assistant:
        yield assistant


def test_a_message_needing_a_custom_action_gets_the_apology_within_two_seconds(bot_without_actions):
    started = time.perf_counter()
    replies = bot_without_actions.say("no-actions-1", "jeg er 30 år og sliter med rus, hvem kan jeg kontakte?")
    elapsed = time.perf_counter() - started
    text = texts(replies)
    assert TECHNICAL_APOLOGY in text and "901 50 842" in text and "113" in text
    assert elapsed < 2


def test_the_conversation_goes_on_after_the_apology(bot_without_actions):
    bot_without_actions.say("no-actions-2", "hvem kan jeg kontakte? jeg er voksen")
    # a question answered by a plain response still works
    assert "pakkeforløp" in texts(bot_without_actions.say("no-actions-2", "hva er et pakkeforløp?")).lower()


def test_the_apology_is_stored(bot_without_actions):
    bot_without_actions.say("no-actions-3", "når kan jeg ringe saksbehandleren?")
    engine = sa.create_engine(f"sqlite:///{bot_without_actions.workdir / 'tracker.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT data FROM events WHERE sender_id = 'no-actions-3' AND type_name = 'bot'")).fetchall()
    assert any(TECHNICAL_APOLOGY in json.loads(row[0]).get("text", "") for row in rows)
