"""The demo organisation's cases: made up, anonymised, and spread over each group's history."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from intervision import store
from intervision.database import Unit
from intervision.models import CaseStatus, QuestionType, Urgency, Want


def _case(
    title: str,
    situation: str,
    question: str,
    kind: QuestionType,
    wants: tuple[Want, ...],
    advice: str,
    follow_up: str,
) -> dict:
    return {
        "title": title,
        "situation": situation,
        "involved": "Een cliënt of ouder, een collega, ikzelf",
        "own_role": "Ik ben de professional die het gesprek voert.",
        "evoked": "Onzekerheid, en de neiging om het snel op te lossen.",
        "learning_question": question,
        "question_type": kind.value,
        "wants": [want.value for want in wants],
        "tried": "Ik heb het er met een collega over gehad.",
        "urgency": Urgency.NORMAL.value,
        "anonymised": True,
        "chosen_advice": advice,
        "follow_up": follow_up,
    }


# Per group theme: cases that a member of such a group could bring.
CASES: dict[str, list[dict]] = {
    "Leidinggevenden Zorg": [
        _case(
            "Een teamlid dat steeds te laat komt",
            "Een ervaren medewerker komt de laatste weken vaak te laat voor de overdracht. Toen ik het "
            "aankaartte, zei ze dat ik altijd op haar let en niet op de anderen. Ik wist even niet wat ik "
            "moest zeggen.",
            "Hoe kan ik iemand aanspreken zonder dat het een verwijt wordt?",
            QuestionType.OWN_BEHAVIOUR,
            (Want.ADVICE,),
            "Eerst vragen hoe het met haar gaat, dan de afspraak benoemen.",
            "Ik heb het gesprek opnieuw gevoerd en eerst geluisterd. Ze vertelde over de zorg voor haar moeder.",
        ),
        _case(
            "Kiezen tussen twee roosters",
            "Het team is verdeeld over een nieuw rooster. Beide kampen verwachten dat ik kies, en ik voel dat ik "
            "iemand ga teleurstellen.",
            "Hoe kan ik tot een besluit komen dat het team kan dragen?",
            QuestionType.DECISION,
            (Want.PERSPECTIVES,),
            "Het team de criteria laten bepalen, ik beslis daarna.",
            "",
        ),
    ],
    "Wijkverpleging Noord": [
        _case(
            "Een cliënt die de zorg weigert",
            "Een oudere cliënt wil niet gewassen worden en stuurt me weg. Haar dochter belt daarna boos dat "
            "haar moeder verwaarloosd wordt. Ik stond in de gang met de handdoek nog in mijn handen.",
            "Hoe kan ik de wens van de cliënt respecteren en toch goede zorg geven?",
            QuestionType.VALUES,
            (Want.PERSPECTIVES, Want.RECOGNITION),
            "Met de cliënt afspreken wat zij wél wil, en dat met de dochter delen.",
            "We hebben een vast moment afgesproken; de dochter was opgelucht.",
        ),
        _case(
            "Een collega die mijn werk overdoet",
            "Na mijn ronde zie ik dat een collega mijn rapportage aanvult en zorg opnieuw doet. Ze zegt dat ze "
            "het 'even netjes maakt'. Ik voel me klein gemaakt maar zeg niets.",
            "Hoe kan ik dit bespreekbaar maken zonder de samenwerking te schaden?",
            QuestionType.INTERACTION_PATTERN,
            (Want.ADVICE, Want.PRACTICE),
            "Het benoemen als iets wat ik zie en wat het met me doet.",
            "",
        ),
    ],
    "Onderwijsteam Basisschool De Regenboog": [
        _case(
            "Een ouder die elke week mailt",
            "Een ouder mailt wekelijks lange berichten over de aanpak in mijn klas en zet de directie in de cc. "
            "Bij het laatste gesprek zei hij dat ik zijn kind niet begrijp.",
            "Hoe kan ik grenzen stellen en toch in contact blijven met deze ouder?",
            QuestionType.OWN_BEHAVIOUR,
            (Want.ADVICE,),
            "Een vast contactmoment voorstellen en de mail kort bevestigen.",
            "We spreken elkaar nu om de twee weken; de mails zijn korter geworden.",
        ),
        _case(
            "Steeds weer alles zelf doen",
            "Bij elk project neem ik het meeste werk op me, omdat ik bang ben dat het anders niet goed komt. "
            "Nu zit ik vast en wordt het team stil als ik iets vraag.",
            "Hoe kan ik loslaten zonder dat ik me verantwoordelijk blijf voelen voor alles?",
            QuestionType.PERSONAL_PATTERN,
            (Want.RECOGNITION, Want.PERSPECTIVES),
            "Kernkwaliteit zorgvuldigheid; uitdaging: vertrouwen geven.",
            "",
        ),
    ],
    "Jeugdhulp Gent": [
        _case(
            "Een jongere die niet komt opdagen",
            "Een jongere mist voor de derde keer de afspraak. Toen ik belde zei hij dat het toch geen zin heeft. "
            "Ik voelde de neiging om hem te gaan halen.",
            "Hoe kan ik contact houden zonder zijn verantwoordelijkheid over te nemen?",
            QuestionType.OWN_BEHAVIOUR,
            (Want.QUESTIONS, Want.ADVICE),
            "Afspreken op een plek die hij zelf kiest.",
            "",
        ),
    ],
}


def add_demo_cases(
    db: Unit, rng: random.Random, group_id: int, group_name: str, members: list[int], now: datetime
) -> None:
    """Discussed cases on the group's past sessions (most followed up), and a queue for the next one."""
    pool = CASES.get(group_name, [])
    held = store.held_meetings(db, group_id)  # latest first
    for case, meeting in zip(pool, held[1:], strict=False):
        values = {key: value for key, value in case.items() if key not in ("chosen_advice", "follow_up")}
        add_discussed_case(
            db,
            group_id,
            rng.choice(members),
            values,
            meeting.id,
            meeting.method_id,
            meeting.starts_at,
            case["chosen_advice"],
            case["follow_up"],
            min(now, meeting.starts_at + timedelta(days=30)),
        )
    waiting = [
        (
            "Een nieuw teamlid dat niets vraagt",
            "Hoe kan ik een nieuw teamlid helpen om vragen te stellen?",
            Urgency.LOW,
        ),
        ("Een lastig gesprek over ziekteverzuim", "Hoe kan ik het gesprek voeren zonder te oordelen?", Urgency.HIGH),
    ]
    for title, question, urgency in waiting[: 1 + len(members) % 2]:
        values = {
            "title": title,
            "situation": "Het speelt sinds een paar weken en het kritieke moment was vorige week, in een overleg.",
            "learning_question": question,
            "question_type": QuestionType.OWN_BEHAVIOUR.value,
            "wants": [Want.ADVICE.value],
            "urgency": urgency.value,
            "anonymised": True,
        }
        store.add_case(
            db, group_id, rng.choice(members), CaseStatus.SUBMITTED, values, now - timedelta(days=rng.randint(3, 20))
        )


def add_discussed_case(
    db: Unit,
    group_id: int,
    author_id: int,
    values: dict,
    meeting_id: int,
    method_id: str | None,
    discussed_at: datetime,
    chosen_advice: str,
    follow_up: str = "",
    followed_up_at: datetime | None = None,
) -> int:
    """A case that went the whole way: submitted, chosen for a session, discussed, and followed up when
    there is a `follow_up`."""
    case_id = store.add_case(db, group_id, author_id, CaseStatus.SUBMITTED, values, discussed_at - timedelta(days=9))
    store.set_case_status(db, case_id, CaseStatus.CHOSEN, discussed_at - timedelta(days=2), meeting_id=meeting_id)
    store.set_case_status(
        db, case_id, CaseStatus.DISCUSSED, discussed_at, method_id=method_id, chosen_advice=chosen_advice
    )
    if follow_up and followed_up_at is not None:
        store.set_case_status(db, case_id, CaseStatus.FOLLOWED_UP, followed_up_at, follow_up=follow_up)
    return case_id
