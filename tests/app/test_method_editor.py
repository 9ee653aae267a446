"""My methods: copy or start a method, change it phase by phase, save versions, import and share."""

from __future__ import annotations

from driving import (
    ROOT,
    app,
    as_read,
    assert_healthy,
    button,
    click,
    message_under,
    open_page,
    person_named,
    query,
    value_of,
    values,
)

from intervision import method_library
from intervision.database import configured as configured_database
from intervision.methods import Method, Name, built_in_library
from intervision.models import Person

REQUIRED = "Please fill this in."
VALID = "The method is complete and valid."
SAVE = "Save method"
REFUSED = "The file was refused:"
CHANGE_OWN = "Change one of my methods"
UNRELATED_PARTICIPANT = "Sanne Jansen"  # shares no group with the demo facilitator
CLINIC = (ROOT / "methods" / "clinic.toml").read_text(encoding="utf-8")


def _editor(person: Person):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/method_editor.py")
    assert_healthy(at)
    return at


def _start(at, how: str, method_id: str | None = None):
    at.radio(key="method_start.how").set_value(how).run()
    if method_id is not None:
        at.selectbox(key=f"method_start.{how}").set_value(method_id).run()
    click(at, "Start")
    assert_healthy(at)
    return at


def _copy_of_incident(person: Person):
    return _start(_editor(person), "copy", "incident")


def _phases(at) -> list[str]:
    """The phase names in the order the editor shows them ("#### Phase 1 · Choose the incident")."""
    return [m.split(" · ", 1)[1] if " · " in m else "" for m in values(at.markdown) if m.startswith("#### Phase ")]


def _total(at) -> str:
    return next(m for m in values(at.markdown) if m.startswith("**Total: "))


def _draft_heading(at) -> str | None:
    return next((as_read(s) for s in values(at.subheader) if s.startswith("Draft")), None)


def _stored_draft(person: Person) -> dict | None:
    return method_library.draft_of(configured_database(), person)


def _upload(at, name: str, text: str):
    at.file_uploader(key="method_import").set_value((name, text.encode(), "application/toml")).run()
    assert_healthy(at)
    return at


def _versions(method_id: str) -> list[int]:
    return [v for (v,) in query("SELECT version FROM method_versions WHERE method_id = ? ORDER BY 1", (method_id,))]


def _own_method(author: Person) -> Method:
    incident = built_in_library().methods["incident"]
    return method_library.save_custom_method(
        configured_database(), author, incident.model_copy(update={"name": Name(nl="Ons incident", en="Our incident")})
    )


def _library_ids(person: Person) -> list[str]:
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/methods.py")
    assert_healthy(at)
    return [b.key.removeprefix("open.") for b in at.button if (b.key or "").startswith("open.")]


# --- starting a draft ----------------------------------------------------------------------------


def test_facilitator_copies_the_incident_method(people):
    at = _copy_of_incident(people.facilitator)

    assert _draft_heading(at) == "Draft: Incident method (copy)"
    assert value_of(at, "m.name.en") == "Incident method (copy)"
    assert _phases(at) == [
        "Choose the incident",
        "Explain the question",
        "Information round",
        "Diagnosis",
        "Solutions",
        "The case bringer's choice",
    ]
    assert _total(at) == "**Total: 50 minutes**"
    assert value_of(at, "m.p.diagnosis.minutes") == 7.5
    assert VALID in values(at.success)
    assert not button(at, SAVE).disabled
    assert _stored_draft(people.facilitator)["values"]["name.en"] == "Incident method (copy)"


def test_a_copy_is_named_a_copy_in_each_language(people):
    at = _copy_of_incident(people.facilitator)

    assert value_of(at, "m.name.nl") == "Incidentmethode (kopie)"
    assert value_of(at, "m.name.en") == "Incident method (copy)"


# --- checked as you type -------------------------------------------------------------------------


def test_an_empty_dutch_phase_name_is_asked_for_under_the_field(people):
    at = _copy_of_incident(people.facilitator)
    at.text_input(key="m.p.diagnosis.name.nl").set_value("").run()

    assert_healthy(at)
    assert message_under(at, "m.p.diagnosis.name.nl") == REQUIRED
    assert message_under(at, "m.p.diagnosis.name.en") is None
    assert values(at.error) == [REQUIRED]
    assert values(at.warning) == ["Still to fix before you can save\n\n- 1 field is marked in red above."]
    assert VALID not in values(at.success)
    assert button(at, SAVE).disabled
    # What was typed is kept, as it was typed.
    assert _stored_draft(people.facilitator)["values"]["p.diagnosis.name.nl"] == ""


