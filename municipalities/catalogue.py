"""Loads and validates content/municipalities/<id>/ (municipality.yml + contacts.yml).

A folder is a municipality: adding one is adding a folder and restarting, no retraining (the
NLU model is shared; what differs is read here at run time). A mistake stops the action server
at start with a message naming the municipality, the file and the field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from actions.directory import Contact, DirectoryError, contact_for, load_directory

LANGUAGES = ("nb", "nn")  # målform of the municipality's own texts
# Who can start a pathway, as the municipal pages list them (texts in actions/municipal_texts.py)
REFERRERS = ("kommunen", "fastlege", "barnevernet", "annen_henviser")
# What a page adds about the start: registered when spesialisthelsetjenesten gets the henvisning;
# with concurrent services the municipality's contact person is named in the henvisning
PATHWAY_NOTES = ("registreres_ved_henvisning", "kontaktperson_i_henvisning")
SERVICES = ("oppfolgingstjenesten",)
FIELDS = ("name", "website", "language", "retention_days", "pathway_starts_with", "pathway_notes",
          "hospital", "services")
HOSPITAL_FIELDS = ("partner", "short_name", "pathway_pages")
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
URL = re.compile(r"^https://[^\s]+$")


class MunicipalityError(ValueError):
    """A municipality folder is malformed; the message names the municipality, file and field."""


@dataclass(frozen=True)
class Hospital:
    partner: str = ""  # empty: the page names no partner («helseforetakene»)
    short_name: str = ""
    pathway_pages: str = ""  # the partner's pages about its pasientforløp, when the page gives the address


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    language: str
    retention_days: int
    pathway_starts_with: Tuple[str, ...]
    pathway_notes: Tuple[str, ...]
    hospital: Hospital
    services: Tuple[str, ...]
    contacts: Tuple[Contact, ...]
    website: str = ""

    def contact(self, audience: str) -> Optional[Contact]:
        """The first contact for 'children' or 'adults'; None when the page names none."""
        return contact_for(list(self.contacts), audience)

    def has_service(self, service: str) -> bool:
        return service in self.services

    def says(self, note: str) -> bool:
        return note in self.pathway_notes


@dataclass(frozen=True)
class Catalogue:
    municipalities: Dict[str, Municipality]
    default_id: str

    @property
    def ids(self) -> List[str]:
        return list(self.municipalities)

    def get(self, municipality_id: Optional[str]) -> Optional[Municipality]:
        return self.municipalities.get(municipality_id or "")

    def resolve(self, municipality_id: Optional[str]) -> Optional[Municipality]:
        """The named municipality, the default when none is named, None when the name is unknown."""
        if municipality_id is None or municipality_id == "":
            return self.municipalities[self.default_id]
        return self.get(municipality_id)

    @property
    def default(self) -> Municipality:
        return self.municipalities[self.default_id]

    def all_contacts(self) -> Tuple[Contact, ...]:
        return tuple(c for m in self.municipalities.values() for c in m.contacts)


def _text(data: dict, field: str, where: str, required: bool = False) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise MunicipalityError(f"{where}.{field}: must be text (put it in quotes), got {value!r}")
    if required and not value.strip():
        raise MunicipalityError(f"{where}.{field}: is required and empty")
    return value.strip()


def _codes(data: dict, field: str, allowed: Tuple[str, ...], where: str) -> Tuple[str, ...]:
    value = data.get(field) or []
    if not isinstance(value, list):
        raise MunicipalityError(f"{where}.{field}: must be a list (one of {', '.join(allowed)})")
    for item in value:
        if item not in allowed:
            raise MunicipalityError(f"{where}.{field}: '{item}' is not one of {', '.join(allowed)}")
    return tuple(value)


def _hospital(data: dict, where: str) -> Hospital:
    value = data.get("hospital") or {}
    if not isinstance(value, dict):
        raise MunicipalityError(f"{where}.hospital: must be a mapping with {', '.join(HOSPITAL_FIELDS)}")
    unknown = sorted(set(value) - set(HOSPITAL_FIELDS))
    if unknown:
        raise MunicipalityError(f"{where}.hospital.{unknown[0]}: unknown field (allowed: {', '.join(HOSPITAL_FIELDS)})")
    hospital = Hospital(**{field: _text(value, field, f"{where}.hospital") for field in HOSPITAL_FIELDS})
    if hospital.pathway_pages and not URL.match(hospital.pathway_pages):
        raise MunicipalityError(f"{where}.hospital.pathway_pages: '{hospital.pathway_pages}' must be an https:// address")
    if (hospital.short_name or hospital.pathway_pages) and not hospital.partner:
        raise MunicipalityError(f"{where}.hospital.partner: is empty but short_name or pathway_pages is given")
    return hospital


def parse_municipality(municipality_id: str, data: object, contacts: List[Contact], where: str,
                       default_retention_days: int) -> Municipality:
    if not isinstance(data, dict):
        raise MunicipalityError(f"{where}: must be a mapping with the fields {', '.join(FIELDS)}")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise MunicipalityError(f"{where}.{unknown[0]}: unknown field (allowed: {', '.join(FIELDS)})")
    language = _text(data, "language", where) or "nb"
    if language not in LANGUAGES:
        raise MunicipalityError(f"{where}.language: '{language}' must be one of {', '.join(LANGUAGES)}")
    website = _text(data, "website", where)
    if website and not URL.match(website):
        raise MunicipalityError(f"{where}.website: '{website}' must be an https:// address")
    retention = data.get("retention_days", default_retention_days)
    if not isinstance(retention, int) or isinstance(retention, bool) or retention < 0:
        raise MunicipalityError(f"{where}.retention_days: must be a whole number of days, 0 or more, got {retention!r}")
    starts = _codes(data, "pathway_starts_with", REFERRERS, where)
    if not starts:
        raise MunicipalityError(f"{where}.pathway_starts_with: is required and empty")
    return Municipality(
        id=municipality_id,
        name=_text(data, "name", where, required=True),
        website=website,
        language=language,
        retention_days=retention,
        pathway_starts_with=starts,
        pathway_notes=_codes(data, "pathway_notes", PATHWAY_NOTES, where),
        hospital=_hospital(data, where),
        services=_codes(data, "services", SERVICES, where),
        contacts=tuple(contacts),
    )


def load_folder(folder: Path, default_retention_days: int) -> Municipality:
    municipality_id = folder.name
    if not ID.match(municipality_id):
        raise MunicipalityError(
            f"{folder}: the folder name is the municipality's id and must be lowercase letters, digits and -"
        )
    facts_file = folder / "municipality.yml"
    where = f"{municipality_id}: {facts_file}"
    try:
        data = yaml.safe_load(facts_file.read_text(encoding="utf-8"))
    except OSError as error:
        raise MunicipalityError(f"{where}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise MunicipalityError(f"{where}: is not valid YAML ({error})") from None
    try:
        contacts = load_directory(folder / "contacts.yml", require_audiences=False)
    except DirectoryError as error:
        raise MunicipalityError(f"{municipality_id}: {error}") from None
    return parse_municipality(municipality_id, data, contacts, where, default_retention_days)


def load_catalogue(folder: Path, default_id: str, default_retention_days: int) -> Catalogue:
    folder = Path(folder)
    if not folder.is_dir():
        raise MunicipalityError(f"{folder}: the municipalities folder does not exist")
    municipalities = {
        child.name: load_folder(child, default_retention_days)
        for child in sorted(folder.iterdir())
        if child.is_dir() and not child.name.startswith((".", "_"))
    }
    if not municipalities:
        raise MunicipalityError(f"{folder}: has no municipality folder")
    if default_id not in municipalities:
        raise MunicipalityError(
            f"DEFAULT_MUNICIPALITY: '{default_id}' has no folder in {folder} (there are: {', '.join(municipalities)})"
        )
    return Catalogue(municipalities=municipalities, default_id=default_id)


@lru_cache(maxsize=1)
def load() -> Catalogue:
    """The deployment's municipalities, from settings; loaded once per process and kept."""
    import settings

    conf = settings.load()
    return load_catalogue(Path(conf.municipalities_dir), conf.default_municipality, conf.retention_days)
