"""Input checks in front of the channels (rasa_server/channels/guard.py)."""
import pytest

from rasa_server.channels.guard import (
    MAX_MESSAGE_CHARS,
    MAX_SCANNED_CHARS,
    TOO_LONG,
    check_message,
    check_metadata,
    check_sender,
)


@pytest.mark.parametrize("message,status", [
    (None, 400), (7, 400), (["hei"], 400), ({"a": 1}, 400), ("", 400), ("  \n ", 400), ("\x00\x01", 400),
    ("x" * (MAX_SCANNED_CHARS + 1), 413),
])
def test_refused(message, status):
    checked = check_message(message)
    assert checked.text is None and checked.status == status and checked.error


def test_over_the_limit_is_refused_unless_the_crisis_net_is_sure():
    checked = check_message("x" * (MAX_MESSAGE_CHARS + 1))
    assert checked.too_long and checked.status == 413 and checked.error == TOO_LONG


@pytest.mark.parametrize("message,cleaned", [
    ("hei", "hei"), ("a\x00b", "a b"), ("linje 1\nlinje 2\tx", "linje 1\nlinje 2\tx"),
    ("x" * MAX_MESSAGE_CHARS, "x" * MAX_MESSAGE_CHARS), ("<script>alert(1)</script>", "<script>alert(1)</script>"),
])
def test_accepted_and_cleaned(message, cleaned):
    assert check_message(message).text == cleaned


def test_an_oversized_message_is_kept_for_the_crisis_check_not_dropped():
    text = "jeg orker ikke mer " + "bla " * 1000 + " jeg vil ta livet mitt"
    checked = check_message(text)
    assert checked.text == text and checked.too_long and checked.status == 413


@pytest.mark.parametrize("sender,expected", [
    ("abc", "abc"), (12, "12"), (" x ", "x"), ("", None), (None, None), (True, None),
    ([1], None), ("a" * 256, None), ("a\x00", None),
])
def test_sender(sender, expected):
    assert check_sender(sender) == expected


# --- regressions found by tests/fuzz ---------------------------------------------------------

def test_a_lone_surrogate_becomes_the_replacement_character():
    # spaCy's tokenizer raised UnicodeEncodeError on it: no answer, and the message was lost
    assert check_message("hei \ud800 der \udfff").text == "hei \ufffd der \ufffd"
    assert check_message("😀 e\u0301 \u202e\u200b").text == "😀 e\u0301 \u202e\u200b"  # valid unicode stays


def test_a_sender_with_a_lone_surrogate_is_refused():
    # Rasa's SQL tracker store called sys.exit on the UnicodeEncodeError: the server died
    assert check_sender("abc\ud800") is None


def test_a_very_long_message_is_refused_without_reading_it():
    # the crisis scan held the event loop for 1.6 s at 300 000 characters
    import time

    started = time.monotonic()
    checked = check_message("jeg vil ta livet mitt " * 20_000)
    assert (checked.text, checked.status, checked.too_long, checked.error) == (None, 413, False, TOO_LONG)
    assert time.monotonic() - started < 0.5
    assert check_message("jeg vil ta livet mitt " + "x" * MAX_SCANNED_CHARS)


@pytest.mark.parametrize("metadata,accepted", [
    (None, True), ({}, True), ({"side": "kommune.no", "a": {"b": [1, {"c": 2}]}}, True),
    ([1, 2], False), ("x", False), (7, False), (True, False),
    ({"a": [{"a": [{"a": [{"a": [{"a": 1}]}]}]}]}, False),  # 9 levels of objects and lists
])
def test_metadata(metadata, accepted):
    # a list or string made Rasa drop the message (TypeError), deep nesting a RecursionError
    assert check_metadata(metadata) is accepted
