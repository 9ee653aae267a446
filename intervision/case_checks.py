"""Guidance while a case is written: hints, never a block.

A facilitator checks that a case is real, current, concrete, about one's own part, not yet solved, told
up to the critical moment, with an open "how can I …" question, and that it names nobody. These checks
read Dutch (the Netherlands and Flanders) and English alike and return hints; the person decides.

What each hint looks for, what it deliberately leaves alone, and how well it does on a labelled set of
case sentences is in docs/case-hints.md (measured by bench/case_hints_quality.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from intervision import clock

FIRST_NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "first_names.txt"

QUESTION_KINDS = ("closed_question", "why_question", "someone_else", "negative_question", "knowledge_question")
SITUATION_KINDS = ("outcome_told", "long_ago")
IDENTITY_KINDS = (
    "name",
    "email",
    "phone",
    "date_of_birth",
    "postcode",
    "client_number",
    "bsn",
    "national_number",
)
KINDS = QUESTION_KINDS + SITUATION_KINDS + IDENTITY_KINDS


@dataclass(frozen=True)
class Hint:
    """A hint for the author: a catalog key (`hint.<key>`) and the piece of text it is about."""

    key: str
    excerpt: str = ""

    @property
    def identifies_someone(self) -> bool:
        """True for a detail that may identify a person (to be left out), False for advice on the case."""
        return self.key in IDENTITY_KINDS


def _around(text: str, match: re.Match | None, start: int | None = None, end: int | None = None) -> str:
    """The matched words with a few whole words on either side, and "…" where the text goes on."""
    if match is not None:
        start, end = match.start(), match.end()
    if start is None or end is None:
        return ""
    # Widen to whole words, so that an excerpt never cuts one in half.
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    # Three whole words on either side, cut from the text itself so that its spacing and marks stay.
    words_before = list(re.finditer(r"\S+", text[:start]))[-3:]
    words_after = list(re.finditer(r"\S+", text[end:]))[:3]
    quote_start = words_before[0].start() if words_before else start
    quote_end = end + words_after[-1].end() if words_after else end
    quote = " ".join(text[quote_start:quote_end].split())
    starts = "…" if text[:quote_start].strip() else ""
    ends = "…" if text[quote_end:].strip() else ""
    return f"{starts}{quote}{ends}"


def _shortened(text: str, limit: int = 60) -> str:
    """The text itself, cut at a word and marked with "…" when it is longer than the limit."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence with where it starts: split after . ? ! … and at line breaks."""
    for found in re.finditer(r"[^.?!…\n]+[.?!…]*", text):
        if found.group(0).strip():
            yield found.start(), found.group(0)


# --- the learning question -----------------------------------------------------------------------

