"""Who needs help, read from what people write (actions/age.py)."""
import pytest

from actions.age import ADULT, CHILD, read_person

CASES = [
    # text, expected audience, expected age
    ("jeg er 17", CHILD, 17),
    ("jeg er 18", ADULT, 18),
    ("Jeg er 42 år", ADULT, 42),
    ("eg er 16", CHILD, 16),
    ("æ e 15 år", CHILD, 15),
    ("16 år", CHILD, 16),
    ("16år", CHILD, 16),
    ("sønnen min på 14", CHILD, 14),
    ("sonnen min paa 14 sliter", CHILD, 14),
    ("dottera mi på 9", CHILD, 9),
    ("datteren min er 19", ADULT, 19),
    ("en 15-åring", CHILD, 15),
    ("tenåring", None, None),  # 13 to 19: blind authors of four sets asked
    ("tenåringsdattera mi har det tungt", None, None),
    ("samboeren min har depresjon", ADULT, None),
    ("sambuaren min drikk for mykje", ADULT, None),
    ("tenaaringen min har angst", None, None),
    ("barnet mitt", None, None),  # a child of any age: two blind authors asked (behaviour sets 2, 3)
    ("eleven min", None, None),  # a pupil at vgs may be 18
    ("mannen min", ADULT, None),
    ("kona mi drikker", ADULT, None),
    ("barn", CHILD, None),
    ("voksen", ADULT, None),
    ("vaksen", ADULT, None),
    ("under 18", CHILD, None),
    ("Under 18 år", CHILD, None),
    ("18 år eller eldre", ADULT, None),
    ("over 18", ADULT, None),
    ("unnskyld, det gjelder meg selv, jeg er 30", ADULT, 30),
    ("jeg er 45 og sønnen min er 15", CHILD, 15),
    ("jeg er 17 år gammel", CHILD, 17),
]


@pytest.mark.parametrize("text,audience,age", CASES)
def test_reads_audience_and_age(text, audience, age):
    person = read_person(text)
    assert person.audience == audience
    assert person.age == age


@pytest.mark.parametrize("text", [
    "sønnen min sliter",      # a son may be an adult: ask
    "hvem kan jeg kontakte?",
    "ring 901 50 842",        # a phone number is not an age
    "kan jeg ringe kl 10",
    "jeg trenger hjelp",      # the writer may be 15: ask
    "eg treng hjelp",
    "hei",
    "",
    None,
])
def test_unclear_messages_do_not_guess(text):
    assert read_person(text).audience is None


@pytest.mark.parametrize("text", ["det gjelder meg", "det gjeld meg sjølv", "meg selv"])
def test_about_self_is_noticed_without_an_age(text):
    person = read_person(text)
    assert person.about_self and person.audience is None


@pytest.mark.parametrize("age,audience", [(0, None), (17, CHILD), (18, ADULT), (110, ADULT), (120, ADULT),
                                          (121, None), (450, None)])
def test_age_boundaries(age, audience):
    assert read_person(f"jeg er {age}").audience == audience


# --- Reading ages like a person does: (text, audience, age) ------------------------------------

NUMBER_WORDS = [
    ("fjorten år", CHILD, 14),
    ("femten", CHILD, 15),               # a bare answer to "hvor gammel?"
    ("sytten", CHILD, 17),
    ("atten", ADULT, 18),
    ("nitten", ADULT, 19),
    ("tjue", ADULT, 20),
    ("førti", ADULT, 40),
    ("seksti", ADULT, 60),
    ("jeg er seksten", CHILD, 16),
    ("eg er søtten", CHILD, 17),         # nynorsk / dialect
    ("ho er tjuge", ADULT, 20),
    ("han er tredve år", ADULT, 30),
    ("hun er tjuefem", ADULT, 25),
    ("mannen min er førtito", ADULT, 42),
    ("han er femtiåtte år", ADULT, 58),
    ("jeg er to og tjue", ADULT, 22),
    ("jeg er tjueto", ADULT, 22),
    ("jeg er tjue to år", ADULT, 22),
    ("han er hundre og ti", ADULT, 110),
    ("13 år gammel", CHILD, 13),
    ("jeg er 17 år gammel", CHILD, 17),
    ("en 15 år gammel gutt", CHILD, 15),
    ("hei, 16 år", CHILD, 16),
    ("17", CHILD, 17),
    ("18", ADULT, 18),
    ("Ola er 15 år", CHILD, 15),         # a name as subject: "år" makes it an age
    ("min datter er tjuefire", ADULT, 24),
    ("alder: 15", CHILD, 15),
    ("alderen er 44", ADULT, 44),
    ("sønnen min (15) sliter", CHILD, 15),
    ("han er 17,5 år", CHILD, 17),
]

