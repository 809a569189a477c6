"""Reply texts: empty fields are left out, never guessed (actions/replies.py)."""
from pathlib import Path

from actions.age import ADULT, CHILD
from actions.directory import Contact, contact_for, load_directory
from actions.replies import contact_reply, email_reply, hours_reply

ROOT = Path(__file__).resolve().parents[2]
CONTACTS = load_directory(ROOT / "content" / "municipalities" / "kommune-a" / "contacts.yml")
ADULTS = contact_for(CONTACTS, "adults")
CHILDREN = contact_for(CONTACTS, "children")


def test_adult_reply_names_the_saksbehandler_and_phone():
    text = contact_reply(ADULTS, ADULT, "Telefonen er åpen nå.")
    assert "Morten Jansson, saksbehandler" in text
    assert "901 50 842" in text
    assert "Telefonen er åpen nå." in text
    assert "E-post" not in text  # empty in the source


def test_adult_reply_without_status_states_the_hours():
    assert "Telefontid kl. 10.00–14.00" in contact_reply(ADULTS, ADULT, None)


def test_child_reply_goes_to_barne_og_familietjenesten_with_acute_line():
    text = contact_reply(CHILDREN, CHILD)
    assert "forløpskoordinator for barn og unge i Barne- og familietjenesten" in text
    assert "113" in text and "116 117" in text
    assert "Telefon:" not in text  # the source gives no number for the child coordinator
    assert "Morten" not in text


def test_email_missing_offers_the_phone():
    text = email_reply(ADULTS)
    assert "ingen e-postadresse" in text and "901 50 842" in text and "@" not in text


def test_email_present_is_given():
    contact = Contact("x", "adults", "Tjeneste", "Rolle", email="post@example.no")
    assert "post@example.no" in email_reply(contact)


def test_no_phone_no_email_points_to_the_service():
    text = email_reply(CHILDREN)
    assert "Barne- og familietjenesten" in text and "@" not in text


def test_hours_reply():
    assert "901 50 842" in hours_reply(ADULTS, "Telefonen er åpen nå.")
    assert "ikke telefontid" in hours_reply(CHILDREN, None)
