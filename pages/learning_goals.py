"""My learning goals: a participant's own learning contract, private unless they share a goal with the
facilitators of one of their groups."""

import streamlit as st

from intervision import learning_goals
from intervision.database import configured as configured_database
from ui import forms
from ui.guard import guard
from ui.learning_goals import goal_card, new_goal_form

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("learning_goals")
person = viewer.signed_in

st.title(viewer.t("nav.learning_goals"))
st.caption(viewer.t("learning_goals.intro"))
forms.notice(viewer)
mine = learning_goals.my_learning_goals(database, person)
groups = learning_goals.groups_to_share_with(database, person)
with st.expander(viewer.t("learning_goals.new"), icon=":material/add:", expanded=not mine):
    new_goal_form(database, viewer, person)
if not mine:
    st.caption(viewer.t("learning_goals.none_yet"))
for goal in mine:
    goal_card(database, viewer, person, goal, groups)
