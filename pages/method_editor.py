"""My methods: make a method, or copy one and change it; checked as you type, saved as a new version."""

import streamlit as st
from pydantic import ValidationError

from intervision import method_drafts, method_library
from intervision.database import configured as configured_database
from intervision.i18n import t
from intervision.method_drafts import LANGUAGES, Draft
from intervision.methods import (
    BoardKind,
    Level,
    MethodFileError,
    QuestionType,
    Safety,
    Speaker,
    Want,
    method_to_toml,
    parse_method,
)
from intervision.models import DevelopmentPhase, Language, Role
from ui import format, forms
from ui.guard import escape_markdown, guard, while_signed_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("method_editor")
person = viewer.signed_in
DRAFT = "_method_draft"
START = "method_start"
WIDGET = "m."  # the editor's widgets are keyed "m.<draft value key>"
IMPORT_PROBLEMS = "_import_problems"

entries = method_library.available_methods(database, person)
own = [entry for entry in entries if entry.editable_by(person)]


def _show_draft(draft: Draft | None) -> None:
    """Make `draft` the one on screen: its values go into the widgets, and it is kept in the database."""
    for key in [key for key in st.session_state if str(key).startswith(WIDGET)]:
        del st.session_state[key]
    st.session_state.pop(IMPORT_PROBLEMS, None)
    st.session_state[DRAFT] = draft
    if draft is None:
        method_library.drop_draft(database, person)
        return
    for key, value in draft["values"].items():
        st.session_state[WIDGET + key] = value
    method_library.save_draft(database, person, draft)


if DRAFT not in st.session_state:
    _show_draft(method_library.draft_of(database, person))
elif st.session_state[DRAFT] is not None:
    # Streamlit forgets the values of widgets that were not drawn on the last page: after a visit
    # elsewhere, the fields start again from the draft instead of from empty.
    for key, value in st.session_state[DRAFT]["values"].items():
        st.session_state.setdefault(WIDGET + key, value)


def _current() -> Draft | None:
    """The draft with what is in the widgets now."""
    draft = st.session_state[DRAFT]
    if draft is None:
        return None
    values = {key: st.session_state.get(WIDGET + key, value) for key, value in draft["values"].items()}
    return draft | {"values": values}


def _start() -> None:
    choice = forms.value(START, "how")
    by_id = {entry.method.id: entry.method for entry in entries}
    if choice == "new":
        _show_draft(method_drafts.blank_draft(viewer.t("editor.new_name")))
    elif choice == "copy" and forms.value(START, "copy") in by_id:
        copy_names = {language.value: t("editor.copy_name", language, name="{name}") for language in Language}
        _show_draft(method_drafts.draft_from_method(by_id[forms.value(START, "copy")], copy_names=copy_names))
    elif choice == "own" and forms.value(START, "own") in by_id:
        _show_draft(method_drafts.draft_from_method(by_id[forms.value(START, "own")]))


def _import() -> None:
    upload = st.session_state.get("method_import")
    st.session_state.pop(IMPORT_PROBLEMS, None)
    if upload is None:
        return
    try:
        method = parse_method(upload.getvalue().decode("utf-8"), upload.name)
    except (MethodFileError, UnicodeDecodeError) as refused:
        problems = refused.problems if isinstance(refused, MethodFileError) else [str(refused)]
        st.session_state[IMPORT_PROBLEMS] = [f"{upload.name}: {problem}" for problem in problems]
        return
    draft = method_drafts.draft_from_method(method)
    _show_draft(draft | {"id": None})
    forms.leave_notice("editor.imported")


def _change(operation: str, key: str = "") -> None:
    draft = _current()
    match operation:
        case "up":
            draft = method_drafts.move_phase(draft, key, -1)
        case "down":
            draft = method_drafts.move_phase(draft, key, 1)
        case "remove":
            draft = method_drafts.remove_phase(draft, key)
        case "add":
            draft = method_drafts.add_phase(draft)
    _show_draft(draft)


def _save() -> None:
    saved = method_library.save_custom_method(database, person, method_drafts.method_from_draft(_current()))
    _show_draft(None)
    st.session_state["_saved_version"] = saved.version


def _share(method_id: str) -> None:
    method_library.share_method(database, person, method_id, st.session_state[f"share.{method_id}"])
    forms.leave_notice("editor.shared")


def _discard() -> None:
    _show_draft(None)
    forms.leave_notice("editor.discarded")


