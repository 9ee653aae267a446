"""Where mail goes: the environment, else `[mail]` in Streamlit's secrets file; nothing set, nothing mailed."""

from __future__ import annotations

from pathlib import Path

import pytest

from intervision.mail import settings
from intervision.mail.settings import Tls, link, public_url, smtp_settings

NAMES = (
    "INTERVISION_SMTP_HOST",
    "INTERVISION_SMTP_PORT",
    "INTERVISION_SMTP_TLS",
    "INTERVISION_SMTP_USER",
    "INTERVISION_SMTP_PASSWORD",
    "INTERVISION_MAIL_FROM",
    "INTERVISION_PUBLIC_URL",
)


@pytest.fixture
def secrets_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "secrets.toml"
    monkeypatch.setattr(settings, "_secrets_files", lambda: [path])
    return path


def test_without_a_host_nothing_is_mailed(secrets_file):
    assert smtp_settings() is None
    assert public_url() == "http://localhost:8501"


def test_the_secrets_file_sets_the_mail_server(secrets_file):
    secrets_file.write_text(
        '[mail]\nsmtp_host = "smtp.example.org"\nsmtp_user = "app"\nsmtp_password = "s3cret"\n'
        'mail_from = "Intervisie <intervisie@example.org>"\npublic_url = "https://intervisie.example.org/"\n'
    )
    found = smtp_settings()
    assert (found.host, found.port, found.tls, found.user, found.password) == (
        "smtp.example.org",
        587,
        Tls.STARTTLS,
        "app",
        "s3cret",
    )
    assert found.sender == "Intervisie <intervisie@example.org>"
    assert link("reset", token="a b") == "https://intervisie.example.org/reset?token=a+b"


def test_the_environment_wins_over_the_secrets_file(secrets_file, monkeypatch):
    secrets_file.write_text('[mail]\nsmtp_host = "smtp.example.org"\nsmtp_port = 2525\n')
    monkeypatch.setenv("INTERVISION_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("INTERVISION_SMTP_TLS", "SSL")
    found = smtp_settings()
    assert (found.host, found.port, found.tls) == ("mail.internal", 2525, Tls.SSL)
    assert found.sender == "Intervision <noreply@mail.internal>"


def test_a_broken_secrets_file_means_no_mail_server_not_a_crash(secrets_file):
    secrets_file.write_text("[mail\nsmtp_host = ")
    assert smtp_settings() is None


def test_a_mistyped_tls_or_port_falls_back_to_the_safe_default(secrets_file, monkeypatch):
    monkeypatch.setenv("INTERVISION_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("INTERVISION_SMTP_TLS", "yes please")
    monkeypatch.setenv("INTERVISION_SMTP_PORT", "five-eight-seven")
    found = smtp_settings()
    assert (found.tls, found.port) == (Tls.STARTTLS, 587)
