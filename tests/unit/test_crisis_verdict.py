"""The graded crisis verdict (safety/verdict.py, safety/context.py, safety/classifier.py) and the
NLU component that applies it (rasa_server/nlu/crisis_safety_net.py)."""
from __future__ import annotations

import pytest

from safety.context import default_context
from safety.verdict import NONE, SURE, THRESHOLDS, UNSURE, CrisisVerdict, assess, combine

PATTERN_VETO_SCORE, SURE_SCORE = THRESHOLDS.pattern_veto, THRESHOLDS.sure
SURE_SCORE_SOFTENED, UNSURE_SCORE = THRESHOLDS.sure_softened, THRESHOLDS.unsure


@pytest.mark.parametrize("pattern,softener,score,danger,expected", [
    ("rule", None, 0.5, True, SURE),                         # a clear pattern hit
    ("rule", None, PATTERN_VETO_SCORE / 2, True, UNSURE),    # ... the classifier strongly disagrees
    ("rule", "past", 0.5, True, UNSURE),                     # ... told about the past
    ("rule", "past", SURE_SCORE_SOFTENED, True, SURE),       # ... but the classifier is certain
    (None, None, SURE_SCORE, False, SURE),                   # the classifier alone, high
    (None, "negated", SURE_SCORE, False, UNSURE),            # ... high, in a softening context
    (None, None, UNSURE_SCORE, False, UNSURE),               # the classifier alone, middling
    (None, None, 0.0, True, UNSURE),                         # a danger word alone: the 113 line
    (None, None, UNSURE_SCORE / 2, False, NONE),             # nothing: the normal answer
])
def test_combine_grades_the_evidence(pattern, softener, score, danger, expected):
    verdict = combine(pattern, "matched" if pattern else None, softener, score, danger)
    assert verdict.level == expected
    assert verdict.score == score and verdict.pattern == pattern


@pytest.mark.parametrize("softener,expected", [(None, SURE), ("past", UNSURE)])
def test_a_clear_pattern_is_sure_whatever_the_classifier_unless_softened(softener, expected):
    assert combine("clear rule", "jeg vil dø", softener, 0.0, True, clear=True).level == expected


@pytest.mark.parametrize("text", [
    "jeg vil dø, hvem kan jeg snakke med?", "I want to kill myself, who can I talk to?",
    "eg har teke ein overdose. kva gjer eg no", "jeg har tatt alle pillene mine, når åpner dere?",
])
def test_a_clear_statement_with_a_question_is_sure(text):
    from safety.verdict import assess

    verdict = assess(text)
    assert verdict.level == SURE and verdict.pattern, verdict


def test_the_thresholds_are_ordered():
    assert 0 < PATTERN_VETO_SCORE < UNSURE_SCORE < SURE_SCORE <= SURE_SCORE_SOFTENED <= 1


def test_a_verdict_survives_the_round_trip_through_metadata():
    verdict = CrisisVerdict(SURE, score=0.912345678, pattern="p", matched="m", softener=None, question="ask_email")
    again = CrisisVerdict.from_dict(verdict.as_dict())
    assert again.level == SURE and again.question == "ask_email" and again.score == pytest.approx(0.9123, abs=1e-4)


def test_as_dict_holds_every_field():
    from dataclasses import fields

    assert set(CrisisVerdict(NONE).as_dict()) == {f.name for f in fields(CrisisVerdict)}


@pytest.mark.parametrize("data", [None, "sure", {}, {"level": "very"}, {"level": 3}, ["sure"]])
def test_anything_else_is_not_a_verdict(data):
    assert CrisisVerdict.from_dict(data) is None


@pytest.mark.parametrize("text,expected", [
    ("for tre år siden prøvde jeg å ta livet mitt, nå går det bra", "past"),
    ("da jeg var 15 kuttet jeg meg", "past"),
    ("hva skjer hvis noen tar en overdose?", "hypothetical"),
    ("what happens if someone takes too many pills", "hypothetical"),
    ("det er ikke akutt, men sønnen min snakker om å dø", "negated"),
    ("I am not suicidal, just very tired", "negated"),
    ("hva betyr selvskading", "meaning"),
    ("skal skrive skoleoppgave om selvmord", "fiction"),
    ("i filmen dreper han alle", "fiction"),
    ("jeg vil ta livet mitt", None),
])
def test_softening_contexts(text, expected):
    assert default_context().softener(text) == expected