# A why-question at the start of a sentence, or after "I wonder", asks for explanations; "hoe komt het dat"
# and "how come" are the same question in other words. A "waarom" inside an open question ("hoe leg ik uit
# waarom …") is not.
_WHY = re.compile(
    r"(^|[.?!:]\s+|\b(ik vraag me af|ik vraag mij af|ik wil weten|ik snap niet|ik begrijp niet|i wonder|"
    r"i want to know|i don't understand|i do not understand)\s+)(waarom|why)\b"
    r"|(^|[.?!:]\s+)(hoe komt het( toch)? dat|how come|wat is de reden dat|what is the reason)\b",
    re.IGNORECASE,
)
# A question that starts with a verb asks for yes or no.
_CLOSED_START = re.compile(
    r"^\W*(is|zijn|was|waren|moet|moeten|moest|kan|kun|kunnen|kon|zal|zou|zouden|heb|hebben|heeft|had|ben|"
    r"wil|willen|mag|mogen|mocht|doe|doet|deed|ga|gaat|hoort|klopt|werkt|helpt|vind|vinden|"
    r"are|am|were|should|can|could|do|does|did|will|would|have|has|had|must|may|might|shall)\b",
    re.IGNORECASE,
)
_EITHER_OR = re.compile(r"\b(of niet|or not)\s*\?", re.IGNORECASE)
# "Kunnen jullie meedenken over hoe ik …", "Could you help me think about how I …": a request to the
# group around an open question, which is exactly what the group is for.
_GROUP_REQUEST = re.compile(
    r"^\W*(kunnen|kun|willen|wil|zouden|zou|could|can|would|will)\s+(jullie|je|u|you)\b"
    r".*\b(hoe|wat|welke|waar|wanneer|waarmee|how|what|which|where|when)\b",
    re.IGNORECASE,
)
# The people a case is about, by role: "dat de overdracht rustiger verloopt" is about the work, "dat de
# directeur luistert" about someone else.
_ROLES = (
    r"(teamleider|teamleiding|leidinggevende|manager|directeur|directrice|directie|collega|teamlid|team|"
    r"stagiair|stagiaire|ouder|moeder|vader|familie|cliënt|client|cliënte|bewoner|patiënt|leerling|"
    r"jongere|kind|zoon|dochter|partner|arts|dokter|huisarts|specialist|mentor|docent|leerkracht|juf|"
    r"meester|verpleegkundige|verzorgende|begeleider|coördinator|school|afdeling|gemeente|mensen)"
    r"(s|en|n|'s|e)?"
)
_SOMEONE = rf"(hem|haar|hen|hun|ze|zij|hij|iedereen|((de|die|deze|mijn|onze|zijn|haar|hun)\s+)?(\w+)?{_ROLES})"
_OTHERS = r"(him|her|them|the|my|our|this|that|these|those|his|their|everyone|people|parents?|colleagues?)"
# A question about changing someone else instead of one's own part.
_SOMEONE_ELSE = re.compile(
    r"\bhoe krijg (ik|je|we) .{0,60}?\b(zover|zo ver|voor elkaar dat)\b"
    rf"|\bwat (moet|moeten|zou|zouden|kan|kunnen|gaat) {_SOMEONE}\b(?!\s+ik\b)"
    r"[^?]{0,50}?\b(doen|veranderen|aanpakken)\b"
    rf"|\bhoe (zorg|zorgen) (ik|je|we) (er ?voor )?dat {_SOMEONE}\b(?!\s+(ik|niet|nooit|geen)\b)"
    rf"|\bhoe (kan|kun|moet|krijg) (ik|je|we) {_SOMEONE}( \w+){{0,4}}? "
    r"(overtuigen|veranderen|dwingen|bewegen|overhalen|aanzetten|zover|meekrijgen|laten (inzien|stoppen|"
    r"ophouden|begrijpen|zien|veranderen|luisteren|meewerken|doen))\b"
    rf"|\bhow (do|can|could|should|will) (i|we) (get|persuade|force) {_OTHERS}\b[^?]{{0,40}}?\bto\b"
    rf"|\bhow (do|can|could|should|will) (i|we) (make|change|convince) {_OTHERS}\b"
    rf"|\bwhat (should|must|could|can|ought|would) {_OTHERS}\b[^?]{{0,40}}?\b(do|have done|change)\b",
    re.IGNORECASE,
)
# A question about what to avoid; a softer hint: the positive form usually opens more.
_NEGATIVE = re.compile(
    r"\bhoe (voorkom|vermijd|verhinder|vermijden|voorkomen) (ik|je|we)\b"
    r"|\bhoe (kan|kun|moet) (ik|je|we) .{0,30}?(voorkomen|vermijden|verhinderen)\b"
    r"|\bhoe (zorg|zorgen) (ik|je|we) (er ?voor )?dat (ik|je|we|het|er) (niet|nooit|geen)\b"
    r"|\bhoe (kan|kun|moet) (ik|je|we) (stoppen|ophouden) met\b|\bhoe stop (ik|je|we) met\b"
    r"|\bhow (do|can|could|should) (i|we) (avoid|prevent|stop|keep from|not)\b"
    r"|\bhow (do|can|could|should) (i|we) (make sure|ensure) (that )?(i|we|it) (don't|do not|won't|never|doesn't)\b",
    re.IGNORECASE,
)
_RULEBOOK = (
    r"(protocol|wet|regel|regels|richtlijn|richtlijnen|beleid|cao|code|reglement|procedure|voorschrift|"
    r"wetgeving|avg|gdpr|beroepscode|werkinstructie|schoolreglement)"
)
_RULEBOOK_EN = r"(protocol|policy|law|rules?|guidelines?|code|regulations?|procedure|contract|legislation|gdpr)"
# A question that a protocol, a rule or an expert answers: it belongs elsewhere, not in intervision.
_KNOWLEDGE = re.compile(
    rf"\bwat (zegt|zeggen|schrijft|schrijven|staat er in|vermeldt) (het|de|ons|onze) (\w+ )?\w*{_RULEBOOK}\b"
    rf"|\bwat (is|zijn) (de|het) (\w+ )?{_RULEBOOK}\b"
    rf"|\bwelke {_RULEBOOK} (gelden|gelden er|zijn er)\b"
    rf"|\bvolgens (het|de|ons|onze) (\w+ )?{_RULEBOOK}\b"
    r"|\b(is het|ben ik) (wettelijk )?(toegestaan|verplicht|verboden)\b|\bmag (dat|het) wettelijk\b"
    rf"|\bwhat (does|do|did) (the|our|my|this) (\w+ )?{_RULEBOOK_EN} say\b"
    rf"|\bwhat (is|are) (the|our) (\w+ )?{_RULEBOOK_EN}\b"
    rf"|\baccording to (the|our) (\w+ )?{_RULEBOOK_EN}\b"
    r"|\bam i (legally )?(allowed|obliged|required|permitted) to\b|\bis (it|this|that) (legal|allowed)\b",
    re.IGNORECASE,
)


def question_hints(question: str) -> list[Hint]:
    """Hints to turn the learning question into an open "how can I …" question about one's own part."""
    text = question.strip()
    if not text:
        return []
    hints: list[Hint] = []
    if _WHY.search(text):
        hints.append(Hint("why_question", _shortened(text)))
    elif any(_closed(sentence) for _, sentence in _sentences(text)):
        hints.append(Hint("closed_question", _shortened(text)))
    for key, pattern in [
        ("someone_else", _SOMEONE_ELSE),
        ("negative_question", _NEGATIVE),
        ("knowledge_question", _KNOWLEDGE),
    ]:
        found = pattern.search(text)
        if found:
            hints.append(Hint(key, _around(text, found)))
    return hints


