"""Guidance while a case is written: hints, never a block.

A good case tells the situation up to the critical moment, asks an open "how can I" question, and
names nobody. These checks look at Dutch and English text alike and return hints; the person decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intervision import clock


@dataclass(frozen=True)
class Hint:
    """A hint for the author: a catalog key (`hint.<key>`) and the piece of text it is about."""

    key: str
    excerpt: str = ""


# --- the learning question -----------------------------------------------------------------------

_WHY = re.compile(r"^\s*(waarom|why)\b", re.IGNORECASE)
# A question that starts with a verb asks for yes or no.
_CLOSED = re.compile(
    r"^\s*(is|zijn|moet|moeten|kan|kun|kunnen|zal|zou|zouden|heb|hebben|ben|wil|mag|doe|doet|"
    r"are|am|should|can|could|do|does|did|will|would|have|has|must|may|shall)\b",
    re.IGNORECASE,
)
_OPEN = re.compile(r"\b(hoe|how|wat|what|welke|which)\b", re.IGNORECASE)


def question_hints(question: str) -> list[Hint]:
    """Hints to turn the learning question into an open "how can I …" question."""
    text = question.strip()
    if not text:
        return []
    if _WHY.search(text):
        return [Hint("why_question", text[:60])]
    if _CLOSED.search(text) and not _OPEN.search(text.split(" ", 1)[0]):
        return [Hint("closed_question", text[:60])]
    return []


# --- the situation -------------------------------------------------------------------------------

_OUTCOME = re.compile(
    r"\b(uiteindelijk|het liep (goed|slecht|uit)|liep het|afgelopen|het resultaat was|opgelost|"
    r"achteraf|in the end|eventually|it turned out|turned out|it ended|ended up|was resolved|"
    r"the outcome was|afterwards|in hindsight)\b",
    re.IGNORECASE,
)


def situation_hints(situation: str) -> list[Hint]:
    """A hint when the situation seems to tell how it ended: stop at the critical moment."""
    found = _OUTCOME.search(situation)
    return [Hint("outcome_told", _around(situation, found))] if found else []


# --- what could identify someone ----------------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
_PHONE = re.compile(
    r"(?<!\w)(\+?(31|32)[\s-]?\(?0?\)?[\s-]?\d([\s-]?\d){7,8}"  # +31 6 1234 5678, +32 470 12 34 56
    r"|0\d{1,3}[\s-]?\d{6,8}"  # 06-12345678, 020 1234567
    r"|0\d([\s-]?\d{2}){4})(?!\w)"  # 0470 12 34 56
)
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october"
)
# A date with "born" next to it, or a date long enough ago to be someone's birth (not the incident).
_BIRTH_WORDS = re.compile(
    rf"(geboren|born|geb\.|geboortedatum|date of birth|dob)(\s+(op|on))?:?\s+(\d[\w/.-]*( ({_MONTHS}) \d{{4}})?)",
    re.IGNORECASE,
)
_DATE = re.compile(
    rf"\b(\d{{1,2}}[-/.]\d{{1,2}}[-/.](?P<a>(19|20)\d{{2}})|(?P<b>(19|20)\d{{2}})-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}} ({_MONTHS}) (?P<c>(19|20)\d{{2}}))\b",
    re.IGNORECASE,
)
BIRTH_YEARS_AGO = 12  # a date this many years back or more is more likely a birth than the incident
_POSTCODE = re.compile(r"\b([1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}|B-\d{4}|postcode:?\s*\d{4})\b")
_CLIENT_NUMBER = re.compile(
    r"\b((cli[eë]nt|dossier|pati[eë]nt|leerling|student|case|file|client|patient)"
    r"\s*(nummer|nr\.?|number|no\.?|id)?\s*:?\s*#?\d{3,}|BSN:?\s*\d{8,9}|\d{7,})\b",
    re.IGNORECASE,
)
_PARTICLES = r"(?i:van|de|der|den|el|al|ter|ten|da|di|le|la)"
# Titles in any case ("mevrouw", "Mevrouw"), but the name after them must be capitalised: "de juf van
# groep 7" is a role, "juf Anouk" a name.
_TITLED_NAME = re.compile(
    r"\b(?i:mevrouw|meneer|mevr\.|mw\.|dhr\.|juf|meester|dokter|dr\.|mr\.|mrs\.?|ms\.?|mister)\s+"
    rf"({_PARTICLES}\s)*[A-Z][a-zà-ÿ]+"
)
_FIRST_NAMES = {
    "jan", "piet", "kees", "henk", "sander", "thomas", "daan", "lucas", "sem", "noah", "liam", "bram", "lars",
    "anna", "emma", "julia", "sophie", "lisa", "sanne", "fleur", "lotte", "eva", "marieke", "ingrid", "els",
    "mohammed", "mohamed", "ahmed", "fatima", "yusuf", "ayoub", "sara", "noor", "amira", "jeroen", "pieter",
    "annelies", "marc", "koen", "wouter", "joost", "inge", "anouk", "femke", "tim", "bas", "ruben", "max",
    "john", "james", "mary", "david", "sarah", "michael", "laura", "peter", "paul", "mark", "kevin",
}  # fmt: skip
# Capitalised only: "Mark" is a name, "mark" is a verb.
_FIRST = "(" + "|".join(sorted(name.capitalize() for name in _FIRST_NAMES)) + ")"
_FIRST_NAME = re.compile(rf"\b{_FIRST}\b")
# A full name: a known first name with a surname ("Jan de Vries"), or two capitalised words joined by a
# particle ("Fatima El Amrani", "Jansen van Dijk"). Any two capitalised words would flag "Raad van
# Bestuur"-like titles too often.
_FULL_NAME = re.compile(
    rf"\b{_FIRST}(\s{_PARTICLES})*\s[A-Z][a-zà-ÿ]{{2,}}\b"
    rf"|\b[A-Z][a-zà-ÿ]+(\s(?i:el|al|van der|van den|van de|ter|ten|da|di))+\s[A-Z][a-zà-ÿ]{{2,}}\b"
)


def _long_ago(match: re.Match) -> bool:
    year = int(match.group("a") or match.group("b") or match.group("c"))
    return year <= clock.today().year - BIRTH_YEARS_AGO


def _around(text: str, match: re.Match | None) -> str:
    """The matched words with a few whole words on either side, and "…" where the text goes on."""
    if match is None:
        return ""
    before = text[: match.start()].split()[-3:]
    after = text[match.end() :].split()[:3]
    quote = " ".join([*before, match.group(0), *after]).strip()
    starts = "…" if len(text[: match.start()].split()) > 3 else ""
    ends = "…" if len(text[match.end() :].split()) > 3 else ""
    return f"{starts}{quote}{ends}"


def identity_hints(text: str) -> list[Hint]:
    """Everything in a text that may identify a person: flag it so the author can anonymise it."""
    found: list[tuple[int, int, str]] = []
    for key, pattern in [
        ("email", _EMAIL),
        ("phone", _PHONE),
        ("date_of_birth", _BIRTH_WORDS),
        ("postcode", _POSTCODE),
        ("client_number", _CLIENT_NUMBER),
        ("name", _TITLED_NAME),
        ("name", _FULL_NAME),
        ("name", _FIRST_NAME),
    ]:
        found.extend((match.start(), match.end(), key) for match in pattern.finditer(text))
    found.extend((match.start(), match.end(), "date_of_birth") for match in _DATE.finditer(text) if _long_ago(match))
    # A piece inside a larger one (the digits of a phone number, "Jan" in "Jan de Vries") is said once.
    kept = [
        (start, end, key)
        for start, end, key in found
        if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in found)
    ]
    hints: dict[tuple[str, str], Hint] = {}
    for start, end, key in sorted(kept):
        excerpt = text[start:end].strip()
        hints.setdefault((key, excerpt), Hint(key, excerpt))
    return list(hints.values())


def case_hints(values: dict[str, str]) -> dict[str, list[Hint]]:
    """All hints for an intake form, per field."""
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