def test_saying_it_happens_now_cancels_the_softening():
    assert default_context().softener("for to år siden prøvde jeg, og i kveld gjør jeg det igjen") is None


@pytest.mark.parametrize("text,expected", [
    ("han har en kniv", True), ("tok noen piller", True), ("my friend is unconscious", True),
    ("hva er et pakkeforløp", False), ("when can I call you", False),
])
def test_danger_words_give_at_least_the_line(text, expected):
    assert default_context().has_danger_word(text) is expected


def test_the_fast_scorer_equals_scikit_learns_pipeline():
    from safety.classifier import CrisisClassifier

    texts = ["jeg vil ta livet mitt", "hva er et pakkeforløp", "mamma ligger på gulvet og svarer ikke",
             "når er telefontiden", "he took all the pills", "eg vil døy", "hei hei", "kniv"]
    labels = [True, False, True, False, True, True, False, False]
    model = CrisisClassifier.train(texts * 3, labels * 3)
    probe = texts + ["helt ny melding om piller i kveld", "x" * 3000, "æøå ÆØÅ"]
    assert [model.score(t) for t in probe] == pytest.approx(model.scores(probe), abs=1e-9)
    assert model.score("") == 0.0


def test_a_saved_classifier_scores_the_same(tmp_path):
    from safety.classifier import CrisisClassifier

    model = CrisisClassifier.train(["vil dø", "hei", "tok piller", "hva er"] * 3, [True, False, True, False] * 3)
    path = tmp_path / "c.joblib"
    model.save(path)
    assert CrisisClassifier.load(path).score("vil dø nå") == pytest.approx(model.score("vil dø nå"))


def _message(text, intent, ranking, verdict=None):
    from rasa.shared.nlu.training_data.message import Message

    data = {"text": text, "intent": intent, "intent_ranking": ranking}
    if verdict is not None:
        data["metadata"] = {"crisis_verdict": verdict.as_dict()}
    return Message(data=data)


def _component():
    from rasa_server.nlu.crisis_safety_net import CrisisSafetyNet

    return CrisisSafetyNet(CrisisSafetyNet.get_default_config())


def test_the_component_reads_the_channels_verdict_instead_of_assessing_again():
    # the text alone is harmless: only the verdict passed with it can make it a crisis
    message = _message("hei", {"name": "greet", "confidence": 0.9}, [{"name": "greet", "confidence": 0.9}],
                       CrisisVerdict(SURE, score=0.99))
    _component().process([message])
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("crisis_verdict")["level"] == SURE
    assert "crisis_verdict" not in message.get("metadata")  # moved to the parse data: stored once


def test_a_sure_crisis_keeps_the_question_it_also_asked():
    ranking = [{"name": "crisis", "confidence": 0.5}, {"name": "ask_phone_hours", "confidence": 0.3},
               {"name": "greet", "confidence": 0.1}]
    message = _message("har tatt alle pillene, når kan jeg ringe dere?", ranking[0], ranking,
                       CrisisVerdict(SURE, score=0.99))
    _component().process([message])
    assert message.get("intent")["name"] == "crisis"
    assert message.get("crisis_verdict")["question"] == "ask_phone_hours"
    assert [r["name"] for r in message.get("intent_ranking")] == ["crisis", "ask_phone_hours", "greet"]


def test_a_sure_crisis_without_a_question_has_none():
    ranking = [{"name": "ask_phone_hours", "confidence": 0.3}]
    message = _message("har tatt alle pillene", ranking[0], ranking, CrisisVerdict(SURE, score=0.99))
    _component().process([message])
    assert message.get("crisis_verdict")["question"] is None


