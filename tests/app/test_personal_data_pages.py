"""Taking out one's data (the profile) and erasing someone (the people page, coordinators only)."""

from __future__ import annotations

import json
import re

import pytest
from driving import app, assert_healthy, click, fill, message_under, open_page, query, values
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from intervision.i18n import t
from intervision.models import Language

DOWNLOAD = "Download all my data"
ERASE = "Erase this person"
NOT_THE_EMAIL = "This is not the e-mail address of the person you chose."


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[bytes, str | None, str]]:
    """What each download button offers, by file id: (bytes, file name, mime type).

    AppTest keeps the media files only during a run.
    """
    stored: dict[str, tuple[bytes, str | None, str]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes):
            stored[file_id] = (path_or_data, filename, mimetype)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return stored


def _download(at, downloads, label: str) -> tuple[bytes, str | None, str]:
    found = [b for b in at.get("download_button") if b.label == label]
    assert len(found) == 1, [b.label for b in at.get("download_button")]
    file_id = found[0].proto.url.rsplit("/", 1)[-1].split(".")[0]
    return downloads[file_id]


def _people_page(person):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/people.py")
    assert_healthy(at)
    return at


# --- download ------------------------------------------------------------------------------------


def test_the_profile_offers_all_my_data_as_json(people, downloads):
    person = people.participant
    at = open_page(app(person), "pages/profile.py")
    at.session_state["language"] = "en"
    at.run()
    assert_healthy(at)

    data, file_name, mime = _download(at, downloads, DOWNLOAD)
    assert re.fullmatch(r"my-data-\d{4}-\d{2}-\d{2}\.json", file_name)
    assert mime == "application/json"
    document = json.loads(data.decode("utf-8"))
    assert document["account"]["email"] == person.email
    assert document["account"]["name"] == person.name
    assert "password_hash" not in data.decode("utf-8")
    others = [email for (email,) in query("SELECT email FROM people WHERE id != ?", (person.id,))]
    assert others and not any(email in data.decode("utf-8") for email in others)


def test_the_download_speaks_dutch_too(people):
    at = open_page(app(people.participant, locale="nl-NL"), "pages/profile.py")
    assert_healthy(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels == [t("profile.download_data", Language.NL)]


# --- erasing -------------------------------------------------------------------------------------


def test_a_coordinator_erases_someone_after_typing_their_email(people):
    erased = people.participant
    assert query("SELECT count(*) FROM cases WHERE author_id = ?", (erased.id,))[0][0] > 0
    answered = query("SELECT count(*) FROM survey_responses WHERE person_id = ?", (erased.id,))[0][0]
    assert answered > 0
    responses_before = query("SELECT count(*) FROM survey_responses")[0][0]
    anonymous_before = query("SELECT count(*) FROM survey_responses WHERE person_id IS NULL")[0][0]
    at = _people_page(people.coordinator)
    assert not [b for b in at.button if b.label == ERASE], "no erase button before someone is chosen"
    assert people.coordinator.id not in at.selectbox(key="erase.person_id").options, "not oneself"

    at.selectbox(key="erase.person_id").set_value(erased.id).run()
    assert_healthy(at)
    assert any(erased.email in warning for warning in values(at.warning))

    # The wrong address: refused under the field, nobody erased, what was typed stays.
    fill(at, {"erase.confirm_email": "someone.else@demo.example"})
    click(at, ERASE)
    assert_healthy(at)
    assert message_under(at, "erase.confirm_email") == NOT_THE_EMAIL
    assert at.text_input(key="erase.confirm_email").value == "someone.else@demo.example"
    assert query("SELECT count(*) FROM people WHERE id = ?", (erased.id,)) == [(1,)]
    assert "The person was erased." not in values(at.success)

    # The right address (typed in capitals, with a space): erased.
    fill(at, {"erase.confirm_email": f" {erased.email.upper()}"})
    click(at, ERASE)
    assert_healthy(at)
    assert "The person was erased." in values(at.success)
    assert query("SELECT count(*) FROM people WHERE id = ?", (erased.id,)) == [(0,)]
    assert query("SELECT count(*) FROM cases WHERE author_id = ?", (erased.id,)) == [(0,)]
    assert query("SELECT count(*) FROM survey_responses")[0][0] == responses_before, "answers stay, anonymously"
    assert query("SELECT count(*) FROM survey_responses WHERE person_id IS NULL") == [(anonymous_before + answered,)]
    listed = at.dataframe[0].value
    assert erased.name not in list(listed["Name"])
    assert at.selectbox(key="erase.person_id").value is None
    assert erased.id not in at.selectbox(key="erase.person_id").options

    log = at.tabs[1].dataframe[0].value
    assert log["What"][0] == "Person erased"
    assert log["Concerning"][0] == f"person {erased.id}"
    assert erased.email not in log.to_csv() and erased.name not in log.to_csv()


def test_erasing_without_typing_asks_for_the_address(people):
    at = _people_page(people.coordinator)
    at.selectbox(key="erase.person_id").set_value(people.facilitator.id).run()
    click(at, ERASE)

    assert_healthy(at)
    assert message_under(at, "erase.confirm_email") == "Please fill this in."
    assert query("SELECT count(*) FROM people WHERE id = ?", (people.facilitator.id,)) == [(1,)]
