"""The commands the README shows: create-user, set-municipalities, init-db, refresh, prune."""
from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from evaluation import synthetic_conversations as synthetic
from review import db
from review.__main__ import cli


def test_create_user_refresh_and_prune(tmp_path, monkeypatch):
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(path))
    monkeypatch.delenv("REVIEW_DATABASE_URL", raising=False)
    runner = CliRunner()
    monkeypatch.setenv("REVIEW_PASSWORD", "kort")
    result = runner.invoke(cli, ["create-user", "kari", "--role", "admin"])
    assert result.exit_code != 0 and "minst 12 tegn" in result.output
    monkeypatch.setenv("REVIEW_PASSWORD", "langt-nok-passord")
    result = runner.invoke(cli, ["create-user", "kari", "--role", "admin"])
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(f"sqlite:///{path}", future=True)
    with engine.connect() as connection:
        user = connection.execute(sa.select(db.users)).one()
    assert (user.username, user.role) == ("kari", "admin")
    assert user.password_hash.startswith("$argon2id$") and "langt-nok-passord" not in user.password_hash

    synthetic.create_events_table(engine)
    synthetic.insert(engine, synthetic.conversation("c1", 1_700_000_000, [
        {"text": "hei", "intent": "greet", "confidence": 0.9}]))
    result = runner.invoke(cli, ["refresh"])
    assert result.exit_code == 0 and "Oppdaterte 1 samtaler" in result.output
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events"))
    result = runner.invoke(cli, ["prune"])
    assert result.exit_code == 0 and "Fjernet 1 samtaler" in result.output
    engine.dispose()


def test_create_user_with_municipalities_and_set_them_later(tmp_path, monkeypatch):
    path = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(path))
    monkeypatch.delenv("REVIEW_DATABASE_URL", raising=False)
    monkeypatch.setenv("REVIEW_PASSWORD", "langt-nok-passord")
    runner = CliRunner()
    engine = sa.create_engine(f"sqlite:///{path}", future=True)

    def assigned():
        with engine.connect() as connection:
            return sorted(r[0] for r in connection.execute(sa.select(db.user_municipalities.c.municipality)))

    result = runner.invoke(cli, ["create-user", "kari", "--municipality", "kommune-a", "--municipality", "kommune-x"])
    assert result.exit_code != 0
    assert "Ukjent kommune: kommune-x. Kjente kommuner: kommune-a, kommune-b, kommune-c." in result.output
    result = runner.invoke(cli, ["create-user", "kari", "--municipality", "kommune-a", "--municipality", "kommune-b"])
    assert result.exit_code == 0, result.output
    assert "Ser samtalene i: kommune-a, kommune-b." in result.output
    assert assigned() == ["kommune-a", "kommune-b"]

    result = runner.invoke(cli, ["create-user", "per"])
    assert result.exit_code == 0 and "ingen kommune er valgt, så brukeren ser ingen samtaler" in result.output
    result = runner.invoke(cli, ["set-municipalities", "kari", "--municipality", "kommune-c"])
    assert result.exit_code == 0, result.output
    assert assigned() == ["kommune-c"]
    result = runner.invoke(cli, ["set-municipalities", "kari", "--municipality", "nowhere"])
    assert result.exit_code != 0 and "Kjente kommuner:" in result.output and assigned() == ["kommune-c"]
    result = runner.invoke(cli, ["set-municipalities", "finnes-ikke", "--municipality", "kommune-a"])
    assert result.exit_code != 0 and "Fant ingen bruker finnes-ikke." in result.output
    engine.dispose()
