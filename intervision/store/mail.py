"""The outbox and each person's choice of mails."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.mail.models import Mail, MailKind, MailStatus, QueuedMail
from intervision.store._sql import _iso, _maybe_moment, _moment

_KINDS = {kind.value for kind in MailKind}
_OUTBOX_SELECT = (
    "SELECT id, kind, person_id, group_id, to_address, language, subject, body, calendar, secret, status,"
    " attempts, created_at, next_attempt_at, finished_at, last_error FROM outbox"
)


def _queued(row: object) -> QueuedMail:
    values = dict(row)  # type: ignore[call-overload]
    values["created_at"] = _moment(values["created_at"])
    values["next_attempt_at"] = _moment(values["next_attempt_at"])
    values["finished_at"] = _maybe_moment(values["finished_at"])
    values["secret"] = bool(values["secret"])
    return QueuedMail(**values)


def add_to_outbox(db: Unit, mail: Mail, status: MailStatus, now: datetime) -> int | None:
    """Queue a mail; None when one with the same dedupe key was queued before."""
    return db.execute(
        "INSERT INTO outbox (kind, person_id, group_id, to_address, language, subject, body, calendar, secret,"
        " dedupe_key, status, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        [
            mail.kind.value,
            mail.person_id,
            mail.group_id,
            mail.to_address,
            mail.language.value,
            mail.subject,
            mail.body,
            mail.calendar,
            int(mail.secret),
            mail.dedupe_key,
            status.value,
            _iso(now),
            _iso(now),
        ],
    ).scalar()


def is_queued_before(db: Unit, dedupe_key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone() is not None


def due_mail_ids(db: Unit, now: datetime, limit: int) -> list[int]:
    rows = db.execute(
        "SELECT id FROM outbox WHERE status = ? AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_attempt_at, id LIMIT ?",
        [MailStatus.QUEUED.value, _iso(now), _iso(now), limit],
    )
    return [row[0] for row in rows]


def claim_mail(db: Unit, mail_id: int, now: datetime, until: datetime) -> QueuedMail | None:
    """Take a due mail for one delivery attempt, so that another process does not send it too."""
    cursor = db.execute(
        "UPDATE outbox SET claimed_until = ? WHERE id = ? AND status = ? AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until <= ?)",
        [_iso(until), mail_id, MailStatus.QUEUED.value, _iso(now), _iso(now)],
    )
    if cursor.rowcount != 1:
        return None
    return queued_mail(db, mail_id)


def queued_mail(db: Unit, mail_id: int) -> QueuedMail | None:
    row = db.execute(f"{_OUTBOX_SELECT} WHERE id = ?", [mail_id]).fetchone()
    return _queued(row) if row else None


def finish_mail(db: Unit, mail_id: int, status: MailStatus, now: datetime, error: str = "") -> None:
    """Sent, given up or not sent: the mail leaves the queue; a one-time link in it is blanked."""
    db.execute(
        "UPDATE outbox SET status = ?, finished_at = ?, claimed_until = NULL, last_error = ?,"
        " attempts = attempts + ?, body = CASE WHEN secret = 1 THEN '' ELSE body END WHERE id = ?",
        [status.value, _iso(now), error, int(status is not MailStatus.NOT_SENT), mail_id],
    )


def retry_mail_later(db: Unit, mail_id: int, at: datetime, error: str) -> None:
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL, last_error = ?"
        " WHERE id = ?",
        [_iso(at), error, mail_id],
    )


def requeue_mail(db: Unit, mail_id: int, now: datetime) -> bool:
    """A failed mail goes back into the queue (a coordinator fixed the address or the server)."""
    cursor = db.execute(
        "UPDATE outbox SET status = ?, next_attempt_at = ?, created_at = ?, finished_at = NULL, attempts = 0"
        " WHERE id = ? AND status = ? AND secret = 0",
        [MailStatus.QUEUED.value, _iso(now), _iso(now), mail_id, MailStatus.FAILED.value],
    )
    return cursor.rowcount == 1


def outbox_mails(db: Unit, statuses: list[MailStatus], since: datetime, limit: int) -> list[QueuedMail]:
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        f"{_OUTBOX_SELECT} WHERE status IN ({marks}) AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?",
        [*(status.value for status in statuses), _iso(since), limit],
    )
    return [_queued(row) for row in rows]


def outbox_counts(db: Unit, since: datetime) -> dict[MailStatus, int]:
    rows = db.execute("SELECT status, count(*) FROM outbox WHERE created_at >= ? GROUP BY status", [_iso(since)])
    return {MailStatus(row[0]): row[1] for row in rows}


def mails_to_person(db: Unit, person_id: int) -> list[QueuedMail]:
    rows = db.execute(f"{_OUTBOX_SELECT} WHERE person_id = ? ORDER BY created_at, id", [person_id])
    return [_queued(row) for row in rows]


def mail_choices(db: Unit, person_id: int) -> dict[MailKind, bool]:
    """The kinds this person turned off (or on again); a kind not listed is wanted."""
    rows = db.execute("SELECT kind, wanted FROM mail_preferences WHERE person_id = ?", [person_id])
    return {MailKind(row[0]): bool(row[1]) for row in rows if row[0] in _KINDS}


def set_mail_choice(db: Unit, person_id: int, kind: MailKind, wanted: bool) -> None:
    db.execute(
        "INSERT INTO mail_preferences (person_id, kind, wanted) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id, kind) DO UPDATE SET wanted = excluded.wanted",
        [person_id, kind.value, int(wanted)],
    )


def people_not_wanting(db: Unit, kind: MailKind, person_ids: list[int]) -> set[int]:
    if not person_ids:
        return set()
    marks = ", ".join("?" for _ in person_ids)
    rows = db.execute(
        f"SELECT person_id FROM mail_preferences WHERE kind = ? AND wanted = 0 AND person_id IN ({marks})",
        [kind.value, *person_ids],
    )
    return {row[0] for row in rows}


def forget_finished_mail_before(db: Unit, moment: datetime) -> int:
    """Mails sent, failed or not sent before this moment leave the database."""
    cursor = db.execute(
        "DELETE FROM outbox WHERE status <> ? AND finished_at < ?", [MailStatus.QUEUED.value, _iso(moment)]
    )
    return cursor.rowcount
