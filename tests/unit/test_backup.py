"""Backups: a consistent copy while the app writes, a refused damaged file, and a restore that brings it back."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from unit_support import NOW, audit_actions, count_rows

from intervision import backup, db, groups, store
from intervision.errors import DomainError, NotAllowed
from intervision.models import Role


def test_a_backup_taken_while_someone_writes_is_a_sound_copy_of_one_moment(path, coordinator, make_group, tmp_path):
    make_group("Team North")
    stop = threading.Event()

    def keep_writing() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with db.writing(path) as conn:
                store.add_audit_event(conn, NOW, coordinator.id, "sign_in", f"write {number}", "")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        copies = [backup.create_backup(tmp_path / f"copy-{n}.db", path) for n in range(5)]
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        assert backup.integrity_problems(copy) == []
        assert count_rows(copy, "groups") == 1


def test_a_coordinator_downloads_a_backup_and_the_audit_log_keeps_it(path, coordinator, make_person, tmp_path):
    data = backup.backup_for_download(coordinator, now=NOW, path=path)
    (tmp_path / "download.db").write_bytes(data)
    assert backup.integrity_problems(tmp_path / "download.db") == []
    assert audit_actions(path)[-1] == "backup_taken"
    for role in (Role.FACILITATOR, Role.PARTICIPANT):
        with pytest.raises(NotAllowed):
            backup.backup_for_download(make_person(f"Someone {role}", role), path=path)


def test_restoring_brings_back_the_database_as_it_was(path, coordinator, make_group, tmp_path):
    make_group("Team North")
    saved = backup.create_backup(tmp_path / "saved.db", path)
    group_id = make_group("Team South")
    groups.delete_group(coordinator, group_id, now=NOW, path=path)
    make_group("Team East")

    backup.restore_upload(coordinator, saved.read_bytes(), now=NOW, path=path)

    with db.reading(path) as conn:
        assert [group.name for group in store.all_groups(conn)] == ["Team North"]
    assert audit_actions(path)[-1] == "backup_restored"


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(path, coordinator, make_group, content):
    make_group("Team North")
    with pytest.raises(DomainError) as refused:
        backup.restore_upload(coordinator, content, path=path)
    assert refused.value.key == "backup_damaged"
    assert count_rows(path, "groups") == 1


def test_another_products_database_is_refused(path, coordinator, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    assert backup.integrity_problems(other) == ["not a database of this product"]
    with pytest.raises(DomainError):
        backup.restore_backup(other, path)


def test_the_command_line_writes_a_backup(path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INTERVISION_DB", str(path))
    target = tmp_path / "cli.db"
    assert backup.main(["create", str(target)]) == 0
    assert backup.integrity_problems(Path(target)) == []
    assert "Backup written to" in capsys.readouterr().out
    assert backup.main(["nonsense"]) == 2
