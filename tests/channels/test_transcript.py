"""The resident's own copy (rasa_server/channels/transcript.py): stored events as readable text."""
from __future__ import annotations

import sqlalchemy as sa

from rasa_server.channels import transcript

# 2024-05-02 10:15 UTC is 12:15 in Oslo (summer time)
T = 1714644900.0
EVENTS = [
    {"event": "slot", "name": "municipality", "value": "kommune-a", "timestamp": T},
    {"event": "user", "text": "ring meg på «telefonnummer»", "timestamp": T},
    {"event": "bot", "text": "Hei!\nHva lurer du på?", "timestamp": T + 60,
     "data": {"buttons": [{"title": "Kontakt", "payload": "/ask_contact"}]}},
    {"event": "user", "text": "/ask_contact", "timestamp": T + 120},
    {"event": "bot", "text": None, "timestamp": T + 121},
    {"event": "action", "name": "action_listen"},
]


def test_render_in_each_language():
    nb = transcript.render(EVENTS, "nb", municipality_name="Kommune A", now=T)
    assert nb.messages == 3
    assert nb.text.splitlines()[:2] == ["Samtale med Forløpsassistenten – Kommune A", "Lastet ned 2024-05-02 12:15."]
    assert "personopplysninger som assistenten kjenner igjen" in nb.text.lower()
    assert "2024-05-02 12:15 Du: ring meg på «telefonnummer»" in nb.text
    assert "2024-05-02 12:16 Assistenten: Hei!\nHva lurer du på?" in nb.text
    assert "2024-05-02 12:17 Du: Kontakt" in nb.text, "a quick reply shows the title that was clicked"
    en = transcript.render(EVENTS, "en", now=T)
    assert en.text.startswith("Conversation with Forløpsassistenten\n")
    assert "You: ring meg" in en.text and "Assistant: Hei!" in en.text
    assert "Lasta ned" in transcript.render(EVENTS, "nn", now=T).text
    assert transcript.render(EVENTS, "xx", now=T).text == transcript.render(EVENTS, "nb", now=T).text


def test_an_empty_conversation_says_so():
    empty = transcript.render([], "nb", now=T)
    assert empty.messages == 0 and "Ingen meldinger er lagret" in empty.text


def test_stored_events_reads_one_conversation_oldest_first(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    import json

    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
            " intent_name TEXT, action_name TEXT, data TEXT)"
        )
        for sender, event in [("a", EVENTS[1]), ("b", {"event": "user", "text": "andres"}), ("a", EVENTS[2])]:
            conn.exec_driver_sql(
                "INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                (sender, event["event"], json.dumps(event)),
            )
    events, truncated = transcript.stored_events(engine, "a")
    assert [e["text"] for e in events] == [EVENTS[1]["text"], EVENTS[2]["text"]] and not truncated
    events, truncated = transcript.stored_events(engine, "a", limit=1)
    assert [e["text"] for e in events] == [EVENTS[2]["text"]] and truncated
    assert transcript.municipality_of(EVENTS) == "kommune-a"