DIALECT = [
    ("ho e 15", CHILD, 15),
    ("hu e sytten", CHILD, 17),
    ("æ ær 16", CHILD, 16),
    ("eg ir 14", CHILD, 14),
    ("e e 17", CHILD, 17),               # Trøndelag "e" = jeg
    ("i e 15 år", CHILD, 15),
    ("han ær søtten år", CHILD, 17),
    ("onga mi e 12", CHILD, 12),
    ("ongen min er 13", CHILD, 13),
    ("ungen e 10", CHILD, 10),
    ("gutungen min er 9", CHILD, 9),
    ("jentungen e 11", CHILD, 11),
    ("dotra mi e 16", CHILD, 16),
    ("dottera mi er 19", ADULT, 19),
    ("dattera mi e 20", ADULT, 20),
    ("sonen min er 20", ADULT, 20),
    ("sønn min 14 år", CHILD, 14),
    ("min sønn er 15", CHILD, 15),
    ("far min er 80", ADULT, 80),
    ("er jeg 17?", CHILD, 17),           # verb first
    ("nå er sønnen min 15", CHILD, 15),
]

BIRTHDAYS = [
    ("har fylt 16", CHILD, 16),
    ("hun har nettopp fylt 18", ADULT, 18),
    ("ho vart 18 i går", ADULT, 18),
    ("hun fylte 16 i går", CHILD, 16),
    ("fyller 18 neste uke", CHILD, 17),  # still 17 today
    ("fyller 17 i mai", CHILD, 16),
    ("han fyller 18 i dag", ADULT, 18),
    ("hun blir 18 i mai", CHILD, 17),
    ("han blir 18 i dag", ADULT, 18),
    ("jeg skal fylle 18 snart", CHILD, 17),
    ("snart 18", CHILD, 17),
    ("han fyller snart 18", CHILD, 17),
    ("hun er nesten 18", CHILD, 17),
    ("over 18", ADULT, None),
    ("over atten", ADULT, None),
    ("jeg er over 18 år", ADULT, None),
    ("under 18", CHILD, None),
    ("under atten", CHILD, None),
    ("dattera mi er under 18", CHILD, None),
    ("gjelder det barn under 18?", CHILD, None),
    ("en person over 18", ADULT, None),
    ("18+", ADULT, None),
    ("17 eller yngre", CHILD, None),
    ("jeg er ikke 18 ennå", CHILD, None),
    ("har ikke fylt 18", CHILD, None),
    ("da jeg ble 18", ADULT, None),      # a past event: 18 or older now
    ("siden hun var 19", ADULT, None),
    ("han er 18 om to uker", CHILD, 17),
    ("han er 18 i morgen", CHILD, 17),
    ("hun er 18 neste uke", CHILD, 17),
    ("han er 18 til sommeren", CHILD, 17),
    ("jeg er 18 om det er viktig", ADULT, 18),  # "om" as "if" is no time ahead
    ("hun er i 30-årene", ADULT, None),
    ("sønnen min er i tenårene", None, None),
    ("babyen min på 3 måneder", CHILD, 0),
    ("3 uker gammel", CHILD, 0),
]

SCHOOL = [
    ("går i 8. klasse", CHILD, None),
    ("8.klasse", CHILD, None),
    ("åttende klasse", CHILD, None),
    ("hun går i 1. klasse", CHILD, None),
    ("sønnen min går i tiende klasse", CHILD, None),
    ("han går på 5. trinn", CHILD, None),
    ("går på ungdomsskolen", CHILD, None),
    ("går på ungdomsskulen", CHILD, None),
    ("barneskolen", CHILD, None),
    ("i barnehagen", CHILD, None),
    ("VG1", None, None),  # VG1-VG3 are under 18 only when the text says so (the issue; routing set 6)
    ("han går på vg 2", None, None),
    ("andre året på videregående", None, None),
    ("jeg er 17 og går i vg3", CHILD, 17),   # the stated age decides
    ("han er 19 og går på vgs", ADULT, 19),
    ("mannen min er student", ADULT, None),  # "student" leaves room for the husband's words
    ("jeg er pensjonist", ADULT, None),
    ("min gamle mor", ADULT, None),
    ("gamle far drikker", ADULT, None),
    ("bestemor", ADULT, None),
]

