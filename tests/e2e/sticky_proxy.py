"""A sticky HAProxy in front of several app processes, for browser tests with more than one replica.

Streamlit keeps each browser's session in the memory of one process, over a websocket; with two app
processes on one PostgreSQL database, a browser must keep reaching the process it first reached. HAProxy
does that as in production (deploy/haproxy.cfg): round robin for a browser without a cookie, then the
`INTERVISION_REPLICA` cookie it inserts pins that browser to its replica, websocket included.

    proxy = start_sticky_proxy([console_server.port, projector_server.port], tmp_path)
    page.goto(proxy.url("/"))
    ...
    proxy.stop()
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from e2e_support import free_port

STICKY_COOKIE = "INTERVISION_REPLICA"
HEALTH_PATH = "/_stcore/health"
PROXY_HEALTH_PATH = "/_proxy/health"  # answered by HAProxy itself: it is up, whatever the replicas do
START_TIMEOUT_S = 10.0


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next((p for p in ["/usr/sbin/haproxy"] if Path(p).exists()), None)
    if found is None:
        raise RuntimeError("haproxy not found: install Debian's package `haproxy` (apt-get install haproxy)")
    return found


def replica_name(index: int) -> str:
    """The cookie value of the index-th backend (0-based): replica1, replica2, …"""
    return f"replica{index + 1}"


def haproxy_config(port: int, backend_ports: Sequence[int]) -> str:
    """The same stickiness, timeouts and health check as deploy/haproxy.cfg, on loopback and without TLS."""
    servers = "\n".join(
        f"    server {replica_name(index)} 127.0.0.1:{backend} check cookie {replica_name(index)}"
        for index, backend in enumerate(backend_ports)
    )
    return f"""\
global
    maxconn 2000

defaults
    mode http
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    # a console or projector websocket stays open for the whole meeting
    timeout tunnel 1h
    timeout http-request 10s
    option forwardfor

frontend intervision
    bind 127.0.0.1:{port}
    monitor-uri {PROXY_HEALTH_PATH}
    http-request set-header X-Forwarded-Proto http
    default_backend replicas

backend replicas
    balance roundrobin
    # a browser without the cookie gets the next replica; with it, always the same one
    cookie {STICKY_COOKIE} insert indirect nocache
    option httpchk
    http-check send meth GET uri {HEALTH_PATH}
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
{servers}
"""


@dataclass
class StickyProxy:
    port: int
    backend_ports: list[int]
    config_path: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", PROXY_HEALTH_PATH)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_sticky_proxy(backend_ports: Sequence[int], directory: Path) -> StickyProxy:
    """Write the config into `directory`, start `haproxy -db` on a free port and wait until it answers."""
    if not backend_ports:
        raise ValueError("a proxy needs at least one backend")
    binary = haproxy_binary()
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config_path = directory / "haproxy.cfg"
    config_path.write_text(haproxy_config(port, backend_ports), encoding="utf-8")
    checked = subprocess.run([binary, "-c", "-q", "-f", str(config_path)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"haproxy refused {config_path}: {checked.stderr.strip()}")
    log_path = directory / "haproxy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([binary, "-f", str(config_path), "-db"], stdout=log, stderr=subprocess.STDOUT)
    proxy = StickyProxy(port, list(backend_ports), config_path, log_path, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(port):
        if process.poll() is not None:
            raise RuntimeError(f"haproxy exited with {process.returncode}:\n{proxy.log()}")
        if time.monotonic() > deadline:
            proxy.stop()
            raise RuntimeError(f"haproxy did not answer on port {port} within {START_TIMEOUT_S} s:\n{proxy.log()}")
        time.sleep(0.05)  # polling for the port to open, not a fixed wait
    return proxy
