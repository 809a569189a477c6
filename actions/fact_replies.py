"""Answers whose facts differ between municipalities, built from the municipality's folder.

Pure: no Rasa. Each text states only what that municipality's page says; where the page says
nothing (no hospital partner named, no Oppfølgingstjenesten, no contact person), the answer
says so and points to what the page does name: the fastlege and helsenorge.no.
"""
from __future__ import annotations

from typing import List, Optional

from actions.age import CHILD
from actions.replies import ACUTE_CHILD
from municipalities.catalogue import Municipality

HELSENORGE = "https://www.helsenorge.no/psykisk-helse/pakkeforlop-for-psykisk-helse-og-rus/"
READ_MORE = f"Les mer om pakkeforløp for psykisk helse og rus på helsenorge.no: {HELSENORGE}"
REFERRER_WORDS = {
    "kommunen": "i kommunen",
    "fastlege": "hos fastlegen",
    "barnevernet": "barnevernet",
    "annen_henviser": "en annen henviser",
}
REGISTRATION = "Forløpet registreres og måles først når spesialisthelsetjenesten mottar henvisningen"
CONTACT_IN_REFERRAL = "Får du tjenester fra kommunen samtidig, skal kommunens kontaktperson være oppgitt i henvisningen."


def _joined(words: List[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " eller " + words[-1]


def starts_with(municipality: Municipality) -> str:
    """«i kommunen, hos fastlegen eller en annen henviser», as the page lists them."""
    return _joined([REFERRER_WORDS[code] for code in municipality.pathway_starts_with])


def how_to_start(municipality: Municipality) -> str:
    lines = [f"Pakkeforløpet starter {starts_with(municipality)}."]
    if municipality.says("registreres_ved_henvisning"):
        lines[0] += " Det registreres og måles først når spesialisthelsetjenesten mottar henvisningen."
    if municipality.says("kontaktperson_i_henvisning"):
        lines.append(CONTACT_IN_REFERRAL)
    return "\n".join(lines)


def registration(municipality: Municipality) -> str:
    if municipality.says("registreres_ved_henvisning"):
        return f"{REGISTRATION} – selv om det starter {starts_with(municipality)}."
    return (
        f"Kommunens side sier ikke noe om når forløpet registreres. Pakkeforløpet starter "
        f"{starts_with(municipality)}. {READ_MORE}"
    )


def followup_service(municipality: Municipality) -> str:
    if municipality.has_service("oppfolgingstjenesten"):
        return "Du kan søke hjelp hos Oppfølgingstjenesten i kommunen for psykiske helse- og rusutfordringer."
    return (
        "Kommunens side nevner ingen egen oppfølgingstjeneste. Pakkeforløpet starter "
        f"{starts_with(municipality)}, så fastlegen er et godt sted å begynne. {READ_MORE}"
    )


def hospital(municipality: Municipality) -> str:
    partner = municipality.hospital
    text = "Mange får behandling og oppfølging både på sykehus og i kommunen de bor i. "
    if not partner.partner:
        return (
            text + "Kommunen samarbeider med helseforetakene for at overgangene mellom sykehus, fastlege og "
            f"kommunehelsetjenesten skal bli så gode som mulig. {READ_MORE}"
        )
    short = partner.short_name or partner.partner
    text += (
        f"Kommunen samarbeider med {partner.partner} for at overgangene mellom sykehus, fastlege og "
        f"kommunehelsetjenesten skal bli så gode som mulig. Du kan lese mer om pasientforløpene på {short} "
        "sine hjemmesider"
    )
    return text + (f": {partner.pathway_pages}" if partner.pathway_pages else ".")


def no_contact(municipality: Municipality, audience: Optional[str]) -> str:
    """The page names nobody for this audience: say so, point to the fastlege and helsenorge."""
    who = "for barn og unge" if audience == CHILD else "for voksne" if audience else ""
    lines = [
        f"Kommunens side oppgir ingen kontaktperson {who}".rstrip() + ". Pakkeforløpet starter "
        f"{starts_with(municipality)}, så fastlegen er et godt sted å begynne. {READ_MORE}"
    ]
    if audience == CHILD:
        lines.append(ACUTE_CHILD)
    return "\n".join(lines)
