"""Staff accounts: argon2 password hashes, roles, creation from the command line or admin page."""
from __future__ import annotations

import re
import time
from typing import Optional, Sequence

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from review import db, scope

ROLES = ("reviewer", "admin")
ROLE_LABELS = {"reviewer": "Gjennomgår", "admin": "Administrator"}
MIN_PASSWORD_LENGTH = 12  # NSM's advice for passwords people choose themselves
USERNAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]{2,64}$")

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


class UserError(ValueError):
    """A user could not be created or changed; the message is shown to staff (Norwegian)."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passordet må ha minst {MIN_PASSWORD_LENGTH} tegn.")


def check_municipalities(municipalities: Sequence[str]) -> None:
    """Refuses ids that have no folder in content/municipalities/, naming the known ones."""
    unknown = scope.unknown_ids(municipalities)
    if unknown:
        raise UserError(f"Ukjent kommune: {', '.join(unknown)}. "
                        f"Kjente kommuner: {', '.join(scope.known_ids())}.")


def set_municipalities(connection: Connection, user_id: int, municipalities: Sequence[str]) -> None:
    """Which municipalities' conversations the user sees (a reviewer; an admin sees all)."""
    check_municipalities(municipalities)
    scope.set_assigned(connection, user_id, municipalities)


def create_user(connection: Connection, username: str, password: str, role: str,
                municipalities: Sequence[str] = ()) -> int:
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise UserError("Brukernavnet kan bare ha bokstavene a–z, tall, punktum, bindestrek og understrek (2–64 tegn).")
    if role not in ROLES:
        raise UserError(f"Rollen må være en av {', '.join(ROLES)}.")
    check_password_rules(password)
    check_municipalities(municipalities)
    if find_user(connection, username) is not None:
        raise UserError("Brukernavnet finnes allerede.")
    result = connection.execute(db.users.insert().values(
        username=username, password_hash=hash_password(password), role=role,
        active=True, created_at=time.time(),
    ))
    user_id = result.inserted_primary_key[0]
    scope.set_assigned(connection, user_id, municipalities)
    return user_id


def set_password(connection: Connection, user_id: int, password: str) -> None:
    check_password_rules(password)
    connection.execute(db.users.update().where(db.users.c.id == user_id)
                       .values(password_hash=hash_password(password)))


def find_user(connection: Connection, username: str) -> Optional[sa.engine.Row]:
    return connection.execute(sa.select(db.users).where(db.users.c.username == username)).first()


def get_user(connection: Connection, user_id: int) -> Optional[sa.engine.Row]:
    return connection.execute(sa.select(db.users).where(db.users.c.id == user_id)).first()


def verify(connection: Connection, username: str, password: str) -> Optional[sa.engine.Row]:
    """The active user with this name and password, else None; rehashes outdated hashes."""
    user = find_user(connection, username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        connection.execute(db.users.update().where(db.users.c.id == user.id)
                           .values(password_hash=hash_password(password)))
    return user
