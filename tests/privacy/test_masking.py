"""Unit tables for privacy.masking: what is masked, and what must stay."""
from __future__ import annotations

from pathlib import Path

import pytest

from privacy.masking import (
    ACCOUNT, ADDRESS, DATE_OF_BIRTH, EMAIL, NAME, NATIONAL_ID, NUMBER, PHONE, MaskResult, build_allow_list,
    placeholder,
)

# (message, the piece that must disappear, its kind)
MASKED = [
    ("ring meg på 412 34 567", "412 34 567", PHONE),
    ("mobilen min er 41234567", "41234567", PHONE),
    ("nr: 98 76 54 32.", "98 76 54 32", PHONE),
    ("ring +47 412 34 567 etter skolen", "+47 412 34 567", PHONE),
    ("0047 98765432", "0047 98765432", PHONE),
    ("svensk nummer +46 70 123 45 67", "+46 70 123 45 67", PHONE),
    ("jeg er 16 og mobilen min er 412 34 567", "412 34 567", PHONE),
    ("mailen min er ola.nordmann@gmail.com", "ola.nordmann@gmail.com", EMAIL),
    ("send til kari-anne_99@hotmail.no takk", "kari-anne_99@hotmail.no", EMAIL),
    ("Per.Hansen+hjelp@skole.viken.no", "Per.Hansen+hjelp@skole.viken.no", EMAIL),
    ("personnummeret mitt er 01010750160", "01010750160", NATIONAL_ID),
    ("fnr 010107 50160", "010107 50160", NATIONAL_ID),
    ("kontonummer 1234.56.78903", "1234.56.78903", ACCOUNT),
    ("konto: 1234 56 78903", "1234 56 78903", ACCOUNT),
    ("pengene kan gå til kontoen 12345678903", "12345678903", ACCOUNT),
    ("jeg bor i Storgata 5", "Storgata 5", ADDRESS),
    ("adressen er kirkeveien 12b", "kirkeveien 12b", ADDRESS),
    ("Elvebakken 3, 3050 Mjøndalen", "Elvebakken 3, 3050 Mjøndalen", ADDRESS),
    ("vi bor i Karl Johans gate 1", "Karl Johans gate 1", ADDRESS),
    ("Lindeveien 14 A", "Lindeveien 14 A", ADDRESS),
    ("bur i Fjellvegen 7", "Fjellvegen 7", ADDRESS),
    ("jeg heter Ola Nordmann", "Ola Nordmann", NAME),
    ("jeg heter ola og er 16", "ola", NAME),
    ("eg heiter Kari, og treng hjelp", "Kari", NAME),
    ("mitt navn er Anne-Lise Berg", "Anne-Lise Berg", NAME),
    ("navnet mitt er Jonas", "Jonas", NAME),
    ("sønnen min heter Per og er 14", "Per", NAME),
    ("sonnen min heter Emil", "Emil", NAME),
    ("mvh Kari Nordmann", "Kari Nordmann", NAME),
    ("referanse 123456789012", "123456789012", NUMBER),
    ("født 01.01.2010", "01.01.2010", DATE_OF_BIRTH),
    ("født 21-11-99", "21-11-99", DATE_OF_BIRTH),
]


@pytest.mark.parametrize("text, secret, kind", MASKED)
def test_personal_data_is_masked(masker, text, secret, kind):
    result = masker.mask(text)
    assert secret not in result.text
    assert placeholder(kind) in result.text
    assert kind in result.kinds


def test_d_number_is_masked_as_national_id(masker):
    from stdnum.no import fodselsnummer

    d_number = "41010750160"  # the day + 40 of 01010750160, with its check digits recomputed
    base = d_number[:9]
    d_number = base + fodselsnummer.calc_check_digit1(base)
    d_number += fodselsnummer.calc_check_digit2(d_number)
    assert fodselsnummer.is_valid(d_number)
    result = masker.mask(f"D-nummeret mitt er {d_number}")
    assert d_number not in result.text and result.kinds == [NATIONAL_ID]


KEPT = [
    "jeg er 17",
    "jeg er 17 år",
    "sønnen min på 14",
    "dattera mi er 9 år gammel",
    "jeg er 45 og sønnen min er 15",
    "ring 901 50 842 mellom 10 og 14",
    "90150842",
    "+47 901 50 842",
    "ring 113 hvis det haster",
    "legevakten 116 117",
    "Mental Helse 116 123",
    "Kirkens SOS 22 40 00 40",
    "Alarmtelefonen 116 111",
    "møtet er 12.03.2024 kl 10.00",
    "jeg var på legevakten 3. mars",
    "telefontid kl. 10.00–14.00",
    "timen er 21.11.1999",  # a valid landline number to phonenumbers
    "Det er Onsdag jeg har time",
    "jeg har ventet i 3 uker",
    "han har hatt det vondt i 2 år",
    "hva heter koordinatoren?",
    "jeg heter ikke det",
    "det heter pakkeforløp",
    "Morten Jansson er saksbehandler",
    "jeg har vært i skogen 3 ganger",
    "hvor lang er ventetiden i Pakkeforløp psykisk helse og rus?",
    "jeg sliter med angst og depresjon",
    "kan jeg få snakke med forløpskoordinator for barn og unge",
    "les mer på https://www.helsenorge.no/psykisk-helse/pakkeforlop-for-psykisk-helse-og-rus/",
    "det er 18 måneder siden",
    "",
]


