"""Prints what a fault test saw, even under pytest's capture, and appends it to reports/faults.md.

The fault tests are experiments as much as checks: their figures (failed requests, outage
length, what residents saw) are the result, so they are shown whether the test passes or not.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT_FILE = ROOT / "reports" / "faults.md"  # reports/ is never committed


class FaultReport:
    def __init__(self, title: str) -> None:
        REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
        self._file = REPORT_FILE.open("a", encoding="utf-8")
        self._started = time.monotonic()
        self._write(f"\n## {title} ({time.strftime('%Y-%m-%d %H:%M:%S')})\n")

    def _write(self, text: str) -> None:
        # sys.__stdout__: the real terminal, which pytest's capture does not replace
        print(text, file=sys.__stdout__, flush=True)
        self._file.write(text + "\n")
        self._file.flush()

    def line(self, text: str) -> None:
        """One finding, stamped with the seconds since the test started."""
        self._write(f"- [{time.monotonic() - self._started:6.1f} s] {text}")

    def close(self) -> None:
        self._file.close()
