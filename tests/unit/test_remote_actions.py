"""The Rasa server's calls to the action server (rasa_server.patches.remote_actions) against real HTTP
servers on loopback: a normal answer, a refused connection, a hanging server, a 500, an
invalid answer and a deliberate rejection."""
import asyncio
import time

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import rasa_server
from actions.replies import EMERGENCY_LINE, TECHNICAL_APOLOGY
from cluster.local_assistant import free_port
from rasa_server import texts
from rasa_server.patches import remote_actions
from municipalities import catalogue
from tests.support.municipalities import copy_municipalities

DOMAIN = Domain.from_yaml("""
version: "3.1"
slots:
  audience:
    type: text
    mappings: [{type: custom}]
actions: [action_route_person]
""")


async def _serve(handler):
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/webhook"


async def _call(url):
    action = RemoteAction("action_route_person", EndpointConfig(url=url))
    tracker = DialogueStateTracker.from_events("tester", [], slots=DOMAIN.slots)
    started = time.perf_counter()
    events = await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)
    return events, time.perf_counter() - started


def _run(handler=None, url=None):
    async def scenario():
        runner = None
        target = url
        if handler is not None:
            runner, target = await _serve(handler)
        try:
            return await _call(target)
        finally:
            if runner is not None:
                await runner.cleanup()
    return asyncio.run(scenario())


@pytest.fixture(autouse=True)
def installed(monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "0.5")
    rasa_server.install()


def _is_apology(events):
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    text = events[0].text
    assert text.startswith(TECHNICAL_APOLOGY) and EMERGENCY_LINE in text
    return text


def test_the_optional_contact_action_is_not_called_when_the_message_asks_no_contact():
    calls = []

    async def handler(request):
        calls.append(await request.json())
        return web.json_response({"events": [], "responses": [{"text": "Barn: ..."}]})

    async def scenario(text):
        runner, url = await _serve(handler)
        try:
            action = RemoteAction("action_route_if_asked", EndpointConfig(url=url))
            tracker = DialogueStateTracker.from_events("tester", [UserUttered(text)], slots=DOMAIN.slots)
            return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario("kan pårørende være med i forløpet?")) == [] and calls == []
    events = asyncio.run(scenario("Eg er mor til ei jente på 8. Kven kan eg ringje?"))
    assert len(calls) == 1 and events[0].text == "Barn: ..."


def test_a_normal_answer_passes_through():
    async def handler(request):
        return web.json_response({
            "events": [{"event": "slot", "name": "audience", "value": "adult"}],
            "responses": [{"text": "For voksne ..."}],
        })

    events, _ = _run(handler)
    assert [type(e) for e in events] == [BotUttered, SlotSet]
    assert events[0].text == "For voksne ..." and events[1].value == "adult"


def test_refused_connection_gets_the_apology_with_the_directory_phone_number():
    events, elapsed = _run(url=f"http://127.0.0.1:{free_port()}/webhook")
    text = _is_apology(events)
    assert "901 50 842" in text and "kl. 10.00–14.00" in text
    assert elapsed < 2


def test_a_hanging_action_server_is_cut_off_at_the_deadline():
    async def handler(request):
        await asyncio.sleep(10)
        return web.json_response({})

    events, elapsed = _run(handler)
    _is_apology(events)
    assert 0.4 < elapsed < 2


@pytest.mark.parametrize("status", [500, 502, 404])
def test_an_error_status_gets_the_apology(status):
    async def handler(request):
        return web.Response(status=status, text="nope")

    _is_apology(_run(handler)[0])


def test_an_answer_that_breaks_the_schema_gets_the_apology():
    async def handler(request):
        return web.json_response({"events": [{"event": 42}], "responses": "not a list"})

    _is_apology(_run(handler)[0])


def test_a_deliberate_rejection_is_left_to_rasa():
    async def handler(request):
        return web.json_response({"action_name": "action_route_person", "error": "no"}, status=400)

    with pytest.raises(ActionExecutionRejection):
        _run(handler)


def test_without_a_readable_directory_the_apology_names_only_emergency_numbers(monkeypatch, tmp_path):
    broken = copy_municipalities(tmp_path)
    (broken / "kommune-a" / "contacts.yml").write_text("contacts: [", encoding="utf-8")
    monkeypatch.setenv("MUNICIPALITIES_DIR", str(broken))
    catalogue.load.cache_clear()
    texts._apology_for.cache_clear()
    try:
        text = texts.apology_text()
    finally:
        catalogue.load.cache_clear()
        texts._apology_for.cache_clear()
    assert text == f"{TECHNICAL_APOLOGY} {EMERGENCY_LINE}"


VALID_ANSWERS = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "audience", "value": "adult", "timestamp": None}]},
    {"events": [{"event": "slot", "name": "age", "value": 30}, {"event": "followup", "name": "utter_greet"}],
     "responses": [{"text": "hei", "buttons": []}]},
    {"events": [{"event": "bot", "text": "hei", "data": {}, "metadata": {}}]},
    {"events": [{"event": "reset_slots"}, {"event": "restart"}, {"event": "active_loop", "name": None}]},
    {"events": [{"event": "user", "text": "hei", "parse_data": {"intent": {"name": "greet", "confidence": 1.0}}}]},
    # Rasa's schema is lax about these; the fast check must be exactly as lax
    {"events": [{"event": "followup"}]}, {"events": [{"event": "bot", "text": 5}]},
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "reminder"}]},
]
BROKEN_ANSWERS = [
    [], "events", {"events": "x"}, {"responses": "x"}, {"responses": [1]},
    {"events": [42]}, {"events": [None]}, {"events": [{}]}, {"events": [{"event": 42}]},
    {"events": [{"event": "nonexistent"}]}, {"events": [{"event": "slot"}]},
    {"events": [{"event": "slot", "name": "a", "timestamp": "yesterday"}]},
    {"events": [{"event": "slot", "name": "a", "metadata": []}]},
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "nonexistent"}]},
]


@pytest.mark.parametrize("answer", VALID_ANSWERS + BROKEN_ANSWERS)
def test_the_fast_check_gives_the_same_verdict_as_jsonschema(answer):
    import jsonschema

    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(answer, schema)
        expected = True
    except jsonschema.ValidationError:
        expected = False
    try:
        remote_actions.ActionResultValidator(schema).validate(answer)
        verdict = True
    except jsonschema.ValidationError:
        verdict = False
    assert verdict == expected
    assert expected == (answer in VALID_ANSWERS)


def test_the_apology_names_only_the_conversation_s_municipality_s_phone():
    assert "901 50 842" in texts.apology_text("kommune-a")
    assert texts.apology_text("kommune-b") == f"{TECHNICAL_APOLOGY} {EMERGENCY_LINE}"  # its page names no phone
    assert texts.apology_text("kommune-x") == texts.apology_text()  # unknown: the default's
