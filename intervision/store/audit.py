"""The audit log: who did what to whom, when; never a case's or a board's text."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import (
    AuditAction,
    AuditEvent,
)
from intervision.store._sql import _iso


def add_audit_event(
    db: Unit, now: datetime, actor_id: int | None, action: AuditAction, subject: str, detail: str
) -> None:
    db.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        # Only the actions the product knows are kept: an unknown one raises ValueError here.
        [_iso(now), actor_id, AuditAction(action).value, subject, detail],
    )


def audit_events(db: Unit, limit: int) -> list[AuditEvent]:
    rows = db.execute(
        "SELECT a.at, coalesce(p.name, '') AS actor, a.action, a.subject, a.detail"
        " FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id"
        " ORDER BY a.id DESC LIMIT ?",
        [limit],
    )
    return [AuditEvent(**dict(row)) for row in rows]
