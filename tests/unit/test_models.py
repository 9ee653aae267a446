"""Validation of what forms submit: each problem carries a `type` that the interface translates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from intervision.i18n import catalog
from intervision.models import (
    Contract,
    FirstRunInput,
    GroupInput,
    InvitationInput,
    JoinInput,
    Language,
    MeetingInput,
    NewAccountInput,
    PasswordChangeInput,
    ProfileInput,
    SignInInput,
)

CONTRACT = {
    "meets_every_weeks": 6,
    "session_minutes": 90,
    "confidentiality": "What is said here stays here.",
    "start_date": date(2025, 1, 6),
}
ACCOUNT = {
    "name": "Noor de Vries",
    "email": "noor@example.org",
    "password": "a long enough password",
    "password_again": "a long enough password",
}


def _group(**changes: object) -> dict:
    contract = CONTRACT | changes.pop("contract", {})
    return {"name": "Team North", "contract": contract} | changes


def _problems(model: type, data: dict) -> dict[tuple, str]:
    """{location: error type} of everything wrong with `data`."""
    with pytest.raises(ValidationError) as invalid:
        model(**data)
    return {problem["loc"]: problem["type"] for problem in invalid.value.errors()}


# (model, input, location of the problem, error type the interface translates)
INVALID = [
    pytest.param(GroupInput, _group(name=""), ("name",), "required", id="group name empty"),
    pytest.param(GroupInput, _group(name="   \t "), ("name",), "required", id="group name whitespace"),
    pytest.param(
        GroupInput, _group(description="d" * 1001), ("description",), "string_too_long", id="description 1001"
    ),
    pytest.param(GroupInput, _group(label="l" * 81), ("label",), "string_too_long", id="label 81"),
    pytest.param(
        GroupInput,
        _group(contract={"meets_every_weeks": 0}),
        ("contract", "meets_every_weeks"),
        "greater_than_equal",
        id="meets every 0 weeks",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"meets_every_weeks": 27}),
        ("contract", "meets_every_weeks"),
        "less_than_equal",
        id="meets every 27 weeks",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"session_minutes": 29}),
        ("contract", "session_minutes"),
        "greater_than_equal",
        id="29 minute sessions",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"session_minutes": 481}),
        ("contract", "session_minutes"),
        "less_than_equal",
        id="481 minute sessions",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"meets_every_weeks": "six"}),
        ("contract", "meets_every_weeks"),
        "int_parsing",
        id="weeks not a number",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"session_minutes": None}),
        ("contract", "session_minutes"),
        "int_type",
        id="minutes left empty",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"confidentiality": "  "}),
        ("contract", "confidentiality"),
        "required",
        id="confidentiality blank",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"attendance_rule": "a" * 2001}),
        ("contract", "attendance_rule"),
        "string_too_long",
        id="attendance rule 2001",
    ),
    pytest.param(
        GroupInput,
        _group(contract={"start_date": None}),
        ("contract", "start_date"),
        "date_type",
        id="no start date",
    ),
    pytest.param(NewAccountInput, ACCOUNT | {"name": " "}, ("name",), "required", id="account name blank"),
    pytest.param(NewAccountInput, ACCOUNT | {"email": "noor"}, ("email",), "email_invalid", id="email no at"),
    pytest.param(NewAccountInput, ACCOUNT | {"email": "noor@example"}, ("email",), "email_invalid", id="email no dot"),
    pytest.param(
        NewAccountInput,
        ACCOUNT | {"email": "no or@example.org"},
        ("email",),
        "email_invalid",
        id="email space",
    ),
    pytest.param(
        NewAccountInput,
        ACCOUNT | {"email": "a@@example.org"},
        ("email",),
        "email_invalid",
        id="email two ats",
    ),
    pytest.param(NewAccountInput, ACCOUNT | {"email": ""}, ("email",), "email_invalid", id="email empty"),
    pytest.param(
        NewAccountInput,
        ACCOUNT | {"email": "a" * 250 + "@example.org"},
        ("email",),
        "string_too_long",
        id="email too long",
    ),
    pytest.param(
        NewAccountInput,
        ACCOUNT | {"password": "short pw1", "password_again": "short pw1"},
        ("password",),
        "string_too_short",
        id="password 9 characters",
    ),
    pytest.param(
        NewAccountInput,
        ACCOUNT | {"password_again": "another long password"},
        ("password_again",),
        "passwords_differ",
        id="passwords differ",
    ),
    pytest.param(
        PasswordChangeInput,
        {"current_password": "old password", "new_password": "new password!", "new_password_again": "new"},
        ("new_password_again",),
        "passwords_differ",
        id="new passwords differ",
    ),
    pytest.param(
        PasswordChangeInput,
        {"current_password": "", "new_password": "new password!", "new_password_again": "new password!"},
        ("current_password",),
        "string_too_short",
        id="no current password",
    ),
    pytest.param(
        PasswordChangeInput,
        {"current_password": "old", "new_password": "too short", "new_password_again": "too short"},
        ("new_password",),
        "string_too_short",
        id="new password too short",
    ),
    pytest.param(SignInInput, {"email": "  ", "password": "x"}, ("email",), "required", id="sign in no email"),
    pytest.param(
        ProfileInput,
        {"name": "Noor", "email": "noor@", "language": "nl"},
        ("email",),
        "email_invalid",
        id="profile email",
    ),
    pytest.param(JoinInput, {"code": "   "}, ("code",), "string_too_short", id="code blank"),
    pytest.param(JoinInput, {"code": "A" * 33}, ("code",), "string_too_long", id="code too long"),
    pytest.param(InvitationInput, {"group_id": 1, "valid_days": 0}, ("valid_days",), "greater_than_equal", id="0 days"),
    pytest.param(InvitationInput, {"group_id": 1, "valid_days": 91}, ("valid_days",), "less_than_equal", id="91 days"),
    pytest.param(InvitationInput, {"group_id": 1, "max_uses": 0}, ("max_uses",), "greater_than_equal", id="0 uses"),
    pytest.param(
        MeetingInput,
        {"group_id": 1, "starts_at": None, "minutes": 90},
        ("starts_at",),
        "datetime_type",
        id="no moment",
    ),
    pytest.param(
        MeetingInput,
        {"group_id": 1, "starts_at": datetime(2025, 4, 1, 14, tzinfo=UTC), "minutes": 29},
        ("minutes",),
        "greater_than_equal",
        id="29 minute meeting",
    ),
]


@pytest.mark.parametrize(("model", "data", "location", "error_type"), INVALID)
def test_invalid_input_is_refused_with_a_translatable_type(model, data, location, error_type):
    assert _problems(model, data) == {location: error_type}


@pytest.mark.parametrize("language", list(Language))
def test_every_error_type_the_models_produce_has_a_message(language):
    types = {param.values[3] for param in INVALID}
    missing = sorted(f"error.{kind}" for kind in types if f"error.{kind}" not in catalog(language))
    assert missing == []


@pytest.mark.parametrize(
    ("model", "data", "location"),
    [
        pytest.param(GroupInput, _group(name="n" * 81), ("name",), id="group name 81"),
        pytest.param(
            FirstRunInput,
            ACCOUNT | {"organisation_name": "o" * 81},
            ("organisation_name",),
            id="organisation 81",
        ),
        pytest.param(NewAccountInput, ACCOUNT | {"name": "n" * 81}, ("name",), id="person name 81"),
        pytest.param(
            GroupInput,
            _group(contract={"confidentiality": "c" * 2001}),
            ("contract", "confidentiality"),
            id="confidentiality 2001",
        ),
    ],
)
def test_overlong_required_texts_are_refused(model, data, location):
    assert location in _problems(model, data)


@pytest.mark.parametrize(
    ("model", "data", "location"),
    [
        (GroupInput, _group(name="n" * 81), ("name",)),
        (FirstRunInput, ACCOUNT | {"organisation_name": "o" * 81}, ("organisation_name",)),
        (GroupInput, _group(contract={"confidentiality": "c" * 2001}), ("contract", "confidentiality")),
    ],
    ids=["group name", "organisation name", "confidentiality"],
)
def test_overlong_required_texts_get_the_too_long_message(model, data, location):
    assert _problems(model, data)[location] == "string_too_long"


def test_texts_at_their_limits_are_accepted():
    group = GroupInput(
        name="n" * 80,
        description="d" * 1000,
        label="l" * 80,
        contract=Contract(**CONTRACT | {"meets_every_weeks": 26, "session_minutes": 480}),
    )
    assert len(group.name) == 80
    assert Contract(**CONTRACT | {"meets_every_weeks": 1, "session_minutes": 30}).session_minutes == 30


def test_names_are_trimmed_and_length_counts_after_trimming():
    group = GroupInput(**_group(name="   " + "n" * 80 + "   "))
    assert group.name == "n" * 80


def test_email_is_trimmed_and_lowercased():
    account = NewAccountInput(**ACCOUNT | {"email": "  Noor.de.Vries@Example.ORG "})
    assert account.email == "noor.de.vries@example.org"
    assert ProfileInput(name="Noor", email="NOOR@EXAMPLE.ORG", language="en").email == "noor@example.org"
    assert SignInInput(email=" Noor@Example.org ", password="x").email == "noor@example.org"


def test_new_account_defaults_to_dutch():
    assert NewAccountInput(**ACCOUNT).language is Language.NL


def test_a_password_of_ten_characters_is_enough():
    account = NewAccountInput(**ACCOUNT | {"password": "0123456789", "password_again": "0123456789"})
    assert account.password == "0123456789"


def test_invitation_code_is_trimmed_and_uppercased():
    assert JoinInput(code="  abcd2345 ").code == "ABCD2345"


def test_contract_refuses_an_unknown_report_item():
    # Content is never reported to the organisation: only the listed kinds of facts exist.
    problems = _problems(Contract, CONTRACT | {"reported_to_organisation": ["case_texts"]})
    assert ("reported_to_organisation", 0) in problems


def test_contract_reports_attendance_by_default():
    assert [item.value for item in Contract(**CONTRACT).reported_to_organisation] == ["attendance"]


def test_forms_refuse_fields_they_do_not_have():
    assert _problems(ProfileInput, {"name": "N", "email": "n@e.nl", "language": "nl", "role": "coordinator"}) == {
        ("role",): "extra_forbidden"
    }
