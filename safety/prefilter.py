"""Hundreds of regular expressions against one short message, without running most of them.

Each pattern is parsed once for the literal text any match of it must contain (a set of
alternatives: «livet» for `\\b(ta|tok) livet\\b`, {«drepe», «drap»} for `(drepe|drap)`). A
pattern is only run when one of its needles is in the message, which is an exact substring
test; a pattern whose needles cannot be worked out is always run. So the result is the same
as running every pattern in order (tested on every message of the crisis sets), at a fraction
of the cost (docs/crisis-detection.md, "What it costs").
Pure: no Rasa imports.
"""
from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

try:  # Python 3.11 moved the parser; 3.10 (Rasa 3.6) has sre_parse
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re._constants import BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    import sre_parse  # type: ignore[no-redef]
    from sre_constants import (  # type: ignore[no-redef]
        ASSERT, BRANCH, LITERAL, MAX_REPEAT, MIN_REPEAT, SUBPATTERN)

KEY_LENGTH = 3
Needles = Optional[FrozenSet[str]]  # None: no literal text is certain, always run the pattern


def _better(a: Needles, b: Needles) -> Needles:
    """The more selective of two needle sets: the one whose shortest needle is longer."""
    if a is None:
        return b
    if b is None:
        return a
    return a if min(map(len, a)) >= min(map(len, b)) else b


def _sequence(items) -> Needles:
    best: Needles = None
    run: List[str] = []
    for op, arg in list(items) + [(None, None)]:
        if op is LITERAL:
            run.append(chr(arg))
            continue
        if run:  # a literal run ends: any match contains it whole
            best = _better(best, frozenset(["".join(run)]))
            run = []
        if op is SUBPATTERN:
            _group, add_flags, del_flags, inner = arg
            if not add_flags and not del_flags:
                best = _better(best, _sequence(inner))
        elif op is BRANCH:
            branches = [_sequence(branch) for branch in arg[1]]
            if all(b is not None for b in branches):
                best = _better(best, frozenset().union(*branches))
        elif op is ASSERT:  # (?=X) and (?<=X): X is in the message too
            best = _better(best, _sequence(arg[1]))
        elif op in (MAX_REPEAT, MIN_REPEAT):
            low, _high, inner = arg
            if low >= 1:
                best = _better(best, _sequence(inner))
        # anything else (character classes, \\b, (?!X), optional parts) is skipped:
        # leaving out a part can only make the needles less selective, never wrong
    return best


def needles(pattern: str) -> Needles:
    """Literal strings of which every match of `pattern` contains at least one."""
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    found = _sequence(parsed)
    return found if found and all(found) else None


class PatternSet:
    """Ordered regular expressions; `first` gives what running them in order would give."""

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = list(sources)
        self.compiled = [re.compile(source) for source in self.sources]
        self.needles = [needles(source) for source in self.sources]
        self._always = [i for i, found in enumerate(self.needles) if found is None]
        by_needle: Dict[str, List[int]] = {}
        for i, found in enumerate(self.needles):
            for needle in found or ():
                by_needle.setdefault(needle, []).append(i)
        # needles filed by their first KEY_LENGTH characters: a message's own short
        # substrings pick the few needles worth an exact test (testing every needle was slow)
        self._by_key: Dict[str, List[Tuple[str, List[int]]]] = {}
        for needle, indices in by_needle.items():
            self._by_key.setdefault(needle[:KEY_LENGTH], []).append((needle, indices))
        self._keys = frozenset(self._by_key)
        self._key_lengths = sorted({len(key) for key in self._keys})

    def candidates(self, message: str) -> List[int]:
        """Indices, in order, of the patterns that can match the message."""
        chosen = set(self._always)
        grams = {message[i:i + size] for size in self._key_lengths for i in range(len(message) - size + 1)}
        for key in grams & self._keys:
            for needle, indices in self._by_key[key]:
                if needle in message:
                    chosen.update(indices)
        return sorted(chosen)

    def first(self, message: str) -> Optional[Tuple[int, "re.Match[str]"]]:
        for i in self.candidates(message):
            found = self.compiled[i].search(message)
            if found:
                return i, found
        return None

    def any(self, message: str) -> bool:
        return self.first(message) is not None

    def remove_all(self, message: str, replacement: str = " ") -> str:
        """Each pattern's matches replaced, in order. A replacement can make a later pattern
        match, so the candidates are chosen again from the changed text."""
        pending = self.candidates(message)
        while pending:
            i = pending.pop(0)
            changed = self.compiled[i].sub(replacement, message)
            if changed != message:
                message = changed
                pending = [j for j in self.candidates(message) if j > i]
        return message
