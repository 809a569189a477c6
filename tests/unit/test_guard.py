"""Input checks in front of the channels (channels/guard.py)."""
import pytest

from channels.guard import MAX_MESSAGE_CHARS, check_message, check_sender


@pytest.mark.parametrize("message,status", [
    (None, 400), (7, 400), (["hei"], 400), ({"a": 1}, 400), ("", 400), ("  \n ", 400), ("\x00\x01", 400),
    ("x" * (MAX_MESSAGE_CHARS + 1), 413),
])
def test_refused(message, status):
    checked = check_message(message)
    assert checked.text is None and checked.status == status and checked.error


@pytest.mark.parametrize("message,cleaned", [
    ("hei", "hei"), ("a\x00b", "a b"), ("linje 1\nlinje 2\tx", "linje 1\nlinje 2\tx"),
    ("x" * MAX_MESSAGE_CHARS, "x" * MAX_MESSAGE_CHARS), ("<script>alert(1)</script>", "<script>alert(1)</script>"),
])
def test_accepted_and_cleaned(message, cleaned):
    assert check_message(message).text == cleaned


def test_oversized_crisis_is_flagged_not_dropped():
    checked = check_message("jeg orker ikke mer " + "bla " * 1000 + " jeg vil ta livet mitt")
    assert checked.text is None and checked.crisis


@pytest.mark.parametrize("sender,expected", [
    ("abc", "abc"), (12, "12"), (" x ", "x"), ("", None), (None, None), (True, None),
    ([1], None), ("a" * 256, None), ("a\x00", None),
])
def test_sender(sender, expected):
    assert check_sender(sender) == expected
