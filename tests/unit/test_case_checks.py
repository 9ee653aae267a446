"""Hints while a case is written (intake): the learning question, the outcome, and anything that identifies someone.

The hints are what a case bringer sees next to a field. They must catch what the domain guide forbids
(names, dates of birth, addresses, client numbers) in Dutch and English, say each thing once, and keep
quiet about a well-anonymised case: a hint on every role, weekday or time teaches people to ignore hints.
"""

from __future__ import annotations

from datetime import date

import pytest

from intervision.case_checks import (
    IDENTITY_KINDS,
    KINDS,
    Hint,
    case_hints,
    identity_hints,
    question_hints,
    situation_hints,
)
from intervision.demo_cases import CASES
from intervision.i18n import catalog
from intervision.models import CASE_TEXT_FIELDS, Language


def _keys(hints: list[Hint]) -> list[str]:
    return [hint.key for hint in hints]


# --- the learning question -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Waarom reageer ik altijd zo fel op deze ouder?",
        "waarom lukt het me niet om nee te zeggen?",
        "Why do I never say no to my team leader?",
        "  Why does this keep happening to me?",
    ],
)
def test_a_why_question_gets_the_why_hint(question):
    assert _keys(question_hints(question)) == ["why_question"]


@pytest.mark.parametrize(
    "question",
    [
        "Moet ik de moeder bellen?",
        "Kan ik dit verzoek weigeren?",
        "Is het mijn taak om dit op te lossen?",
        "Ben ik te streng voor mijn team?",
        "Should I tell my manager?",
        "Do I have to accept this from a colleague?",
        "Can I refuse this request?",
        "Am I too strict with the new colleague?",
    ],
)
def test_a_yes_or_no_question_gets_the_closed_question_hint(question):
    assert _keys(question_hints(question)) == ["closed_question"]


@pytest.mark.parametrize(
    "question",
    [
        "Hoe kan ik grenzen stellen en toch in contact blijven met deze ouder?",
        "Hoe moet ik reageren als het weer gebeurt?",
        "Wat kan ik doen als hij weer boos wordt?",
        "Welke woorden kan ik kiezen om het te benoemen?",
        "How can I stay calm when a parent shouts?",
        "What can I do to bring this up without blaming her?",
        "How do I say no without damaging the collaboration?",
    ],
)
def test_an_open_how_question_gets_no_hint(question):
    assert question_hints(question) == []


def test_the_hint_quotes_the_question_and_an_empty_question_gets_none():
    [hint] = question_hints("Waarom reageer ik altijd zo fel?")
    assert hint.excerpt == "Waarom reageer ik altijd zo fel?"
    assert question_hints("") == []
    assert question_hints("   ") == []


# --- the situation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("situation", "quoted"),
    [
        ("Ik sprak haar aan op de afspraak. Uiteindelijk liep het goed af en maakten we een plan.", "Uiteindelijk"),
        ("I raised it in the team meeting. In the end she apologised to everyone.", "In the end"),
        ("De moeder bleef afspraken afzeggen. Achteraf bleek dat ze thuis veel zorgen had.", "Achteraf"),
        ("A colleague kept redoing my reports. It turned out she had been asked to check them.", "It turned out"),
    ],
)
def test_a_situation_that_tells_the_outcome_gets_the_outcome_hint(situation, quoted):
    [hint] = situation_hints(situation)
    assert hint.key == "outcome_told"
    assert quoted in hint.excerpt


@pytest.mark.parametrize(
    "situation",
    [
        "Een ervaren medewerker komt vaak te laat voor de overdracht. Toen ik het aankaartte, zei ze dat ik "
        "altijd op haar let en niet op de anderen. Ik wist even niet wat ik moest zeggen.",
        "In the team meeting the team leader asked me, in front of everyone, why my reports were late. "
        "Everyone looked at me and I felt my face go red.",
    ],
)
def test_a_situation_that_stops_at_the_critical_moment_gets_no_hint(situation):
    assert situation_hints(situation) == []