@pytest.mark.parametrize("text", KEPT)
def test_text_without_personal_data_stays(masker, text):
    assert masker.mask(text) == MaskResult(text)


def test_several_kinds_in_one_message(masker):
    text = "Hei, jeg heter Ola, bor i Storgata 5, ring 412 34 567 eller ola@example.no. Fnr 01010750160"
    result = masker.mask(text)
    assert result.text == (
        "Hei, jeg heter «navn», bor i «adresse», ring «telefonnummer» eller «e-post». Fnr «fødselsnummer»"
    )
    assert result.kinds == [NAME, ADDRESS, PHONE, EMAIL, NATIONAL_ID]


def test_masking_is_idempotent(masker):
    once = masker.mask("jeg heter Ola og mobilen er 412 34 567").text
    assert masker.mask(once).text == once


@pytest.mark.parametrize(
    "text, start, end",
    [("jeg heter Ola og er 16", 19, 21), ("ring 412 34 567 nå", 16, 18)],
)
def test_offsets_after_a_masked_span_follow_it(masker, text, start, end):
    result = masker.mask(text)
    piece = text[start:end]
    assert result.text[result.map_offset(start):result.map_end(end)] == piece


def test_allow_list_comes_from_the_contact_file(tmp_path: Path):
    contacts = tmp_path / "contacts.yml"
    contacts.write_text(
        "contacts:\n  - id: x\n    phone: '412 34 567'\n    email: post@kommune.no\n    name: Kari Berg\n",
        encoding="utf-8",
    )
    allowed = build_allow_list(contacts)
    from privacy.masking import Masker

    masker = Masker(allow_list=allowed, use_ner=False)
    text = "ring 412 34 567 eller post@kommune.no, mvh Kari Berg"
    assert masker.mask(text).text == text
    assert masker.mask("ring 113").text == "ring 113"  # national numbers stay in any case


def test_missing_contact_file_keeps_national_numbers(tmp_path: Path):
    allowed = build_allow_list(tmp_path / "missing.yml")
    assert allowed.allows_number("116 117")


def test_ner_names_are_masked_where_a_model_finds_them(monkeypatch):
    """The NER path, with a stand-in for nb_core_news_sm (not installable on every machine)."""
    import spacy

    from privacy import masking
    from privacy.names import Lexicon, NameFinder

    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PER", "pattern": "Kari Hansen"},
        {"label": "PER", "pattern": "Morten Jansson"},
        {"label": "LOC", "pattern": "Drammen"},
    ])
    monkeypatch.setattr(masking, "_ner_pipeline", lambda: nlp)
    no_name_lists = NameFinder(Lexicon({}, has_names=False))  # so only NER can find these names
    masker = masking.Masker(
        allow_list=build_allow_list(Path(__file__).resolve().parents[2] / "content" / "municipalities" / "kommune-a" / "contacts.yml"),
        name_finder=no_name_lists,
    )
    result = masker.mask("jeg snakket med Kari Hansen og Morten Jansson i Drammen")
    assert result.text == "jeg snakket med «navn» og Morten Jansson i Drammen"  # staff name allowed
    without_ner = masking.Masker(use_ner=False, allow_list=masker.allow_list, name_finder=no_name_lists)
    assert without_ner.mask("Kari Hansen").text == "Kari Hansen"


@pytest.mark.parametrize("text, expected", [
    ("hvordan når jeg morten janson", "hvordan når jeg morten janson"),  # the staff name, one letter off
    ("kan Morten Jansson ringe meg?", "kan Morten Jansson ringe meg?"),
    ("jeg snakket med Morten Jonassen i går", "jeg snakket med «navn» i går"),  # another surname
])
def test_staff_names_stay_also_misspelt(masker, text, expected):
    assert masker.mask(text).text == expected


@pytest.mark.parametrize("a, b, expected", [
    ("janson", "jansson", True), ("jansson", "janson", True), ("jonsson", "jansson", True),
    ("jansen", "jansson", False), ("jansson", "jansson", False), ("ab", "ba", False),
])
def test_one_edit_apart(a, b, expected):
    from privacy.masking import _one_edit_apart

    assert _one_edit_apart(a, b) is expected
