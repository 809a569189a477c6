"""Checks a resident's message before Rasa sees it: type, size and control characters.

Pure, shared by the REST and socket.io channels. An oversized message is refused with a clear
answer, but a crisis is never refused: the safety net reads the whole text first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

MAX_MESSAGE_CHARS = 3000  # a long chat message is ~500 characters; this leaves room to spare
MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
# C0/C1 control characters except tab and newline: NUL cannot be stored in PostgreSQL text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

TOO_LONG = (
    f"Meldingen er for lang (mer enn {MAX_MESSAGE_CHARS} tegn). Skriv gjerne kortere. "
    "Er det akutt, ring 113."
)
NOT_TEXT = "Meldingen må være tekst."
EMPTY = "Meldingen er tom. Skriv spørsmålet ditt, for eksempel «Hva er et pakkeforløp?». Er det akutt, ring 113."
BAD_SENDER = "Samtale-ID-en (sender) må være tekst på høyst 255 tegn."


@dataclass(frozen=True)
class Checked:
    text: Optional[str]  # cleaned message, or None when refused
    error: Optional[str] = None  # Norwegian explanation for the resident
    status: int = 200
    crisis: bool = False  # oversized but a crisis: answer with the crisis response


def check_sender(sender: Any) -> Optional[str]:
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        return None
    sender = str(sender).strip()
    if not sender or len(sender) > MAX_SENDER_CHARS or _CONTROL.search(sender):
        return None
    return sender


def check_message(message: Any) -> Checked:
    if not isinstance(message, str):
        return Checked(None, NOT_TEXT, 400)
    text = _CONTROL.sub(" ", message)
    if not text.strip():
        return Checked(None, EMPTY, 400)
    if len(text) > MAX_MESSAGE_CHARS:
        from safety.patterns import is_crisis

        return Checked(None, TOO_LONG, 413, crisis=is_crisis(text))
    return Checked(text)
