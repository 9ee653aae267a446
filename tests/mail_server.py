"""A real SMTP server inside the test session (aiosmtpd), and what arrived at it.

`MailServer.start()` listens on a free port on the loopback; `stop()` takes it down mid-queue (the port stays
reserved for it, so the app's settings still point at it when it comes back). Each arrived mail is parsed
with the standard library's e-mail parser, as a mail client would read it.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Arrived:
    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        """The plain-text body, decoded."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def calendar(self) -> str | None:
        """The iCalendar part, decoded, or None."""
        for part in self.message.walk():
            if part.get_content_type() == "text/calendar":
                payload = part.get_payload(decode=True)
                return payload.decode() if isinstance(payload, bytes) else str(payload)
        return None

    @property
    def raw(self) -> str:
        return self.message.as_string()


@dataclass
class _Collector:
    arrived: list[Arrived] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.arrived.append(Arrived(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.collector = _Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def arrived(self) -> list[Arrived]:
        with self.collector.lock:
            return list(self.collector.arrived)

    def to(self, address: str) -> list[Arrived]:
        return [mail for mail in self.arrived if address in mail.envelope_to]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Arrived]:
        """At least `count` mails, waiting for the app's mail round to deliver them."""
        deadline = time.monotonic() + timeout
        while len(self.arrived) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.arrived)} of {count} mails arrived within {timeout} s")
            time.sleep(0.05)
        return self.arrived

    def wait_for_mail_to(self, address: str, count: int, timeout: float = 30.0) -> list[Arrived]:
        """At least `count` mails to this address (other mails, such as the demo's reminders, may come too)."""
        deadline = time.monotonic() + timeout
        while len(self.to(address)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.to(address))} of {count} mails to {address} within {timeout} s")
            time.sleep(0.05)
        return self.to(address)

    def environment(self) -> dict[str, str]:
        """The app's settings to send through this server."""
        return {
            "INTERVISION_SMTP_HOST": "127.0.0.1",
            "INTERVISION_SMTP_PORT": str(self.port),
            "INTERVISION_SMTP_TLS": "none",
            "INTERVISION_MAIL_FROM": "Intervision <noreply@intervision.test>",
            "INTERVISION_PUBLIC_URL": "https://intervision.test",
        }


@pytest.fixture
def mail_server(monkeypatch: pytest.MonkeyPatch) -> MailServer:
    """A running SMTP server, and this process's settings pointing at it."""
    server = MailServer()
    server.start()
    for name, value in server.environment().items():
        monkeypatch.setenv(name, value)
    yield server
    server.stop()
