"""Hints while a case is written (intake): the learning question, the outcome, and anything that identifies someone.

The hints are what a case bringer sees next to a field. They must catch what the domain guide forbids
(names, dates of birth, addresses, client numbers) in Dutch and English, say each thing once, and keep
quiet about a well-anonymised case: a hint on every role, weekday or time teaches people to ignore hints.
"""

from __future__ import annotations

import pytest

from intervision.case_checks import Hint, case_hints, identity_hints, question_hints, situation_hints
from intervision.demo_cases import CASES
from intervision.models import CASE_TEXT_FIELDS


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
