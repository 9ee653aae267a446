"""Home: what is next for me — my groups, the next session, and what is waiting."""

from __future__ import annotations

import re

import pytest
from driving import (
    app,
    assert_healthy,
    open_page,
    query,
    texts,
    values,
)

from intervision import accounts, clock, groups, i18n, membership
from intervision.database import configured as configured_database
from intervision.db import writing
from intervision.models import Contract, GroupInput, GroupRole, Language, Role

UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")


def _group_input(name: str) -> GroupInput:
    contract = Contract(
        meets_every_weeks=6, session_minutes=90, confidentiality="Stays here.", start_date=clock.today()
    )
    return GroupInput(name=name, contract=contract)


def _home(person):
    at = app(person)
    at.session_state["language"] = "en"
    return open_page(at, "pages/home.py")


def _groups_table(at) -> list[str]:
    frames = [frame.value for frame in at.dataframe if "Group" in frame.value.columns]
    assert len(frames) == 1
    return list(frames[0]["Group"])


@pytest.mark.date_sensitive
def test_participant_sees_their_groups_and_next_session(people):
    at = _home(people.participant)

    assert_healthy(at)
    assert values(at.title) == [f"Welcome, {people.participant.name}"]
    assert values(at.subheader)[-1] == "My groups"
    assert _groups_table(at) == ["Jeugdhulp Gent", "Leidinggevenden Zorg"]
    # Both groups have a session planned: the earliest is shown as the next one.
    [next_session] = [text for text in values(at.text) if text.endswith("minutes")]
    assert next_session.split(" · ")[0] in ("Jeugdhulp Gent", "Leidinggevenden Zorg")
    # A participant is not asked to plan sessions or find members.
    waiting = "\n".join(values(at.warning))
    assert "no next session planned" not in waiting
    assert "fewer than 3 members" not in waiting


def test_coordinator_sees_all_groups(people):
    at = _home(people.coordinator)

    assert_healthy(at)
    assert values(at.subheader)[-1] == "All groups"
    assert len(_groups_table(at)) == 4


@pytest.mark.date_sensitive
def test_facilitator_is_told_what_waits_for_them(people):
    # Annelies Verhoeven facilitates the demo's group without a planned session.
    facilitator = accounts.person_by_email(configured_database(), "annelies.verhoeven@demo.example")
    at = _home(facilitator)

    assert_healthy(at)
    assert any("no next session planned" in warning for warning in values(at.warning))
    assert "No session planned yet." in texts(at)


def test_person_without_groups_is_pointed_to_joining(people):
    for group, _ in groups.visible_groups(configured_database(), people.participant):
        groups.remove_member(configured_database(), people.coordinator, group.id, people.participant.id)
    at = _home(people.participant)

    assert_healthy(at)
    assert "You are not in a group yet. Did you get an invitation code?" in values(at.info)
    assert [link.proto.label for link in at.get("page_link")] == ["Join a group"]


INVITED = {
    "en": (
        "Invitation to join Jeugdhulp Gent as member, from {name}",
        "Accept",
        "Decline",
        "You are in the group now.",
    ),
    "nl": (
        "Uitnodiging van {name} om lid te worden van Jeugdhulp Gent",
        "Accepteren",
        "Afslaan",
        "Je zit nu in de groep.",
    ),
}


def _invite_kim(people) -> tuple:
    """Kim Bos, invited by the coordinator to Jeugdhulp Gent (a group she is not in)."""
    kim = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    gent = next(
        group.id
        for group, _ in groups.visible_groups(configured_database(), people.coordinator)
        if group.name == "Jeugdhulp Gent"
    )
    assert groups_role(gent, kim.id) is None
    membership.invite(configured_database(), people.coordinator, gent, kim.id, GroupRole.MEMBER)
    return kim, gent


def groups_role(group_id: int, person_id: int) -> str | None:
    found = query("SELECT group_role FROM memberships WHERE group_id = ? AND person_id = ?", (group_id, person_id))
    return found[0][0] if found else None


