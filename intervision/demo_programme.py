"""The demo organisation's learning programme, and what the rest of issue 18 adds to a year of groups.

A programme in BLITS phase 3 around one concrete problem (falls of clients living at home), with its eight
steps filled in and the conditions of phases 0–2 ticked; personal learning goals of a few participants with
notes over time; exercises on a few sessions' openings and closings; a second observer with a debrief note; and
"safety in our group" waves, so the community profiles of two groups show known, and different, weak aspects.

Everything is written through the store functions the features use, inside load_demo's one transaction, from
its own seeded generator: the rest of the demo stays exactly as it was.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from intervision import store
from intervision.database import Unit
from intervision.demo_surveys import answer_wave
from intervision.instruments import shipped_instruments
from intervision.models import LiveSession
from intervision.programmes import (
    Alternative,
    Block,
    Decision,
    DesignStep,
    EvaluationMoment,
    EvaluationStep,
    Experience,
    GoalKind,
    GoalsStep,
    LearningCheckStep,
    Level,
    Level4,
    Manager,
    ManagerRole,
    ProblemStep,
    ProgrammeGoal,
    SupportStep,
    TargetGroupStep,
    TimeStep,
    TrainingExperience,
    WorkingHours,
    phase,
)
from intervision.store import community as community_store
from intervision.store import learning_goals as goals_store
from intervision.store import programmes as programme_store
from intervision.store.learning_goals import LearningGoalState
from intervision.surveys import end_wave

PROGRAMME_NAME = "Vallen voorkomen bij cliënten thuis"
PROGRAMME_GROUPS = ("Leidinggevenden Zorg", "Wijkverpleging Noord")
CURRENT_PHASE = 3
# Of phase 3's conditions these are done; the sessions are still running and the process has not been
# looked at together yet: the programme page shows what is left.
WORK_TICKED = ("work.ideas", "work.progress")


def _at(now: datetime, days_ago: int, hour: int = 10) -> datetime:
    return (now - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _ahead(now: datetime, days: int) -> date:
    return (now + timedelta(days=days)).date()


# --- the programme ------------------------------------------------------------------------------------------


def _problem() -> ProblemStep:
    return ProblemStep(
        description=(
            "Cliënten van de wijkteams Noord vallen thuis vaker dan nodig. Het valrisico wordt bij de intake "
            "wel gescoord, maar daarna doet niemand er iets mee: het staat in het dossier en verdwijnt uit "
            "beeld. Mantelzorgers weten vaak niet wat ze zelf kunnen doen, en na een val wordt het zorgplan "
            "niet altijd aangepast."
        ),
        examples=(
            "Een cliënt van 84 viel twee keer in drie weken over hetzelfde kleed in de gang; het stond na de "
            "eerste val niet in de overdracht. Een dochter die elke dag komt, wist niet dat haar moeder 's "
            "nachts zonder licht naar het toilet liep. Na een val met heupfractuur bleek dat de valrisicoscore "
            "anderhalf jaar niet was bijgewerkt."
        ),
        how_often="ongeveer elke week een melding in het MIC-systeem",
        how_many=46,  # MIC reports of a fall at home last year, nine of them with a hospital admission
    )


def _goals(now: datetime) -> GoalsStep:
    # The goals are checked without their dates: the demo may be built as of a moment before the clock's today
    # (the tests do), and "not in the past" is about what someone types, not about a demo that is loaded.
    learning = ProgrammeGoal(
        kind=GoalKind.LEARNING,
        text=(
            "Elke wijkverpleegkundige bespreekt bij de intake en bij elke evaluatie het valrisico met de cliënt "
            "en de mantelzorger, en legt samen met hen twee concrete afspraken vast."
        ),
        measure="aandeel zorgplannen met valafspraken bij de kwartaalsteekproef (%)",
        lowest=0,
        highest=100,
        start=35,
        target=90,
    )
    result = ProgrammeGoal(
        kind=GoalKind.RESULT,
        text="Het aantal valincidenten bij thuiswonende cliënten van Noord daalt van 12 naar 7 per kwartaal.",
        measure="MIC-meldingen van een val thuis per kwartaal",
        lowest=0,
        start=12,
        target=7,
    )
    return GoalsStep(
        goals=[
            learning.model_copy(update={"due": _ahead(now, 270)}),
            result.model_copy(update={"due": _ahead(now, 450)}),
        ]
    )


def _target_group() -> TargetGroupStep:
    return TargetGroupStep(
        level=Level.INTERMEDIATE,
        experience=Experience.MIXED,
        working_hours=WorkingHours.SHIFTS,
        training_experience=TrainingExperience.MIXED,
        screen_access=True,
        notes=(
            "Wijkverpleegkundigen niveau 4 en 5 en verzorgenden IG, van net gediplomeerd tot dertig jaar in "
            "de wijk. Ze werken in vroege en late diensten; een vaste middag voor iedereen bestaat niet. Eerdere "
            "e-learnings over valpreventie zijn wel afgevinkt, maar niemand weet nog wat erin stond."
        ),
    )


def _learning_check() -> LearningCheckStep:
    return LearningCheckStep(
        would_help=[Alternative.AGREEMENT, Alternative.TOOL],
        decision=Decision.BOTH,
        reason=(
            "Een deel lossen we op zonder te leren: een vaste plek voor valafspraken in het zorgplan en een "
            "afspraak dat de score na elke val opnieuw wordt ingevuld. Maar het gesprek met cliënt en "
            "mantelzorger over risico's en eigen keuzes voeren mensen nu ongemakkelijk of niet; dat moeten "
            "ze oefenen, en daar zijn de intervisiegroepen voor."
        ),
    )


def _time() -> TimeStep:
    return TimeStep(
        session_hours=10,
        applying_hours=6,
        moment="Van september tot en met maart, in de vaste intervisiebijeenkomsten van de groepen",
        avoid="Niet in juli en augustus: vakanties en invalkrachten",
        measures=(
            "Eerst met de teamleiders afgesproken: het veld 'valafspraken' staat sinds de zomer verplicht in het "
            "zorgplan, en de valrisicoscore wordt na elke val en bij elke evaluatie opnieuw ingevuld. De "
            "planning houdt per dienst tien minuten vrij voor het gesprek met de mantelzorger."
        ),
    )


def _support() -> SupportStep:
    return SupportStep(
        managers=[
            Manager(
                name="Ingrid Smit",
                wish="Dat de wijkverpleegkundigen het valrisico zelf bespreken, zonder dat ik erop hoef te sturen.",
                hope="Minder ziekenhuisopnames na een val, en mantelzorgers die weten wat ze kunnen doen.",
                concern="Dat het in de drukte van de winter weer wegzakt, zoals bij de e-learning.",
                questions="Hoe zie ik na een half jaar of het echt anders gaat, zonder mensen te controleren?",
                roles=[ManagerRole.KICK_OFF, ManagerRole.AFTER_EACH_BLOCK],
            ),
            Manager(
                name="Hans Kuipers",
                wish="Dat we de afspraken uit de zorgplannen ook in de overdracht terugzien.",
                hope="Dat het team elkaar aanspreekt op valafspraken, niet alleen de teamleider.",
                concern="De tijd: tien minuten extra per cliënt is veel als er diensten openstaan.",
                questions="Kunnen de verzorgenden IG meedoen aan de bijeenkomsten, of alleen de verpleegkundigen?",
                roles=[ManagerRole.EXAMPLE, ManagerRole.AFTER_EACH_BLOCK],
            ),
        ]
    )


def _design() -> DesignStep:
    return DesignStep(
        blocks=[
            Block(
                name="Wat weten we al?",
                weeks=4,
                content=(
                    "De groep verzamelt de eigen valmeldingen van het laatste halfjaar en kijkt wat ze gemeen "
                    "hebben. Iedereen neemt één cliënt mee waarbij het valrisico speelt."
                ),
                intervision=False,
            ),
            Block(
                name="Het gesprek met cliënt en mantelzorger",
                weeks=12,
                content=(
                    "Drie intervisiebijeenkomsten rond een ingebrachte situatie: hoe bespreek je risico's "
                    "zonder de regie over te nemen? Tussen de bijeenkomsten voert ieder het gesprek bij twee "
                    "eigen cliënten en brengt terug wat er gebeurde."
                ),
                intervision=True,
            ),
            Block(
                name="Vasthouden en doorgeven",
                weeks=8,
                content=(
                    "De groep zet wat werkt op één A4 voor de andere wijkteams en bespreekt met de teamleiders "
                    "hoe nieuwe collega's het leren."
                ),
                intervision=True,
            ),
        ],
        kick_off=(
            "Ingrid Smit opent met de cijfers van vorig jaar en het verhaal van een cliënt (met toestemming, "
            "zonder naam). Daarna zegt ieder in eigen woorden wat hij of zij wil leren."
        ),
        manager_conversations=(
            "Na elk blok spreekt de teamleider iedere deelnemer een kwartier: wat heb je uitgeprobeerd, wat "
            "hielp, wat heb je van mij nodig?"
        ),
    )


def _evaluation() -> EvaluationStep:
    return EvaluationStep(
        moments=[
            EvaluationMoment(
                when="na elke bijeenkomst",
                level=Level4.REACTION,
                what="korte sessie-evaluatie: was dit bruikbaar voor je werk?",
                reported_to="begeleider en groep",
            ),
            EvaluationMoment(
                when="na blok 2",
                level=Level4.BEHAVIOUR,
                what="steekproef van twintig zorgplannen: staan er valafspraken in, en zijn ze met de "
                "mantelzorger besproken?",
                reported_to="teamleiders wijkverpleging",
            ),
            EvaluationMoment(
                when="elk kwartaal, tot een jaar na de start",
                level=Level4.RESULTS,
                what="aantal MIC-meldingen van een val thuis, en hoeveel daarvan tot een opname leidden",
                reported_to="Marieke van Dijk en het managementteam",
            ),
        ]
    )


def _steps(now: datetime) -> list[tuple[str, BaseModel, int]]:
    """Each step with how many days ago the coordinator saved it last."""
    return [
        ("problem", _problem(), 150),
        ("learning_check", _learning_check(), 146),
        ("goals", _goals(now), 128),
        ("target_group", _target_group(), 125),
        ("support", _support(), 120),
        ("time", _time(), 118),
        ("design", _design(), 100),
        ("evaluation", _evaluation(), 97),
    ]


# Each move forward, how many days ago, and why (every condition of the phase was ticked before it).
_MOVES = (
    (0, 1, 140, "Probleem en cijfers staan, Ingrid Smit is opdrachtgever en Fatima El Amrani begeleidt."),
    (1, 2, 112, "Opdracht, groepen en planning zijn met de teamleiders afgesproken."),
    (2, 3, 84, "Beide groepen hebben hun leervraag en plan van aanpak vastgesteld."),
)


def add_demo_programme(db: Unit, group_ids: dict[str, int], coordinator_id: int, now: datetime) -> int:
    created = _at(now, 155)
    programme_id = programme_store.add_programme(db, PROGRAMME_NAME, coordinator_id, created)
    programme_store.set_linked_groups(db, programme_id, [group_ids[name] for name in PROGRAMME_GROUPS])
    for key, step, days_ago in _steps(now):
        programme_store.save_step(db, programme_id, key, step.model_dump(mode="json"), coordinator_id,
                                  _at(now, days_ago, 14))  # fmt: skip
    for from_phase, to_phase, days_ago, reason in _MOVES:
        # The phase's conditions were ticked one by one in the weeks before it moved on.
        for index, condition in enumerate(phase(from_phase).conditions):
            ticked = _at(now, days_ago + 2 * (len(phase(from_phase).conditions) - index), 11)
            programme_store.tick_condition(db, programme_id, condition.id, coordinator_id, ticked)
        programme_store.move_phase(db, programme_id, from_phase, to_phase, reason, 0, coordinator_id,
                                   _at(now, days_ago, 16))  # fmt: skip
    for days_ago, condition_id in zip((40, 15), WORK_TICKED, strict=True):
        programme_store.tick_condition(db, programme_id, condition_id, coordinator_id, _at(now, days_ago, 11))
    return programme_id


# --- personal learning goals ------------------------------------------------------------------------------

# (person, what, why, practice, signs, due in days or None, shared with a group of theirs or None,
#  notes as (days ago, how far, note), reached days ago or None)
_LEARNING_GOALS: tuple[
    tuple[str, str, str, str, str, int | None, str | None, tuple[tuple[int, int, str], ...], int | None], ...
] = (
    (
        "Lotte de Vries",
        "Een mantelzorger laten meedenken in plaats van meteen zelf de oplossing te geven",
        "Ik merk dat ik het gesprek overneem zodra iemand twijfelt; dan doen ze het daarna ook niet.",
        "Bij twee cliënten met een betrokken mantelzorger eerst drie vragen stellen voordat ik iets voorstel.",
        "De mantelzorger komt zelf met een idee, en ik hoor mezelf minder 'je moet' zeggen.",
        200,
        "Wijkverpleging Noord",
        (
            (110, 1, "Eerste gesprek: na twee minuten zat ik alweer te adviseren."),
            (70, 2, "In de intervisie geoefend met doorvragen; dat helpt om rustiger te beginnen."),
            (25, 3, "Een dochter kwam zelf met het idee van nachtlampjes. Dat voelde goed."),
        ),
        None,
    ),
    (
        "Kim Bos",
        "Op tijd aangeven dat mijn planning vol zit",
        "Ik zeg te vaak ja tegen een extra cliënt en loop dan de hele dienst achter.",
        "Bij elke vraag eerst in de planning kijken en dan pas antwoord geven.",
        "Ik ga minder vaak over mijn eindtijd heen.",
        None,
        None,
        ((60, 2, "Twee keer nee gezegd deze maand, één keer toch weer ja."),),
        None,
    ),
    (
        "Hans Kuipers",
        "Feedback geven aan een teamleider zonder het probleem zelf op te lossen",
        "Als locatiemanager pak ik het snel zelf op; dan leert de teamleider er niets van.",
        "Na elk werkoverleg één teamleider een concrete observatie geven en vragen wat zij wil doen.",
        "Teamleiders komen met een eigen voorstel voordat ik iets zeg.",
        None,
        "Leidinggevenden Zorg",
        (
            (220, 2, "Lastig: ik had het antwoord al klaar voordat de vraag gesteld was."),
            (150, 3, "Met de roddelmethode gezien hoe anderen mijn stijl ervaren. Confronterend, maar nuttig."),
            (80, 4, "Twee teamleiders kwamen zelf met een plan voor de roosterproblemen."),
            (35, 5, "Het gaat nu vanzelf. Ik sluit dit doel af."),
        ),
        35,
    ),
    (
        "Sanne Jansen",
        "In een oudergesprek doorvragen voordat ik uitleg hoe het op school gaat",
        "Ouders voelen zich soms niet gehoord; ik praat te snel over onze aanpak.",
        "In de volgende vier oudergesprekken eerst vragen hoe zij hun kind thuis zien.",
        "Ouders vertellen meer, en het gesprek eindigt met een afspraak die we samen maken.",
        150,
        "Onderwijsteam Basisschool De Regenboog",
        (
            (90, 2, "Eerste gesprek ging beter, maar bij een boze vader viel ik terug in uitleggen."),
            (30, 3, "Een collega keek mee; haar tip: samenvatten voordat ik iets zeg."),
        ),
        None,
    ),
    (
        "Wout Janssens",
        "Mijn eigen grenzen bewaken bij gezinnen met veel crisissen",
        "Ik neem het werk mee naar huis en slaap er slecht van.",
        "Na elk zwaar huisbezoek tien minuten nabespreken met een collega.",
        "Ik kan 's avonds loslaten wat er overdag gebeurde.",
        None,
        None,
        ((45, 2, "Het nabespreken lukt nog niet altijd, maar als het lukt helpt het echt."),),
        None,
    ),
)


def add_demo_learning_goals(db: Unit, people: dict[str, int], group_ids: dict[str, int], now: datetime) -> None:
    for person, what, why, practice, signs, due_in, shared, notes, reached in _LEARNING_GOALS:
        written = _at(now, max(days for days, _, _ in notes) + 14, 19)
        goal_id = goals_store.add_learning_goal(
            db, people[person], what, why, practice, signs, _ahead(now, due_in) if due_in else None, written
        )
        if shared is not None:
            goals_store.share_learning_goal(db, goal_id, group_ids[shared], written + timedelta(days=2))
        for days_ago, how_far, note in notes:
            goals_store.add_progress_note(db, goal_id, note, how_far, _at(now, days_ago, 20))
        if reached is not None:
            goals_store.set_learning_goal_state(db, goal_id, LearningGoalState.REACHED, _at(now, reached, 20))


# --- exercises, the second observer, and safety waves -------------------------------------------------------

# Per group: the exercises on the openings and closings of its last sessions, newest first.
_EXERCISES = {
    "Leidinggevenden Zorg": (("opening", "two_words_check_in"), ("closing", "who_takes_what")),
    "Wijkverpleging Noord": (("opening", "safety_check"), ("closing", "learning_moment_round")),
}


def _closed_sessions(db: Unit, facilitator_id: int, group_id: int) -> list[LiveSession]:
    """The group's sessions this facilitator ran, newest first."""
    return [s for s in community_store.sessions_run_by(db, facilitator_id) if s.group_id == group_id]


