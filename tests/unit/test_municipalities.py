"""The municipality folders: both seed pages load as two municipalities, mistakes name the
municipality and the field, and a third municipality is a folder, no retraining."""
import pytest
import yaml

from municipalities import catalogue
from municipalities.catalogue import MunicipalityError, load_catalogue
from tests.support.municipalities import SHIPPED, copy_municipalities


def shipped():
    return load_catalogue(SHIPPED, "kommune-a", 30)


def test_the_two_seed_pages_are_two_municipalities_with_their_own_facts():
    known = shipped()
    assert known.ids == ["kommune-a", "kommune-b"]
    a, b = known.get("kommune-a"), known.get("kommune-b")
    assert a.contact("adults").name == "Morten Jansson" and a.contact("adults").phone == "901 50 842"
    assert a.contact("children").service == "Barne- og familietjenesten"
    assert a.hospital.partner == "Vestre Viken helseforetak" and a.has_service("oppfolgingstjenesten")
    assert "barnevernet" not in a.pathway_starts_with
    assert b.contacts == () and b.contact("adults") is None and b.contact("children") is None
    assert b.hospital.partner == "" and not b.has_service("oppfolgingstjenesten")
    assert "barnevernet" in b.pathway_starts_with and b.pathway_notes == ()


def test_the_default_is_used_when_none_is_named_and_an_unknown_id_is_none():
    known = shipped()
    assert known.resolve(None).id == "kommune-a" and known.resolve("").id == "kommune-a"
    assert known.resolve("kommune-b").id == "kommune-b"
    assert known.resolve("kommune-x") is None


def edit(folder, municipality, change):
    path = folder / municipality / "municipality.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize("change,message", [
    (lambda d: d.update(language="sv"), "kommune-b: {f}.language: 'sv' must be one of nb, nn"),
    (lambda d: d.update(name=""), "kommune-b: {f}.name: is required and empty"),
    (lambda d: d.update(retention_days="thirty"), "kommune-b: {f}.retention_days: must be a whole number"),
    (lambda d: d.update(pathway_starts_with=["legen"]), "kommune-b: {f}.pathway_starts_with: 'legen' is not one of"),
    (lambda d: d.update(services=["nav"]), "kommune-b: {f}.services: 'nav' is not one of"),
    (lambda d: d.update(colour="blue"), "kommune-b: {f}.colour: unknown field"),
    (lambda d: d["hospital"].update(pathway_pages="http://x.no"), "kommune-b: {f}.hospital.pathway_pages: 'http://x.no' must be an https"),
    (lambda d: d["hospital"].update(short_name="Sykehuset"), "kommune-b: {f}.hospital.partner: is empty"),
])
def test_a_mistake_names_the_municipality_and_the_field(tmp_path, change, message):
    folder = copy_municipalities(tmp_path)
    edit(folder, "kommune-b", change)
    with pytest.raises(MunicipalityError) as error:
        load_catalogue(folder, "kommune-a", 30)
    assert message.format(f=folder / "kommune-b" / "municipality.yml") in str(error.value)


def test_a_broken_contact_names_the_municipality(tmp_path):
    folder = copy_municipalities(tmp_path)
    (folder / "kommune-b" / "contacts.yml").write_text("contacts:\n  - id: x\n    audience: teens\n", encoding="utf-8")
    with pytest.raises(MunicipalityError, match=r"^kommune-b: .*contacts\[0\]\.service: is required"):
        load_catalogue(folder, "kommune-a", 30)


def test_a_folder_name_that_is_no_id_and_an_unknown_default_are_refused(tmp_path):
    folder = copy_municipalities(tmp_path)
    with pytest.raises(MunicipalityError, match="DEFAULT_MUNICIPALITY: 'kommune-c' has no folder"):
        load_catalogue(folder, "kommune-c", 30)
    (folder / "kommune-a").rename(folder / "Kommune A")
    with pytest.raises(MunicipalityError, match="must be lowercase letters, digits and -"):
        load_catalogue(folder, "kommune-b", 30)


def add_third(folder):
    third = folder / "kommune-c"
    third.mkdir()
    (third / "municipality.yml").write_text(
        "name: Kommune C\nlanguage: nn\nretention_days: 7\n"
        "pathway_starts_with: [fastlege, annen_henviser]\n", encoding="utf-8")
    (third / "contacts.yml").write_text(
        'contacts:\n  - id: voksne\n    audience: adults\n    service: Psykisk helse og rus\n'
        '    role: Saksbehandlar\n    name: Test Testesen\n    phone: "22 33 44 55"\n'
        '    phone_hours: "09:00-11:00"\n', encoding="utf-8")
    return third


def test_a_third_municipality_is_a_folder_and_the_settings_find_it(tmp_path, monkeypatch):
    folder = copy_municipalities(tmp_path)
    add_third(folder)
    monkeypatch.setenv("MUNICIPALITIES_DIR", str(folder))
    monkeypatch.setenv("DEFAULT_MUNICIPALITY", "kommune-b")
    catalogue.load.cache_clear()
    try:
        known = catalogue.load()
    finally:
        catalogue.load.cache_clear()
    assert known.ids == ["kommune-a", "kommune-b", "kommune-c"] and known.default_id == "kommune-b"
    third = known.get("kommune-c")
    assert third.language == "nn" and third.retention_days == 7 and third.contact("adults").phone == "22 33 44 55"
    assert third.hospital == catalogue.Hospital() and third.services == ()


def test_retention_days_default_to_the_setting(tmp_path):
    folder = copy_municipalities(tmp_path)
    edit(folder, "kommune-b", lambda d: d.pop("retention_days"))
    assert load_catalogue(folder, "kommune-a", 12).get("kommune-b").retention_days == 12