@pytest.mark.parametrize("level", [UNSURE, NONE])
def test_short_of_sure_the_classifiers_crisis_intent_gives_way_to_an_answer(level):
    ranking = [{"name": "crisis", "confidence": 0.6}, {"name": "ask_get_coordinator", "confidence": 0.2}]
    message = _message("for to år siden ville jeg dø, hvordan får jeg koordinator?", ranking[0], ranking,
                       CrisisVerdict(level, score=0.4))
    _component().process([message])
    assert message.get("intent")["name"] == "ask_get_coordinator"
    assert message.get("crisis_verdict")["level"] == level


# kinds the ninth blind set found (its messages are spent; these are new phrasings of each kind):
# clear situations are sure even inside an ordinary question the classifier scores low
@pytest.mark.parametrize("text", [
    "hvordan får man koordinator? forresten ligger tauet klart i boden",
    "what's the phone time? doesn't matter much, the rope is ready in the shed",
    "skar meg i armen for en time siden og det blør fortsatt gjennom bandasjen",
    "I cut too deep and it won't stop bleeding",
    "jeg sitter med beina utenfor rekkverket på brua",
    "her legs are over the railing on the 6th floor balcony",
    "I already took the pills so it doesn't matter",
    "i won't be around next week, i've given away my stuff",
    "tror ikke jeg kommer til å være her neste uke",
    "har satt masse insulin med vilje",
    "kan man dø av 30 paracet? har gjort det",
    "can you die from 50 ibux? i already took them",
    "hjelp meg nå",
    "please help me now",
    "han drokke rødsprit for ei stund sia",
    "my husband hit me and says it will be worse when he gets home",
    "Ventelista er lang og jeg rekker det ikke, har planlagt det til fredag",
    "testa med ledningen rundt halsen i går, skal gjøre det ordentlig i dag",
    # kinds of the tenth set (spent), in new words
    "kom fort, pappa er bevisstløs på badet",
    "når åpner dere? vil prate litt før jeg tar resten av tablettene",
    "er det farlig med 30 imovane? tok dem i stad",
    "satte meg et skudd nå og det var for sterkt, puster tungt",
    "ingen ringer meg tilbake så da gjør jeg slutt i natt",
    "har gjort noe dumt med medisinene igjen",
    "I have decided to die on sunday",
    "this is goodbye, thanks for everything",
    "I took coke and my chest hurts so much I can't breathe",
    "I've planned it for tonight",
    "farvel alle sammen",
    # kinds of the eleventh set (spent), in new words
    "I've been saving up my pills for a month and will take them all tonight",
    "quick question about BUP... never mind, I won't be around, I'm doing it tomorrow",
    "holding a razor blade in the bathroom",
    "i'm on the bridge now",
    "det skal ta slutt i kveld",
    "har tatt nøkkelen til våpenskapet, ingen vet",
    "naboen er full og skal kjøre bil med barna nå",
    "eg er redd for kva eg gjer med meg sjølv i natt",
    "I've collected my pills for this",
    "my uncle is chasing my aunt with a knife",
    # kinds of the twelfth set (spent), in new words
    "har skaffa meg tau i dag, og jeg vet hva jeg skal bruke det til",
    "farvel alle. unnskyld for alt",
    "jeg skal ikke være her når dere leser dette",
    "dere trenger ikke lete etter meg",
    "har 30 stk vival her, holder det?",
    "svelga 15 paracet for en time sia",
    "kutta meg djupare enn vanleg i kveld",
    "de slår hverandre i leiligheten over, jeg hører det fortsatt",
    "I'll crash the car so it looks like an accident",
    "I'm ready to end it",
    "took 20 advil an hour ago",
    "nobody will miss me anyway",
    "help me please now",
    # kinds of spent sets the retrained classifier put just under 0.80, in new words
    "takk til dere som prøvde å hjelpe meg",
    "my dog fell through the ice and my son went out after it",
    "kutta meg så det gaper, får det ikke til å stoppe",
    "sluttet brått med alkohol for to dager siden, nå skjelver jeg og ser dyr i rommet",
    "e kjem ikkje te å vær her i morra",
    "i dag er dagen",
    # kinds of the thirteenth set (spent), in new words
    "hva er den minst smertefulle måten? spør fordi jeg skal gjøre det",
    "hvor lang tid tar det å virke når man tar for mange sovepiller, jeg har allerede tatt dem",
    "I have a plan and a date, so please no more advice",
    "he says he will take the rifle to school on monday",
    "satte mye mer enn vanlig i stad og hjertet hamrer",
    "har bestemt meg nå. det er greit. ha det",
    "si til mamma at jeg er glad i henne. jeg orker ikke mer",
    "det blir ikke noen jul for meg i år",
    "orker ikke mer. går ut på isen",
    "hvor fort går det når man henger seg, må vite det nå",
    "sitter i vinduskarmen i 9. etasje",
    "ga bort katten i dag og ryddet leiligheten, ville bare si ha det",
    "I'm going to drive off the cliff tonight",
    "takk for alt, og det er ikke din feil",
    # kinds of the fourteenth set (spent), in new words
    "uansett, jeg skal ikke være her i morgen",
    "har en plan for i kveld, rekker ikke pakkeforløpet uansett",
    "hvor lang er køen? glem det, jeg tar pillene nå",
    "har brukt masse i dag og nå kjennes det som hjertet stopper",
    "used way more than usual, it was too strong, can't feel my arms",
    "he says he's planning a school shooting",
    "I have stabbed myself in the arm",
])
def test_clear_situations_of_the_ninth_set_are_sure(text):
    assert assess(text).level == SURE, text


