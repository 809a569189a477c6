"""The deterministic crisis layer (safety/): recall on a labelled set, near misses, the component."""
from pathlib import Path

import pytest
import yaml

from safety.patterns import CrisisDetector, default_detector

ROOT = Path(__file__).resolve().parents[2]
LABELLED = yaml.safe_load((ROOT / "tests" / "data" / "crisis_labelled.yml").read_text(encoding="utf-8"))
MIN_PRECISION = 0.9


@pytest.mark.parametrize("message", LABELLED["crisis"])
def test_every_crisis_message_is_caught(message):
    assert default_detector().detect(message) is not None, message


def test_precision_on_the_labelled_set():
    detector = default_detector()
    caught = sum(detector.detect(m) is not None for m in LABELLED["crisis"])
    false_alarms = [m for m in LABELLED["not_crisis"] if detector.detect(m) is not None]
    precision = caught / (caught + len(false_alarms))
    print(f"crisis recall {caught}/{len(LABELLED['crisis'])}, precision {precision:.3f}, false alarms {false_alarms}")
    assert precision >= MIN_PRECISION, false_alarms


@pytest.mark.parametrize("message", [
    "jeg er dødssliten", "dette tar livet av meg, så kjedelig", "jeg døde av latter",
    "hva er et pakkeforløp", "sønnen min på 14 sliter", "hei",
    # hyperbole, games, past events, information and everyday situations near the situational patterns
    "jeg drepte den eksamenen i dag", "det er rent selvmord å kjøre på sommerdekk i november",
    "å starte bedrift nå er et selvmordsoppdrag", "blir alltid drept først i fortnite",
    "hadde et selvmordsforsøk i 2021, men nå er jeg stabil og vil bare ha info",
    "onkelen min tok livet sitt i 2018, finnes det tilbud for etterlatte?",
    "skriver en oppgave om selvmord blant eldre, har dere statistikk?",
    "takk for alt dere har gjort for oss", "dette er siste melding fra meg i dag, snakkes i morgen",
    "jeg har kramper i leggen om natta", "vi skal gå på skøyter på isen i dag",
    "medisinene er klare til henting på apoteket", "gikk ned til elva nå for å fiske",
    "ingen kommer hjem før klokka fem i dag", "hun tok hele eska med sjokolade",
    "vi kjørte inn i fjorden på ferje", "har betalt alle regningene nå, deilig",
    "i morgen er det over med eksamen", "hvor mange tabletter kan jeg ta av ibux om dagen",
    "han kommer ikke tilbake til jobben etter ferien", "jeg har telt opp pengene",
])
def test_known_near_misses_are_not_crises(message):
    assert default_detector().detect(message) is None


@pytest.mark.parametrize("message", [
    "Jeg vil ta livet mitt", "JEG VIL DØ", "jeg vil doe", "eg vil ikkje leva", "je orker ikke å leve",
    "tenker paa selvmord", "tenker på selvmor", "slevmordstanker", "sjølmord", "har kutta meg",
    "tok en hel pakke paracet", "han slår meg", "det er akutt", "overdose",
    # indirect, situational descriptions of acute danger
    "står på taket av blokka nå og skal hoppe", "sitter i bilen ved fjorden og skal kjøre rett ut i sjøen",
    "eg køyrer utfor stupet i kveld", "står på brua over motorveien og skal hoppe ned på bilene",
    "legger meg på togskinnene nå", "skal gå ut på isen i natt og ikke komme tilbake",
    "sitter med tauet rundt halsen", "har lagd ei løkke og festa den i taket",
    "alle regningene er betalt og jeg har skrevet et brev til mamma. i natt får jeg endelig fred for godt",
    "dette blir siste meldinga mi", "toåringen har spist noen av sovetablettene mine og er slapp",
    "veslejenta har fått i seg oppvaskmiddel og kastar opp",
    "han sa at han ikke skal være her etter jul", "hun klatrer over kanten på taket nå",
    "i kveld er det over for meg", "kor mange pillar skal til for å dø", "har samla masse sovetabletter i skuffen",
    "eg har bestemt meg for å døy", "bestefar puster knapt og svarer ikke", "en fyr med kniv truer kassadamen",
    "skrev snakkes aldri på insta og svarer ikke", "mamma skriver at hun ikke kommer tilbake og har gått mot sjøen",
    "er full og har tatt en haug med sovepiller for å slippe alt",
    "mannen min kjørte av gårde med barna og sa at ingen av oss kommer hjem igjen",
    "finner ikke puls på mamma", "han holder geværet mot hodet sitt",
    # an exclusion must not hide what comes after it
    "for to år siden prøvde jeg å ta livet mitt og nå vil jeg prøve igjen",
    "etter spillet sa han at han skal drepe meg",
    "det er rent selvmord å fortsette sånn, jeg orker ikke mer og vil dø",
])
def test_spellings_typos_and_dialect(message):
    assert default_detector().detect(message) is not None


