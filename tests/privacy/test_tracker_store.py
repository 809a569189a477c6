"""MaskingSQLTrackerStore writes no personal data, on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_server.stores.masking_tracker_store import MaskingSQLTrackerStore

PHONE = "412 34 567"
EMAIL = "ola.nordmann@example.no"
NATIONAL_ID = "01010750160"
NAME = "Ola"
SECRETS = (PHONE, "41234567", EMAIL, NATIONAL_ID, NAME)

DOMAIN = Domain.from_dict(
    {
        "intents": ["inform"],
        "entities": ["name", "phone"],
        "slots": {
            "name": {"type": "text", "mappings": [{"type": "from_entity", "entity": "name"}]},
            "phone": {"type": "text", "mappings": [{"type": "from_entity", "entity": "phone"}]},
            "age": {"type": "float", "mappings": [{"type": "custom"}]},
        },
        "responses": {"utter_ok": [{"text": "ok"}]},
    }
)



def conversation(sender_id: str, text: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(sender_id, [ActionExecuted("action_listen")], slots=DOMAIN.slots)
    parse_data = {
        "text": text,
        "intent": {"name": "inform", "confidence": 0.97},
        "entities": [
            {"entity": "name", "value": NAME, "start": text.index(NAME), "end": text.index(NAME) + len(NAME)},
            {"entity": "phone", "value": PHONE, "start": text.index(PHONE), "end": text.index(PHONE) + len(PHONE)},
        ],
    }
    tracker.update(UserUttered(text, parse_data["intent"], parse_data["entities"], parse_data,
                               metadata={"page": "/pakkeforlop", "typed": text}))
    tracker.update(SlotSet("name", NAME))
    tracker.update(SlotSet("phone", PHONE))
    tracker.update(SlotSet("age", 16.0))
    tracker.update(ActionExecuted("utter_ok"))
    tracker.update(BotUttered(f"Takk, {NAME}! Ring oss på 901 50 842."))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


TEXT = f"jeg heter {NAME} og er 16, mobil {PHONE}, e-post {EMAIL}, fnr {NATIONAL_ID}"


def readable(value: object) -> str:
    """A column value as text; the JSON `data` column un-escaped (Rasa writes \\u00ab for «)."""
    text = str(value)
    if text.startswith("{"):
        try:
            return text + " " + json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def all_stored_text(url: str) -> str:
    """Every value of every row of every table of the database, as one text."""
    engine = sa.create_engine(url, future=True)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return "\n".join(
                " ".join(readable(value) for value in row)
                for table in metadata.sorted_tables
                for row in conn.execute(table.select())
            )
    finally:
        engine.dispose()


def test_nothing_personal_is_written(database):
    url, _ = database
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    tracker = conversation("resident-1", TEXT)
    asyncio.run(store.save(tracker))

    stored = all_stored_text(url)
    assert "«telefonnummer»" in stored and "«fødselsnummer»" in stored and "«e-post»" in stored
    for secret in SECRETS:
        assert secret not in stored, secret
    assert "901 50 842" in stored  # the municipality's number in the bot reply stays
    if url.startswith("sqlite:///"):
        database = Path(url[len("sqlite:///"):])
        raw = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))  # and -wal
        for secret in SECRETS:
            assert secret.encode() not in raw

    # the running turn keeps its own text; only the stored copy is masked
    assert tracker.latest_message.text == TEXT


def test_stored_conversation_reads_back_masked(database):
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    asyncio.run(store.save(conversation("resident-2", TEXT)))

    restored = asyncio.run(store.retrieve("resident-2"))
    user = [e for e in restored.events if isinstance(e, UserUttered)][0]
    assert user.text == (
        "jeg heter «navn» og er 16, mobil «telefonnummer», e-post «e-post», fnr «fødselsnummer»"
    )
    assert user.intent_name == "inform"  # Rasa's structure is untouched
    values = {e["entity"]: e["value"] for e in user.parse_data["entities"]}
    assert values == {"name": "«navn»", "phone": "«telefonnummer»"}
    phone_entity = [e for e in user.parse_data["entities"] if e["entity"] == "phone"][0]
    assert user.text[phone_entity["start"]:phone_entity["end"]] == "«telefonnummer»"
    assert restored.get_slot("name") == "«navn»"
    assert restored.get_slot("phone") == "«telefonnummer»"
    assert restored.get_slot("age") == 16.0  # ages stay: the bot routes on them
    bot = [e for e in restored.events if isinstance(e, BotUttered)][0]
    assert bot.text == "Takk, «navn»! Ring oss på 901 50 842."


def test_only_new_events_are_written_and_masked_once(database):
    url, _ = database
    store = MaskingSQLTrackerStore(domain=DOMAIN)
    tracker = conversation("resident-3", TEXT)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("ny e-post: kari@example.no", {"name": "inform", "confidence": 1.0}))
    asyncio.run(store.save(tracker))

    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT data FROM events WHERE sender_id = 'resident-3' ORDER BY id")).all()
    engine.dispose()
    assert len(rows) == len(tracker.events)
    assert json.loads(rows[-1][0])["text"] == "ny e-post: «e-post»"


class CollectingBroker:
    """Stands in for an event broker (Kafka, Pika): keeps what it is given."""

    def __init__(self) -> None:
        self.published = []

    def publish(self, event, **kwargs) -> None:
        self.published.append(event)


def test_events_sent_to_an_event_broker_are_masked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    broker = CollectingBroker()
    store = MaskingSQLTrackerStore(domain=DOMAIN, event_broker=broker)
    asyncio.run(store.save(conversation("resident-4", TEXT)))
    published = json.dumps(broker.published, ensure_ascii=False)
    assert "«telefonnummer»" in published
    for secret in SECRETS:
        assert secret not in published, secret


def test_the_bots_own_replies_are_stored_unchanged():
    """Every response in domain.yml, with its buttons, is stored as written."""
    import yaml

    from rasa_server.stores.masking_tracker_store import mask_events

    responses = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))["responses"]
    replies = [
        BotUttered(variant.get("text"), {"buttons": variant.get("buttons")})
        for variants in responses.values() for variant in variants
    ]
    assert replies
    for original, stored in zip(replies, mask_events(replies)):
        assert stored.text == original.text
        assert stored.data == original.data


def test_a_name_the_bot_echoes_is_masked_in_its_reply():
    from rasa_server.stores.masking_tracker_store import mask_events

    stored = mask_events([
        UserUttered("jeg heter Ingrid", {"name": "inform", "confidence": 1.0}),
        BotUttered("Hei Ingrid! Jeg er Forløpsassistenten."),
    ])
    assert stored[1].text == "Hei «navn»! Jeg er Forløpsassistenten."
