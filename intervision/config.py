"""Settings read from the environment, with the embedded defaults."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "intervision.db"

SESSION_LIFETIME = timedelta(days=7)
SIGN_IN_TICKET_LIFETIME = timedelta(seconds=60)
# After failed sign-ins the next attempt waits 1, 2, 4 … seconds: (failures that cost no wait, longest wait).
# Per e-mail address and client address, and per client address over all e-mail addresses (an office shares
# one): an attacker slows down their own address. Per e-mail address over all client addresses only a short
# wait, so that an attacker elsewhere cannot keep the owner out (auth.py).
WAIT_PER_EMAIL_AND_ADDRESS = (0, timedelta(minutes=15))
WAIT_PER_ADDRESS = (10, timedelta(minutes=15))
WAIT_PER_EMAIL = (3, timedelta(seconds=30))
# Failures older than this no longer count, and their rows are cleared.
FAILED_SIGN_INS_FORGOTTEN_AFTER = timedelta(days=1)
SESSION_COOKIE = "intervision_session"
# A random value per browser, set before the sign-in form is used; a sign-in ticket works only in the
# browser that presents the same value (ui/cookie_routes.py).
BROWSER_COOKIE = "intervision_browser"
# What uvicorn trusts when FORWARDED_ALLOW_IPS is not set.
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


def database_path() -> Path:
    """Where the SQLite database lives: `INTERVISION_DB`, or data/intervision.db."""
    return Path(os.environ.get("INTERVISION_DB") or DEFAULT_DB_PATH)


def backup_key() -> str | None:
    """The key backups are encrypted with: `INTERVISION_BACKUP_KEY`, or None (backups are not encrypted)."""
    return os.environ.get("INTERVISION_BACKUP_KEY") or None


def trusted_proxies_setting() -> str:
    """The proxies whose X-Forwarded-* headers are believed: `FORWARDED_ALLOW_IPS`, read as uvicorn reads it."""
    return os.environ.get("FORWARDED_ALLOW_IPS", DEFAULT_TRUSTED_PROXIES)


def database_url() -> str | None:
    """A PostgreSQL store: `INTERVISION_DATABASE_URL` (postgresql+psycopg://…), or None for the SQLite file."""
    url = os.environ.get("INTERVISION_DATABASE_URL", "").strip()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url or None


def pool_settings() -> dict[str, int]:
    """Connections per app process on PostgreSQL: `INTERVISION_DB_POOL_SIZE` kept open (5), and up to
    `INTERVISION_DB_MAX_OVERFLOW` more at busy moments (10)."""
    return {
        "pool_size": int(os.environ.get("INTERVISION_DB_POOL_SIZE") or 5),
        "max_overflow": int(os.environ.get("INTERVISION_DB_MAX_OVERFLOW") or 10),
    }


def slow_statement_seconds() -> float:
    """Statements slower than `INTERVISION_SLOW_SQL_MS` (200) are logged with their time."""
    return float(os.environ.get("INTERVISION_SLOW_SQL_MS") or 200) / 1000
