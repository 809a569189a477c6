"""The channel resolves the municipality once: named, default, or refused when unknown."""
from rasa_server.channels.municipality import requested_id, resolve, unknown_text, with_municipality
from rasa_server.texts import crisis_text


def test_named_default_and_unknown():
    assert resolve({"municipality": "kommune-b"}) == "kommune-b"
    assert resolve({"municipality": " Kommune-B "}) == "kommune-b"
    assert resolve({}) == resolve(None) == resolve({"municipality": ""}) == "kommune-a"
    assert resolve({"municipality": "kommune-x"}) is None
    assert resolve({"municipality": 7}) is None and requested_id({"municipality": 7}) == "7"


def test_the_client_value_is_replaced_by_the_resolved_id():
    assert with_municipality({"municipality": " Kommune-B ", "x": 1}, "kommune-b") == {"municipality": "kommune-b", "x": 1}


def test_an_unknown_municipality_is_explained_and_a_crisis_still_gets_113_first():
    text = unknown_text({"municipality": "kommune-x"}, crisis=False)
    assert "Ukjent kommune: «kommune-x»" in text and "kommune-a, kommune-b" in text and "113" not in text
    assert unknown_text({"municipality": "kommune-x"}, crisis=True).startswith(crisis_text())
