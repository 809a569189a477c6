"""The load test's check of what PostgreSQL holds (evaluation/loadtest.py), on made-up rows:
it must find lost, duplicated and interleaved messages, and accept the two messages sent
together in either order."""
from __future__ import annotations

import pytest

from evaluation.loadtest import SCRIPTS, Conversation, Exchange, Verification, turns_of, verify_conversation


def answered(script: str = "child") -> Conversation:
    conversation = Conversation("c1", script, "127.10.0.1")
    for slot, turn in turns_of(SCRIPTS[script]):
        conversation.exchanges.append(Exchange("c1", slot, turn, status=200, replies=[f"svar på {turn.text}"]))
    return conversation


def rows(conversation: Conversation):
    stored = []
    for exchange in conversation.exchanges:
        stored.append(("user", exchange.turn.text))
        stored.extend(("bot", reply) for reply in exchange.replies)
    return stored


def check(conversation, stored) -> Verification:
    result = Verification()
    verify_conversation(conversation, stored, result)
    return result


def test_a_faithful_store_is_clean():
    conversation = answered()
    result = check(conversation, rows(conversation))
    assert result.clean and result.user_events == len(conversation.exchanges)


def test_the_two_messages_sent_together_may_be_stored_in_either_order():
    conversation = answered()
    stored = rows(conversation)
    together = [i for i, e in enumerate(conversation.exchanges) if e.slot == conversation.exchanges[i - 1].slot]
    assert together, "every script sends two messages together"
    second = conversation.exchanges[together[0]]
    first = conversation.exchanges[together[0] - 1]
    start = stored.index(("user", first.turn.text))
    block = [("user", second.turn.text), ("bot", second.replies[0]), ("user", first.turn.text), ("bot", first.replies[0])]
    swapped = stored[:start] + block + stored[start + 4:]
    assert check(conversation, swapped).clean


def test_a_lost_message_is_found():
    conversation = answered()
    stored = rows(conversation)
    del stored[4:6]  # the third message and its reply
    result = check(conversation, stored)
    assert result.lost == 1 and not result.duplicated


def test_a_duplicated_message_is_found():
    conversation = answered()
    stored = rows(conversation)
    result = check(conversation, stored + stored[2:4])
    assert result.duplicated == 1


def test_messages_out_of_order_are_found():
    conversation = answered()
    stored = rows(conversation)
    stored[0:2], stored[2:4] = stored[2:4], stored[0:2]
    assert check(conversation, stored).out_of_order == 1


@pytest.mark.parametrize("change", ["interleaved", "missing reply", "extra reply"])
def test_replies_that_are_not_what_the_client_received_are_found(change):
    conversation = answered()
    stored = rows(conversation)
    if change == "interleaved":  # the second message arrived before the first one's reply
        stored[1], stored[2] = stored[2], stored[1]
    elif change == "missing reply":
        del stored[1]
    else:
        stored.insert(1, ("bot", "noe annet"))
    assert check(conversation, stored).reply_mismatch >= 1


def test_a_failed_request_is_not_counted_as_lost():
    conversation = answered()
    failed = conversation.exchanges[3]
    failed.status, failed.error, failed.replies = 502, "HTTP 502", None
    stored = [row for row in rows(answered()) if row[1] not in (failed.turn.text, f"svar på {failed.turn.text}")]
    assert check(conversation, stored).clean


def test_every_script_expects_the_crisis_answer_or_another_real_answer():
    for name, script in SCRIPTS.items():
        turns = [turn for _, turn in turns_of(script)]
        assert 10 <= len(turns) <= 12, name
    crisis_turns = [turn for _, turn in turns_of(SCRIPTS["crisis"]) if "113" in turn.expect]
    assert len(crisis_turns) == 2
