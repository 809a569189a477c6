"""Every response and every action text exists in bokmål, nynorsk and English with the same facts:
the same numbers, links, {placeholders} and button payloads in all three (issue: answers in the
resident's language). Names of services are checked where the text names them."""
import re

import pytest
import yaml

from actions import texts
from tests.support.municipalities import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
LANGUAGES = ("nb", "nn", "en")
NUMBER = re.compile(r"\d+(?:[ .]\d+)*")
LINK = re.compile(r"https?://\S+?(?=[.,;:)]?(?:\s|$))")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
NAMES = ("Morten Jansson", "Vestre Viken", "helsenorge.no", "Mental Helse", "Kirkens SOS", "Barne- og familietjenesten")


def facts(text):
    return {
        "numbers": sorted(NUMBER.findall(text)),
        "links": sorted(LINK.findall(text)),
        "placeholders": sorted(PLACEHOLDER.findall(text)),
        "names": sorted(name for name in NAMES if name in text),
    }


def variations(response):
    """{language: variation} of a domain response: conditioned on the language slot, or the default (nb)."""
    found = {}
    for variation in DOMAIN["responses"][response]:
        conditions = variation.get("condition") or []
        languages = [c["value"] for c in conditions if c.get("name") == "language"]
        found[languages[0] if languages else "nb"] = variation
    return found


@pytest.mark.parametrize("response", sorted(DOMAIN["responses"]))
def test_every_response_has_three_languages_with_the_same_facts(response):
    found = variations(response)
    assert sorted(found) == sorted(LANGUAGES), f"{response}: has {sorted(found)}"
    reference = facts(found["nb"]["text"])
    payloads = [b["payload"] for b in found["nb"].get("buttons") or []]
    for lang in ("nn", "en"):
        assert facts(found[lang]["text"]) == reference, (response, lang)
        assert [b["payload"] for b in found[lang].get("buttons") or []] == payloads, (response, lang)
        assert found[lang]["text"] != found["nb"]["text"] or lang == "nn", (response, lang)


@pytest.mark.parametrize("key", sorted(texts.catalogue()))
def test_every_action_text_has_three_languages_with_the_same_facts(key):
    variants = texts.catalogue()[key]
    assert sorted(variants) == sorted(LANGUAGES), f"{key}: has {sorted(variants)}"
    if key in ("weekdays", "months"):
        assert len({len(texts.words(lang, key)) for lang in LANGUAGES}) == 1
        return
    reference = facts(variants["nb"])
    for lang in ("nn", "en"):
        assert facts(variants[lang]) == reference, (key, lang)


def test_english_keeps_norwegian_service_names_with_a_gloss():
    assert texts.name("en", "Barne- og familietjenesten") == "Barne- og familietjenesten (the child and family service)"
    assert texts.name("nn", "Barne- og familietjenesten") == "Barne- og familietjenesten"
