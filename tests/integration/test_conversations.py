"""Whole-bot conversations through the REST channel, with the real servers and model."""
import pytest
import requests
import yaml
from pathlib import Path

from evaluation.behaviour import CRISIS_MARK, route_of
from tests.integration.conftest import texts

ROOT = Path(__file__).resolve().parents[2]


def test_greeting_offers_topics_as_buttons(bot, sender):
    replies = bot.say(sender, "hei")
    assert "Forløpsassistenten" in texts(replies)
    buttons = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert "Hva er et pakkeforløp?" in buttons


@pytest.mark.parametrize("message,expected", [
    ("hva er et pakkeforløp?", "ventetid, utredning, behandling og oppfølging"),
    ("hva er forskjellen på pakkeforløp og pasientforløp", "Nasjonale pasientforløp psykisk helse og rus"),
    ("hva er målet med pakkeforlopet", "brukermedvirkning"),
    ("hva gjør en forløpskoordinator", "spesialisthelsetjenesten"),
    ("får jeg en egen forløpskoordinator?", "kontaktperson som kjenner deg godt"),
    ("hvordan starter forløpet", "hos fastlegen eller en annen henviser"),
    ("når blir forløpet registrert", "mottar henvisningen"),
    ("kan pårørende være med", "pårørende"),
    ("hvor kan jeg lese mer", "helsenorge.no"),
    ("hva er oppfølgingstjenesten", "Oppfølgingstjenesten"),
    ("samarbeider dere med sykehuset", "Vestre Viken"),
    ("er du en robot", "automatisk assistent"),
    ("har dere epost", "901 50 842"),
])
def test_answers_from_the_sources(bot, sender, message, expected):
    assert expected in texts(bot.say(sender, message))


@pytest.mark.parametrize("message", ["når tømmes søpla?", "hva blir været i morgen", "hvem vinner serien i år"])
def test_out_of_scope_offers_topics_and_never_a_coordinator(bot, sender, message):
    replies = bot.say(sender, message)
    assert route_of(replies) == "none"
    assert any(r.get("buttons") for r in replies)


def test_crisis_in_the_middle_of_the_age_question(bot, sender):
    assert route_of(bot.say(sender, "hvem kan jeg kontakte?")) == "ask"
    replies = bot.say(sender, "jeg orker ikke mer, vil ta livet mitt")
    assert CRISIS_MARK in replies[0]["text"]  # 113 first
    assert "116 117" in replies[0]["text"]


@pytest.mark.parametrize("message", [
    "jeg vil ikke leve lenger", "eg vil døy", "har tatt en overdose", "det er akutt",
    "jeg kutter meg", "tenker på selvmor", "JEG VIL TA LIVET MITT!!!",
])
def test_crisis_messages_get_113_first(bot, sender, message):
    bot.say(sender, "hei")
    replies = bot.say(sender, message)
    assert replies and replies[0]["text"].startswith("Er liv eller helse i fare: ring 113")


def test_buttons_route_the_audience(bot, sender):
    """The payloads the bot sends (domain.yml escapes their braces from Rasa's slot templates)."""
    buttons = {b["title"]: b["payload"] for r in bot.say(sender, "hvem kan jeg kontakte?") for b in r.get("buttons", [])}
    assert buttons["Under 18 år"] == '/inform_person{"audience": "child"}'
    assert route_of(bot.say(sender, buttons["Under 18 år"])) == "child"
    assert route_of(bot.say(sender, buttons["18 år eller eldre"])) == "adult"


def test_typed_answer_to_the_question(bot, sender):
    assert route_of(bot.say(sender, "jeg trenger hjelp")) == "ask"
    assert route_of(bot.say(sender, "voksen")) == "adult"


def test_correction_re_routes(bot, sender):
    assert route_of(bot.say(sender, "dottera mi på 15 trenger hjelp")) == "child"
    assert route_of(bot.say(sender, "unnskyld, det gjelder meg selv, jeg er 30")) == "adult"


def test_audience_is_remembered_for_later_questions(bot, sender):
    assert route_of(bot.say(sender, "jeg er 16 og har det vondt")) == "child"
    assert route_of(bot.say(sender, "hvem kan jeg kontakte?")) == "child"


def routing_accuracy(bot, municipality: str, contacts=()):
    """(accuracy, wrong cases) of tests/data/routing_cases.yml in this municipality's conversations
    (`contacts`: its directory, whose names count as route marks)."""
    cases = yaml.safe_load((ROOT / "tests" / "data" / "routing_cases.yml").read_text(encoding="utf-8"))
    wrong = []
    for number, case in enumerate(cases):
        got = route_of(bot.say(f"routing-{municipality}-{number}", case["text"], metadata={"municipality": municipality}),
                       contacts)
        if got != case["route"]:
            wrong.append((case["text"], case["route"], got))
    accuracy = 1 - len(wrong) / len(cases)
    print(f"routing accuracy in {municipality} {accuracy:.3f} on {len(cases)} cases; wrong: {wrong}")
    return accuracy, wrong


@pytest.mark.parametrize("municipality", ["kommune-a", "kommune-b"])
def test_routing_table(bot, municipality):
    accuracy, wrong = routing_accuracy(bot, municipality)
    assert accuracy >= 0.97, wrong


@pytest.mark.parametrize("message", ["<script>alert(1)</script>", "🙂🙂🙂", "\x00hei\x01",
                                     "'; DROP TABLE events; --", "{\"json\": true}", "x" * 3000])
def test_bad_input_gets_a_clear_answer(bot, sender, message):
    replies = bot.say(sender, message)
    assert replies and replies[0]["text"]  # an answer, not silence
    assert "Forløpsassistenten" in texts(bot.say(sender, "hei"))  # and the conversation goes on


@pytest.mark.parametrize("body,status", [
    ("ikke json", 400), ("[]", 400), ('{"sender": "x", "message": ""}', 400), ('{"sender": "x", "message": " "}', 400), ('{"sender": "x", "message": 7}', 400), ('{"sender": "x"}', 400),
    ('{"sender": [1], "message": "hei"}', 400), ('{"sender": "x", "message": "' + "x" * 3001 + '"}', 413),
])
def test_malformed_requests_get_a_clear_error(bot, body, status):
    reply = requests.post(bot.rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == status
    assert reply.json()["error"]


def test_oversized_crisis_message_still_gets_113(bot, sender):
    reply = requests.post(bot.rest_url, json={"sender": sender, "message": "jeg vil dø " + "å" * 4000}, timeout=30)
    assert reply.status_code == 200 and "113" in reply.json()[0]["text"]


def test_two_questions_in_one_message_get_both_answers_in_order(bot, sender):
    replies = texts(bot.say(sender, "hvor kan jeg lese mer, og hvem ringer jeg for sønnen min på 15?"))
    assert "helsenorge.no" in replies and "forløpskoordinator for barn og unge" in replies
    assert replies.index("helsenorge.no") < replies.index("forløpskoordinator for barn og unge")


def test_a_crisis_with_a_question_is_not_split(bot, sender):
    replies = bot.say(sender, "jeg vil ta livet mitt i kveld. hvem kan jeg ringe nå?")
    assert CRISIS_MARK in replies[0]["text"]
