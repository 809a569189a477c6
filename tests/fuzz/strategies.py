"""Hostile inputs for the channels, as hypothesis strategies.

Text mixes hypothesis' own unicode (every category, lone surrogates included) with the pieces
that broke chat bots before: control characters, bidi overrides, zero-width joiners, emoji,
markup and injection strings, and Rasa's own "/intent{entities}" syntax.
"""
from __future__ import annotations

import json

from hypothesis import strategies as st

# Pieces a uniform draw over 1.1 million code points would almost never produce
SPECIAL_PIECES = [
    "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\x7f", "\x85", "\u2028", "\u2029",
    "\ud800", "\udfff", "\udbff\udfff",  # lone and paired surrogates (a str, not valid UTF-16)
    "\u202e", "\u202d", "\u200f", "\u061c", "\u2066", "\u2069",  # bidi overrides and isolates
    "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad",  # zero-width and soft hyphen
    "😀", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇳🇴", "\U0001f9d1\U0001f3fd\u200d\u2695\ufe0f", "\ufffd", "\U0010ffff",
    "æøå ÆØÅ", "e\u0301", "ﬁ", "İ", "ß",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "{{7*7}}", "${7*7}", "{% print 1 %}", "<%= 7*7 %>", "#{7*7}",
    "' OR '1'='1", "'; DROP TABLE events; --", "\\", "%s%s%n", "%(message)s", "{0}",
    "/greet", "/crisis", "/restart", "/session_start", '/inform_person{"audience": "child"}',
    '/greet{"a": [1, {"b": null}]}', "/greet{", "/" + "a" * 300, "/nlu_fallback",
    "../../etc/passwd", "null", "undefined", "NaN", "-1e999", "__proto__",
    "jeg vil ta livet mitt", "ring 113", "hva er et pakkeforløp?", "sønnen min er 14",
]

any_character = st.characters(exclude_categories=())  # every category, surrogates included
hostile_text = st.lists(
    st.one_of(st.text(any_character, max_size=40), st.sampled_from(SPECIAL_PIECES)),
    min_size=0, max_size=6,
).map("".join)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(hostile_text, children, max_size=4)),
    max_leaves=12,
)

sender_values = st.one_of(json_values, hostile_text, st.sampled_from(["", " ", "a" * 256, "\ud800", 0, -1, True]))
message_values = st.one_of(json_values, hostile_text)

# A REST body: mostly {"sender", "message", ...} with wrong types, sometimes anything at all
rest_bodies = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={"sender": sender_values, "message": message_values, "metadata": json_values,
                  "input_channel": json_values},
    ),
    json_values,
)

CONTENT_TYPES = [
    "application/json", "application/json; charset=latin-1", "text/plain", "text/html",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
    "", "application/json; charset=utf-16", "image/png",
]
raw_bodies = st.one_of(
    st.binary(max_size=300),
    # JSON with the lone surrogates written as raw bytes (ED A0 80), which is not UTF-8
    st.builds(lambda sender, text: json.dumps({"sender": sender, "message": text}, ensure_ascii=False)
              .encode("utf-8", "surrogatepass"), hostile_text, hostile_text),
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"{", b"[", b"null", b"{}", b"[]", b"{\"message\": \"hei\"", b"\xff\xfe{}",
                     b"\xef\xbb\xbf{\"sender\": \"bom\", \"message\": \"hei\"}", b"{" * 5000,
                     b"[" * 100_000]),
)


def deep(depth: int, leaf=None):
    """A JSON value nested `depth` levels deep (what recursion limits are made of)."""
    value = leaf
    for n in range(depth):
        value = {"a": value} if n % 2 else [value]
    return value
