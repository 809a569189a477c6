"""The tracker the masking store keeps in memory between turns holds the masked values, like a
tracker read from the database: the next turn gets the same events and slots whether it hits
the cache or not, and no resident text stays in memory after its turn. On SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import json

from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.stores.masking_tracker_store import MaskingSQLTrackerStore
from tests.privacy.conftest import database  # noqa: F401 - the fixture
from tests.support.tracker_reads import TrackerReads

PHONE = "412 34 567"
EMAIL = "kari.nordmann@example.no"
NATIONAL_ID = "01010750160"  # valid check digits
NAME = "Kari"
ADDRESS = "Storgata 12"
SECRETS = (PHONE, EMAIL, NATIONAL_ID, NAME, ADDRESS)
TEXT = f"jeg heter {NAME}, bor i {ADDRESS}, mobil {PHONE}, e-post {EMAIL}, fnr {NATIONAL_ID}"
CRISIS_TEXT = f"jeg vil ikke leve mer, ring meg på {PHONE}"

DOMAIN = Domain.from_dict(
    {
        "intents": ["inform", "greet"],
        "entities": ["name"],
        "slots": {
            "name": {"type": "text", "mappings": [{"type": "from_entity", "entity": "name"}]},
            "phone": {"type": "text", "mappings": [{"type": "custom"}]},
            "municipality": {"type": "text", "mappings": [{"type": "custom"}]},
        },
        "responses": {"utter_ok": [{"text": "ok"}]},
    }
)


def _verdict(text: str) -> dict:
    return {"level": "sure", "score": 0.93, "pattern": "ikke_leve", "matched": text, "question": "ask_opening_hours"}


def _start(store: MaskingSQLTrackerStore, sender: str) -> DialogueStateTracker:
    """A conversation as Rasa leaves it after its first message (a crisis, with a phone number in
    the session's metadata), then read back: kept from now on."""
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    metadata = {"municipality": "kommune-a", "crisis_verdict": _verdict(CRISIS_TEXT)}
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet(SESSION_START_METADATA_SLOT, metadata))
    tracker.update(SlotSet("municipality", "kommune-a"))
    tracker.update(ActionExecuted("action_listen"))
    parse = {"text": CRISIS_TEXT, "intent": {"name": "greet", "confidence": 0.9}, "entities": [],
             "crisis_verdict": _verdict(CRISIS_TEXT)}
    tracker.update(UserUttered(CRISIS_TEXT, parse["intent"], [], parse, metadata=metadata))
    tracker.update(ActionExecuted("utter_ok"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def _turn_with_personal_data(tracker: DialogueStateTracker) -> None:
    start = TEXT.index(NAME)
    entities = [{"entity": "name", "value": NAME, "start": start, "end": start + len(NAME)}]
    parse = {"text": TEXT, "intent": {"name": "inform", "confidence": 0.97}, "entities": entities,
             "crisis_verdict": {"level": "none", "score": 0.01}}
    tracker.update(UserUttered(TEXT, parse["intent"], entities, parse, metadata={"typed": TEXT}))
    tracker.update(SlotSet("name", NAME))
    tracker.update(SlotSet("phone", PHONE))
    tracker.update(ActionExecuted("utter_ok"))
    tracker.update(BotUttered(f"Takk, {NAME}! Ring oss på 901 50 842."))
    tracker.update(ActionExecuted("action_listen"))


def _everything(tracker: DialogueStateTracker) -> str:
    """Events, slots and the latest message of a tracker, as one text."""
    state = {
        "events": [event.as_dict() for event in tracker.events],
        "slots": tracker.current_slot_values(),
        "latest": tracker.latest_message.as_dict(),
        "bot": tracker.latest_bot_utterance.as_dict(),
    }
    return json.dumps(state, ensure_ascii=False, default=str)


def _assert_masked(tracker: DialogueStateTracker) -> None:
    text = _everything(tracker)
    for secret in SECRETS:
        assert secret not in text, secret
    for placeholder in ("«telefonnummer»", "«e-post»", "«fødselsnummer»", "«navn»", "«adresse»"):
        assert placeholder in text, placeholder
    assert tracker.get_slot("name") == "«navn»"
    assert tracker.get_slot("phone") == "«telefonnummer»"


def test_a_cache_hit_gives_the_masked_tracker_a_fresh_read_gives(database, monkeypatch):  # noqa: F811
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    tracker = _start(store, "kept-1")
    _turn_with_personal_data(tracker)
    asyncio.run(store.save(tracker))
    assert tracker.latest_message.text == TEXT  # the running turn keeps its own text

    reads = TrackerReads(monkeypatch)
    kept = asyncio.run(store.retrieve("kept-1"))
    assert reads.count == 0, "served from memory"
    _assert_masked(kept)
    fresh = asyncio.run(MaskingSQLTrackerStore(domain=DOMAIN).retrieve("kept-1"))
    assert reads.count == 1
    assert _everything(kept) == _everything(fresh)

    # the crisis verdict and the session's metadata keep what the bot and the console read
    metadata = kept.get_slot(SESSION_START_METADATA_SLOT)
    assert metadata["municipality"] == "kommune-a" and kept.get_slot("municipality") == "kommune-a"
    assert {k: v for k, v in metadata["crisis_verdict"].items() if k != "matched"} == {
        k: v for k, v in _verdict("").items() if k != "matched"}
    assert metadata["crisis_verdict"]["matched"] == "jeg vil ikke leve mer, ring meg på «telefonnummer»"
    crisis = [e for e in kept.events if isinstance(e, UserUttered)][0]
    assert crisis.parse_data["crisis_verdict"]["level"] == "sure"
    assert crisis.parse_data["crisis_verdict"]["question"] == "ask_opening_hours"
    assert kept.latest_message.intent_name == "inform"


def test_later_turns_on_the_kept_tracker_stay_masked(database, monkeypatch):  # noqa: F811
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    tracker = _start(store, "kept-2")
    for _ in range(3):
        _turn_with_personal_data(tracker)
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve("kept-2"))
    reads = TrackerReads(monkeypatch)
    kept = asyncio.run(store.retrieve("kept-2"))
    assert reads.count == 0
    _assert_masked(kept)
    assert _everything(kept) == _everything(asyncio.run(MaskingSQLTrackerStore(domain=DOMAIN).retrieve("kept-2")))


def test_a_tracker_saved_twice_is_read_again_not_kept_with_its_own_text(database):  # noqa: F811
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    tracker = _start(store, "kept-3")
    _turn_with_personal_data(tracker)
    asyncio.run(store.save(tracker))
    tracker.update(ActionExecuted("utter_ok"))  # the same tracker object saved once more
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("kept-3"))
    assert again is not tracker
    _assert_masked(again)
