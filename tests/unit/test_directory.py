"""The contact directory is validated with messages naming the field (actions/directory.py)."""
import copy
from pathlib import Path

import pytest
import yaml

from actions.directory import DirectoryError, contact_for, load_directory, parse_directory

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "content" / "municipalities" / "kommune-a" / "contacts.yml"


def real_data():
    return yaml.safe_load(REAL.read_text(encoding="utf-8"))


def test_the_shipped_directory_is_valid_and_matches_the_source():
    contacts = load_directory(REAL)
    adults = contact_for(contacts, "adults")
    children = contact_for(contacts, "children")
    assert (adults.name, adults.phone, adults.phone_hours) == ("Morten Jansson", "901 50 842", "10:00-14:00")
    assert adults.email == ""  # empty in the municipal page: never guessed
    assert children.role == "Forløpskoordinator for barn og unge"
    assert children.service == "Barne- og familietjenesten"


def broken(path, value):
    data = real_data()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("data,field", [
    (broken(["contacts", 1, "phone"], "12"), "contacts[1].phone"),
    (broken(["contacts", 1, "phone"], "hei"), "contacts[1].phone"),
    (broken(["contacts", 1, "phone"], 90150842), "contacts[1].phone"),
    (broken(["contacts", 1, "email"], "morten.jansson"), "contacts[1].email"),
    (broken(["contacts", 1, "phone_hours"], "10-14"), "contacts[1].phone_hours"),
    (broken(["contacts", 1, "phone_hours"], "14:00-10:00"), "contacts[1].phone_hours"),
    (broken(["contacts", 0, "audience"], "kids"), "contacts[0].audience"),
    (broken(["contacts", 0, "role"], ""), "contacts[0].role"),
    (broken(["contacts", 0, "id"], KeyError), "contacts[0].id"),
    (broken(["contacts", 0, "telefon"], "1"), "contacts[0].telefon"),
    (broken(["contacts", 0, "phone_hours"], "10:00-14:00"), "contacts[0].phone_hours"),  # hours, no phone
    (broken(["contacts", 1, "id"], "children_coordinator"), "contacts[1].id"),
    (broken(["contacts", 1, "audience"], "children"), "audience 'adults'"),
    ({"kontakter": []}, "contacts:"),
    ("just text", "contacts:"),
])
def test_malformed_directory_names_the_field(data, field):
    with pytest.raises(DirectoryError) as error:
        parse_directory(copy.deepcopy(data), "contacts.yml")
    assert field in str(error.value)


def test_unreadable_and_invalid_yaml_files(tmp_path):
    with pytest.raises(DirectoryError, match="cannot be read"):
        load_directory(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("contacts: [\n  - id: x", encoding="utf-8")
    with pytest.raises(DirectoryError, match="not valid YAML"):
        load_directory(bad)