def start_panel() -> None:
    st.subheader(viewer.t("editor.start"))
    options = {"new": viewer.t("editor.start_new"), "copy": viewer.t("editor.start_copy")}
    if own:
        options["own"] = viewer.t("editor.edit_own")
    st.radio(viewer.t("editor.how"), list(options), format_func=options.get, key=forms.key(START, "how"))
    how = forms.value(START, "how", "new")
    if how == "copy":
        st.selectbox(
            viewer.t("editor.choose"),
            [entry.method.id for entry in entries],
            format_func=lambda method_id: next(e.method for e in entries if e.method.id == method_id).name(
                viewer.language
            ),
            key=forms.key(START, "copy"),
        )
    elif how == "own":
        st.selectbox(
            viewer.t("editor.choose"),
            [entry.method.id for entry in own],
            format_func=lambda method_id: next(e.method for e in own if e.method.id == method_id).name(viewer.language),
            key=forms.key(START, "own"),
        )
    st.button(viewer.t("editor.start"), type="primary", on_click=while_signed_in(viewer, _start))
    st.file_uploader(
        viewer.t("editor.import"), type=["toml"], key="method_import", on_change=while_signed_in(viewer, _import)
    )
    if problems := st.session_state.get(IMPORT_PROBLEMS):
        st.error(viewer.t("editor.import_refused") + "\n\n" + "\n".join(f"- {escape_markdown(p)}" for p in problems))


def text_field(key: str, label: str, errors: dict[str, str], area: bool = False) -> None:
    if area:
        st.text_area(label, key=WIDGET + key, height=100)
    else:
        st.text_input(label, key=WIDGET + key)
    if key in errors:
        st.error(errors[key], icon=":material/error:")


def both_languages(key: str, label: str, errors: dict[str, str], area: bool = False) -> None:
    for column, language in zip(st.columns(2), LANGUAGES, strict=True):
        with column:
            text_field(f"{key}.{language}", viewer.t(f"editor.{label}_{language}"), errors, area)


def choices(key: str, label: str, options: list, family: str, errors: dict[str, str], single: bool = False) -> None:
    values = [option.value for option in options]
    if single:
        st.selectbox(label, values, format_func=lambda value: viewer.t(f"{family}.{value}"), key=WIDGET + key)
    else:
        st.multiselect(
            label,
            values,
            format_func=lambda value: viewer.t(f"{family}.{value}"),
            placeholder=viewer.t("common.choose"),
            key=WIDGET + key,
        )
    if key in errors:
        st.error(errors[key], icon=":material/error:")


def phase_panel(draft: Draft, number: int, key: str, errors: dict[str, str]) -> None:
    prefix = f"p.{key}"
    with st.container(border=True):
        title, up, down, remove = st.columns([6, 1, 1, 1], vertical_alignment="center")
        name = draft["values"].get(f"{prefix}.name.{viewer.language.value}") or ""
        title.markdown(f"#### {viewer.t('editor.phase', number=number)} · {escape_markdown(name)}")
        up.button(
            ":material/arrow_upward:",
            key=f"up.{key}",
            help=viewer.t("editor.up"),
            on_click=while_signed_in(viewer, _change),
            args=("up", key),
        )
        down.button(
            ":material/arrow_downward:",
            key=f"down.{key}",
            help=viewer.t("editor.down"),
            on_click=while_signed_in(viewer, _change),
            args=("down", key),
        )
        remove.button(
            ":material/delete:",
            key=f"remove.{key}",
            help=viewer.t("editor.remove"),
            on_click=while_signed_in(viewer, _change),
            args=("remove", key),
        )
        both_languages(f"{prefix}.name", "name", errors)
        minutes, level = st.columns(2)
        with minutes:
            st.number_input(viewer.t("editor.minutes"), step=0.5, min_value=0.0, key=WIDGET + f"{prefix}.minutes")
            if f"{prefix}.minutes" in errors:
                st.error(errors[f"{prefix}.minutes"], icon=":material/error:")
        with level:
            choices(f"{prefix}.level", viewer.t("methods.level"), list(Level), "level", errors, single=True)
        speakers, listeners = st.columns(2)
        with speakers:
            choices(f"{prefix}.speakers", viewer.t("methods.speakers"), list(Speaker), "speaker", errors)
        with listeners:
            choices(f"{prefix}.listeners", viewer.t("methods.listeners"), list(Speaker), "speaker", errors)
        st.checkbox(viewer.t("editor.round"), help=viewer.t("editor.round_help"), key=WIDGET + f"{prefix}.round")
        if f"{prefix}.round" in errors:
            st.error(errors[f"{prefix}.round"], icon=":material/error:")
        choices(f"{prefix}.collects", viewer.t("methods.collects"), list(BoardKind), "board", errors)
        both_languages(f"{prefix}.purpose", "purpose", errors, area=True)
        for field in ("prompts", "rules", "tips"):
            both_languages(f"{prefix}.{field}", field, errors, area=True)


