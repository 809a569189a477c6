"""A municipality's contact directory (content/municipalities/<id>/contacts.yml): loading and validation.

The municipality edits this file by hand; a mistake must stop the action server at start
with a message naming the file, the entry and the field, not surface as a wrong answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import phonenumbers
import yaml

from actions.opening_hours import HoursFormatError, parse_hours

AUDIENCES = ("children", "adults")
FIELDS = ("id", "audience", "service", "role", "name", "phone", "email", "phone_hours")
REQUIRED = ("id", "audience", "service", "role")  # the rest may stay empty: never guessed
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
ID = re.compile(r"^[a-z][a-z0-9_]*$")


class DirectoryError(ValueError):
    """The contact directory is malformed; the message names the field."""


@dataclass(frozen=True)
class Contact:
    id: str
    audience: str
    service: str
    role: str
    name: str = ""
    phone: str = ""
    email: str = ""
    phone_hours: str = ""


def _check_entry(index: int, entry: object, where: str) -> Contact:
    place = f"{where}: contacts[{index}]"
    if not isinstance(entry, dict):
        raise DirectoryError(f"{place}: must be a mapping with the fields {', '.join(FIELDS)}")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise DirectoryError(f"{place}.{unknown[0]}: unknown field (allowed: {', '.join(FIELDS)})")
    values: Dict[str, str] = {}
    for field in FIELDS:
        value = entry.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise DirectoryError(f"{place}.{field}: must be text (put it in quotes), got {value!r}")
        values[field] = value.strip()
        if field in REQUIRED and not values[field]:
            raise DirectoryError(f"{place}.{field}: is required and empty")
    if not ID.match(values["id"]):
        raise DirectoryError(f"{place}.id: '{values['id']}' must be lowercase letters, digits and _")
    if values["audience"] not in AUDIENCES:
        raise DirectoryError(f"{place}.audience: '{values['audience']}' must be one of {', '.join(AUDIENCES)}")
    if values["phone"]:
        try:
            number = phonenumbers.parse(values["phone"], "NO")
        except phonenumbers.NumberParseException as error:
            raise DirectoryError(f"{place}.phone: '{values['phone']}' is not a phone number ({error})") from None
        if not phonenumbers.is_valid_number(number):
            raise DirectoryError(f"{place}.phone: '{values['phone']}' is not a valid Norwegian phone number")
    if values["email"] and not EMAIL.match(values["email"]):
        raise DirectoryError(f"{place}.email: '{values['email']}' is not an e-mail address")
    if values["phone_hours"]:
        if not values["phone"]:
            raise DirectoryError(f"{place}.phone_hours: phone hours given but phone is empty")
        try:
            parse_hours(values["phone_hours"])
        except HoursFormatError as error:
            raise DirectoryError(f"{place}.phone_hours: {error}") from None
    return Contact(**values)


def parse_directory(data: object, where: str = "contacts.yml", require_audiences: bool = True) -> List[Contact]:
    """`require_audiences=False` allows a page that names no contact for children or adults."""
    if not isinstance(data, dict) or not isinstance(data.get("contacts"), list):
        raise DirectoryError(f"{where}: must have a top-level 'contacts:' list")
    contacts = [_check_entry(i, entry, where) for i, entry in enumerate(data["contacts"])]
    seen: Dict[str, int] = {}
    for index, contact in enumerate(contacts):
        if contact.id in seen:
            raise DirectoryError(f"{where}: contacts[{index}].id: '{contact.id}' is used twice")
        seen[contact.id] = index
    for audience in AUDIENCES if require_audiences else ():
        if not any(c.audience == audience for c in contacts):
            raise DirectoryError(f"{where}: contacts: no entry with audience '{audience}'")
    return contacts


def load_directory(path: Path, require_audiences: bool = True) -> List[Contact]:
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryError(f"{where}: cannot be read ({error.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DirectoryError(f"{where}: is not valid YAML ({error})") from None
    return parse_directory(data, where, require_audiences)


def contact_for(contacts: List[Contact], audience: str) -> Optional[Contact]:
    """First entry for 'children' or 'adults'."""
    return next((c for c in contacts if c.audience == audience), None)