@pytest.mark.parametrize("language", ["en", "nl"])
def test_home_shows_an_invitation_and_accepting_it_joins_the_group(people, language):
    kim, gent = _invite_kim(people)
    at = app(kim)
    at.session_state["language"] = language
    open_page(at, "pages/home.py")
    invitation, accept, decline, welcome = INVITED[language]

    assert_healthy(at)
    assert f"**{invitation.format(name=people.coordinator.name)}**" in values(at.markdown)
    assert [b.label for b in at.button if (b.key or "").startswith(("accept.", "decline."))] == [accept, decline]
    assert groups_role(gent, kim.id) is None, "she is not in the group before she accepts"

    next(b for b in at.button if b.label == accept).click().run()

    assert_healthy(at)
    assert any(message.startswith(welcome) for message in values(at.success))
    assert groups_role(gent, kim.id) == "member"
    assert any("Jeugdhulp Gent" in list(frame.value.iloc[:, 0]) for frame in at.dataframe), "among her groups"
    assert invitation.format(name=people.coordinator.name) not in texts(at), "the invitation is answered"


def test_declining_an_invitation_leaves_the_person_out_of_the_group(people):
    kim, gent = _invite_kim(people)
    at = _home(kim)
    next(b for b in at.button if b.label == "Decline").click().run()

    assert_healthy(at)
    assert "You declined the invitation." in values(at.success)
    assert groups_role(gent, kim.id) is None
    assert not [b for b in at.button if b.label == "Accept"]


def test_home_greets_in_the_persons_own_language_over_the_browsers(people):
    # Emma Clarke chose English; her browser says Dutch.
    emma = accounts.person_by_email(configured_database(), "emma.clarke@demo.example")
    assert emma.role is Role.PARTICIPANT
    at = app(emma, locale="nl-NL").run()

    assert_healthy(at)
    assert values(at.title) == ["Welcome, Emma Clarke"]


@pytest.mark.parametrize(
    ("locale", "title"),
    [("nl-NL", "Welkom, {name}"), ("de-DE", "Welcome, {name}"), ("en-US", "Welcome, {name}")],
)
def test_home_follows_the_browser_for_someone_without_a_language(people, locale, title):
    person = people.participant
    with writing() as db:
        db.execute("UPDATE people SET language = NULL WHERE id = ?", [person.id])
    at = app(person, locale=locale).run()

    assert_healthy(at)
    assert values(at.title) == [title.format(name=person.name)]


def test_group_name_is_shown_as_typed_not_as_a_link(people):
    name = "[Sign in again](https://phish.example)"
    groups.create_group(configured_database(), people.coordinator, _group_input(name))
    at = _home(people.coordinator)

    assert_healthy(at)
    waiting = [warning for warning in values(at.warning) if "phish.example" in warning]
    assert waiting, values(at.warning)
    assert all(not UNESCAPED_LINK.search(warning) for warning in waiting), waiting


def test_a_missing_translation_would_be_noticed(people, monkeypatch):
    # The suite's own check: a key missing from the catalog shows as ⟦key⟧, and assert_healthy catches it.
    english = dict(i18n.catalog(Language.EN))
    del english["home.waiting"]
    monkeypatch.setattr(i18n, "catalog", lambda language: english)
    at = _home(people.participant)

    with pytest.raises(AssertionError, match="home.waiting"):
        assert_healthy(at)


@pytest.mark.date_sensitive
def test_coordinators_home_counts_held_sessions_only_where_the_contract_reports_them(people):
    frames = [frame.value for frame in _home(people.coordinator).dataframe if "Group" in frame.value.columns]
    held = dict(zip(frames[0]["Group"], frames[0]["Sessions in the last 12 months"], strict=True))

    assert held["Onderwijsteam Basisschool De Regenboog"] == "—"  # its contract reports attendance only
    assert held["Leidinggevenden Zorg"].isdigit() and int(held["Leidinggevenden Zorg"]) > 0
    facilitator = accounts.person_by_email(configured_database(), "annelies.verhoeven@demo.example")
    own = [frame.value for frame in _home(facilitator).dataframe if "Group" in frame.value.columns][0]
    assert (
        int(
            dict(zip(own["Group"], own["Sessions in the last 12 months"], strict=True))[
                "Onderwijsteam Basisschool De Regenboog"
            ]
        )
        > 0
    )