def _closed(sentence: str) -> bool:
    """A sentence that can be answered with yes or no (a request to think along about "how" is not)."""
    if _EITHER_OR.search(sentence):
        return True
    # "Ik vraag me af: moet ik …?": the question after a colon is the one asked.
    clauses = {sentence, sentence.rsplit(":", 1)[-1]}
    return any(_CLOSED_START.search(clause) and not _GROUP_REQUEST.search(clause) for clause in clauses)


# --- the situation -------------------------------------------------------------------------------

# The outcome told or the problem already solved. Each pattern says how it ended, so it is flagged wherever
# it stands; "uiteindelijk" and "in the end" are handled apart (they also occur in the middle of a story).
_OUTCOME = re.compile(
    r"\bsindsdien\b[^.?!]{0,40}?\b(beter|goed|prima|fijn|opgelost|rustig|geen (last|problemen|klachten)|"
    r"weer normaal)\b"
    r"|\b(since then|ever since)\b[^.?!]{0,40}?\b(better|fine|well|good|resolved|solved|improved|no (more )?"
    r"problems|calm)\b"
    r"|\b(het )?(is|was) (het )?(toch |weer |allemaal )*goed gekomen\b|\b(het )?kwam (het )?(toch |weer )*goed\b"
    r"|\b(liep|loopt|is) (het )?(uiteindelijk |toch |allemaal )*(goed|prima|slecht|verkeerd) (af|afgelopen)\b"
    r"|\b(het )?gaat nu (veel |een stuk |weer |echt )*(beter|goed)\b|\bnu gaat het (weer )?(goed|beter)\b"
    r"|\bachteraf\b|\bin hindsight\b|\b(it )?turned out\b|\blooking back\b"
    r"|\b(it|things|everything|that) (all |eventually |finally )?worked out\b"
    r"|\b(things|it) (is|are) (much |a lot )?(better|fine) now\b"
    r"|\b(nu|inmiddels)\b[^.?!]{0,30}?\bweer (goed|prettig|fijn|beter|rustig|normaal)\b"
    r"|\bweer (prettig|goed|fijn) samen\b"
    r"|\b(is|zijn) (het |de sfeer )?(flink |sterk |veel |een stuk )?(verbeterd|bijgetrokken)\b"
    r"|\b(has|have|had) (really |finally )?(calmed down|settled down|improved|got better|gotten better)\b"
    r"|\b(was|were|has been|have been) dealt with\b"
    r"|\b(we|they) (now )?(get on|get along|work) (well|fine|great)( together)?( again| now)\b",
    re.IGNORECASE,
)
# Solved: flagged unless a negation stands just before it ("is nog niet opgelost", "has not been resolved").
_SOLVED = re.compile(
    r"\b(opgelost|uitgepraat|bijgelegd|afgehandeld|uit de wereld|resolved|solved|sorted out|blew over|"
    r"blown over)\b(?!\s*\?)",
    re.IGNORECASE,
)
_SOLVED_NEGATED = re.compile(
    r"\b(niet|nog|geen|nooit|not|never|yet|still|unresolved)\b|n't\b"
    r"|\b(hoe|how|wie|who|kan|can|moet|must|wanneer|when|als|if|zodra|once|tot|until|voordat|before|om|to|"
    r"wil|wilde|willen|want|wants|wanted|hoop|hoopte|hope|hoped|wish|zou|would|should|need|needs|nodig)\b",
    re.IGNORECASE,
)
# "Ik wil dat dit opgelost wordt", "I want this solved before the summer": a wish, not an outcome.
_WISHED = re.compile(r"\s*(wordt|worden|kan|moet|zal|krijgen|te krijgen|before|by|soon|quickly)\b", re.IGNORECASE)
_STILL_GOING_ON = re.compile(
    r"\b(blijft|nog steeds|nog altijd|komt (steeds )?terug|speelt nog|tot op vandaag|remains|keeps coming back|"
    r"is still going on|to this day)\b",
    re.IGNORECASE,
)
# "Inmiddels", "by now": told from after the critical moment, unless it goes on to say nothing changed.
_BY_NOW = re.compile(r"\b(inmiddels|intussen is|intussen zijn|by now)\b", re.IGNORECASE)
_NOTHING_CHANGED = re.compile(
    r"\b(nog steeds|nog altijd|nog niet|niets veranderd|niks veranderd|still|not yet|nothing has changed)\b",
    re.IGNORECASE,
)
# "Uiteindelijk", "in the end": an ending when it opens the last sentence that does not go on to the moment
# of not knowing what to do.
_FINALLY = re.compile(r"\b(uiteindelijk|ten slotte|in the end|eventually|finally)\b", re.IGNORECASE)
_STILL_STUCK = re.compile(
    r"\b(nog steeds|nog altijd|maar|morgen|wist (ik )?niet|weet (ik )?niet|geen idee|still|but|tomorrow|"
    r"did not know|didn't know|don't know|do not know|no idea)\b",
    re.IGNORECASE,
)
_LONG_AGO_WORDS = re.compile(
    r"\b(vorig|vorige|verleden) jaar\b|\bjaren (geleden|terug)\b|\blang geleden\b|\been (hele |lange )?tijd geleden\b"
    r"|\b(een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|anderhalf|paar|\d+) jaar (geleden|terug)\b"
    r"|\blast year\b|\bthe year before last\b|\b(a )?long (time )?ago\b"
    r"|\b(a|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|many|\d+) years? (ago|back)\b"
    r"|\byears (ago|back)\b",
    re.IGNORECASE,
)
_ONGOING_SINCE = re.compile(r"\b(sinds|since|vanaf|ever since|al sinds)\b", re.IGNORECASE)
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("maart", "march", "mrt", "mar"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augustus", "august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTHS = "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True))
# A date: 12-03-1985, 12/03/1985, 1985-03-12, 3 maart 1985, 3 March 1985, March 3, 1985; or a bare year.
_DATE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})[-/.](?P<m1>\d{{1,2}})[-/.](?P<y1>(19|20)\d{{2}})\b"
    rf"|\b(?P<y2>(19|20)\d{{2}})-(?P<m2>\d{{2}})-(?P<d2>\d{{2}})\b"
    rf"|\b(?P<d3>\d{{1,2}}) (?P<m3>{_MONTHS})\.? (?P<y3>(19|20)\d{{2}})\b"
    rf"|\b(?P<m4>{_MONTHS})\.? (?P<d4>\d{{1,2}}),? (?P<y4>(19|20)\d{{2}})\b"
    r"|\b(19|20)\d{2}[-/](?P<y6>(19|20)?\d{2})\b(?![-/.]\d)"
    r"|(?<![\d.,€$£-])\b(?P<y5>(19|20)\d{2})\b(?![.,]\d|-\d)",
    re.IGNORECASE,
)
# Words just before a date that place the story in it ("op 3 maart 2018", "in 2015", "in de zomer van
# 2018"), and words that make it another kind of date: a start ("sinds 2005 werk ik"), a meeting's
# name ("het overleg van 3 maart 2009"), a birth.
_PLACES_THE_STORY = re.compile(
    r"\b(in|op|on|rond|around|during|tijdens|begin|eind|eindigde|halverwege|back in|"
    r"(zomer|winter|lente|herfst|voorjaar|najaar|summer|spring|autumn|fall|winter) (van|of))"
    r"(\s+(het|de|the))?(\s+(schooljaar|school year|academiejaar|academic year|seizoen|season))?\s*$",
    re.IGNORECASE,
)
_ANOTHER_KIND_OF_DATE = re.compile(
    r"\b(sinds|since|vanaf|from|tot|until|geboren|born|geb|geboortedatum|hired|started|begon|begonnen|"
    r"gestart|in dienst|werk|work|worked|werkte|afgestudeerd|graduated|opgericht|founded|aangenomen)\b",
    re.IGNORECASE,
)