COMPOUNDS = [
    ("tenåringssønnen min", None, None),
    ("tenåringsjenta", None, None),
    ("tenåringen vår", None, None),
    ("sekstenåringen", CHILD, 16),
    ("15-åringen", CHILD, 15),
    ("15 åring", CHILD, 15),
    ("femtenåring", CHILD, 15),
    ("en 15-årig gutt", CHILD, 15),
    ("jeg er mor til en 15-åring", CHILD, 15),
    ("i 16-årsalderen", CHILD, 16),
    ("småbarnet", CHILD, None),
    ("jeg er småbarnsmor og sliter med angst", ADULT, None),  # the mother is the writer
    ("småbarnsfar", ADULT, None),
    ("småbarnsmor, barnet mitt på 4 sliter", CHILD, 4),       # the child is named: the child
    ("ungen min", None, None),
    ("ongen min sliter", None, None),
    ("jentungen", CHILD, None),
]

CORRECTIONS = [
    ("nei, jeg skrev feil, han er 19", ADULT, 19),
    ("unnskyld, 17 ikke 71", CHILD, 17),
    ("ikke 71 men 17", CHILD, 17),
    ("mente 16", CHILD, 16),
    ("sorry, mente 19", ADULT, 19),
    ("han er 71, nei 17", CHILD, 17),
    ("sønnen min er 71 unnskyld 17", CHILD, 17),
    ("gutten min er 16, eller nei, 19", ADULT, 19),
    ("jeg er 17 og snart 18", CHILD, 17),
    ("datteren min er 17 år, men fyller 18 i morgen", CHILD, 17),
]

WHO = [
    ("sønnen min er 15 og jeg er 45", CHILD, 15),      # the other person, in either order
    ("jeg er 45 og har en sønn på 15", CHILD, 15),
    ("jeg er 16 og mamma er 45", ADULT, 45),
    ("mamma er 45 og jeg er 16", ADULT, 45),
    ("det gjelder meg, jeg er 16 og mamma er 45", CHILD, 16),
    ("en gutt på 15", CHILD, 15),
    ("jeg er en jente på 16", CHILD, 16),
    ("ei jente på 16 år", CHILD, 16),
    ("jeg har to barn på 3 og 5", CHILD, 5),
    ("Hei! Jeg er en gutt på 15 år som sliter med angst", CHILD, 15),
    ("han er 16 år og har vært syk i 3 år", CHILD, 16),  # the duration is no second age
    ("jeg er 17 år og 3 måneder", CHILD, 17),
    ("hun fyller 18 17. mai", CHILD, 17),  # two numbers side by side stay two numbers
    ("jeg er lærer og en av elevene mine på 14 sliter", CHILD, 14),
    ("han veier 60 kg og er 16", CHILD, 16),        # the subject was said before "og"
    ("jeg har tre barn på 4, 7 og 12", CHILD, 12),
    ("sønnen min var 12 da han begynte å ruse seg, nå er han 16", CHILD, 16),
    ("Jeg har vært deprimert siden jeg var 13, nå er jeg 24", ADULT, 24),
]

