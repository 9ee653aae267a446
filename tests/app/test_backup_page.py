"""The coordinator's backup on the People page's Organisation tab: made on request, downloaded, audit-logged."""

from __future__ import annotations

from driving import app, assert_healthy, button, open_page, query, values


def _people_page(person):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/people.py")
    assert_healthy(at)
    return at


def test_a_backup_is_made_only_when_asked_and_then_offered_for_download(people):
    at = _people_page(people.coordinator)
    assert not at.get("download_button"), "no backup is copied just by opening the page"
    assert query("SELECT count(*) FROM audit_log WHERE action = 'backup_taken'") == [(0,)]

    button(at, "Make a backup").click().run()
    assert_healthy(at)

    [download] = at.get("download_button")
    assert download.proto.label == "Download the backup"
    assert query("SELECT count(*) FROM audit_log WHERE action = 'backup_taken'") == [(1,)]


def test_restoring_asks_for_a_file_first_and_changes_nothing_without_one(people):
    at = _people_page(people.coordinator)
    groups_before = query("SELECT count(*) FROM groups")

    button(at, "Restore the backup").click().run()

    assert "Please fill this in." in values(at.error)
    assert query("SELECT count(*) FROM groups") == groups_before