_WHEN = re.compile(r"\b(toen|when)\b", re.IGNORECASE)
_STARTED = {"started", "begon", "begonnen", "gestart", "hired", "aangenomen", "werkte", "worked"}


def _date_of(found: re.Match) -> date | None:
    """The date a _DATE match stands for (the first of the year for a bare year), or None if none is."""
    groups = found.groupdict()
    if groups["y6"]:
        # A school year ("2017-2018", "2017/18"): it ends in the second year.
        second = groups["y6"]
        return date(int(second) if len(second) == 4 else 2000 + int(second), 1, 1)
    year = int(next(groups[g] for g in ("y1", "y2", "y3", "y4", "y5") if groups[g]))
    if groups["y5"]:
        return date(year, 1, 1)
    month_text = groups["m1"] or groups["m2"] or groups["m3"] or groups["m4"]
    month = _MONTH_NUMBERS.get(month_text.lower()) if not month_text.isdigit() else int(month_text)
    day = int(groups["d1"] or groups["d2"] or groups["d3"] or groups["d4"])
    try:
        return date(year, month or 0, day)
    except ValueError:
        return None


def _long_ago_date(text: str, found: re.Match) -> bool:
    """A date the story places itself in, longer ago than a current case would be."""
    when = _date_of(found)
    if when is None:
        return False
    before = text[max(0, found.start() - 40) : found.start()]
    if not _PLACES_THE_STORY.search(before):
        return False
    another_kind = _ANOTHER_KIND_OF_DATE.search(before[-25:])
    # "When I started in 2012, a nurse …" places the story at the start; "I started in 2012" is a start date.
    if another_kind and not (_WHEN.search(before) and another_kind.group(1).lower() in _STARTED):
        return False
    today = clock.today()
    if found.group("y5") or found.group("y6"):
        # A bare year: last year may still be a few weeks back, the year before is not.
        return when.year <= today.year - 2
    return (today - when).days > 365


