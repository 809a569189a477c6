"""The allow-list of web origins that may open a socket to the assistant.

Rasa's own socket.io channel disables python-engineio's origin check (it passes
`cors_allowed_origins=[]`, which engineio reads as "no CORS handling"), so any web page could
embed a chat with this server. The channel here passes a callable built from settings instead.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional
from urllib.parse import urlsplit

WILDCARD = "*"


class OriginConfigError(ValueError):
    """ALLOWED_ORIGINS holds something that is not a plain origin."""


def normalize_origin(origin: str) -> str:
    """'HTTPS://Example.no/' -> 'https://example.no' (browsers send the lower-case form)."""
    text = origin.strip().rstrip("/")
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        raise OriginConfigError(f"not an origin (scheme://host[:port]): {origin!r}")
    if parts.path or parts.query or parts.fragment:
        raise OriginConfigError(f"an origin has no path, query or fragment: {origin!r}")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def origin_checker(allowed: Iterable[str]) -> Callable[[Optional[str]], bool]:
    """Returns the predicate engineio calls with each request's Origin header.

    An empty list allows no browser origin at all (engineio would read `[]` as "allow all").
    A wildcard is refused at start: the allow-list is a privacy control, not a convenience.
    """
    normalized = set()
    for origin in allowed:
        if origin.strip() == WILDCARD:
            raise OriginConfigError(
                "ALLOWED_ORIGINS must list origins; '*' would let any web site open the chat"
            )
        normalized.add(normalize_origin(origin))
    frozen = frozenset(normalized)

    def is_allowed(origin: Optional[str]) -> bool:
        if not origin:
            return False
        try:
            return normalize_origin(origin) in frozen
        except OriginConfigError:
            return False

    is_allowed.allowed = frozen  # type: ignore[attr-defined]  # for logs and tests
    return is_allowed