def add_demo_exercises(db: Unit, group_ids: dict[str, int], facilitators: dict[str, int]) -> None:
    for group_name, chosen in _EXERCISES.items():
        sessions = _closed_sessions(db, facilitators[group_name], group_ids[group_name])
        for session in sessions[:2]:
            for slot, exercise_id in chosen:
                store.set_session_exercise(db, session.id, slot, exercise_id, session.started_at)
                # The session is over: the exercise is in its history, no longer on a projector.
                store.set_session_exercise_shown(db, session.id, slot, False)


# What Jeroen Bakker, as a second observer, noted in the session before last of Wijkverpleging Noord:
# (minutes after the start, the method's phase, level, category).
_OBSERVED = (
    (12, 0, "procedure", "goal_unclear"),
    (24, 1, "interaction", "open_question"),
    (31, 1, "interaction", "jumping_to_solutions"),
    (38, 1, "interaction", "jumping_to_solutions"),
    (47, 2, "content", "summarising"),
    (55, 2, "interaction", "building_on_each_other"),
    (70, 3, "feelings", None),
)
_DEBRIEF = (
    "Jeroen zag in de vragenronde drie keer dat iemand al een oplossing gaf; ik had er één gezien. We spraken af "
    "dat ik volgende keer na de eerste adviesvraag de ronde even stilzet en vraag: 'Is dit een vraag of een tip?'. "
    "Wat goed ging: halverwege vatte iemand uit de groep samen zonder dat erom gevraagd was, en daarna bouwden "
    "mensen op elkaar voort. De leervraag van de inbrenger was aan het begin nog vaag; die laten we voortaan "
    "eerst opschrijven."
)