def situation_hints(situation: str) -> list[Hint]:
    """Hints when the situation tells how it ended, is already solved, or happened long ago."""
    hints: list[Hint] = []
    outcome = _outcome(situation)
    if outcome:
        hints.append(Hint("outcome_told", outcome))
    long_ago = next(
        (
            found
            for found in _LONG_AGO_WORDS.finditer(situation)
            # "Sinds de fusie van vorig jaar …": it started then and is still going on.
            if not _ONGOING_SINCE.search(_clause_before(situation, found.start()))
            # "Het begon een jaar geleden en het speelt nog steeds": current after all.
            and not _STILL_GOING_ON.search(_rest_of_sentence(situation, found.end()))
        ),
        None,
    )
    if long_ago:
        hints.append(Hint("long_ago", _around(situation, long_ago)))
    else:
        for found in _DATE.finditer(situation):
            if _long_ago_date(situation, found):
                hints.append(Hint("long_ago", _around(situation, found)))
                break
    return hints


def _clause_before(text: str, position: int) -> str:
    """The words from the start of the sentence (or clause) up to `position`."""
    start = max(text.rfind(mark, 0, position) for mark in ".?!;")
    return text[start + 1 : position]


def _rest_of_sentence(text: str, position: int) -> str:
    """The words from `position` to the end of its sentence."""
    ends = [found for mark in ".?!" if (found := text.find(mark, position)) >= 0]
    return text[position : min(ends, default=len(text))]


def _outcome(text: str) -> str:
    """An excerpt where the text tells the outcome, or "" when it stops before it."""
    found = _OUTCOME.search(text)
    if found:
        return _around(text, found)
    for solved in _SOLVED.finditer(text):
        clause_start = max(text.rfind(mark, 0, solved.start()) for mark in ".?!,;:")
        before = text[max(clause_start + 1, solved.start() - 30) : solved.start()]
        rest = _rest_of_sentence(text, solved.end())
        if _SOLVED_NEGATED.search(before) or _WISHED.match(rest) or _STILL_GOING_ON.search(rest):
            continue
        return _around(text, solved)
    for start, sentence in _sentences(text):
        by_now = _BY_NOW.search(sentence)
        if by_now and not _NOTHING_CHANGED.search(sentence):
            return _around(text, None, start + by_now.start(), start + by_now.end())
    sentences = list(_sentences(text))
    if sentences:
        start, last = sentences[-1]
        finally_ = _FINALLY.search(last)
        # It opens the sentence ("In the end the family agreed"); inside one ("het gesprek ging
        # uiteindelijk over iets anders") it is part of the story.
        opens = finally_ is not None and len(last[: finally_.start()].split()) <= 2
        if finally_ and opens and not _STILL_STUCK.search(last[finally_.end() :]):
            return _around(text, None, start + finally_.start(), start + finally_.end())
    return ""


# --- what could identify someone ----------------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
# Dutch and Belgian numbers in the ways people write them: 06-12345678, 020 1234567, 0470 12 34 56,
# 0475/12.34.56, 09 233 45 67, +31 6 1234 5678, +32 470 12 34 56, 0031 6 …; the count of digits is
# checked after (9 or 10 after the leading 0).
_PHONE = re.compile(
    r"(?<![\w+./-])((\+|00)(31|32|44)[\s.-]?(\(0\)[\s.-]?)?\d([\s./-]?\d){7,9}|0\d([\s./-]?\d){7,9})(?![\w.,-]?\d)"
)
_BIRTH_WORD = r"(geboren|born|geb\.?|geboortedatum|geboortejaar|date of birth|birth date|birthdate|dob|d\.o\.b\.|°)"
_ANY_DATE = (
    rf"(\d{{1,2}}[-/.]\d{{1,2}}[-/.](19|20)?\d{{2}}|(19|20)\d{{2}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}} ({_MONTHS})\.? (19|20)\d{{2}}|({_MONTHS})\.? \d{{1,2}},? (19|20)\d{{2}}|(19|20)\d{{2}}|'\d{{2}})"
)
# A date of birth where the text says so: "geboren op 3 maart 1985", "geb. 12-03-1948", "born in 2009",
# "1985-03-12 als geboortedatum", "ze is van 1985", "°1985". A bare date is the incident's, not a birth.
_DATE_OF_BIRTH = re.compile(
    rf"(?<!\w){_BIRTH_WORD}\s*(:|op|on|in|is|was|de|the|van)?\s*(:)?\s*{_ANY_DATE}"
    rf"|\b{_ANY_DATE}\s+(als|as)\s+(geboortedatum|date of birth|birth date)\b"
    rf"|\b(is|ben|zijn|was) (van|uit) {_ANY_DATE}(?![\w-])",
    re.IGNORECASE,
)
# An age next to a name: "Sanne (34)", "meneer Jacobs, 82 jaar", "Tom, aged 15", "Jan (°1985)".
_AGE_AFTER_NAME = re.compile(
    r"\s*\(\s*(°\s*)?\d{1,4}\s*(jaar|jr\.?|j\.?|years?|yrs?\.?)?\s*\)"
    r"|,\s*\d{1,3}\s*(jaar|years?)(\s+(oud|old))?\b"
    r"|,\s*(aged|age|leeftijd)\s*:?\s*\d{1,3}\b"
)
_POSTCODE_NL = re.compile(r"\b[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}\b")
# Belgian: "B-9100", "postcode 9100", or four digits before a place name ("9100 Sint-Niklaas").
_POSTCODE_BE = re.compile(
    r"\b(B|BE)-\d{4}\b|\b(?i:postcode|postal code|zip)\s*:?\s*\d{4}\b"
    r"|(?<![\d.,€$£/-])\b(?P<digits>[1-9]\d{3})[ \t]+(?P<place>[^\W\d_][^\W\d_]*(-[^\W\d_]+)*)"
    r"|\b(?i:in|te|uit|naar|bij|from|to|near)\s+[^\W\d_]+(-[^\W\d_]+)*\s*\([1-9]\d{3}\)"
)
_YEAR_BEFORE = re.compile(r"\b(in|sinds|since|van|tot|vanaf|from|to|until|jaar|year|rond|around|eind|begin)\s*$", re.I)
_ID = r"[A-Z]{0,3}[-/]?\d[\d/.-]{2,}\d"
_CLIENT_NUMBER = re.compile(
    r"\b(?i:(cli[eë]nt|dossier|pati[eë]nt|leerling|student|bewoner|deelnemer|zaak|casus|case|file|client|"
    r"patient|pupil|resident|NHS|hospital|registratie|referentie|reference|klant|customer)[\s-]*"
    r"(nummer|nr\.?|number|no\.?|num\.?|id|#))\s*[:#]?\s*((?i:is|was)\s+)?"
    rf"{_ID}\b"
    rf"|\b(?i:kenmerk|ref\.|MRN)\s*[:#]?\s*{_ID}\b"
)
_BSN = re.compile(
    r"\b(?i:bsn|burgerservicenummer|sofinummer|sofi-nummer|citizen service number)"
    r"(\s*(?i:nummer|nr\.?|number))?\s*[:#]?\s*((?i:is|was)\s+)?(\d{8,9}|\d{4}\.\d{2}\.\d{3})\b"
)
_NINE_DIGITS = re.compile(r"(?<![\d.,€$£-])\b(\d{9}|\d{4}\.\d{2}\.\d{3})\b(?![.,]\d)")
_AMOUNT_AROUND = re.compile(r"(€|\beur\b|\beuro|\$|£|dollar|pond|pound)", re.IGNORECASE)
_NATIONAL_NUMBER = re.compile(
    r"\b(?i:rijksregisternummer|rijksregister|insz|ssin|national (register )?number|numéro national)"
    r"(\s*(?i:nummer|nr\.?|number))?\s*[:#]?\s*((?i:is|was)\s+)?\d{2}\.?\d{2}\.?\d{2}[-. ]?\d{3}\.?\d{2}\b"
    r"|\b\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}\b"
)
_ELEVEN_DIGITS = re.compile(r"(?<![\d.,-])\b(\d{6})[- ]?(\d{3})[- ]?(\d{2})\b(?![.,-]?\d)")