# Messages from the project's NLU data and blind sets that an earlier reader got wrong
FROM_THE_DATA = [
    ("det er meg, 52 år", ADULT, 52),    # a new clause after the comma
    ("voksen, 33 år", ADULT, 33),
    ("over 18, det er meg", ADULT, None),
    ("under 18 ja", CHILD, None),
    ("over atten ja", ADULT, None),
    ("Barnebarnet mitt på 61 – skrivefeil, 16 år – trenger et forløp.", CHILD, 16),
    ("hvem ringer jeg for gutten min , han er 61.. sorry 16", CHILD, 16),
    ("jeg er 17 snart 18", CHILD, 17),   # "snart 18" restates 17, it does not make 17 into 16
    ("hvordan fungerer forløpet for unge under 18 år", CHILD, None),
    ("e d eget opplegg for ungdomma under 18?", CHILD, None),
    ("ett barn", CHILD, None),           # an article, not a count
    ("voksen person", ADULT, None),
    ("mamma er visst i noe som heter pasientforløp nå", ADULT, None),
    ("Jeg er sytten – nei, fylte atten i går, glemte det – og jeg trenger hjelp", ADULT, 18),
    ("Jenta mi fyller 17 i vår. Hvem i kommunen skal jeg ringe?", CHILD, 16),
    ("Kan en gutt på elleve år få et eget forløp?", CHILD, 11),
    ("dotra mi på ti år et nesten ingenting lenger, vi treng hjelp", CHILD, 10),
    ("æ e sytten å har hatt d kjipt lenge, treng hjelp", CHILD, 17),
    ("sønnen min som er 25", ADULT, 25),
    ("pasienten er 15", CHILD, 15),
    ("eg er ikkje myndig", CHILD, None),
    ("myndig", ADULT, None),
    ("Hvem tar jeg kontakt med for stesønnen min som går på VG1?", None, None),
    ("kven kontaktar eg for son min som går i 8. klasse", CHILD, None),
    ("kor mykje er 100 delt på 4", None, None),
    ("regn ut 144 delt på 12", None, None),
    ("må eg søke byggeløyve for ein carport på 30 kvm", None, None),
    ("trenger jeg byggetillatelse for å bygge en hytte på 15 kvadratmeter", None, None),
    ("kan jeg ringe ca. kl. 14?", None, None),   # "kl." ends no clause
    ("Jeg lurer på 2 ting: 1) hvor er dere 2) hva koster det", None, None),
]

# Ranges that straddle 18 ask, whatever else the text says
STRADDLING = [
    ("går på VG3", None, None),
    ("tredje året på vgs", None, None),
    ("3. klasse på vgs", None, None),
    ("går på videregående", None, None),
    ("eleven min går på vgs", None, None),
    ("student", None, None),
    ("mellom 16 og 20", None, None),
    ("han er 16-20 år", None, None),
    ("han er rundt 17", None, None),
    ("sønnen min er over 16", None, None),
    ("jeg er ikke 18", None, None),          # could be 17 or 40
    ("han ble 17 i fjor", None, None),       # 17 or 18 now
    ("hun har slitt siden hun var 12", None, None),
    ("når han fyller 18", None, None),       # no statement about today
    ("han gikk på ungdomsskolen for 10 år siden", None, None),
    ("jeg er bestemor og barnebarnet mitt sliter", None, None),
    ("18 eller yngre", None, None),
]

# Numbers that are not ages
NOT_AGES = [
    ("ring meg på 901 50 842", None, None),
    ("ring 90150842", None, None),
    ("ring +47 901 50 842", None, None),
    ("kan du ringe kl 14", None, None),
    ("kan jeg ringe kl. 14.30", None, None),
    ("14.00 passer", None, None),
    ("klokka er 14", None, None),
    ("jeg ringer 14-tiden", None, None),
    ("kan jeg komme 14-16", None, None),
    ("14. mai", None, None),
    ("17. mai", None, None),
    ("møtet er den 17.", None, None),
    ("født 14.05.2008", None, None),
    ("uke 14", None, None),
    ("jeg har 2 barn", None, None),          # a parent, not a child's age
    ("hun har tre barn", None, None),
    ("det er 3 uker siden", None, None),
    ("jeg har slitt i 5 år", None, None),
    ("jeg har vært syk i over 5 år", None, None),
    ("for 5 år siden", None, None),
    ("om 2 år", None, None),
    ("de siste 2 årene", None, None),
    ("jeg har ventet 3 år", None, None),
    ("15 år med rus", None, None),
    ("jeg har jobbet her i tjue år", ADULT, None),  # twenty years at work: an adult, not 20
    ("100 prosent", None, None),
    ("jeg er 100% sikker", None, None),
    ("i 2019", None, None),
    ("jeg er 121", None, None),
    ("han er 150 år", None, None),
    ("jeg fikk 6 i matte", None, None),
    ("hun får 5 timer", None, None),
    ("han har drukket 2 flasker", None, None),
    ("jeg er 5 min unna", None, None),
    ("hun er på rom 12", None, None),
    ("3 spørsmål", None, None),
    ("vi er 4 i familien", None, None),
    ("jeg er 1,80 høy", None, None),
    ("ring meg på 41 23 45 67", None, None),
    ("jeg bor i 2. etasje", None, None),
]
# the kinds routing set 3 (2026-12-05) missed: own phrasings of each
SET3_KINDS = [
    ("den yngste er 7 og sover dårlig", "child", 7),
    ("eldste er 20 og drikker", "adult", 20),
    ("ei av jentene er 15 og trener for mye", "child", 15),
    ("guttene er 12 og 14", "child", 14),
    ("mammaen min er 61", "adult", 61),
    ("karen er 30 og ruser seg", "adult", 30),
    ("my mate is 17 and smokes weed daily", "child", 17),
    ("my buddy, 22, drinks every night", "adult", 22),
    ("our neighbour is an elderly lady who drinks alone", "adult", None),
    ("my friend is retired and gambles", "adult", None),
    ("my neighbour drinks a lot", None, None),
    # ... and behaviour set 5
    ("dattera mi er myndig no og bur heime", "adult", None),
    ("sønnen min er pensjonist og drikker", "adult", None),
    ("sønnen min er ikke myndig", "child", None),
    ("My niece. She turned 18 in June.", "adult", 18),
    ("he has just turned 17", "child", 17),
    # ... and routing set 3: «vår» (our) after a person noun is no past «var»
    ("ungen vår i barnehagen har det vanskelig", "child", None),
    ("han ble 18 i vår", "adult", 18),
    ("gutten ble konfirmert i mai og har begynt å drikke", "child", None),
]