def add_demo_second_observer(
    db: Unit, group_id: int, facilitator_id: int, observer_id: int, now: datetime
) -> int | None:
    sessions = _closed_sessions(db, facilitator_id, group_id)
    if len(sessions) < 2:
        return None
    session = sessions[1]
    community_store.set_session_observer(db, session.id, observer_id, facilitator_id,
                                         session.started_at - timedelta(days=6))  # fmt: skip
    for minutes, phase_index, level, category in _OBSERVED:
        at = session.started_at + timedelta(minutes=minutes)
        phase_index = min(phase_index, session.phase_index)
        community_store.add_observer_observation(db, session.id, observer_id, phase_index, level, category, at)
    community_store.save_debrief_note(db, session.id, _DEBRIEF, facilitator_id,
                                      session.started_at + timedelta(days=1, hours=2))  # fmt: skip
    return session.id


# "Safety in our group" per group: the level its members answer around. In Wijkverpleging Noord people hold back,
# so safety is what it works on first; Leidinggevenden Zorg, with no safety survey, is weakest on the shared
# follow-up (from its observation log and action items). Leidinggevenden Zorg is left without one on purpose: it is
# where a facilitator tries the safety survey for the first time (and the survey screens' tests do).
SAFETY_LEVELS = {"Wijkverpleging Noord": 2.9, "Jeugdhulp Gent": 3.6}
SAFETY_DAYS_AGO = (200, 45)


def add_demo_safety_waves(
    db: Unit,
    rng: random.Random,
    group_ids: dict[str, int],
    members: dict[str, list[int]],
    answering: dict[str, float],
    now: datetime,
) -> None:
    instrument = shipped_instruments().instruments.get("psychological_safety")
    if instrument is None:
        return
    for group_name, level in SAFETY_LEVELS.items():
        for days_ago in SAFETY_DAYS_AGO:
            opened = _at(now, days_ago, 9)
            wave_id = store.add_wave(db, group_ids[group_name], instrument.id, instrument.definition(),
                                     "every_n_sessions", None, opened, version=instrument.version)  # fmt: skip
            answer_wave(db, rng, wave_id, instrument, members[group_name], answering[group_name], level, opened)
            end_wave(db, wave_id, opened + timedelta(days=14))
