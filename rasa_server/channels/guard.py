"""Checks a resident's message before Rasa sees it: type, size, characters and metadata.

Pure, shared by the REST and socket.io channels. An oversized message is refused with a clear
answer, but a crisis is never refused: the channel reads the whole text for a crisis first (up
to MAX_SCANNED_CHARS; beyond that the refusal itself names 113), and a sure crisis goes on to
the assistant whole, so it is answered and stored like any message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

MAX_MESSAGE_CHARS = 3000  # a long chat message is ~500 characters; this leaves room to spare
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
# The crisis scan costs ~5 ms per 1000 characters on the event loop every resident shares
# (1.6 s at 300 000): ten times the limit is still read, anything longer is refused unread
MAX_SCANNED_CHARS = 10 * MAX_MESSAGE_CHARS
# A request body this large cannot hold a message that would be read: refused before parsing
# (a 30 000-character message written as JSON \u escapes, with room for metadata)
MAX_BODY_BYTES = 256 * 1024
# The widget sends flat metadata; deeper nesting made the masking tracker store recurse until
# RecursionError, and the message was lost
MAX_METADATA_DEPTH = 8
# C0/C1 control characters except tab and newline: NUL cannot be stored in PostgreSQL text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone UTF-16 surrogates: JSON's "\ud800" (and the bytes ED A0 80, which the JSON parser lets
# through) give a str that cannot be encoded as UTF-8. spaCy's tokenizer then fails (the message
# is lost), and as a sender id it makes Rasa's SQL tracker store call sys.exit: the server dies.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"

TOO_LONG = (
    f"Meldingen er for lang (mer enn {MAX_MESSAGE_CHARS} tegn). Skriv gjerne kortere. "
    "Er det akutt, ring 113."
)
NOT_TEXT = "Meldingen må være tekst."
EMPTY = "Meldingen er tom. Skriv spørsmålet ditt, for eksempel «Hva er et pakkeforløp?». Er det akutt, ring 113."
BAD_SENDER = "Samtale-ID-en (sender) må være tekst på høyst 255 tegn."
BAD_METADATA = f"Feltet «metadata» må være et JSON-objekt, høyst {MAX_METADATA_DEPTH} nivåer dypt."


@dataclass(frozen=True)
class Checked:
    text: Optional[str]  # cleaned message, or None when refused (kept when too_long)
    error: Optional[str] = None  # Norwegian explanation for the resident
    status: int = 200
    too_long: bool = False  # over MAX_MESSAGE_CHARS: refused unless the crisis net is sure


def check_sender(sender: Any) -> Optional[str]:
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        return None
    sender = str(sender).strip()
    if not sender or len(sender) > MAX_SENDER_CHARS or _CONTROL.search(sender) or _SURROGATE.search(sender):
        return None
    return sender


def check_message(message: Any) -> Checked:
    if not isinstance(message, str):
        return Checked(None, NOT_TEXT, 400)
    text = _SURROGATE.sub(REPLACEMENT_CHARACTER, _CONTROL.sub(" ", message))
    if not text.strip():
        return Checked(None, EMPTY, 400)
    if len(text) > MAX_SCANNED_CHARS:
        return Checked(None, TOO_LONG, 413)
    if len(text) > MAX_MESSAGE_CHARS:
        return Checked(text, TOO_LONG, 413, too_long=True)
    return Checked(text)


def check_metadata(metadata: Any) -> bool:
    """Absent, or a JSON object at most MAX_METADATA_DEPTH levels deep (checked without recursion)."""
    if metadata is None:
        return True
    if not isinstance(metadata, dict):
        return False
    pending = [(metadata, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_METADATA_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True