_TITLE = (
    r"(?i:de heer|mevrouw|meneer|mijnheer|mevr\.?|mw\.|dhr\.?|juffrouw|juf|meester|dokter|zuster|broeder|"
    r"dr\.?|prof\.?|mr\.?|mrs\.?|ms\.?|miss|mister|mx\.?)"
)
_PARTICLE = r"(?i:van|de|der|den|del|el|al|ter|ten|da|di|du|le|la|von|mc|bin|ben|op|in 't|'t)"
_WORD = r"[^\W\d_]+(?:[-'’][^\W\d_]+)*"
_TITLED_NAME = re.compile(rf"\b{_TITLE}[ \t]+((?:{_PARTICLE}[ \t]+)*)({_WORD})")
# Two capitalised words joined by a particle ("El Amrani", "Jansen van der Berg"); a plain "van" is left
# out, because "Raad van Bestuur" is far commoner in a case than a surname with it.
_PARTICLE_NAME = re.compile(
    rf"\b({_WORD})([ \t](?i:el|al|van der|van den|van de|ter|ten|da|di))+[ \t]({_WORD})",
)
_CAPITALISED_WORD = re.compile(_WORD)
# A role with a name beside it: "mijn collega Wendelien", "cliënt Jansen", "my manager, Gareth, said".
_ROLE_BEFORE_NAME = (
    r"(collega|teamleider|leidinggevende|manager|directeur|directrice|mentor|stagiair|stagiaire|leerling|"
    r"cliënt|cliënte|client|bewoner|bewoonster|patiënt|patient|colleague|supervisor|pupil|resident)"
)
# Right after the role only for roles that are people ("collega Wendelien"), not for titles followed by a
# department ("de manager Zorg", "teamleider Jeugd").
_PERSON_ROLE = (
    r"(collega|cliënt|cliënte|client|bewoner|bewoonster|patiënt|patient|leerling|stagiair|stagiaire|colleague|"
    r"pupil|resident)"
)
_NAME_AFTER_A_ROLE = re.compile(
    rf"\b(?i:(mijn|onze|de|het|een|my|our|the|a)\s+)?(?i:{_ROLE_BEFORE_NAME}),[ \t]*(?P<name>{_WORD})(?=,)"
    rf"|\b(?i:{_PERSON_ROLE})[ \t]+(?P<plain>{_WORD})"
)
# A street, school or building named after a person ("Max Havelaarschool", "Willem de Zwijgerlaan",
# "Anne Frank School", "Jeroen Bosch Ziekenhuis") names a place, not a person.
_PLACE_SUFFIX = re.compile(
    r"(school|laan|straat|weg|plein|gracht|kade|singel|park|dreef|lei|steenweg|college|lyceum|"
    r"ziekenhuis|gasthuis|kliniek|huis|centrum|gebouw|zaal|stichting|instituut|academie|kerk|hal|"
    r"street|road|avenue|lane|square|hospital|house|centre|center|hall|building|academy|university|"
    r"universiteit|campus|museum|fonds|prijs|award|fund|station)$",
    re.IGNORECASE,
)
# Models a facilitator names after their author: "de Roos van Leary" is no colleague called Roos.
_A_MODEL = re.compile(r"Roos van Leary\b")
# A name after a royal or saint's title, or after the kind of place ("AZ Maria Middelares", "basisschool
# Anne Frank", "stichting Jan Pieter Heije"), names the place too.
_PLACE_BEFORE = re.compile(
    r"\b(koningin|koning|prins|prinses|sint|st\.?|queen|king|prince|princess|saint|az|uz|basisschool|school|"
    r"college|lyceum|ziekenhuis|campus|stichting|kliniek|hospital|academy)\s*$",
    re.IGNORECASE,
)


