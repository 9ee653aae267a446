"""Settings read from the environment, with the embedded defaults."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "intervision.db"

SESSION_LIFETIME = timedelta(days=7)
SIGN_IN_TICKET_LIFETIME = timedelta(seconds=60)
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_COOKIE = "intervision_session"


def database_path() -> Path:
    """Where the SQLite database lives: `INTERVISION_DB`, or data/intervision.db."""
    return Path(os.environ.get("INTERVISION_DB") or DEFAULT_DB_PATH)


def backup_key() -> str | None:
    """The key backups are encrypted with: `INTERVISION_BACKUP_KEY`, or None (backups are not encrypted)."""
    return os.environ.get("INTERVISION_BACKUP_KEY") or None