def editor(draft: Draft) -> None:
    try:
        method = method_drafts.method_from_draft(draft)
        errors: dict[str, str] = {}
        general: list[str] = []
    except ValidationError as problem:
        method = None
        errors, general = {}, []
        phase_names = {
            key: draft["values"].get(f"p.{key}.name.{viewer.language.value}") or key for key in draft["phases"]
        }
        for detail in problem.errors():
            field = method_drafts.field_of(draft, tuple(detail["loc"]))
            if "ctx" in detail:  # a message that names phases names them as the person sees them
                detail["ctx"] = {name: phase_names.get(value, value) for name, value in detail["ctx"].items()}
            message = forms.translate_problem(detail, viewer)
            if field:
                errors.setdefault(field, message)
            else:
                general.append(message)

    heading, discard = st.columns([5, 1], vertical_alignment="center")
    heading.subheader(
        f"{viewer.t('editor.draft')}: {escape_markdown(method_drafts.display_name(draft, viewer.language))}"
    )
    discard.button(
        viewer.t("editor.discard"), on_click=while_signed_in(viewer, _discard), icon=":material/delete_forever:"
    )

    both_languages("name", "name", errors)
    both_languages("summary", "summary", errors, area=True)
    both_languages("notes", "notes", errors, area=True)
    text_field("sources", viewer.t("editor.sources"), errors, area=True)

    st.markdown(f"### {viewer.t('editor.suitability')}")
    kinds, wants = st.columns(2)
    with kinds:
        choices("question_types", viewer.t("methods.question_types"), list(QuestionType), "question_type", errors)
    with wants:
        choices("wants", viewer.t("methods.wants"), list(Want), "want", errors)
    phases, safety, least, most = st.columns([3, 2, 1, 1])
    with phases:
        choices("group_phases", viewer.t("methods.group_phase"), list(DevelopmentPhase), "phase", errors)
    with safety:
        choices("safety", viewer.t("editor.safety"), list(Safety), "safety", errors, single=True)
    with least:
        st.number_input(viewer.t("editor.min_members"), step=1, key=WIDGET + "min_members")
    with most:
        st.number_input(viewer.t("editor.max_members"), step=1, key=WIDGET + "max_members")
    for field in ("min_members", "max_members"):
        if field in errors:
            st.error(errors[field], icon=":material/error:")

    st.markdown(f"### {viewer.t('editor.phases')}")
    for number, key in enumerate(draft["phases"], start=1):
        phase_panel(draft, number, key, errors)
    st.button(
        viewer.t("editor.add_phase"), on_click=while_signed_in(viewer, _change), args=("add",), icon=":material/add:"
    )
    total = sum(draft["values"].get(f"p.{key}.minutes") or 0 for key in draft["phases"])
    st.markdown(f"**{viewer.t('editor.total', minutes=format.minutes(total, viewer))}**")

    if general or errors:
        lines = [escape_markdown(message) for message in general]
        if errors:
            lines.append(viewer.t("editor.fields_to_fix", count=len(errors)))
        st.warning(viewer.t("editor.problems") + "\n\n" + "\n".join(f"- {line}" for line in lines))
    else:
        st.success(viewer.t("editor.valid"), icon=":material/check_circle:")
    save, export = st.columns(2)
    save.button(
        viewer.t("editor.save"),
        type="primary",
        disabled=method is None,
        on_click=forms.submit,
        args=("method_save", viewer, _save),
    )
    forms.form_error("method_save")
    if method is not None:
        export.download_button(
            viewer.t("editor.export"),
            method_to_toml(method),
            file_name=f"{draft['id'] or 'method'}.toml",
            mime="application/toml",
            icon=":material/download:",
        )


def my_methods() -> None:
    listed = entries if person.role is Role.COORDINATOR else own
    listed = [entry for entry in listed if entry.custom]
    if not listed:
        st.caption(viewer.t("editor.none_own"))
        return
    for entry in listed:
        name, version, share = st.columns([4, 1, 2], vertical_alignment="center")
        name.markdown(f"**{escape_markdown(entry.method.name(viewer.language))}** · {escape_markdown(entry.author)}")
        version.text(viewer.t("methods.version", version=entry.method.version))
        if person.role is Role.COORDINATOR:
            st.session_state.setdefault(f"share.{entry.method.id}", entry.shared)
            share.toggle(
                viewer.t("editor.share"),
                key=f"share.{entry.method.id}",
                on_change=while_signed_in(viewer, _share),
                args=(entry.method.id,),
            )
        elif entry.shared:
            share.caption(viewer.t("methods.shared"))


st.title(viewer.t("editor.title"))
st.write(viewer.t("editor.intro"))
forms.notice(viewer)
if version := st.session_state.pop("_saved_version", None):
    st.success(viewer.t("editor.saved", version=version), icon=":material/check_circle:")
draft = _current()
if draft is None:
    start_panel()
else:
    if draft != st.session_state[DRAFT]:
        st.session_state[DRAFT] = draft
        method_library.save_draft(database, person, draft)
    editor(draft)
st.divider()
st.subheader(viewer.t("nav.method_editor"))
my_methods()