def test_component_overrides_intent_and_keeps_ranking():
    from rasa.shared.nlu.training_data.message import Message
    from safety.component import CrisisSafetyNet

    component = CrisisSafetyNet(CrisisSafetyNet.get_default_config())
    crisis = Message(data={"text": "jeg vil ta livet mitt",
                           "intent": {"name": "nlu_fallback", "confidence": 0.3},
                           "intent_ranking": [{"name": "greet", "confidence": 0.3}]})
    calm = Message(data={"text": "hei", "intent": {"name": "greet", "confidence": 0.9}})
    component.process([crisis, calm])
    assert crisis.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert crisis.get("intent_ranking")[0]["name"] == "crisis"
    assert crisis.get("crisis_safety_net")["rule"]
    assert calm.get("intent")["name"] == "greet"


def test_pattern_file_must_have_patterns(tmp_path):
    empty = tmp_path / "p.yml"
    empty.write_text("patterns: []\n")
    with pytest.raises(ValueError, match="patterns"):
        CrisisDetector.from_file(empty)


def _examples(paths, crisis):
    from evaluation.quality import read_examples

    return [t for p in paths for t, i in read_examples(p) if (i == "crisis") == crisis]


NLU_FILES = sorted((ROOT / "data" / "nlu").glob("*.yml")) + [ROOT / "tests" / "nlu" / "heldout.yml"]


@pytest.mark.parametrize("message", _examples(NLU_FILES, crisis=True))
def test_every_crisis_example_in_the_nlu_data_is_caught_without_the_classifier(message):
    assert default_detector().detect(message) is not None, message


def test_few_false_alarms_on_ordinary_nlu_examples():
    ordinary = _examples(NLU_FILES, crisis=False)
    alarms = [m for m in ordinary if default_detector().detect(m) is not None]
    print(f"pattern layer: {len(alarms)} alarms on {len(ordinary)} ordinary examples: {alarms}")
    # questions about a child's øyeblikkelig hjelp get the crisis answer on purpose
    assert all("oyeblikkelig" in m.replace("ø", "o") for m in alarms), alarms


@pytest.mark.parametrize("text,confidence,expected", [
    ("jeg vil bare forsvinne litt", 0.9, "crisis"),     # sure classifier: kept as a second net
    ("jeg vil bare forsvinne litt", 0.3, "need_help"),  # unsure: the next intent
    ("jeg døde av latter", 0.99, "need_help"),          # curated harmless idiom: never crisis
    ("jeg vil dø", 0.1, "crisis"),                      # a pattern always wins
])
def test_classifier_crisis_needs_confidence_and_no_harmless_idiom(text, confidence, expected):
    from rasa.shared.nlu.training_data.message import Message
    from safety.component import CrisisSafetyNet

    component = CrisisSafetyNet(CrisisSafetyNet.get_default_config())
    message = Message(data={"text": text, "intent": {"name": "crisis", "confidence": confidence},
                            "intent_ranking": [{"name": "crisis", "confidence": confidence},
                                               {"name": "need_help", "confidence": 0.05}]})
    component.process([message])
    assert message.get("intent")["name"] == expected
