"""Where mail goes: the SMTP server and the app's public address, from the environment or Streamlit's secrets.

Environment variables win over `[mail]` in `.streamlit/secrets.toml` (the project's or the user's, where
Streamlit looks for it). Without an SMTP host the product sends nothing: it keeps each mail as "not sent"
so that coordinators see where it would have gone (docs/deployment.md, E-mail).
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlencode

from intervision.config import PROJECT_ROOT

log = logging.getLogger("intervision.mail")

DEFAULT_PUBLIC_URL = "http://localhost:8501"


class Tls(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: only for a relay on the same machine or network (and the tests)


_DEFAULT_PORTS = {Tls.STARTTLS: 587, Tls.SSL: 465, Tls.NONE: 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: Tls
    user: str | None
    password: str | None
    sender: str  # the From address


def _secrets_files() -> list[Path]:
    # Streamlit reads both; the project's own file wins over the user's.
    return [Path.home() / ".streamlit" / "secrets.toml", PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def _from_secrets() -> dict[str, object]:
    found: dict[str, object] = {}
    for path in _secrets_files():
        try:
            with open(path, "rb") as file:
                section = tomllib.load(file).get("mail", {})
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(section, dict):
            found |= section
    return found


def _environment() -> dict[str, str | None]:
    """The settings as the environment gives them, by their name under [mail] in secrets.toml."""
    return {
        "smtp_host": os.environ.get("INTERVISION_SMTP_HOST"),
        "smtp_port": os.environ.get("INTERVISION_SMTP_PORT"),
        "smtp_tls": os.environ.get("INTERVISION_SMTP_TLS"),
        "smtp_user": os.environ.get("INTERVISION_SMTP_USER"),
        "smtp_password": os.environ.get("INTERVISION_SMTP_PASSWORD"),
        "mail_from": os.environ.get("INTERVISION_MAIL_FROM"),
        "public_url": os.environ.get("INTERVISION_PUBLIC_URL"),
    }


def _settings() -> dict[str, str]:
    """Each setting that is set: the environment's, else secrets.toml's."""
    found = {name: str(value).strip() for name, value in _from_secrets().items() if value is not None}
    found |= {name: value.strip() for name, value in _environment().items() if value is not None and value.strip()}
    return {name: value for name, value in found.items() if value}


def smtp_settings() -> SmtpSettings | None:
    """The mail server to send through, or None when none is set up.

    Read on every delivery round, so that changing the settings needs no restart.
    Names: INTERVISION_SMTP_HOST, INTERVISION_SMTP_PORT, INTERVISION_SMTP_TLS (starttls, ssl or none),
    INTERVISION_SMTP_USER, INTERVISION_SMTP_PASSWORD, INTERVISION_MAIL_FROM; or smtp_host, smtp_port,
    smtp_tls, smtp_user, smtp_password and mail_from under [mail] in secrets.toml.
    """
    settings = _settings()
    host = settings.get("smtp_host")
    if host is None:
        return None
    try:
        tls = Tls(settings.get("smtp_tls", Tls.STARTTLS).lower())
    except ValueError:
        log.warning("smtp_tls must be starttls, ssl or none; using starttls")
        tls = Tls.STARTTLS
    port = settings.get("smtp_port", "")
    if port and not port.isdigit():
        log.warning("smtp_port must be a number; using the default port for %s", tls.value)
    return SmtpSettings(
        host=host,
        port=int(port) if port.isdigit() else _DEFAULT_PORTS[tls],
        tls=tls,
        user=settings.get("smtp_user"),
        password=settings.get("smtp_password"),
        sender=settings.get("mail_from") or f"Intervision <noreply@{host}>",
    )


def mail_configured() -> bool:
    return smtp_settings() is not None


def public_url() -> str:
    """The address people open the app at, for the links in mails and the calendar feed:
    INTERVISION_PUBLIC_URL, or public_url under [mail] in secrets.toml."""
    return _settings().get("public_url", DEFAULT_PUBLIC_URL).rstrip("/")


def public_url_is_set() -> bool:
    return "public_url" in _settings()


def link(path: str, **query: str) -> str:
    """An absolute link into the app: link("reset", token="…") → https://…/reset?token=…"""
    address = f"{public_url()}/{path.lstrip('/')}"
    return f"{address}?{urlencode(query)}" if query else address
