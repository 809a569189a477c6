"""Matching a rated answer in the widget to the bot events in the tracker store."""
import asyncio
import concurrent.futures

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from rasa_server.channels.rated_answers import find_rated_answer, match_answer
from storage import conversations


def _bot(text, ts):
    return ("bot", {"event": "bot", "text": text, "timestamp": ts})


def _user(text, ts):
    return ("user", {"event": "user", "text": text, "timestamp": ts})


def test_matches_the_newest_run_of_bot_messages():
    events = [  # newest first
        _bot("Vil du vite mer?", 5.0),
        ("action", {"event": "action", "name": "utter_more"}),
        _bot("Et pakkeforløp er et standard pasientforløp.", 4.0),
        _user("hva er et pakkeforløp", 3.0),
        _bot("Hei!", 2.0),
    ]
    answer = match_answer(events, "Et pakkeforløp er et standard  pasientforløp.\n\nVil du vite mer?")
    assert answer.text == "Et pakkeforløp er et standard pasientforløp.\n\nVil du vite mer?"
    assert answer.timestamp == 5.0


def test_an_older_answer_can_be_rated():
    events = [_bot("Svar to", 4.0), _user("b", 3.0), _bot("Svar en", 2.0), _user("a", 1.0)]
    assert match_answer(events, "Svar en").timestamp == 2.0


def test_masked_personal_data_in_the_stored_text_still_matches():
    events = [_bot("Takk, «navn». Ring «telefonnummer» i telefontiden.", 7.0)]
    answer = match_answer(events, "Takk, Ola Nordmann. Ring 901 50 842 i telefontiden.")
    assert answer.text == "Takk, «navn». Ring «telefonnummer» i telefontiden."  # the masked text is kept
    assert match_answer(events, "Takk, Ola. Ring ikke.") is None


def test_text_that_the_bot_never_said_is_not_matched():
    events = [_bot("Hei!", 2.0)]
    assert match_answer(events, "Ring meg på 99999999") is None
    assert match_answer(events, "   ") is None


def _tracker_db(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore

    store = ConfiguredSQLTrackerStore(domain=Domain.empty())

    async def fill():
        tracker = await store.get_or_create_tracker("abc")
        tracker.update(UserUttered("hei"))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered("Hei! Hva lurer du på?", timestamp=1000.0))
        await store.save(tracker)

    # a thread of its own: the browser tests' Playwright loop may be running in this one
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, fill()).result()
    return conversations.engine_from_settings()


def test_find_rated_answer_reads_the_tracker_store(tmp_path, monkeypatch):
    engine = _tracker_db(tmp_path, monkeypatch)
    answer = find_rated_answer(engine, "abc", "Hei! Hva lurer du på?")
    assert answer.text == "Hei! Hva lurer du på?"
    assert answer.timestamp == 1000.0
    assert find_rated_answer(engine, "someone-else", "Hei! Hva lurer du på?") is None


def test_find_rated_answer_without_events_table(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "empty.db"))
    assert find_rated_answer(conversations.engine_from_settings(), "abc", "Hei") is None
