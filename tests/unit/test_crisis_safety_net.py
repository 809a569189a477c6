"""The deterministic crisis layer (safety/): recall on a labelled set, near misses, the component."""
import re
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


# General rule families (means + time/intent, goodbye acts, someone else's emergency, violence now,
# psychosis with danger, places), written for these tests, not taken from any evaluation set.
@pytest.mark.parametrize("message", [
    # means / method + acute time or intent
    "har spart opp sovemedisin i flere uker og tar alt på en gang i natt",
    "skal sette hele dosen heroin i kveld så jeg slipper å våkne",
    "eg har kjøpt tau og funne eit tre i skogen",
    "sitter med barberbladet i hånda og vet ikke hva jeg gjør",
    "står på kanten av taket på parkeringshuset nå og tør ikke gå ned",
    "venter på perrongen på et tog som ikke stopper her",
    "kjøpte frostvæske i dag og skal drikke det når alle sover",
    "har tent en engangsgrill på soverommet og tettet vinduene",
    # goodbye / final acts
    "har gitt bort hunden og sagt opp leiligheten, i morgon tidleg gjer eg det",
    "skriver dette så dere vet det: jeg har lagt et brev til mamma på kjøkkenbordet, tilgi meg",
    "takk for meg alle sammen, ta vare på hverandre",
    "snart er jeg ikke et problem for noen lenger",
    "det er best for alle at jeg bare forsvinner",
    # someone else's emergency after drugs or poison
    "kameraten min tok noe på fest og puster veldig svakt nå",
    "morfar har drukket ugressmiddel fra boden og kaster opp",
    "lillebror på fire har svelget et knappecellebatteri",
    "hun ligger på badegulvet og rører seg ikke, det ligger tomme pillebokser der",
    # violence to others, now or threatened
    "stefaren min holder mamma nede mot gulvet og hun får ikke puste",
    "ekskjæresten står utenfor med en øks og prøver å komme seg inn",
    "jeg er så sint at jeg er redd jeg skader han når han kommer hjem",
    "han sier han skal skyte alle på jobben i morgen",
    # psychosis with danger
    "stemmene i hodet sier at jeg må straffe meg selv i kveld",
    "broren min tror han kan fly og har klatret ut på taket",
    # dialect / nynorsk / no æøå
    "e orke itj meir, æ ska ta alle tablettan i kveill",
    "eg har ikkje noko meir å leva for",
    "har drukket rodsprit og ser dobbelt",
])
def test_situational_rule_families(message):
    assert default_detector().detect(message) is not None, message


@pytest.mark.parametrize("message", [
    # hyperbole and idioms
    "jeg dreper tiden med sudoku på venterommet",
    "rapporten kommer til å drepe meg, men når er fristen?",
    "treneren skal drepe oss på intervallene i morgen",
    "jeg drepte en hel pose potetgull i går",
    "skal kaste meg ut i det og søke på jobben",
    "vil hoppe av kurset, hvordan melder jeg meg ut?",
    "skadet meg i ankelen på fotballtrening, trenger jeg røntgen?",
    "henger meg opp i småting, er det angst?",
    "er livredd for å dø når jeg skal fly, finnes det kurs mot flyskrekk?",
    # history told calmly
    "hadde en overdose som tenåring, nå har jeg det bra og lurer på journalinnsyn",
    "faren min tok sitt eget liv for mange år siden, finnes det sorggrupper?",
    "har hatt selvmordstanker før, men nå har jeg det fint. kan jeg bytte psykolog?",
    # questions about services, plans, courses
    "har skolen en beredskapsplan ved selvmord blant elever?",
    "hva er varseltegnene på selvskading hos ungdom?",
    "finnes det sorgstøtte for etterlatte etter selvmord her?",
    "vi har rottegift i kjelleren, hvem kan hjelpe med mus?",
    "står på perrongen og toget er forsinket, rekker jeg timen?",
    "tok med meg medisinene mine på ferie, kan jeg få ny resept der?",
    "har parkert med motoren i gang i garasjen for å varme bilen",
    "går over brua hver dag på vei til skolen",
])
def test_idioms_history_and_service_questions_are_not_crises(message):
    assert default_detector().detect(message) is None, message