# --- what could identify someone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "excerpt"),
    [
        ("Ze mailde me vanaf jan.jansen@example.nl met de hele directie in de cc.", "email", "jan.jansen@example.nl"),
        ("Hij belde me op 06-12345678 om elf uur 's avonds.", "phone", "06-12345678"),
        ("His number is +31 6 1234 5678 and he calls every day.", "phone", "+31 6 1234 5678"),
        ("Het nummer van de afdeling is 020 1234567.", "phone", "020 1234567"),
        ("Zijn gsm is +32 470 12 34 56, hij neemt nooit op.", "phone", "+32 470 12 34 56"),
        ("Ik belde naar 0470 12 34 56 maar kreeg niemand.", "phone", "0470 12 34 56"),
        ("De cliënt is van 12-03-1985.", "date_of_birth", "is van 12-03-1985"),
        ("In het dossier staat 1985-03-12 als geboortedatum.", "date_of_birth", "1985-03-12 als geboortedatum"),
        ("Ze is geboren op 3 maart 1985 en woont alleen.", "date_of_birth", "geboren op 3 maart 1985"),
        ("The boy was born on 3 March 1990, says the file.", "date_of_birth", "born on 3 March 1990"),
        ("Het gezin woont in 1234 AB, vlak bij de school.", "postcode", "1234 AB"),
        ("Zijn adres heeft postcode 1234AB.", "postcode", "1234AB"),
        ("In het systeem staat cliëntnummer 4567891 bij haar.", "client_number", "cliëntnummer 4567891"),
        ("Ik zocht dossiernr. 12345 op.", "client_number", "dossiernr. 12345"),
        ("Op de brief stond zijn BSN 123456789.", "bsn", "BSN 123456789"),
        ("Ik sprak mevrouw Jansen na de les.", "name", "mevrouw Jansen"),
        ("Toen kwam meneer De Vries binnen.", "name", "meneer De Vries"),
        ("Yesterday I met Mrs Smith at the door.", "name", "Mrs Smith"),
        ("Ik sprak met Jan de Vries over de planning.", "name", "Jan de Vries"),
        ("Toen zei Sanne dat ze het niet eens was.", "name", "Sanne"),
        ("Then Sarah said she would not do it.", "name", "Sarah"),
    ],
)
def test_what_identifies_someone_is_flagged_once(text, key, excerpt):
    assert identity_hints(text) == [Hint(key, excerpt)]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("In the system he is client number 9876.", "client number 9876"),
        ("Her letter said client no. 1234.", "client no. 1234"),
        ("Ik zocht dossier nr 12345 op.", "dossier nr 12345"),
        ("The form said patient ID 5555.", "patient ID 5555"),
    ],
)
def test_a_client_number_written_as_two_words_is_flagged(text, excerpt):
    assert identity_hints(text) == [Hint("client_number", excerpt)]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Daarna kwam Fatima El Amrani binnen.", "Fatima El Amrani"),
        ("Ik sprak met Jan De Vries over de planning.", "Jan De Vries"),
    ],
)
def test_a_full_name_with_a_capitalised_particle_is_flagged_once(text, excerpt):
    assert identity_hints(text) == [Hint("name", excerpt)]


def test_the_digits_of_a_phone_number_are_not_also_a_client_number():
    # "12345678" alone would count as a number of seven digits or more.
    assert _keys(identity_hints("Bel me op 06-12345678.")) == ["phone"]
    assert _keys(identity_hints("Bel me op +31 6 1234 5678.")) == ["phone"]


def test_a_first_name_inside_a_full_name_is_not_said_again():
    assert identity_hints("Ik sprak met Jan de Vries.") == [Hint("name", "Jan de Vries")]


def test_the_same_name_twice_is_one_hint_and_different_things_are_all_flagged():
    text = (
        "Ik sprak mevrouw Jansen op dinsdag. Later belde mevrouw Jansen opnieuw, vanaf 06-12345678, "
        "over cliëntnummer 4567891."
    )
    assert identity_hints(text) == [
        Hint("name", "mevrouw Jansen"),
        Hint("phone", "06-12345678"),
        Hint("client_number", "cliëntnummer 4567891"),
    ]