@pytest.mark.parametrize("text,audience,age",
                         NUMBER_WORDS + DIALECT + BIRTHDAYS + SCHOOL + COMPOUNDS + CORRECTIONS + WHO
                         + FROM_THE_DATA + STRADDLING + NOT_AGES + SET3_KINDS)
def test_reads_ages_like_a_person(text, audience, age):
    person = read_person(text)
    assert (person.audience, person.age) == (audience, age)


@pytest.mark.parametrize("text", ["det gjelder meg og sønnen min", "det gjelder meg, sønnen min er over 16",
                                  "det gjelder meg selv og dattera mi på vgs"])
def test_someone_else_named_is_not_taken_as_the_writer(text):
    # contact_actions assumes "adult" for an unclear message about the writer; these must ask
    assert read_person(text).about_self is False


@pytest.mark.parametrize("text", ["det gjelder meg, jeg er 16", "det gjeld meg sjølv, eg er 30"])
def test_about_self_is_kept_with_an_age(text):
    assert read_person(text).about_self is True


@pytest.mark.parametrize("text, audience, age", [
    ("sønnen vår går i 7. klasse", CHILD, None),  # «vår» folds to «var» (was): here it is «our»
    ("sønnen var i 7. klasse for lenge siden", None, None),  # the past says nothing about now
    ("lillesøstera mi er 13", CHILD, 13),
    ("storebroren min er 19", ADULT, 19),
    ("stesønnen min går på VG1", None, None),
    ("bonusdattera vår er 16", CHILD, 16),
    ("niesa mi på 11", CHILD, 11),  # nynorsk and dialect forms of relatives
    ("tantebarnet mitt på 12", CHILD, 12),
    ("oldebarnet vårt er 19", ADULT, 19),
    ("ho har nett fylt 10", CHILD, 10),  # «nett», «nyss»: nynorsk «nettopp»
    ("han har nyss fylt 18", ADULT, 18),
    ("broren min han er 17 nei vent 20", ADULT, 20),  # «vent» corrects like «mente»
    ("vent 2 uker, han er 17", CHILD, 17),
    ("datteren min, hun er 19 – beklager, 16 skulle det stå", CHILD, 16),
    ("bror min, han er 17 elr 18 husker ikke", None, None),  # a span across 18 asks
    ("tvillingene mine er 16 og 19", None, None),  # two people either side of 18 ask
    ("det gjelder sønnen vår på 18 og datteren vår på 15", None, None),
    ("sønnen min er 15, nei 19", ADULT, 19),  # a correction, not a second person
    ("barn på 3 og 5", CHILD, 5),
    ("bestemoren min på 84", ADULT, 84),
    ("lillebroren min går i tiende", CHILD, None),
    ("svogeren min er midt i førtiåra", ADULT, None),  # a decade as one word
    ("han er i førtiårene", ADULT, None),
    ("kameraten min på 30 trenger hjelp", ADULT, 30),
    ("onkelen min", ADULT, None),
    ("svigerfaren min drikker", ADULT, None),
    ("hun er født i 2020", CHILD, None),  # a birth year: the age today
    ("svogeren min, han er født i 1987", ADULT, None),
    ("hvem kontakter jeg for barn og unge", CHILD, None),
    ("bestevenninna mi er 14", CHILD, 14),  # routing set 4 (spent): words the reader lacked
    ("halvsostra mi er femten", CHILD, 15),
    ("Venen min på 21 har slutta i jobben", ADULT, 21),
    ("ho er kanskje 10-11 år", CHILD, None),
    ("ein elev i sjuande", CHILD, None),
    ("jeg er lærer og bekymret for en elev", None, None),
    ("Jeg er masterstudent og sliter", ADULT, None),
    ("Jeg er veteran fra Afghanistan", ADULT, None),
    ("eg er inne til førstegongsteneste", ADULT, None),
    ("på universitetet", ADULT, None),  # routing set 5 (spent): university and college are adults
    ("Eg studerer på høgskulen og har fått angst", ADULT, None),
    ("Besta mi er 85 og engsteleg. Eg er 15 og bur hjå henne", ADULT, 85),
    ("Jeg jobber som sykepleier og har selv begynt å misbruke sovemedisin", ADULT, None),
    ("hei, eg har eigen leilegheit og jobbar fulltid, men drikk kvar kveld", ADULT, None),
    ("mor til to tenåringer her, men det er meg det gjelder", ADULT, None),
    ("mamma sier jeg må få hjelp for spisingen min", None, None),  # the writer, of any age
    # the kinds routing set 6 and behaviour set 7 (2026-12-05, spent) missed, own examples:
    # a young writer asking help for a parent, a parent with their own trouble, SFO,
    # konfirmasjon ahead, a class in dialect, a disability pension, years at work, in-laws
    ("Jeg går i 8. klasse og mamma drikker hver kveld. Hvem kan hjelpe henne?", ADULT, None),
    ("eg er 13 og far min har blitt så rar. kven kan snakke med han?", ADULT, None),
    ("Jeg er pappa. Han er 12. Hvem kan hjelpe ham?", CHILD, 12),  # the writer is the parent
    ("Jeg er 14 og mamma drikker. Hvem kan hjelpe meg?", CHILD, 14),  # help for the writer
    ("Jeg er pappa til to små barn og har fått angst, kan noen hjelpe meg?", ADULT, None),
    ("Jeg er firebarnsfar og sliter med rusen. Jeg trenger hjelp.", ADULT, None),
    ("Eg er far til ein gut på 10 og har sjølv slite med angst", ADULT, None),
    ("Veslesøstera mi går på SFO og er så redd", CHILD, None),
    ("Barnebarnet mitt skal konfirmerast til hausten", CHILD, None),
    ("niesen min, ho e i 8ende", CHILD, None),
    ("Eg er uføretrygda og har slite lenge", ADULT, None),
    ("Har jobba som snekker i 20 år og no har eg fått panikkangst", ADULT, None),
    ("Svigersonen min drikk for mykje", ADULT, None),
    # routing set 7 and behaviour set 8 (2026-12-05, spent), own examples: a youth team, the first
    # school year, «berre», «vesleguten», a student with an age, «sambo'n», a bus driver, a parent
    # named as the one to help, «det er eg som»
    ("Eg trenar G14-laget og ein av spelarane bekymrar meg", CHILD, None),
    ("Nevøen min begynte på skolen i august", CHILD, None),
    ("ho er berre tolv år", CHILD, 12),
    ("Vesleguten min på 5 er redd", CHILD, 5),
    ("Jeg er student på 24 og sliter", ADULT, 24),
    ("gjeld sambo'n min på 41", ADULT, 41),
    ("Jeg kjører buss og har fått angst", ADULT, None),
    ("pappa drikk og eg er 11. kven kan hjelpe pappa", ADULT, None),
    ("Eg har to born i barneskulealder og det er eg som slit", ADULT, None),
    # kinds from routing set 8 and behaviour set 9 (spent), in new words
    ("kjærasten min er 31 og søv heile dagen", ADULT, 31),
    ("mor til fem her, jobbet i barnehage i tolv år og er utslitt", ADULT, None),  # the workplace
    ("jobber selv som lærer og har fått angst", ADULT, None),
    ("broren min er ferdig med militæret og drikker mye", ADULT, None),
    ("gjeld meg, eg er student", ADULT, None),
    ("ungene er 9 og 19, det er eldstemann som sliter", ADULT, 19),
    ("gutta våre er 16 og 24, den yngste har slutta på skolen", CHILD, 16),
    ("jeg er 15 og storebroren min ruser seg. hvem kan hjelpe ham?", None, None),  # 17 or 20: ask
    ("eg er 21 og storesyster mi drikk, kven kan hjelpe ho", ADULT, None),  # older than an adult
    ("jeg er 14 og lillebroren min gråter hele tiden, hvem kan hjelpe ham?", CHILD, None),
    ("veslesøstera mi er 9, eg er 22 sjølv. kven kan hjelpe ho?", CHILD, 9),
    ("lillesøstera mi går i 3. klasse og mamma drikk, kven kan hjelpe ho?", CHILD, None),
    ("who do I speak to about this", None, None),  # «to» is no «two» in English
    ("my sister's kid has stopped eating, who can help", None, None),
    ("my neighbour's son is a 9th grader and struggling", CHILD, None),
    ("I have three small kids but I'm the one who is struggling", ADULT, None),
    ("I study at the university and have panic attacks", ADULT, None),
    ("I'm 14 and my older cousin drinks a lot, who can help him", None, None),
    # kinds from routing set 9 and behaviour set 10 (spent), in new words
    ("fetteren min er 15 og har begynt å drikke", CHILD, 15),
    ("Stemora mi drikk. Eg er 13. Kven kan hjelpe ho?", ADULT, None),
    ("Vi har ei jente på 5, men det er kona mi som trenger hjelp", ADULT, None),
    ("Det e han mellomste på 14 som slit, dei andre er vaksne", CHILD, 14),
    ("dattera vår har røykt hasj siden hun var 13", None, None),  # at least 13 now: ask
    ("gutten vår har slitt siden 6. klasse", None, None),
    ("fosterjenta vår er tolv", CHILD, 12),
    ("Eg har tre små ongan sjøl, men det e eg som treng hjelp", ADULT, None),
    ("mamma til to små og helt utslitt", ADULT, None),
    ("I'm a mum of a 3-year-old but this is about me", ADULT, None),
    ("sønnen min, han har to barn selv", ADULT, None),
    ("I've used pills for 18 years and want to stop", ADULT, None),
    ("my husband of 9 years won't stop drinking", ADULT, None),
    # kinds from behaviour set 11 and routing set 10 (spent), in new words
    ("broren min jobber som lærer og har sluttet å sove", ADULT, None),
    ("hvem ringer jeg, gutn min på 13 gråter hver dag", CHILD, 13),
    ("I moved here for a job two years ago and now I drink every night", ADULT, None),
    ("my partner has panic attacks", None, None),  # a partner may be 17: two authors asked
    ("lillebroren min går i 5. klasse. jeg er 24. hvem kan jeg si ifra til?", CHILD, None),
    ("er sykmeldt og har angst, hvem kan hjelpe", ADULT, None),
    ("mum of a 2 year old, and it's actually me who needs help", ADULT, None),
    ("we have a daughter in 9th grade but this is about my husband", ADULT, None),
    ("my flatmate in student housing skips all her lectures", ADULT, None),
    ("Æ jobbe i barnehage og e sjøl heilt utslitt", ADULT, None),
    # kinds from behaviour set 12 and routing set 11 (spent), in new words
    ("sønnen vår tok lappen i sommer og har blitt helt stille", ADULT, None),
    ("dotter mi bur for seg sjølv no, men ho har slutta å svare på telefonen", ADULT, None),
    ("vi er tre studentar i kollektivet og ein av oss har slutta å ete", ADULT, None),
    ("en gravid på 31 i nabolaget drikker mye", ADULT, 31),
    ("sonen vår er ferdig med førstegongstenesta og søv heile dagen", ADULT, None),
    ("fekk fast stilling i haust og har grått kvar kveld sidan", ADULT, None),
    ("kona mi gikk av med pensjon og har blitt så nedfor", ADULT, None),
    ("datteren min er voksen, men hun bor hjemme og sliter", ADULT, None),
    ("datteren min er ikke voksen ennå og sliter", None, None),
    ("my nephew, hes 12, has stopped eating", CHILD, 12),
    ("one of the girls on the under-13 handball team I coach is cutting class and crying", CHILD, None),
    ("my girlfriend studies at the høgskole and has stopped going out", ADULT, None),
    ("our son got his driving licence and his own flat, but he drinks alone", ADULT, None),
    ("I'm 23 and my little sister is struggling, who could she talk to?", None, None),  # 18 or 16: ask
    ("kompisen til dattera mi, rundt 12 tror jeg", CHILD, None),  # a guess after a comma still counts
    ("svogeren hennes, 40 tipper jeg", ADULT, 40),
    # kinds from routing set 12 and behaviour set 13 (spent), in new words
    ("har en 9.-klassing som ikke vil gå på skolen", CHILD, None),
    ("jobber i heimetenesta og har ein brukar på 71 som drikk", ADULT, 71),
    ("Jeg er 15 og fetteren min sliter", None, None),  # not the writer: ask
    ("Jeg er 52 og har en sønn som sliter med angst", None, None),
    ("eg er 16 og kompisen min har begynt å ruse seg", None, None),
    ("I'm 41 and my nephew has started skipping school", None, None),
    ("Eg er 30 og onkel til ein gut i 6. klasse som har slutta å ete", CHILD, None),
    ("dottera vår tok mopedlappen i sommar og har blitt heilt innesluttet", CHILD, None),
    ("alene med to barn, den yngste er 4, og jeg er helt utslitt", ADULT, None),
    ("Jeg er 31 og har en datter på 3. Jeg har hatt angst i et år", ADULT, 31),
    ("im 26, got a 2 year old son and struggling with drinking", ADULT, 26),
    ("I coach the boys, they are all 12, and one has stopped eating", CHILD, 12),
    ("born in 2011, i think i have depression and dont want to tell my dad", CHILD, None),
    ("my daughter started øvelseskjøring and is very anxious", CHILD, None),
    ("one of my customers, a lady about 60, seems very depressed", ADULT, 60),
    ("our exchange student from Spain is homesick and not eating", None, None),  # a pupil or a student: ask
    ("Bonusdattera vårt som går i 8. klasse", CHILD, None),
    # kinds from routing set 13 and behaviour set 14 (spent), in new words
    ("meg. 15", CHILD, 15),
    ("meg. 40 år", ADULT, 40),
    ("dattera mi p 12 gråter hver kveld", CHILD, 12),
    ("who is the caseworker for adults?", ADULT, None),
    ("I coach G14 and a boy on the team has stopped eating", CHILD, None),
    ("Jeg er 52 og lurer på hvem jeg kan ringe om datteren min", None, None),  # the daughter's age: ask
    ("eg er 47 og dottera mi har vorte så stille", None, None),
    ("I'm 44 and my son has big problems at school", None, None),
])
def test_our_and_compound_relatives(text, audience, age):
    person = read_person(text)
    assert (person.audience, person.age) == (audience, age)