def test_prompts_need_as_many_lines_in_dutch_as_in_english(people):
    at = _copy_of_incident(people.facilitator)
    at.text_area(key="m.p.diagnosis.prompts.nl").set_value("Wat is de kern?\nWat speelt er nog meer?").run()

    assert_healthy(at)
    message = "Dutch has 2 lines here and English 1: give both the same number."
    assert message_under(at, "m.p.diagnosis.prompts.nl") == message
    assert button(at, SAVE).disabled

    at.text_area(key="m.p.diagnosis.prompts.en").set_value("What is the core?\nWhat else is going on?").run()
    assert_healthy(at)
    assert message_under(at, "m.p.diagnosis.prompts.nl") is None
    assert VALID in values(at.success)
    assert not button(at, SAVE).disabled


# --- phases --------------------------------------------------------------------------------------


def test_moving_a_phase_down(people):
    at = _copy_of_incident(people.facilitator)
    at.button(key="down.choose_incident").click().run()

    assert_healthy(at)
    assert _phases(at)[:3] == ["Explain the question", "Choose the incident", "Information round"]
    assert _total(at) == "**Total: 50 minutes**"
    assert _stored_draft(people.facilitator)["phases"][:2] == ["explain_question", "choose_incident"]

    at.button(key="up.choose_incident").click().run()
    assert _phases(at)[:2] == ["Choose the incident", "Explain the question"]


def test_moving_a_phase_out_of_a_repeat_says_what_is_wrong(people):
    at = _start(_editor(people.facilitator), "copy", "disney")
    for _ in range(3):  # the critic goes before the dreamer, where the repeat starts
        at.button(key="up.critic").click().run()

    assert_healthy(at)
    assert _stored_draft(people.facilitator)["phases"][:3] == ["critic", "meta_enter", "dreamer"]
    assert "This value is not valid." not in "\n".join(values(at.warning))


def test_removing_a_phase(people):
    at = _copy_of_incident(people.facilitator)
    at.button(key="remove.diagnosis").click().run()

    assert_healthy(at)
    assert len(_phases(at)) == 5
    assert "Diagnosis" not in _phases(at)
    assert _total(at) == "**Total: 42.5 minutes**"
    assert at.button(key="remove.solutions")
    assert "remove.diagnosis" not in [b.key for b in at.button]
    assert VALID in values(at.success)


def test_an_added_phase_must_be_filled_in(people):
    at = _copy_of_incident(people.facilitator)
    click(at, "Add a phase")

    assert_healthy(at)
    assert _phases(at) == [*_phases(at)[:6], ""]
    assert _total(at) == "**Total: 60 minutes**"  # a new phase takes 10 minutes
    new = "m.p.phase_7"
    for field in ("name.nl", "name.en", "purpose.nl", "purpose.en"):
        assert message_under(at, f"{new}.{field}") == REQUIRED, field
    assert button(at, SAVE).disabled

    at.text_input(key=f"{new}.name.nl").set_value("Afronden")
    at.text_input(key=f"{new}.name.en").set_value("Closing")
    at.text_area(key=f"{new}.purpose.nl").set_value("Ieder zegt wat hij of zij meeneemt.")
    at.text_area(key=f"{new}.purpose.en").set_value("Everyone says what they take away.")
    at.run()

    assert_healthy(at)
    assert _phases(at)[-1] == "Closing"
    assert not at.error
    assert VALID in values(at.success)
    assert not button(at, SAVE).disabled


# --- kept while typing ---------------------------------------------------------------------------


def test_the_draft_is_there_again_in_a_new_session(people):
    at = _copy_of_incident(people.facilitator)
    at.text_input(key="m.name.en").set_value("Our incident method").run()
    at.button(key="remove.diagnosis").click().run()

    again = _editor(people.facilitator)

    assert _draft_heading(again) == "Draft: Our incident method"
    assert value_of(again, "m.name.en") == "Our incident method"
    assert len(_phases(again)) == 5
    assert _total(again) == "**Total: 42.5 minutes**"


def test_the_draft_is_there_again_after_visiting_another_page(people):
    at = _copy_of_incident(people.facilitator)
    at.text_input(key="m.name.en").set_value("Our incident method").run()
    at.switch_page("pages/methods.py")
    at.run()
    at.switch_page("pages/method_editor.py")
    at.run()
    assert_healthy(at)
    at.text_area(key="m.summary.en").set_value("Our own version.").run()

    assert_healthy(at)
    stored = _stored_draft(people.facilitator)["values"]
    assert (stored["name.en"], stored["p.diagnosis.minutes"]) == ("Our incident method", 7.5)
    assert value_of(at, "m.name.en") == "Our incident method"
    assert value_of(at, "m.p.diagnosis.minutes") == 7.5
    assert not at.error


def test_discarding_the_draft(people):
    at = _copy_of_incident(people.facilitator)
    click(at, "Discard the draft")

    assert_healthy(at)
    assert _draft_heading(at) is None
    assert at.radio(key="method_start.how")
    assert _stored_draft(people.facilitator) is None


# --- saving --------------------------------------------------------------------------------------