def test_a_first_name_is_flagged_only_with_its_capital():
    # "mark" is a verb, "Mark" a name.
    assert identity_hints("I asked her to mark the date in the team calendar.") == []
    assert _keys(identity_hints("Daarna zei Mark dat hij stopte.")) == ["name"]


# Realistic anonymised cases: roles instead of names, weekdays, times, school years, counts.
ANONYMISED = [
    "Op maandag om 14:00 kwam de moeder van een leerling uit groep 7 binnen. Ze heeft 3 kinderen en "
    "zei dat de school haar zoon niet begrijpt. Een collega stond erbij. Ik voelde dat ik in de "
    "verdediging schoot en wist niet wat ik moest zeggen.",
    "Ik ben wijkverpleegkundige. Een oudere cliënt wil sinds twee weken niet meer gewassen worden en "
    "stuurt me weg. Haar dochter belde dinsdag om 9.30 uur boos op dat haar moeder verwaarloosd wordt.",
    "In het teamoverleg van donderdag vroeg de teamleider waarom mijn rapportages te laat zijn. "
    "Iedereen keek naar mij. Ik heb 36 uur per week en 12 cliënten in mijn caseload.",
    "On Tuesday at 9:30 the team leader asked me, in front of the whole team, why my reports were late. "
    "A colleague laughed. I have 12 clients and work four days a week.",
    "A parent emails me every week with long messages about my class of 28 pupils and copies in the "
    "head of school. At the last meeting, on Friday at 15:00, he said I do not understand his child.",
    "Een jongere van 16 mist voor de derde keer de afspraak. Toen ik belde zei hij dat het toch geen zin "
    "heeft. Zijn mentor en zijn vader willen dat ik actie onderneem.",
]


@pytest.mark.parametrize("text", ANONYMISED)
def test_an_anonymised_case_gets_no_identity_hint(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "De juf van groep 7 belde mij op woensdag.",
        "De dokter zei dat het goed ging, maar de moeder twijfelde.",
        "Het kind vertelde de meester over de ruzie thuis.",
        "I miss working with the old team since the reorganisation.",
        "Mevrouw wilde niet gewassen worden en stuurde me weg.",
    ],
)
def test_a_role_word_followed_by_an_ordinary_word_is_not_a_name(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Mijn leidinggevende legde het voor aan de Raad van Bestuur.",
        "After the lesson the Head Teacher called me in.",
        "Ik werk op de afdeling Interne Geneeskunde.",
        "A Parent Who Emails Every Week",
    ],
)
def test_capitalised_roles_and_titles_are_not_names(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Op 3 maart 2025 had ik een gesprek met de moeder.",
        "On 3 March 2025 the team leader called me in.",
    ],
)
def test_the_date_of_the_incident_is_not_a_date_of_birth(text):
    assert "date_of_birth" not in _keys(identity_hints(text))


def test_the_demo_cases_are_anonymised_and_well_asked():
    """The demo shows what a good case looks like: its own checks find nothing in it."""
    for group_cases in CASES.values():
        for case in group_cases:
            values = {field: case[field] for field in CASE_TEXT_FIELDS} | {
                "chosen_advice": case["chosen_advice"],
                "follow_up": case["follow_up"],
            }
            assert case_hints(values) == {}, case["title"]


# --- per field ----------------------------------------------------------------------------------


def test_case_hints_files_each_hint_under_its_field():
    hints = case_hints(
        {
            "title": "Waarom ik steeds te laat ben",  # a why in a title is no learning question
            "situation": "Ik sprak mevrouw Jansen aan. Uiteindelijk liep het goed af.",
            "involved": "de moeder, bereikbaar op 06-12345678",
            "own_role": "Ik ben haar mentor.",
            "evoked": "",
            "learning_question": "Moet ik de moeder bellen?",
            "tried": "Ik mailde naar ouder@example.nl",
        }
    )

    assert hints == {
        "situation": [Hint("outcome_told", hints["situation"][0].excerpt), Hint("name", "mevrouw Jansen")],
        "involved": [Hint("phone", "06-12345678")],
        "learning_question": [Hint("closed_question", "Moet ik de moeder bellen?")],
        "tried": [Hint("email", "ouder@example.nl")],
    }
    assert "Uiteindelijk" in hints["situation"][0].excerpt


