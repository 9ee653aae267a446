"""Forms that validate with pydantic, say what is wrong next to the field, and keep what was typed.

A form's widgets are keyed `<form>.<field>`. Submitting runs `submit()` as the button's callback:
it validates and acts before the page is drawn again, so each field can show its own message and
every widget still holds what the person typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from intervision.errors import DomainError
from intervision.models import Language
from ui.guard import Viewer, still_signed_in

_ERRORS = "_form_errors"
_NOTICE = "_form_notice"
FORM_LEVEL = "_form"
ModelT = TypeVar("ModelT", bound=BaseModel)
# Values in a core message that are themselves translated: a board kind reads "advice", "adviezen".
_PARAM_FAMILIES = {"kind": "board"}
# Validation types that, for a select box left empty, mean "choose something".
_EMPTY_CHOICE_TYPES = {"int_type", "enum", "string_type"}
log = logging.getLogger("intervision")


def key(form: str, field: str) -> str:
    return f"{form}.{field}"


def value(form: str, field: str, default: object = None) -> object:
    return st.session_state.get(key(form, field), default)


def values(form: str, fields: list[str]) -> dict[str, object]:
    return {field: st.session_state.get(key(form, field)) for field in fields}


def _errors(form: str) -> dict[str, str]:
    return st.session_state.setdefault(_ERRORS, {}).setdefault(form, {})


def translate_validation(error: ValidationError, viewer: Viewer) -> dict[str, str]:
    """One message per field, in the viewer's language."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or FORM_LEVEL
        messages.setdefault(field, translate_problem(problem, viewer))
    return messages


def translate_problem(problem: ErrorDetails, viewer: Viewer) -> str:
    """One validation problem as a sentence in the viewer's language."""
    context = {name: value for name, value in (problem.get("ctx") or {}).items() if name != "error"}
    kind = problem["type"]
    nothing_chosen = problem.get("input") is None and kind in _EMPTY_CHOICE_TYPES
    if nothing_chosen or (kind == "string_too_short" and context.get("min_length") == 1):
        kind = "required"  # an empty choice, or "at least 1 character": fill it in
    text = viewer.t(f"error.{kind}", **context)
    return viewer.t("error.invalid") if text.startswith("⟦") else text


def submit(form: str, viewer: Viewer, action: Callable[[], str | None]) -> None:
    """Run `action` (which builds the model and calls the core); file its problems under the fields.

    The action returns the key of a success notice, or None.
    """
    errors = _errors(form)
    errors.clear()
    if not still_signed_in(viewer):
        return  # the page, drawn again, asks to sign in
    try:
        notice = action()
    except ValidationError as problem:
        errors.update(translate_validation(problem, viewer))
    except DomainError as problem:
        params = {
            name: viewer.t(f"{_PARAM_FAMILIES[name]}.{value}").lower() if name in _PARAM_FAMILIES else value
            for name, value in problem.params.items()
        }
        errors[problem.field or FORM_LEVEL] = viewer.t(f"error.{problem.key}", **params)
    else:
        if notice:
            leave_notice(notice)


def validated(form: str, viewer: Viewer, model: type[ModelT], fields: list[str]) -> ModelT | None:
    """The form's current values as a model, or None with each problem filed under its field.

    For forms without a submit button, whose widgets are checked on every change as the person types.
    """
    errors = _errors(form)
    errors.clear()
    try:
        return model(**values(form, fields))
    except ValidationError as problem:
        errors.update(translate_validation(problem, viewer))
        return None


def field_error(form: str, field: str) -> None:
    """The message for one field, drawn right under it."""
    message = _errors(form).get(field)
    if message:
        st.error(message, icon=":material/error:")


def form_error(form: str) -> None:
    field_error(form, FORM_LEVEL)


def leave_notice(key: str) -> None:
    """A success message for the next time the page is drawn."""
    st.session_state[_NOTICE] = key


def notice(viewer: Viewer, about: tuple[str, ...] = (), not_about: tuple[str, ...] = ()) -> None:
    """A success message left by the last submitted form, shown once.

    A page whose forms sit far down may show the notices of some (their keys start with `about`) next to
    them, and leave those out of the one at its top (`not_about`): a notice out of sight tells nobody anything.
    """
    done = st.session_state.get(_NOTICE)
    if not done or (about and not done.startswith(about)) or (not_about and done.startswith(not_about)):
        return
    del st.session_state[_NOTICE]
    st.success(viewer.t(done), icon=":material/check_circle:")


def clear(form: str, fields: list[str]) -> None:
    """Empty a form after it succeeded (call from the action, before the widgets are drawn).

    Each field is set to empty, not removed: a removed value lets the browser show the old text, and a
    second tap would send it again.
    """
    for field in fields:
        current = st.session_state.get(key(form, field))
        st.session_state[key(form, field)] = (
            "" if isinstance(current, str) else [] if isinstance(current, list) else None
        )


def forget(form: str, fields: list[str]) -> None:
    """Drop a form's values, so that its next `prefill` starts it again from its defaults."""
    for field in fields:
        st.session_state.pop(key(form, field), None)


def text_inputs(form: str, viewer: Viewer, fields: list[tuple[str, str, str]]) -> None:
    """Text inputs, each with its message under it: (field, label key, "default" or "password")."""
    for field, label, kind in fields:
        st.text_input(viewer.t(label), type=kind, key=key(form, field))
        field_error(form, field)


def prefill(form: str, defaults: dict[str, object]) -> None:
    """Start a form's widgets with these values, without overwriting what the person typed since."""
    for field, default in defaults.items():
        st.session_state.setdefault(key(form, field), default)


def language_select(form: str, viewer: Viewer) -> None:
    prefill(form, {"language": viewer.language})
    st.selectbox(
        viewer.t("field.language"),
        list(Language),
        format_func=lambda language: viewer.t(f"language.{language}"),
        key=key(form, "language"),
    )


NEW_ACCOUNT_FIELDS = [
    ("name", "field.name", "default"),
    ("email", "field.email", "default"),
    ("password", "field.password", "password"),
    ("password_again", "field.password_again", "password"),
]
