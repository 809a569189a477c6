"""The conversation stores its municipality: the session-start patch sets the slot once."""
import asyncio

from rasa.core.actions.action import ActionSessionStart
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from municipalities import catalogue
from rasa_server.patches import session_start
from tests.support.municipalities import copy_municipalities

DOMAIN = Domain.from_yaml("""
version: "3.1"
session_config:
  carry_over_slots_to_new_session: true
slots:
  municipality:
    type: text
    influence_conversation: false
    mappings:
      - type: custom
  language:
    type: categorical
    values: [nb, nn, en]
    influence_conversation: false
    mappings:
      - type: custom
""")


def run(tracker, domain=DOMAIN):
    return asyncio.run(session_start.run(ActionSessionStart(), None, None, tracker, domain))


def tracker_with(metadata, events=()):
    tracker = DialogueStateTracker.from_events("s", list(events), slots=DOMAIN.slots)
    tracker.update(SlotSet(SESSION_START_METADATA_SLOT, metadata), DOMAIN)
    return tracker


def test_the_first_session_stores_the_municipality_before_listening():
    events = run(tracker_with({"municipality": "kommune-b"}))
    assert isinstance(events[0], SessionStarted)
    assert events[-3:] == [SlotSet("municipality", "kommune-b"), SlotSet("language", "nb"),
                           ActionExecuted("action_listen")]


def test_the_session_starts_in_the_resident_s_choice_or_the_municipality_s_malform(tmp_path, monkeypatch):
    assert SlotSet("language", "en") in run(tracker_with({"municipality": "kommune-b", "language": "en"}))
    folder = copy_municipalities(tmp_path)
    facts = folder / "kommune-b" / "municipality.yml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("language: nb", "language: nn"), encoding="utf-8")
    monkeypatch.setenv("MUNICIPALITIES_DIR", str(folder))
    catalogue.load.cache_clear()
    try:
        assert SlotSet("language", "nn") in run(tracker_with({"municipality": "kommune-b"}))
        assert SlotSet("language", "nb") in run(tracker_with({"municipality": "kommune-a"}))
    finally:
        catalogue.load.cache_clear()


def test_a_conversation_keeps_its_first_municipality():
    earlier = [SlotSet("municipality", "kommune-a")]
    events = run(tracker_with({"municipality": "kommune-b"}, earlier))
    assert SlotSet("municipality", "kommune-b") not in events
    assert SlotSet("municipality", "kommune-a") in events  # carried over by Rasa's own action


def test_no_metadata_or_no_slot_in_the_domain_is_rasas_own_behaviour():
    assert not any(isinstance(e, SlotSet) and e.key == "municipality" for e in run(tracker_with({})))
    bare = Domain.from_yaml('version: "3.1"')
    assert not any(isinstance(e, SlotSet) and e.key == "municipality"
                   for e in run(tracker_with({"municipality": "kommune-b"}), bare))
