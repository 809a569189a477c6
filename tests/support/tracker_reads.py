"""Counts trackers rebuilt from database rows: a cache hit rebuilds none.

    reads = TrackerReads(monkeypatch)
    asyncio.run(store.retrieve("id"))
    assert reads.count == 0, "served from memory"
"""
from __future__ import annotations

from rasa.shared.core.trackers import DialogueStateTracker


class TrackerReads:
    def __init__(self, monkeypatch) -> None:
        self.count = 0
        original = DialogueStateTracker.from_dict

        def counting(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(DialogueStateTracker, "from_dict", counting)
