"""Numbers from a request, only within what both databases can compare and store.

`int()` alone is not enough: "²".isdigit() is true but int("²") fails, and SQLite refuses a
Python int beyond 2**63 (OverflowError) where PostgreSQL would only find no row.
"""
from __future__ import annotations

from typing import Optional

MAX_ROW_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column here


def row_id(value: Optional[str]) -> Optional[int]:
    """A positive database id written in ASCII digits, or None."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None