def test_a_birth_year_allows_two_ages_and_asks_across_18():
    from datetime import date

    from actions.age import _birth_year_span
    assert _birth_year_span("født i 2008", date(2026, 12, 4)) == (17, 18)  # 17 or 18: asks
    assert _birth_year_span("født 2012", date(2026, 12, 4)) == (13, 14)
    assert _birth_year_span("jobbet her siden 2012", date(2026, 12, 4)) is None


@pytest.mark.parametrize("text, audience", [
    # a parent of several children: the children are context, the rest decides (routing set 4)
    ("jeg er mamma til tre barn i barneskolen og sliter selv med angst", ADULT),
    ("Min kone drikker i smug. Vi har to barn på 10 og 12. Hvem kan jeg ringe?", ADULT),
    ("Eg er mor til tre og jobbar som lærar, og eg har fått så mykje angst. Kven kan hjelpe meg?", ADULT),
    ("I work as a nurse and have two kids, and lately I'm so anxious I can barely work", ADULT),
    ("vi har to barn på 10 og 12 og den eldste har angst", CHILD),  # nothing left: the children
    ("jeg har tre barn og sønnen min sliter, hjelp meg", None),  # a son of any age: ask
    ("vi har to barn, hvem kan vi snakke med", None),
])
def test_a_parent_of_several_children(text, audience):
    assert read_person(text).audience == audience
