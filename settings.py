"""All run-time settings in one place: environment variables (and .env) with safe defaults.

Read on first use, never at import of the actions package, so tests can set their own.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent
Number = TypeVar("Number", int, float)
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "tracker.db"
DEFAULT_ALLOWED_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"
DEFAULT_RETENTION_DAYS = 30  # conversations are health data: keep them briefly
DEFAULT_CONTACTS_FILE = PROJECT_ROOT / "content" / "contacts.yml"


def load_dotenv_file() -> None:
    """Puts the settings of .env into the environment (variables already set win)."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is in requirements
        return
    load_dotenv(PROJECT_ROOT / ".env", override=False)


@functools.lru_cache(maxsize=1)
def _load_dotenv_once() -> None:
    load_dotenv_file()


def positive_from_env(name: str, default: Number, convert: Callable[[str], Number]) -> Number:
    """A positive number from the environment (or .env); the default when unset, unreadable
    or not above zero, so a typo in a tuning variable never stops the server. Read on every
    call (tests change the environment), but .env only once: the action deadline is read per
    custom action, and the file must not be read in every resident's turn."""
    _load_dotenv_once()
    try:
        value = convert(os.environ.get(name, str(default)))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Settings:
    tracker_dialect: str = "sqlite"
    tracker_db: str = str(DEFAULT_SQLITE_PATH)
    tracker_host: Optional[str] = None
    tracker_port: Optional[int] = None
    tracker_user: Optional[str] = None
    tracker_password: Optional[str] = None
    allowed_origins: List[str] = field(default_factory=list)
    retention_days: int = DEFAULT_RETENTION_DAYS
    contacts_file: str = str(DEFAULT_CONTACTS_FILE)
    timezone: str = "Europe/Oslo"

    @property
    def tracker_url(self) -> str:
        """SQLAlchemy URL of the tracker store database (for tools outside Rasa)."""
        if self.tracker_dialect == "sqlite":
            return f"sqlite:///{self.tracker_db}"
        from sqlalchemy.engine.url import URL

        return str(
            URL.create(
                drivername=self.tracker_dialect,
                username=self.tracker_user,
                password=self.tracker_password,
                host=self.tracker_host,
                port=self.tracker_port,
                database=self.tracker_db,
            )
        )


def load() -> Settings:
    load_dotenv_file()
    env = os.environ
    dialect = env.get("TRACKER_DIALECT", "sqlite").strip() or "sqlite"
    default_db = str(DEFAULT_SQLITE_PATH) if dialect == "sqlite" else "rasa"
    port = env.get("TRACKER_PORT")
    origins = env.get("ALLOWED_ORIGINS", DEFAULT_ALLOWED_ORIGINS)
    return Settings(
        tracker_dialect=dialect,
        tracker_db=env.get("TRACKER_DB") or default_db,
        tracker_host=env.get("TRACKER_HOST") or None,
        tracker_port=int(port) if port else None,
        tracker_user=env.get("TRACKER_USER") or None,
        tracker_password=env.get("TRACKER_PASSWORD") or None,
        allowed_origins=[o.strip() for o in origins.split(",") if o.strip()],
        retention_days=int(env.get("RETENTION_DAYS", DEFAULT_RETENTION_DAYS)),
        contacts_file=env.get("CONTACTS_FILE") or str(DEFAULT_CONTACTS_FILE),
        timezone=env.get("FORLOP_TIMEZONE", "Europe/Oslo"),
    )