def test_outcome_words_outside_the_situation_and_questions_outside_the_question_get_no_hint():
    hints = case_hints(
        {
            "title": "Why I keep saying yes",
            "tried": "In the end I asked a colleague for help.",
            "learning_question": "How can I say no, in the end?",
        }
    )
    assert hints == {}


def test_an_empty_or_missing_field_gets_no_hint():
    assert case_hints({"title": "", "situation": None, "learning_question": "How can I stay calm?"}) == {}


# --- what was wrong before (issue 15): each example, as the case bringer typed it ----------------


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Ik sprak de heer Pietersen na het bezoek.", "de heer Pietersen"),
        ("Toen kwam dhr. Özdemir binnen.", "dhr. Özdemir"),
        ("Mevrouw Nguyễn vroeg om een andere juf.", "Mevrouw Nguyễn"),
        ("Daarna zei Lieselot dat de directie het al wist.", "Lieselot"),
        ("Tijdens de overdracht zei Marieke dat ze het anders zou doen.", "Marieke"),
        ("Toen zei Wendy dat ze niet meer wilde.", "Wendy"),
        ("After the meeting Rebecca said she would not cover for me.", "Rebecca"),
    ],
)
def test_titled_names_names_in_any_script_and_first_names_beyond_a_short_list_are_flagged(text, excerpt):
    assert identity_hints(text) == [Hint("name", excerpt)]


@pytest.mark.parametrize(
    ("text", "key", "excerpt"),
    [
        (
            "Zijn rijksregisternummer 85.07.30-033.28 stond op de brief.",
            "national_number",
            "rijksregisternummer 85.07.30-033.28",
        ),
        ("Op het attest stond 85.07.30-033.28.", "national_number", "85.07.30-033.28"),
        ("Ik noteerde 85073003328 op het formulier.", "national_number", "85073003328"),
        ("Het gezin woont in 9100 Sint-Niklaas.", "postcode", "9100 Sint-Niklaas"),
        ("Ze verhuisde naar B-9100, dicht bij het station.", "postcode", "B-9100"),
        ("Op het formulier stond 123456782.", "bsn", "123456782"),
    ],
)
def test_belgian_numbers_and_postcodes_and_a_bsn_are_flagged(text, key, excerpt):
    assert identity_hints(text) == [Hint(key, excerpt)]


def test_a_number_is_a_bsn_or_a_national_number_only_when_its_check_digits_agree():
    # 123456789 fails the elfproef; 85073003329 has the wrong check digits. With the word they count anyway.
    assert identity_hints("Op het formulier stond 123456789.") == []
    assert identity_hints("Ik noteerde 85073003329 op het formulier.") == []
    assert _keys(identity_hints("Zijn BSN is 123456789.")) == ["bsn"]


@pytest.mark.parametrize(
    "situation",
    [
        "Ik heb haar aangesproken op de afspraak en sindsdien gaat het beter.",
        "Het was een moeilijk gesprek, maar het is goed gekomen.",
        "Inmiddels hebben we een nieuwe afspraak gemaakt.",
        "I spoke to her about it and since then things have been better.",
        "It was a hard conversation, but it worked out.",
    ],
)
def test_a_situation_that_is_already_solved_gets_the_outcome_hint(situation):
    assert _keys(situation_hints(situation)) == ["outcome_told"]


@pytest.mark.parametrize(
    "situation",
    [
        "Het is nog niet opgelost en ik zie op tegen de volgende dienst.",
        "It has not been resolved and I dread my next shift with him.",
        "We zaten met vijf mensen rond de tafel. Uiteindelijk keek iedereen naar mij. Ik zei niets.",
        "Inmiddels zijn we drie maanden verder en is er nog steeds niets veranderd.",
        "Het gesprek ging uiteindelijk over iets heel anders dan ik had voorbereid.",
    ],
)
def test_not_yet_solved_and_uiteindelijk_in_the_middle_of_the_story_get_no_hint(situation):
    assert situation_hints(situation) == []