@cache
def first_names() -> tuple[frozenset[str], frozenset[str]]:
    """The first names from data/first_names.txt: (all of them, those that are also ordinary words)."""
    names: set[str] = set()
    words: set[str] = set()
    for line in FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if name.startswith("~"):
            name = name[1:]
            words.add(name)
        names.add(name)
    return frozenset(names), frozenset(words)


def _starts_sentence(text: str, position: int) -> bool:
    """True when the word at `position` opens the text, a sentence, a line, a quote or a list item."""
    before = text[:position].rstrip(" \t\"'“‘(«-–•*")
    return not before or before[-1] in ".?!:;…\n"


def _title_cased(text: str) -> bool:
    """A title in which most words are capitalised ("A Parent Who Emails Every Week")."""
    words = re.findall(r"[^\W\d_]+", text)
    return len(words) >= 4 and sum(word[0].isupper() for word in words) >= 0.7 * len(words)


def _surname_after(text: str, end: int) -> int:
    """Where a surname right after a first name ends ("Jan| de Vries|"), or `end` when there is none."""
    found = re.compile(rf"(([ \t]{_PARTICLE})*[ \t])({_WORD})").match(text, end)
    if found and found.group(3)[0].isupper() and found.group(3) not in {"I", "Ik"}:
        return found.end()
    return end


def _names_a_place(text: str, start: int, end: int) -> bool:
    """True when the name at start:end is part of a street, school or building's name."""
    if _PLACE_BEFORE.search(text[:start]):
        return True
    # The capitalised words (and particles) that follow: "Havelaarschool", "de Zwijgerlaan", "Bosch Ziekenhuis".
    following = re.compile(rf"(([ \t]{_PARTICLE})*[ \t]({_WORD}))").match
    position = end
    for _ in range(3):
        found = following(text, position)
        if not found or not found.group(3)[0].isupper():
            return False
        if _PLACE_SUFFIX.search(found.group(3)):
            return True
        position = found.end()
    return False


