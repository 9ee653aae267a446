"""The sticky proxy the multi-replica browser tests use (sticky_proxy.py), against two trivial backends.

Each backend answers its own name, says whether the proxy's cookie reached it, and has a
/_stcore/health that the test can turn off.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from live_support import wait_until
from sticky_proxy import HEALTH_PATH, STICKY_COOKIE, StickyProxy, haproxy_binary, replica_name, start_sticky_proxy

pytestmark = pytest.mark.browser

WEBSOCKET_KEY = base64.b64encode(b"sixteen byte key").decode()


def _websocket_accept(key: str) -> str:
    """RFC 6455's answer to the browser's key (HAProxy checks that a websocket request is well formed)."""
    return base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()


@dataclass
class Backend:
    name: str
    server: ThreadingHTTPServer
    healthy: bool = True

    @property
    def port(self) -> int:
        return self.server.server_address[1]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """The proxy drops connections when a test turns a backend off; that is expected, not an error."""


def _start_backend(name: str) -> Backend:
    backend: Backend

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # an upgrade to a websocket is HTTP/1.1 only

        def do_GET(self) -> None:
            if self.headers.get("Upgrade") == "websocket":
                self._echo_as_a_tunnel()
                return
            if self.path == HEALTH_PATH:
                status, body = (200, b"ok") if backend.healthy else (503, b"unavailable")
            else:
                saw_cookie = STICKY_COOKIE in (self.headers.get("Cookie") or "")
                status, body = 200, f"{backend.name} cookie-forwarded={saw_cookie}".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _echo_as_a_tunnel(self) -> None:
            self.send_response(101)
            self.send_header("Connection", "Upgrade")
            self.send_header("Upgrade", "websocket")
            self.send_header("Sec-WebSocket-Accept", _websocket_accept(self.headers["Sec-WebSocket-Key"]))
            self.end_headers()
            self.wfile.flush()
            for line in iter(self.rfile.readline, b""):
                self.wfile.write(backend.name.encode() + b" echoes " + line)
                self.wfile.flush()
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
            pass

    backend = Backend(name, _QuietServer(("127.0.0.1", 0), Handler))
    threading.Thread(target=backend.server.serve_forever, daemon=True).start()
    return backend


@pytest.fixture
def backends() -> Iterator[list[Backend]]:
    started = [_start_backend("console-replica"), _start_backend("projector-replica")]
    yield started
    for backend in started:
        backend.server.shutdown()
        backend.server.server_close()


@pytest.fixture
def proxy(backends: list[Backend], tmp_path: Path) -> Iterator[StickyProxy]:
    started = start_sticky_proxy([backend.port for backend in backends], tmp_path / "proxy")
    yield started
    started.stop()
    if "ALERT" in started.log():
        print(f"--- haproxy log {started.log_path} ---\n{started.log()}")


class Browser:
    """A client that keeps the cookies it is given, as a browser would."""

    def __init__(self, proxy: StickyProxy) -> None:
        self.proxy = proxy
        self.cookies = SimpleCookie()

    def get(self, path: str = "/") -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        try:
            headers = {}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{key}={morsel.value}" for key, morsel in self.cookies.items())
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode()
            assert response.status == 200, body
            for header in response.headers.get_all("set-cookie") or []:
                self.cookies.load(header)
            return body.split()[0]
        finally:
            connection.close()


def test_two_new_browsers_land_on_different_replicas_and_each_stays_on_its_own(proxy, backends):
    console, projector = Browser(proxy), Browser(proxy)
    first, second = console.get(), projector.get()
    assert {first, second} == {"console-replica", "projector-replica"}
    for _ in range(6):  # round robin would alternate; the cookie keeps each browser where it is
        assert console.get() == first
        assert projector.get() == second
    assert console.cookies[STICKY_COOKIE].value != projector.cookies[STICKY_COOKIE].value
    assert {console.cookies[STICKY_COOKIE].value, projector.cookies[STICKY_COOKIE].value} == {
        replica_name(0),
        replica_name(1),
    }


def test_the_cookie_is_the_proxys_own_and_never_reaches_the_app(proxy):
    browser = Browser(proxy)
    browser.get()
    connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    try:
        connection.request("GET", "/", headers={"Cookie": f"{STICKY_COOKIE}={browser.cookies[STICKY_COOKIE].value}"})
        response = connection.getresponse()
        assert response.read().decode().endswith("cookie-forwarded=False")
        assert response.headers.get("set-cookie") is None  # already pinned: nothing new to set
    finally:
        connection.close()


def test_a_replica_failing_its_health_check_gets_no_new_browsers(proxy, backends):
    backends[1].healthy = False
    # HAProxy reports the state change in its log: the event this test waits for.
    wait_until(lambda: "replicas/replica2 is DOWN" in proxy.log(), timeout=10)
    assert {Browser(proxy).get() for _ in range(4)} == {"console-replica"}


def test_an_upgraded_connection_is_tunnelled_to_the_browsers_own_replica(proxy):
    """What a websocket does: Upgrade, 101, then bytes both ways over the same connection, kept on the replica
    the cookie names."""
    browser = Browser(proxy)
    pinned = browser.get()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as tunnel:
        tunnel.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {WEBSOCKET_KEY}\r\n"
                f"Cookie: {STICKY_COOKIE}={browser.cookies[STICKY_COOKIE].value}\r\n\r\n"
            ).encode()
        )
        reader = tunnel.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.1 101")
        while reader.readline() not in (b"\r\n", b""):
            pass
        for message in [b"first\n", b"second\n"]:
            tunnel.sendall(message)
            assert reader.readline() == pinned.encode() + b" echoes " + message


def test_stopping_the_proxy_closes_its_port(backends, tmp_path):
    proxy = start_sticky_proxy([backend.port for backend in backends], tmp_path / "proxy")
    assert Browser(proxy).get() in {"console-replica", "projector-replica"}
    proxy.stop()
    assert proxy.process.poll() is not None
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", proxy.port), timeout=5):
        pass


def _self_signed_pem() -> bytes:
    """A throwaway certificate and key in one PEM file, as haproxy's `crt` takes them."""
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intervision.test")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Valid on any day the test runs: `haproxy -c` reads the file, it does not judge the dates.
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(9999, 12, 31, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM) + key_pem


def test_the_production_haproxy_cfg_is_valid_for_haproxy(tmp_path):
    """deploy/haproxy.cfg as HAProxy reads it; only the certificate folder is pointed at a throwaway one."""
    deployed = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "intervision.pem").write_bytes(_self_signed_pem())
    text = deployed.read_text(encoding="utf-8")
    assert "/usr/local/etc/haproxy/certs/" in text
    config = tmp_path / "haproxy.cfg"
    config.write_text(text.replace("/usr/local/etc/haproxy/certs/", f"{certs}/"), encoding="utf-8")
    checked = subprocess.run([haproxy_binary(), "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
