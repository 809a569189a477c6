"""Norwegian reply texts built from a contact entry. Pure: no Rasa, no clock.

Empty fields are left out, never guessed (the saksbehandler has no e-mail in the source).
"""
from __future__ import annotations

from typing import List, Optional

from actions.age import ADULT, CHILD
from actions.directory import Contact

ACUTE_CHILD = (
    "Ved behov for øyeblikkelig hjelp skal barnet henvises direkte til akutte tilbud i psykisk "
    "helsevern: ring 113 hvis liv eller helse er i fare, eller legevakt på 116 117."
)
ASSUMED_SELF_NOTE = (
    "Er du under 18 år, skriv «under 18», så får du kontakten for barn og unge i stedet."
)


def _who(contact: Contact) -> str:
    role = contact.role[0].lower() + contact.role[1:]
    if contact.name:
        return f"{contact.name}, {role}"
    return f"{role} i {contact.service}"


def _hours(contact: Contact) -> str:
    return "kl. " + contact.phone_hours.replace(":", ".").replace("-", "–")


def _phone_line(contact: Contact, line_status: Optional[str]) -> str:
    """'Telefon: 901 50 842.' plus whether the line is open now (which names the hours)."""
    if not contact.phone:
        return ""
    line = f"Telefon: {contact.phone}."
    if line_status:
        line += f" {line_status}"
    elif contact.phone_hours:
        line += f" Telefontid {_hours(contact)} på hverdager."
    return line


def contact_reply(contact: Contact, audience: str, line_status: Optional[str] = None,
                  assumed_self: bool = False) -> str:
    parts = []
    if audience == CHILD:
        parts.append(
            "For barn og unge under 18 år: ta kontakt med "
            f"{_who(contact)}."
        )
    else:
        parts.append(f"For voksne (18 år og eldre) kan du kontakte {_who(contact)}.")
    phone = _phone_line(contact, line_status)
    if phone:
        parts.append(phone)
    if contact.email:
        parts.append(f"E-post: {contact.email}.")
    if audience == CHILD:
        parts.append(ACUTE_CHILD)
    if audience == ADULT and assumed_self:
        parts.append(ASSUMED_SELF_NOTE)
    return "\n".join(parts)


def email_reply(contact: Contact) -> str:
    if contact.email:
        return f"E-postadressen til {_who(contact)} er {contact.email}."
    if contact.phone:
        return (
            f"Jeg har ingen e-postadresse til {_who(contact)}. Ring heller {contact.phone}"
            + (f" i telefontiden {_hours(contact)}" if contact.phone_hours else "")
            + "."
        )
    return (
        f"Jeg har verken e-postadresse eller telefonnummer til {_who(contact)}. "
        f"Ta kontakt med {contact.service} i kommunen."
    )


def hours_reply(contact: Contact, line_status: Optional[str]) -> str:
    if not contact.phone_hours or not contact.phone:
        return (
            f"Jeg har ikke telefontid for {_who(contact)}. "
            f"Ta kontakt med {contact.service} i kommunen."
        )
    return f"Du når {_who(contact)}, på telefon {contact.phone}. {line_status or ''}".strip()


TECHNICAL_APOLOGY = "Beklager, noe gikk galt hos oss, så jeg fikk ikke hentet svaret akkurat nå."
EMERGENCY_LINE = "Er liv eller helse i fare: ring 113, eller legevakt på 116 117."


def apology_reply(contacts: List[Contact]) -> str:
    """What the Rasa server says when the action server fails: sorry, a phone number, 113.

    The number is the first one the directory lists (never a made-up one); with none, only 113.
    """
    parts = [TECHNICAL_APOLOGY]
    reachable = next((c for c in contacts if c.phone), None)
    if reachable:
        hours = f" (telefontid {_hours(reachable)} på hverdager)" if reachable.phone_hours else ""
        parts.append(f"Du kan ringe {_who(reachable)}, på {reachable.phone}{hours}.")
    parts.append(EMERGENCY_LINE)
    return " ".join(parts)