@pytest.mark.parametrize(
    "text",
    [
        "Sinds 2005 werk ik op deze afdeling.",
        "In het overleg van 3 maart 2009 is de werkwijze vastgelegd.",
        "I have worked here since 2005.",
    ],
)
def test_a_start_date_or_a_meeting_is_neither_a_date_of_birth_nor_long_ago(text):
    assert case_hints({"situation": text}) == {}


@pytest.mark.parametrize(
    "text",
    [
        "De ouders vragen 1500000 euro schadevergoeding.",
        "Het budget van € 2.500 is op.",
        "The school was fined 1500000 euro.",
    ],
)
def test_an_amount_of_money_is_not_a_client_number(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Ik werk op de Max Havelaarschool in groep 7.",
        "Het kantoor zit aan de Willem de Zwijgerlaan.",
        "I teach at the Anne Frank School.",
        "Ons kantoor zit in het Jeroen Bosch Ziekenhuis.",
        "Ik werk op basisschool Anne Frank in de bovenbouw.",
        "Ze ligt in AZ Maria Middelares in Gent.",
    ],
)
def test_a_school_street_or_building_named_after_a_person_is_not_a_name(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "question",
    [
        "Kunnen jullie meedenken over hoe ik dit gesprek kan aanpakken?",
        "Kunnen jullie mij helpen ontdekken wat ik eigenlijk wil?",
        "Could you help me think about how I can open the conversation?",
    ],
)
def test_asking_the_group_to_think_along_about_how_is_not_a_closed_question(question):
    assert question_hints(question) == []


def test_ordinary_role_words_are_not_names():
    assert identity_hints("De teamleider en mijn collega waren erbij, met de moeder en de mentor.") == []


# --- the new kinds of hint on the question -------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "key", "quoted"),
    [
        ("Hoe krijg ik de teamleider zover dat hij de roosters eerlijker maakt?", "someone_else", "zover"),
        ("Wat moet hij nu doen?", "someone_else", "Wat moet hij nu doen?"),
        ("How do I get my manager to take my workload seriously?", "someone_else", "get my manager to"),
        ("Hoe voorkom ik dat ik weer uitval tegen deze ouder?", "negative_question", "Hoe voorkom ik"),
        ("How can I avoid being drawn into the conflict?", "negative_question", "How can I avoid"),
        ("Wat zegt het protocol over het melden van huiselijk geweld?", "knowledge_question", "Wat zegt het protocol"),
        ("What is the rule for leaving a pupil alone in class?", "knowledge_question", "What is the rule"),
    ],
)
def test_questions_about_someone_else_about_avoiding_or_about_knowledge_get_their_hint(question, key, quoted):
    [hint] = question_hints(question)
    assert hint.key == key
    assert quoted in hint.excerpt


def test_a_closed_knowledge_question_gets_both_hints():
    assert _keys(question_hints("Mag ik volgens het protocol een cliënt alleen laten douchen?")) == [
        "closed_question",
        "knowledge_question",
    ]


# --- long ago, measured from today ---------------------------------------------------------------


@pytest.mark.parametrize(
    "situation",
    [
        "Vorig jaar had ik een stagiaire die steeds te laat kwam.",
        "Jaren geleden werkte ik op een gesloten afdeling.",
        "Three years ago my manager told me I lacked initiative.",
        "In het schooljaar 2017-2018 had ik een klas waar ik geen grip op kreeg.",
    ],
)
def test_a_story_from_long_ago_gets_the_long_ago_hint(situation):
    assert _keys(situation_hints(situation)) == ["long_ago"]


def test_an_explicit_date_is_long_ago_only_when_it_is_more_than_a_year_before_today(set_clock):
    situation = "Op 3 maart 2025 kwam een vader mijn lokaal binnen en begon te schreeuwen."
    set_clock(date(2025, 4, 1))
    assert situation_hints(situation) == []
    set_clock(date(2026, 6, 1))
    assert _keys(situation_hints(situation)) == ["long_ago"]


