"""Reply texts built from a contact entry, in the conversation's language. Pure: no Rasa, no clock.

Empty fields are left out, never guessed (the saksbehandler has no e-mail in the source). The
wording lives in actions/texts.yml; names, numbers and hours come from the contact entry.
"""
from __future__ import annotations

from typing import List, Optional

from actions.age import CHILD
from actions.directory import Contact
from actions.texts import name, say

ACUTE_CHILD = say("nb", "acute_child")
TECHNICAL_APOLOGY = say("nb", "technical_apology")
EMERGENCY_LINE = say("nb", "emergency_line")


def _who(contact: Contact, lang: str = "nb") -> str:
    role = contact.role[0].lower() + contact.role[1:]
    if contact.name:
        return say(lang, "who_named", name=contact.name, role=name(lang, role))
    return say(lang, "who_service", role=name(lang, role), service=name(lang, contact.service))


def _hours(contact: Contact, lang: str = "nb") -> str:
    opens, closes = contact.phone_hours.replace(":", ".").split("-")
    return say(lang, "hours_span", opens=opens.strip(), closes=closes.strip())


def _phone_line(contact: Contact, line_status: Optional[str], lang: str) -> str:
    """'Telefon: 901 50 842.' plus whether the line is open now (which names the hours)."""
    if not contact.phone:
        return ""
    line = say(lang, "phone_line", phone=contact.phone)
    if line_status:
        line += f" {line_status}"
    elif contact.phone_hours:
        line += " " + say(lang, "phone_hours_line", span=_hours(contact, lang))
    return line


def contact_reply(contact: Contact, audience: str, line_status: Optional[str] = None,
                  lang: str = "nb") -> str:
    parts = [say(lang, "contact_child" if audience == CHILD else "contact_adult", who=_who(contact, lang))]
    phone = _phone_line(contact, line_status, lang)
    if phone:
        parts.append(phone)
    if contact.email:
        parts.append(say(lang, "email_line", email=contact.email))
    if audience == CHILD:
        parts.append(say(lang, "acute_child"))
    return "\n".join(parts)


def email_reply(contact: Contact, lang: str = "nb") -> str:
    who = _who(contact, lang)
    if contact.email:
        return say(lang, "email_known", who=who, email=contact.email)
    if contact.phone and contact.phone_hours:
        return say(lang, "email_none_call_hours", who=who, phone=contact.phone, span=_hours(contact, lang))
    if contact.phone:
        return say(lang, "email_none_call", who=who, phone=contact.phone)
    return say(lang, "email_none_at_all", who=who, service=name(lang, contact.service))


def hours_reply(contact: Contact, line_status: Optional[str], lang: str = "nb") -> str:
    if not contact.phone_hours or not contact.phone:
        return say(lang, "hours_none", who=_who(contact, lang), service=name(lang, contact.service))
    return f"{say(lang, 'hours_reach', who=_who(contact, lang), phone=contact.phone)} {line_status or ''}".strip()


def apology_reply(contacts: List[Contact], lang: str = "nb") -> str:
    """What the Rasa server says when the action server fails: sorry, a phone number, 113.

    The number is the first one the directory lists (never a made-up one); with none, only 113.
    """
    parts = [say(lang, "technical_apology")]
    reachable = next((c for c in contacts if c.phone), None)
    if reachable and reachable.phone_hours:
        parts.append(say(lang, "apology_call_hours", who=_who(reachable, lang), phone=reachable.phone,
                         span=_hours(reachable, lang)))
    elif reachable:
        parts.append(say(lang, "apology_call", who=_who(reachable, lang), phone=reachable.phone))
    parts.append(say(lang, "emergency_line"))
    return " ".join(parts)
