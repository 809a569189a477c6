"""A throw-away copy of content/municipalities/ for tests that break or add a municipality."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content" / "municipalities"


def copy_municipalities(destination: Path) -> Path:
    """The shipped folders copied to destination/municipalities; returns that folder."""
    target = Path(destination) / "municipalities"
    shutil.copytree(SHIPPED, target)
    return target


def break_adult_phone(folder: Path) -> Path:
    """Kommune A's saksbehandler gets a phone number that is not one; returns the edited file."""
    contacts = folder / "kommune-a" / "contacts.yml"
    text = contacts.read_text(encoding="utf-8")
    assert 'phone: "901 50 842"' in text
    contacts.write_text(text.replace('phone: "901 50 842"', 'phone: "901 50"'), encoding="utf-8")
    return contacts
