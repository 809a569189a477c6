"""All run-time settings in one place: environment variables (and .env) with safe defaults.

Every environment variable the project reads is read here (`.env.example` lists them):
`load()` for the assistant (tracker store, origins, retention, municipalities, time zone),
`review()` for the staff console, `webchat()` for the demo page's server, `cluster()` for
the cluster launcher, and the flags below. Read on first use, never at import, so tests can
set their own.
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
DEFAULT_MUNICIPALITIES_DIR = PROJECT_ROOT / "content" / "municipalities"
DEFAULT_MUNICIPALITY = "kommune-a"  # the first seed page's municipality: REST clients that name none
DEFAULT_MESSAGES_IN_PROGRESS = 6  # per Rasa server; the rest wait in arrival order (docs/performance.md)
DEFAULT_ACTION_TIMEOUT_SECONDS = 1.5  # then the resident gets the apology instead of a wait
DEFAULT_REVIEW_PORT = 8081
DEFAULT_REVIEW_LOW_CONFIDENCE = 0.6  # below this an intent guess is worth a look
DEFAULT_WEBCHAT_HOST = "127.0.0.1"  # a demo: not reachable from other machines unless asked
DEFAULT_WEBCHAT_PORT = 8080
DEFAULT_CHAT_SERVER = "http://localhost:5005"
DEFAULT_CLUSTER_DIR = PROJECT_ROOT / "var" / "cluster"
DEFAULT_CLUSTER_PORTS = {
    "CLUSTER_PORT": 8080, "CLUSTER_RASA_PORT": 5005, "CLUSTER_ACTION_PORT": 5055,
    "CLUSTER_ACTION_LB_PORT": 5050, "CLUSTER_POSTGRES_PORT": 5433, "CLUSTER_REDIS_PORT": 6380,
    "CLUSTER_WEB_PORT": 8090, "CLUSTER_REVIEW_PORT": 8081,
}


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


def env(name: str, default: Optional[str] = None) -> Optional[str]:
    """One environment variable (or its line in .env); the default when unset or empty."""
    _load_dotenv_once()
    value = os.environ.get(name)
    return value if value is not None and value.strip() else default


def flag(name: str, default: bool = False) -> bool:
    value = env(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def messages_in_progress() -> int:
    """Messages one Rasa server handles at once (read per gate, so tests can change it)."""
    return positive_from_env("MESSAGES_IN_PROGRESS", DEFAULT_MESSAGES_IN_PROGRESS, int)


def action_timeout_seconds() -> float:
    """How long the Rasa server waits for the action server (read per custom action)."""
    return positive_from_env("ACTION_TIMEOUT_SECONDS", DEFAULT_ACTION_TIMEOUT_SECONDS, float)


def log_level(default: str = "WARNING") -> str:
    """LOG_LEVEL (Rasa's own variable), for the processes that configure logging themselves."""
    _load_dotenv_once()
    return (os.environ.get("LOG_LEVEL") or default).upper()


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
    municipalities_dir: str = str(DEFAULT_MUNICIPALITIES_DIR)
    default_municipality: str = DEFAULT_MUNICIPALITY
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
        municipalities_dir=env.get("MUNICIPALITIES_DIR") or str(DEFAULT_MUNICIPALITIES_DIR),
        default_municipality=(env.get("DEFAULT_MUNICIPALITY") or DEFAULT_MUNICIPALITY).strip(),
        timezone=env.get("FORLOP_TIMEZONE", "Europe/Oslo"),
    )


@dataclass(frozen=True)
class ReviewSettings:
    secret_key: Optional[str]  # None: a random key per process (sessions end on restart)
    database_url: Optional[str]  # None: the tracker store's database
    cookie_secure: bool
    low_confidence: float
    domain_path: str
    trusted_proxies: int
    host: str
    port: int


def review() -> ReviewSettings:
    return ReviewSettings(
        secret_key=env("REVIEW_SECRET_KEY"),
        database_url=env("REVIEW_DATABASE_URL"),
        cookie_secure=flag("REVIEW_COOKIE_SECURE", True),
        low_confidence=float(env("REVIEW_LOW_CONFIDENCE", str(DEFAULT_REVIEW_LOW_CONFIDENCE))),
        domain_path=env("REVIEW_DOMAIN_PATH", str(PROJECT_ROOT / "domain.yml")),
        trusted_proxies=int(env("REVIEW_TRUSTED_PROXIES", "0")),
        host=env("REVIEW_HOST", "127.0.0.1"),
        port=int(env("REVIEW_PORT", str(DEFAULT_REVIEW_PORT))),
    )


def review_password() -> Optional[str]:
    """The new staff account's password for `python -m review create-user` (else asked for)."""
    return env("REVIEW_PASSWORD")


@dataclass(frozen=True)
class WebchatSettings:
    host: str
    port: int
    chat_server: str
    quiet: bool


def webchat() -> WebchatSettings:
    return WebchatSettings(
        host=env("WEBCHAT_HOST", DEFAULT_WEBCHAT_HOST),
        port=int(env("WEBCHAT_PORT", str(DEFAULT_WEBCHAT_PORT))),
        chat_server=env("CHAT_SERVER_URL", DEFAULT_CHAT_SERVER),
        quiet=flag("WEBCHAT_QUIET"),
    )


@dataclass(frozen=True)
class ClusterSettings:
    directory: str
    rasa_servers: int
    action_servers: int
    postgres_bin: Optional[str]


def cluster() -> ClusterSettings:
    return ClusterSettings(
        directory=env("CLUSTER_DIR", str(DEFAULT_CLUSTER_DIR)),
        rasa_servers=int(env("CLUSTER_RASA_SERVERS", "2")),
        action_servers=int(env("CLUSTER_ACTION_SERVERS", "2")),
        postgres_bin=env("PG_BIN"),
    )


def cluster_port(name: str) -> int:
    """One of the cluster's fixed ports (DEFAULT_CLUSTER_PORTS names them)."""
    value = env(name)
    try:
        return int(value) if value else DEFAULT_CLUSTER_PORTS[name]
    except ValueError:
        raise SystemExit(f"cluster: {name}={value!r} is not a port number") from None


def skip_spacy_download() -> bool:
    """Set by tests and offline machines: setup then does not try the spaCy release host."""
    return env("FORLOP_SKIP_SPACY_DOWNLOAD") == "1"
