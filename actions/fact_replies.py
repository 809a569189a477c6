"""Answers whose facts differ between municipalities, built from the municipality's folder.

Pure: no Rasa. Each text states only what that municipality's page says; where the page says
nothing (no hospital partner named, no Oppfølgingstjenesten, no contact person), the answer
says so and points to what the page does name: the fastlege and helsenorge.no. The wording, in
each language, lives in actions/texts.yml.
"""
from __future__ import annotations

from typing import Optional

from actions.age import CHILD
from actions.texts import say, text
from municipalities.catalogue import Municipality


def starts_with(municipality: Municipality, lang: str = "nb") -> str:
    """«i kommunen, hos fastlegen eller en annen henviser», as the page lists them."""
    words = [text(lang, f"referrer_{code}") for code in municipality.pathway_starts_with]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + f" {text(lang, 'list_or')} " + words[-1]


def _read_more(lang: str) -> str:
    return text(lang, "read_more")


def how_to_start(municipality: Municipality, lang: str = "nb") -> str:
    registered = municipality.says("registreres_ved_henvisning")
    lines = [say(lang, "starts_registered" if registered else "starts", referrers=starts_with(municipality, lang))]
    if municipality.says("kontaktperson_i_henvisning"):
        lines.append(text(lang, "contact_in_referral"))
    return "\n".join(lines)


def registration(municipality: Municipality, lang: str = "nb") -> str:
    key = "registration" if municipality.says("registreres_ved_henvisning") else "registration_unknown"
    return say(lang, key, referrers=starts_with(municipality, lang), read_more=_read_more(lang))


def followup_service(municipality: Municipality, lang: str = "nb") -> str:
    if municipality.has_service("oppfolgingstjenesten"):
        return text(lang, "followup_service")
    return say(lang, "followup_service_none", referrers=starts_with(municipality, lang), read_more=_read_more(lang))


def hospital(municipality: Municipality, lang: str = "nb") -> str:
    partner = municipality.hospital
    if not partner.partner:
        return say(lang, "hospital_unnamed", read_more=_read_more(lang))
    key = "hospital_named_link" if partner.pathway_pages else "hospital_named"
    return say(lang, key, partner=partner.partner, short_name=partner.short_name or partner.partner,
               link=partner.pathway_pages)


def no_contact(municipality: Municipality, audience: Optional[str], lang: str = "nb") -> str:
    """The page names nobody for this audience: say so, point to the fastlege and helsenorge."""
    key = {CHILD: "no_contact_children", None: "no_contact"}.get(audience, "no_contact_adults")
    lines = [say(lang, key, referrers=starts_with(municipality, lang), read_more=_read_more(lang))]
    if audience == CHILD:
        lines.append(text(lang, "acute_child"))
    return "\n".join(lines)
