"""A throwaway PostgreSQL server for a test session, started by hand with Debian's binaries.

`start_postgres_server()` runs initdb and pg_ctl from the newest `/usr/lib/postgresql/<version>/bin` in a
fresh temporary directory, listening on a unix socket in that directory and on 127.0.0.1 at a free port.
It is throwaway, so durability is off (fsync, synchronous_commit, full_page_writes): starting takes about
a second and writes are fast. The directory is in /dev/shm when there is one (see `_memory_backed_dir`).
`stop()` shuts it down at once and removes the directory.

Under pytest-xdist every worker starts a server of its own (the `postgres_server` fixture is per session,
and each worker is a session). That costs a second per worker and keeps workers from sharing databases,
connections or a shutdown: no file lock, no reference counting, no server left behind when one worker
ends before the other.

PostgreSQL refuses to run as root. When we are root (CI, the dev machines), initdb, pg_ctl and postgres run
as the system user `intervision-test` (created when missing), which owns the temporary directory.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

POSTGRES_ROOT = Path("/usr/lib/postgresql")
TEST_OS_USER = "intervision-test"
SUPERUSER = "postgres"
MAX_CONNECTIONS = 200
START_ATTEMPTS = 3  # another process may take the free port between our look and postgres's bind


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed: the tests on PostgreSQL cannot run."""


def postgres_bin_dir(root: Path = POSTGRES_ROOT) -> Path:
    """The `bin` directory of the newest PostgreSQL version installed the Debian way."""
    versions = [
        directory
        for directory in root.glob("*")
        if re.fullmatch(r"\d+(\.\d+)?", directory.name) and (directory / "bin" / "initdb").exists()
    ]
    if not versions:
        raise PostgresUnavailable(
            f"No PostgreSQL server found under {root}/<version>/bin (initdb, pg_ctl): "
            "install Debian's package `postgresql` (apt-get install postgresql)."
        )
    newest = max(versions, key=lambda directory: tuple(int(part) for part in directory.name.split(".")))
    return newest / "bin"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _unprivileged_user() -> str | None:
    """Whom to run PostgreSQL as: nobody else when we are not root, else `intervision-test`."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(TEST_OS_USER)
    except KeyError:
        created = subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                TEST_OS_USER,
            ],
            capture_output=True,
            text=True,
        )
        # Two xdist workers may race to create the user: the loser's useradd fails, yet the user exists.
        try:
            pwd.getpwnam(TEST_OS_USER)
        except KeyError:
            raise RuntimeError(f"could not create the system user {TEST_OS_USER}: {created.stderr.strip()}") from None
    return TEST_OS_USER


def _run_as(os_user: str | None, command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    prefix = ["runuser", "-u", os_user, "--"] if os_user else []
    return subprocess.run([*prefix, *command], cwd=cwd, capture_output=True, text=True, timeout=60)


@dataclass
class PostgresServer:
    """A running throwaway server. `url(name)` is what INTERVISION_DATABASE_URL takes."""

    directory: Path
    port: int
    bin_dir: Path
    os_user: str | None
    host: str = "127.0.0.1"
    user: str = SUPERUSER
    stopped: bool = field(default=False, init=False)

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def socket_dir(self) -> Path:
        return self.directory

    @property
    def log_path(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        """The SQLAlchemy URL of a database on this server, over TCP (what the app is configured with)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """A psycopg connection in autocommit, through the unix socket (no TCP handshake)."""
        return psycopg.connect(
            host=str(self.socket_dir), port=self.port, user=self.user, dbname=dbname, autocommit=True
        )

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database `name`, as a copy of `template` when given (it must have no open connections).

        Returns its URL.
        """
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self.connect() as connection:
            if template is not None:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
                if connection.info.server_version >= 150000:
                    # Copying the template's files is ~15 times faster than WAL_LOG, 15's default, which
                    # writes the whole template into the WAL; with durability off, its checkpoints cost nothing.
                    statement += sql.SQL(" STRATEGY = FILE_COPY")
            connection.execute(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name` if it exists, ending whatever connections it still has."""
        with self.connect() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """Shut the server down at once (nothing here needs to survive) and remove its directory."""
        if self.stopped:
            return
        self.stopped = True
        pg_ctl = [str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"]
        stopped = _run_as(self.os_user, pg_ctl, self.directory)
        if stopped.returncode != 0 and (self.data_dir / "postmaster.pid").exists():
            raise RuntimeError(f"pg_ctl stop failed: {stopped.stderr.strip()}\n{self.log()}")
        shutil.rmtree(self.directory, ignore_errors=True)


def _settings(port: int, socket_dir: Path) -> str:
    return "\n".join(
        [
            "",
            "# throwaway test server (tests/postgres_server.py)",
            "listen_addresses = '127.0.0.1'",
            f"port = {port}",
            f"unix_socket_directories = '{socket_dir}'",
            f"max_connections = {MAX_CONNECTIONS}",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "shared_buffers = 32MB",  # 200 connections need no more for tests; keeps 2 workers light
            "logging_collector = off",
            "",
        ]
    )


def _memory_backed_dir() -> Path | None:
    """/dev/shm when the machine has it: creating and dropping a database per test makes and removes hundreds
    of files, which takes ten times longer on a disk (~0.3 s) than in memory (~0.03 s). None means tempfile's."""
    shared_memory = Path("/dev/shm")
    return shared_memory if shared_memory.is_dir() and os.access(shared_memory, os.W_OK | os.X_OK) else None


def start_postgres_server(base_dir: Path | None = None) -> PostgresServer:
    """initdb a fresh cluster in a new temporary directory and start it; `stop()` undoes both.

    Raises PostgresUnavailable when Debian's `postgresql` package is not installed.
    """
    bin_dir = postgres_bin_dir()
    os_user = _unprivileged_user()
    directory = Path(tempfile.mkdtemp(prefix="intervision-pg-", dir=base_dir or _memory_backed_dir()))
    try:
        if os_user:
            account = pwd.getpwnam(os_user)
            os.chown(directory, account.pw_uid, account.pw_gid)
            # postgres must walk down to its data directory: every folder above it must be searchable by others.
            closed = [folder for folder in directory.parents if folder.stat().st_mode & 0o001 == 0]
            if closed:
                raise RuntimeError(f"{closed[0]} is closed to {os_user}: give a base_dir under /tmp")
        initdb = [
            str(bin_dir / "initdb"), "-D", str(directory / "data"), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions",
        ]  # fmt: skip
        initialised = _run_as(os_user, initdb, directory)
        if initialised.returncode != 0:
            raise RuntimeError(f"initdb failed: {initialised.stderr.strip()}")
        configuration = directory / "data" / "postgresql.conf"
        base_configuration = configuration.read_text()
        for _ in range(START_ATTEMPTS):
            port = free_port()
            configuration.write_text(base_configuration + _settings(port, directory))
            server = PostgresServer(directory=directory, port=port, bin_dir=bin_dir, os_user=os_user)
            pg_ctl = [str(bin_dir / "pg_ctl"), "start", "-D", str(server.data_dir), "-l", str(server.log_path), "-w",
                      "-t", "30"]  # fmt: skip
            started = _run_as(os_user, pg_ctl, directory)
            if started.returncode == 0:
                atexit.register(server.stop)  # a session that dies between start and the fixture's end
                return server
            if "could not bind" not in server.log() and "already in use" not in server.log():
                break
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr.strip()}\n{server.log()}")
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