# Families added after the odd half of the second fresh set (own sentences, not from any set).
@pytest.mark.parametrize("message", [
    "har ikkje ete noko på fem dagar med vilje og no svimlar alt",
    "jeg vil bare at alt skal ta slutt",
    "kan ikke love deg at jeg er i live i morgen",
    "det skal se ut som en ulykke når jeg kjører hjem i natt",
    "blodet spruter fra armen og jeg får det ikke til å stoppe",
    "eg har stukke meg sjølv med ein kniv",
    "ga bestefar for mye morfin i kveld og nå puster han rart",
    "har rørt frostvæske ut i saften min",
    "vi har en propanovn i bobilen og hele familien er svimmel og kvalm",
    "pappa sendte melding om at han er glad i oss, og nå svarer han ikke",
    "en dame ligger nede på togskinnene ved perrongen",
    "hun tror hun kan fly og står ved vinduet i sjette etasje nå",
    "kameraten min falt ned fra taket og rører seg ikke",
    "har med meg vodka og tablettene, skal ikkje heim",
])
def test_odd_half_rule_families(message):
    assert default_detector().detect(message) is not None, message


@pytest.mark.parametrize("message", [
    "blodet renner fra nesa, hvordan stopper jeg neseblod?",
    "skal hoppe strikk i sommer, er det trygt?",
    "bestefar er 94 og sier han er klar for å dø, han har hatt et langt liv",
    "skreiv ein stil om sjølvmord i norsk litteratur",
    "søsteren min kuttet seg før, men har det bra nå. hvordan støtter jeg henne?",
    "går tur langs jernbanesporet med hunden hver dag",
    "mamma sendte sms: glad i deg, pass på deg selv på turen!",
])
def test_odd_half_near_misses(message):
    assert default_detector().detect(message) is None, message


def test_component_overrides_intent_and_keeps_ranking():
    from rasa.shared.nlu.training_data.message import Message

    from rasa_server.nlu.crisis_safety_net import CrisisSafetyNet

    component = CrisisSafetyNet(CrisisSafetyNet.get_default_config())
    crisis = Message(data={"text": "jeg vil ta livet mitt",
                           "intent": {"name": "nlu_fallback", "confidence": 0.3},
                           "intent_ranking": [{"name": "greet", "confidence": 0.3}]})
    calm = Message(data={"text": "hei", "intent": {"name": "greet", "confidence": 0.9}})
    component.process([crisis, calm])
    assert crisis.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert crisis.get("intent_ranking")[0]["name"] == "crisis"
    assert crisis.get("crisis_verdict")["pattern"] and crisis.get("crisis_verdict")["level"] == "sure"
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
    # questions about a child's øyeblikkelig / akutt hjelp get the crisis answer on purpose
    assert all(re.search(r"oyeblikkelig|akutt", m.replace("ø", "o")) for m in alarms), alarms


@pytest.mark.parametrize("text,expected", [
    ("jeg døde av latter", "need_help"),   # harmless idiom: the classifier's crisis intent gives way
    ("jeg vil dø", "crisis"),              # a clear pattern: crisis whatever the intent classifier said
])
def test_the_verdict_not_the_intent_classifier_decides(text, expected):
    from rasa.shared.nlu.training_data.message import Message

    from rasa_server.nlu.crisis_safety_net import CrisisSafetyNet

    component = CrisisSafetyNet(CrisisSafetyNet.get_default_config())
    message = Message(data={"text": text, "intent": {"name": "crisis", "confidence": 0.9},
                            "intent_ranking": [{"name": "crisis", "confidence": 0.9},
                                               {"name": "need_help", "confidence": 0.05}]})
    component.process([message])
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize("message, flagged", [
    ("Hvordan vil du beskrive et pakkeforløp?", False),  # «vil du» is one typo from «vil dø»
    ("hva vil de forbedre med pakkeforløp", False),
    ("Vil de spørre om hva som er viktig i livet mitt?", False),  # «i» is two from «ta»
    ("Sønnen min har voldsom prestasjonsangst", False),
    ("jeg vil tahh livet mitt", True),  # letters added to a short word are still a typo
    ("jeg vil ta livet mit", True),
])
def test_short_everyday_words_are_not_typos_of_danger_words(message, flagged):
    assert (default_detector().detect(message) is not None) == flagged
