"""Where a group's work belongs: the line naming its learning programme and BLITS phase."""

from __future__ import annotations

import streamlit as st

from intervision import programmes
from intervision.database import Database
from intervision.models import Person
from ui.guard import Viewer, escape_markdown


def programme_line(database: Database, viewer: Viewer, person: Person, group_id: int) -> None:
    """The programme the group belongs to (its name and phase only), as a caption; nothing when it has none."""
    in_programme = programmes.programme_of_group(database, person, group_id)
    if in_programme:
        st.caption(viewer.t("programme.group_line", name=escape_markdown(in_programme.name), phase=in_programme.phase))
