"""Naming a contact's role or name says which contact is meant: no age question back."""
import pytest

from actions.contact_actions import ActionRoutePerson
from actions.named_contact import named_audience
from municipalities import catalogue
from tests.unit.test_fact_actions import monday_morning, say  # noqa: F401 - the clock fixture

A = catalogue.load_catalogue(catalogue.Path(__file__).resolve().parents[2] / "content" / "municipalities",
                             "kommune-a", 30).get("kommune-a").contacts


@pytest.mark.parametrize("text,audience", [
    ("hva er nummeret til saksbehandleren", "adults"),
    ("hvem er saksbehandler for psykisk helse og rus?", "adults"),
    ("kan jeg ringe morten?", "adults"),
    ("tlf til Jansson", "adults"),
    ("Mortens nummer", "adults"),
    ("nummer til forlopskoordinator for barn og unge", "children"),
    ("Barne- og familietjenesten sitt nummer", "children"),
    ("hvem kan jeg kontakte", None),
    ("psykisk helse og rus", None),  # the topic, not a contact
    ("jeg heter mortensen", None),  # a name is not a prefix of another
    ("saksbehandler eller koordinator for barn og unge?", None),  # both: the other rules decide
])
def test_named_audience(text, audience):
    assert named_audience(text, A) == audience


def test_the_answer_names_the_contact_and_its_hours_without_asking_the_age():
    answer = say(ActionRoutePerson(), "kommune-a", text="hva er telefonnummeret til saksbehandleren?")
    assert "Morten Jansson" in answer and "901 50 842" in answer and "10.00" in answer
    assert say(ActionRoutePerson(), "kommune-a", text="kan jeg ringe Morten").count("901 50 842") == 1
    child = say(ActionRoutePerson(), "kommune-a", text="hvem er forløpskoordinator for barn og unge?")
    assert "Barne- og familietjenesten" in child


def test_an_age_said_outright_wins_over_the_role():
    assert "barn og unge" in say(ActionRoutePerson(), "kommune-a", text="jeg er 15, hvem er saksbehandleren?")


def test_a_municipality_without_contacts_says_so_for_the_named_group():
    assert "ingen kontaktperson for voksne" in say(ActionRoutePerson(), "kommune-b", text="hvem er saksbehandleren?")