@pytest.mark.parametrize("text", [
    "Det føles som jeg skal dø når panikken kommer, men legen sier det er ufarlig",
    "I don't want to hurt myself, I just need someone to talk to",
    "Sønnen min på 7 roper «jeg vil dø» hver gang han blir sint, er det normalt?",
    "jeg trenger hjelp nå med å finne ut hvem jeg skal ringe om pakkeforløp",
    "Hva gjør vi om dattera mi en dag sier at hun vil ta livet sitt?",
    "How can I tell if my brother is at risk of suicide?",
    "trodde jeg skulle dø under panikkanfallet i går, er det normalt?",
    "jenta mi sier hun vil dø når hun får nei til godteri, er det vanlig?",
    "tok for mange piller ved et uhell i fjor, nå går det fint",
    "mannen min drikker hver kveld og jeg orker ikke mer",
    # kinds of the twelfth set (spent), in new words
    "hva gjør man hvis en venn sier at han vil ta livet sitt?",
    "what do you do if someone in the chat writes that they want to die?",
    "sliten av alt, ikke sånn at jeg vil dø, bare trøtt",
    "not like I want to die or anything, just tired all the time",
    "she says 'I want to die' whenever we turn off the wifi",
    "farmor sier det hver dag, at hun vil dø, men hun er rolig og spiser godt",
    "he took an overdose in May and he's stable now, how do I talk to the kids about it?",
    "this queue is so annoying I could kill myself lol, when do you open?",
    "my son hasn't left his room for two weeks and barely eats, who do we call?",
    "dattera vår har ikkje vore ut av rommet på ei veke, kven kan hjelpe?",
    "pappa fikk en overdose i februar, nå er han hjemme og stabil. hva skjer videre?",
    "if I see someone who has overdosed, do I call 113? just asking for the future",
    "har ikke skadet meg på flere måneder, kan jeg få en samtale?",
    "eg er så lei av regnet at eg kunne skutt meg",
    "jeg drukner i lekser for tiden",
    "den nye oppdateringen var så dårlig at jeg vil hoppe ut av vinduet",
    "broren min skriker at han skal drepe alle når han spiller krigsspill",
    "I'm so much better now than when I wrote last time",
    "er selvmordstanker vanlig ved depresjon?",
    "my brother tried to end his life last month and comes home on monday, who follows him up?",
    "she yelled that she wants to die because she couldn't have her phone",
    "I shot myself in the foot by missing the appointment",
])
def test_panic_negation_and_anger_are_not_sure(text):
    assert assess(text).level != SURE, text