def _name_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where a person's name stands: after a title, a known first name (with its surname), or a surname
    with a particle."""
    names, ordinary_words = first_names()
    for found in _TITLED_NAME.finditer(text):
        if found.group(2)[0].isupper():
            yield found.start(), found.end()
    for found in _NAME_AFTER_A_ROLE.finditer(text):
        group = "name" if found.group("name") else "plain"
        word, start, end = found.group(group), found.start(group), found.end(group)
        if not word[0].isupper() or re.match(r"[A-Z]{2}", word) or re.fullmatch(_ROLE_BEFORE_NAME, word.lower()):
            continue
        if not _names_a_place(text, start, end):
            yield start, _surname_after(text, end)
    for found in _PARTICLE_NAME.finditer(text):
        surname = found.group(3)
        # "Afsluiten van de BLITS-groep": a capitalised word opening a sentence, or an acronym, is no name.
        if not (found.group(1)[0].isupper() and surname[0].isupper()) or re.match(r"[A-Z]{2}", surname):
            continue
        if _starts_sentence(text, found.start()) and found.group(1) not in names:
            continue
        yield found.start(), found.end()
    title_cased = _title_cased(text)
    place_ends = 0  # where the last place named after a person ends: "Frank" in "basisschool Anne Frank"
    for found in _CAPITALISED_WORD.finditer(text):
        word = found.group(0)
        if word not in names or found.start() < place_ends:
            continue
        start, end = found.span()
        if word in ordinary_words:
            # "Ben ik te streng?", "Mark the date", "Will I …": a word at the start of a sentence; but
            # "Rose, the charge nurse, …" is a person.
            at_start = _starts_sentence(text, start) or title_cased
            if at_start and text[end : end + 1] != ",":
                continue
        if _names_a_place(text, start, end) or _A_MODEL.match(text, start):
            place_ends = _capitalised_run_end(text, end)
            continue
        yield start, _surname_after(text, end)


def _capitalised_run_end(text: str, end: int) -> int:
    """Where the capitalised words (and particles) that follow `end` stop: "Anne| Frank|", "Willem| de Zwijgerlaan|"."""
    following = re.compile(rf"(([ \t]{_PARTICLE})*[ \t]({_WORD}))").match
    for _ in range(3):
        found = following(text, end)
        if not found or not found.group(3)[0].isupper():
            break
        end = found.end()
    return end


def _elfproef(digits: str) -> bool:
    """The check every Dutch citizen service number (BSN) passes: 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11)."""
    if len(digits) != 9 or digits[0] == "0":
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def _national_number_checks(digits: str) -> bool:
    """The Belgian national register number's check: 97 − (first nine mod 97), or with a 2 before them for
    someone born in 2000 or later."""
    body, check = int(digits[:9]), int(digits[9:])
    return check in (97 - body % 97, 97 - int("2" + digits[:9]) % 97)


def _identity_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Every span of the text that may identify someone, with its kind."""
    simple = [
        ("email", _EMAIL),
        ("date_of_birth", _DATE_OF_BIRTH),
        ("postcode", _POSTCODE_NL),
        ("client_number", _CLIENT_NUMBER),
        ("bsn", _BSN),
        ("national_number", _NATIONAL_NUMBER),
    ]
    for key, pattern in simple:
        for found in pattern.finditer(text):
            yield found.start(), found.end(), key
    for found in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", found.group(0))
        local = digits[2:] if found.group(0).startswith("+") else digits[4:] if digits.startswith("00") else digits
        if found.group(0).startswith(("+", "00")) or len(local) in (9, 10):
            yield found.start(), found.end(), "phone"
    for found in _POSTCODE_BE.finditer(text):
        if _belgian_postcode(text, found):
            yield found.start(), found.end(), "postcode"
    for found in _NINE_DIGITS.finditer(text):
        nearby = text[max(0, found.start() - 6) : found.end() + 8]
        if _elfproef(found.group(1).replace(".", "")) and not _AMOUNT_AROUND.search(nearby):
            yield found.start(), found.end(), "bsn"
    for found in _ELEVEN_DIGITS.finditer(text):
        if _national_number_checks("".join(found.groups())):
            yield found.start(), found.end(), "national_number"
    for start, end in _name_spans(text):
        yield start, end, "name"
        age = _AGE_AFTER_NAME.match(text, end)
        if age:
            yield start, age.end(), "date_of_birth"


def _belgian_postcode(text: str, found: re.Match) -> bool:
    """Four digits before a place name are a Belgian postcode, not a year before a name ("in 2019 Jan …")."""
    if not found.group("digits"):
        return not found.group(0)[0].isdigit()
    place = found.group("place")
    if not place[0].isupper() or len(place) < 2:
        return False
    if not 1000 <= int(found.group("digits")) <= 9992:
        return False
    names, _ = first_names()
    looks_like_a_year = 1900 <= int(found.group("digits")) <= 2099
    if looks_like_a_year and re.search(rf"\b\d{{1,2}}\s+({_MONTHS})\.?\s*$", text[: found.start()], re.IGNORECASE):
        return False  # "13 dec 2017 Amsterdam": the year of a date
    if looks_like_a_year and (_YEAR_BEFORE.search(text[: found.start()]) or _starts_sentence(text, found.start())):
        # "woont in 2000 Antwerpen" still is one, "In 2019 Jan …" or "In 2016 I …" is not.
        return place not in names and place not in {"I", "Ik", "We", "Wij", "Ze", "Hij", "Zij", "The"}
    return place not in names


def identity_hints(text: str) -> list[Hint]:
    """Everything in a text that may identify a person: flag it so the author can anonymise it."""
    found = list(_identity_spans(text))
    # A piece inside a larger one (the digits of a phone number, "Jan" in "Jan de Vries") is said once;
    # a name with an age beside it is both a name and an age.
    kept = [
        (start, end, key)
        for start, end, key in found
        if not any(
            s <= start and end <= e and (e - s) > (end - start) and not (key == "name" and k == "date_of_birth")
            for s, e, k in found
        )
    ]
    # Two overlapping pieces of the same kind ("Postcode 1234" and "1234 AB") are one detail.
    merged: list[tuple[int, int, str]] = []
    for start, end, key in sorted(kept):
        same = next((i for i, (s, e, k) in enumerate(merged) if k == key and s < end and start < e), None)
        if same is None:
            merged.append((start, end, key))
        else:
            s, e, _ = merged[same]
            merged[same] = (min(s, start), max(e, end), key)
    hints: dict[tuple[str, str], Hint] = {}
    for start, end, key in merged:
        excerpt = text[start:end].strip()
        hints.setdefault((key, excerpt), Hint(key, excerpt))
    return list(hints.values())


def case_hints(values: dict[str, str | None]) -> dict[str, list[Hint]]:
    """All hints for an intake form, per field: the question and the situation get their own advice, every
    field is checked for what may identify someone."""
    hints: dict[str, list[Hint]] = {}
    for field, text in values.items():
        found = identity_hints(text or "")
        if field == "learning_question":
            found = question_hints(text or "") + found
        if field == "situation":
            found = situation_hints(text or "") + found
        if found:
            hints[field] = found
    return hints