def test_saving_makes_version_1_and_saving_again_version_2(people):
    jeroen = people.facilitator
    at = _copy_of_incident(jeroen)
    at.text_input(key="m.name.en").set_value("Our incident method").run()
    click(at, SAVE)

    assert_healthy(at)
    assert "The method was saved as version 1." in values(at.success)
    assert _draft_heading(at) is None  # back to the start
    assert _stored_draft(jeroen) is None
    [(method_id,)] = query(
        "SELECT c.method_id FROM custom_methods c JOIN method_versions v USING (method_id)"
        " WHERE v.definition LIKE '%Our incident method%'"
    )
    assert _versions(method_id) == [1]
    assert "**Our incident method** · Jeroen Bakker" in values(at.markdown)

    # Change it: the same method, a new version.
    assert CHANGE_OWN in at.radio(key="method_start.how").options
    _start(at, "own", method_id)
    assert _draft_heading(at) == "Draft: Our incident method"
    at.number_input(key="m.p.diagnosis.minutes").set_value(10.0).run()
    assert _total(at) == "**Total: 52.5 minutes**"
    click(at, SAVE)

    assert_healthy(at)
    assert "The method was saved as version 2." in values(at.success)
    assert _versions(method_id) == [1, 2]
    assert query("SELECT current_version FROM custom_methods WHERE method_id = ?", (method_id,)) == [(2,)]
    assert "Version 2" in values(at.text)


# --- importing a file ----------------------------------------------------------------------------


def test_importing_a_method_file_loads_it_into_the_draft(people):
    at = _upload(_editor(people.facilitator), "clinic.toml", CLINIC)

    assert "The file was loaded into the draft. Check it and save." in values(at.success)
    assert _draft_heading(at) == "Draft: Clinic"
    assert value_of(at, "m.name.nl") == "Clinic"
    assert len(_phases(at)) == 6
    assert _phases(at)[1] == "Demonstration"
    assert _total(at) == "**Total: 50 minutes**"
    assert VALID in values(at.success)
    stored = _stored_draft(people.facilitator)
    assert stored["id"] is None, "an imported method is saved as a new method of one's own"
    assert stored["phases"][1] == "demonstration"


def _malformed_clinic() -> str:
    text = CLINIC.replace("minutes = 10", "minutes = -5", 1)  # the second phase: demonstration
    assert text != CLINIC
    return text.replace('id = "clinic"', 'id = "clinic"\ncolour = "red"', 1)


def test_a_malformed_method_file_is_refused_with_where_it_is_wrong(people):
    at = _upload(_editor(people.facilitator), "broken.toml", _malformed_clinic())

    [refusal] = values(at.error)
    shown = refusal.replace("\\", "")  # as markdown draws it
    assert shown.startswith(REFUSED)
    assert "phase 2 (demonstration) › minutes" in shown
    assert "colour" in shown
    assert _draft_heading(at) is None
    assert _stored_draft(people.facilitator) is None
    assert query("SELECT count(*) FROM method_drafts") == [(0,)]


def test_a_refused_method_file_is_named(people):
    at = _upload(_editor(people.facilitator), "broken.toml", _malformed_clinic())

    assert "broken.toml" in values(at.error)[0]


def test_an_old_refusal_is_not_shown_again(people):
    at = _upload(_editor(people.facilitator), "broken.toml", _malformed_clinic())
    _start(at, "new")
    click(at, "Discard the draft")

    assert_healthy(at)
    assert not [error for error in values(at.error) if error.startswith(REFUSED)]


# --- sharing and ownership -----------------------------------------------------------------------


def test_coordinator_shares_a_method_with_the_whole_organisation(people):
    method = _own_method(people.facilitator)
    outsider = person_named(UNRELATED_PARTICIPANT)
    assert method.id not in _library_ids(outsider)

    at = _editor(people.coordinator)
    toggle = at.toggle(key=f"share.{method.id}")
    assert toggle.label == "Share with the whole organisation"
    assert toggle.value is False
    toggle.set_value(True).run()

    assert_healthy(at)
    assert at.toggle(key=f"share.{method.id}").value is True
    assert query("SELECT shared FROM custom_methods WHERE method_id = ?", (method.id,)) == [(1,)]
    assert method.id in _library_ids(outsider)


def test_only_a_coordinator_gets_share_toggles(people):
    _own_method(people.facilitator)
    at = _editor(people.facilitator)

    assert not at.toggle
    assert "**Our incident** · Jeroen Bakker" in values(at.markdown)


def test_a_member_cannot_change_their_facilitators_method(people):
    method = _own_method(people.facilitator)
    fatima = people.participant_facilitator  # takes part in Jeroen Bakker's group, facilitates another
    assert method.id in _library_ids(fatima)

    at = _editor(fatima)
    assert CHANGE_OWN not in at.radio(key="method_start.how").options
    assert "You have no methods of your own yet." in values(at.caption)
    # The author may change it.
    assert CHANGE_OWN in _editor(people.facilitator).radio(key="method_start.how").options