def test_a_year_on_its_own_is_long_ago_from_the_year_before_last(set_clock):
    situation = "In 2024 had ik een leerling die niet meer wilde praten."
    set_clock(date(2025, 11, 1))
    assert situation_hints(situation) == []
    set_clock(date(2026, 1, 15))
    assert _keys(situation_hints(situation)) == ["long_ago"]


# --- dates of birth where the text says so, and ages next to names -------------------------------


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Cliënt, geb. 12-03-1948, woont sinds kort in het verpleeghuis.", "geb. 12-03-1948"),
        ("De jongen is geboren in 2009.", "geboren in 2009"),
        ("Date of birth: 14/05/1950.", "Date of birth: 14/05/1950"),
    ],
)
def test_a_date_of_birth_is_flagged_where_the_text_says_so(text, excerpt):
    assert identity_hints(text) == [Hint("date_of_birth", excerpt)]


def test_an_age_next_to_a_name_is_flagged_and_an_age_alone_is_not():
    assert identity_hints("Sanne (34) is sinds kort mijn collega.") == [
        Hint("name", "Sanne"),
        Hint("date_of_birth", "Sanne (34)"),
    ]
    assert _keys(identity_hints("Meneer Jacobs, 82 jaar, weigert zijn medicatie.")) == ["name", "date_of_birth"]
    assert identity_hints("Een bewoner van 87 weigert zijn medicatie.") == []


def test_an_old_date_alone_is_not_a_date_of_birth():
    assert "date_of_birth" not in _keys(identity_hints("Op 12-03-1985 ging het mis, staat in het verslag."))


# --- first names that are also words -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ben ik de enige die dit ziet?",
        "Will I ever feel at ease in this team?",
        "Frank feedback is hard for me.",
        "Lieve collega's, schreef ze, en daarna volgde een klacht.",
    ],
)
def test_a_name_that_is_also_a_word_is_not_flagged_at_the_start_of_a_sentence(text):
    assert identity_hints(text) == []


def test_a_name_that_is_also_a_word_is_flagged_inside_a_sentence():
    assert identity_hints("Toen zei Ben dat hij stopte.") == [Hint("name", "Ben")]
    assert identity_hints("Rose, the charge nurse, disagreed.") == [Hint("name", "Rose")]


def test_every_kind_of_hint_has_a_text_in_both_languages_and_says_whether_it_identifies_someone():
    for language in Language:
        texts = catalog(language)
        assert [kind for kind in KINDS if f"hint.{kind}" not in texts] == [], language
    assert {kind for kind in KINDS if Hint(kind).identifies_someone} == set(IDENTITY_KINDS)
    assert not Hint("outcome_told").identifies_someone


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Mijn collega Wendelien zei niets.", "Wendelien"),
        ("Ik sprak cliënt Jansen na de lunch.", "Jansen"),
        ("My manager, Gareth, said it was not his problem.", "Gareth"),
    ],
)
def test_a_name_beside_a_role_is_flagged_even_when_it_is_not_in_the_list(text, excerpt):
    assert identity_hints(text) == [Hint("name", excerpt)]


@pytest.mark.parametrize("text", ["Ik sprak de manager Zorg over de bezetting.", "De teamleider Jeugd was er niet."])
def test_a_department_after_a_title_is_not_a_name(text):
    assert identity_hints(text) == []


@pytest.mark.parametrize(
    "situation",
    [
        "Ik wil dat dit opgelost wordt voor de zomer.",
        "Ik heb het opgelost met een tijdelijke afspraak, maar het probleem blijft.",
        "Het is een jaar geleden begonnen en het speelt nog steeds.",
        "Sinds de fusie van vorig jaar voel ik me niet meer thuis in het team.",
    ],
)
def test_a_wish_or_a_problem_that_still_goes_on_gets_no_hint(situation):
    assert situation_hints(situation) == []


def test_a_postcode_written_with_its_label_is_one_hint() -> None:
    hints = identity_hints("Ze woont op postcode 1234 AB, vlak bij de school.")
    assert [(hint.key, hint.excerpt) for hint in hints] == [("postcode", "postcode 1234 AB")]
