"""Small helpers shared by the benchmarks, the load test and the fault tests."""
from __future__ import annotations

from typing import List, Tuple


def percentile(values: List[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def split_turns(stored: List[Tuple[str, str]]) -> Tuple[List[Tuple[str, List[str]]], List[str]]:
    """A conversation's stored (kind, text) events as turns: [(user text, bot texts after it)],
    plus the bot texts stored before any user event (which should not exist)."""
    turns: List[Tuple[str, List[str]]] = []
    orphans: List[str] = []
    for kind, text in stored:
        if kind == "user":
            turns.append((text, []))
        elif turns:
            turns[-1][1].append(text)
        else:
            orphans.append(text)
    return turns, orphans
