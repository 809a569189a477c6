"""Several municipalities on one deployment, through the REST channel with the real servers.

The same model answers each municipality with its own folder's facts; an unknown id is refused
with 400 (a crisis still gets 113 first); the conversation stores its municipality; a third
municipality added as a folder answers after a restart, without retraining."""
import json

import pytest
import requests
import sqlalchemy as sa

from cluster.local_assistant import running_assistant
from municipalities.catalogue import load_catalogue
from tests.integration.conftest import texts
from tests.integration.test_conversations import routing_accuracy
from tests.support.municipalities import copy_municipalities
from tests.unit.test_fact_actions import ONLY_A
from tests.unit.test_municipalities import add_third

B = {"municipality": "kommune-b"}
QUESTIONS = [
    "hvordan starter pakkeforløpet?",
    "samarbeider kommunen med sykehuset?",
    "hva er oppfølgingstjenesten",
    "hvem kan jeg kontakte? jeg er 40 år",
    "jeg er 15 og trenger hjelp",
    "når kan jeg ringe dere",
    "har dere e-post",
]


def test_kommune_b_answers_with_its_own_facts_and_never_kommune_a_s(bot, sender):
    for number, question in enumerate(QUESTIONS):
        answer = texts(bot.say(f"{sender}-{number}", question, metadata=B))
        assert answer, question
        for fact in ONLY_A:
            assert fact not in answer, (question, fact, answer)
    assert "barnevernet" in texts(bot.say(f"{sender}-start", "hvordan starter forløpet", metadata=B))


def test_without_a_municipality_the_default_answers(bot, sender):
    assert "Vestre Viken" in texts(bot.say(sender, "samarbeider dere med sykehuset"))


def test_the_conversation_keeps_its_first_municipality(bot, sender):
    bot.say(sender, "hei", metadata=B)
    later = texts(bot.say(sender, "samarbeider dere med sykehuset", metadata={"municipality": "kommune-a"}))
    assert "helseforetakene" in later and "Vestre Viken" not in later
    engine = sa.create_engine(f"sqlite:///{bot.workdir / 'tracker.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "select data from events where sender_id = :s and type_name = 'slot' and action_name = 'municipality'"
        ), {"s": sender}).fetchall()
    engine.dispose()
    assert [json.loads(row.data)["value"] for row in rows] == ["kommune-b"]


@pytest.mark.parametrize("message", ["hei", "jeg vil ta livet mitt nå"])
def test_an_unknown_municipality_is_refused_with_400(bot, sender, message):
    reply = requests.post(bot.rest_url, json={"sender": sender, "message": message,
                                               "metadata": {"municipality": "kommune-x"}}, timeout=30)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert "Ukjent kommune: «kommune-x»" in error
    assert error.startswith("Er liv eller helse i fare: ring 113") == (message != "hei")


def test_a_third_municipality_is_a_folder_and_a_restart(tmp_path):
    folder = copy_municipalities(tmp_path)
    add_third(folder)
    with running_assistant(tmp_path / "run", env_overrides={"MUNICIPALITIES_DIR": str(folder)}) as assistant:
        adult = texts(assistant.say("third-1", "hvem kan jeg kontakte? jeg er 40", metadata={"municipality": "kommune-c"}))
        start = texts(assistant.say("third-2", "hvordan starter forløpet", metadata={"municipality": "kommune-c"}))
        own = load_catalogue(folder, "kommune-a", 30).get("kommune-c").contacts
        accuracy, wrong = routing_accuracy(assistant, "kommune-c", own)
    assert accuracy >= 0.97, wrong
    assert "Test Testesen" in adult and "22 33 44 55" in adult and "Morten" not in adult
    assert "Pakkeforløpet startar hos fastlegen eller ein annan tilvisar." in start  # kommune-c writes nynorsk
