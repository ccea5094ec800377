"""Database servers for the database check tests.

Private MariaDB, PostgreSQL and Redis processes, each on a free port of 127.0.0.1 in its own temporary directory,
with users of every kind the checks must handle and TLS certificates from the tests' CA; and a listener that
accepts connections and never says a word. A server that is not installed or does not start is a skip (a failure
in CI, where STATUSAPP_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
import redis
import trustme

from ..conftest import REQUIRE_SERVICES
from .servers import BackgroundLoop, closed_port


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail in CI where every service must be there."""
    if REQUIRE_SERVICES:
        pytest.fail(reason)
    pytest.skip(reason)


def listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        return True
    return False


def write_certificates(ca: trustme.CA, directory: Path) -> tuple[Path, Path, Path]:
    """(certificate, key, CA certificate) files for a server on 127.0.0.1 / localhost."""
    cert = ca.issue_cert("localhost", "127.0.0.1")
    paths = directory / "server.crt", directory / "server.key", directory / "ca.crt"
    cert.cert_chain_pems[0].write_to_path(paths[0])
    cert.private_key_pem.write_to_path(paths[1])
    ca.cert_pem.write_to_path(paths[2])
    paths[1].chmod(0o600)
    return paths


@dataclass
class ServerProcess:
    """A server process these tests started; ``stop`` ends exactly that process (by its Popen handle)."""

    name: str
    argv: list[str]
    log: Path
    user: str | None = None
    stop_signal: int = signal.SIGTERM
    process: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool], timeout: float = 30) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own argv
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, **_as_user(self.user)
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail(f"exited with code {self.process.returncode}")
            if ready():
                return
            time.sleep(0.1)
        self.fail(f"not ready after {timeout:.0f}s")

    def fail(self, what: str) -> NoReturn:
        tail = self.log.read_text(errors="replace").strip().splitlines()[-5:]
        self.stop()
        unavailable(f"{self.name} {what}: " + " | ".join(tail))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def _as_user(user: str | None) -> dict:
    """Popen arguments that run a child as ``user`` (PostgreSQL refuses to run as root)."""
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def run_as(user: str | None, argv: list[str], log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False, **_as_user(user))  # noqa: S603
    if done.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        unavailable(f"{Path(argv[0]).name} failed (exit {done.returncode}): " + " | ".join(tail))


# --- MariaDB ----------------------------------------------------------------------------------------------------


@dataclass
class MariaDB:
    """A private mariadbd with:

    * ``native``/``native-secret`` (mysql_native_password, all privileges) and database ``statusdb``;
    * ``nopass`` with an empty password;
    * ``ed`` identified via ed25519, a plugin the check does not speak (the server asks for it by AuthSwitchRequest);
    * ``tlsonly``/``tls-secret`` (mysql_native_password, REQUIRE SSL).

    MariaDB has no caching_sha2_password (that is MySQL 8's), so that path is not exercised against a real server.
    """

    directory: Path
    ca: trustme.CA
    port: int = 0
    server: ServerProcess | None = None

    SQL = """
        INSTALL SONAME 'auth_ed25519';
        CREATE DATABASE statusdb;
        CREATE USER 'native'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('native-secret');
        GRANT ALL PRIVILEGES ON *.* TO 'native'@'%';
        CREATE USER 'nopass'@'%';
        CREATE USER 'ed'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed-secret');
        CREATE USER 'tlsonly'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('tls-secret') REQUIRE SSL;
    """

    def start(self) -> MariaDB:
        path = f"{os.environ.get('PATH', '')}:/usr/sbin"  # mariadbd lives in sbin, not on every user's PATH
        mariadbd, install_db = shutil.which("mariadbd", path=path), shutil.which("mariadb-install-db", path=path)
        client = shutil.which("mariadb", path=path)
        if not mariadbd or not install_db or not client:
            unavailable("MariaDB is not installed (apt-get install mariadb-server)")
        # mariadbd runs as the current user (root needs --user=root to agree to that)
        user = ["--user=" + pwd.getpwuid(os.getuid()).pw_name]
        data, sock, log = self.directory / "data", self.directory / "mysqld.sock", self.directory / "mariadb.log"
        small = ["--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M"]
        run_as(None, [install_db, "--no-defaults", f"--datadir={data}", "--skip-test-db", *user, *small], log)
        cert, key, ca = write_certificates(self.ca, self.directory)
        self.port = closed_port()
        self.server = ServerProcess(
            "MariaDB",
            [
                mariadbd,
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={sock}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-networking=0",
                "--skip-name-resolve",
                "--skip-log-bin",
                "--performance-schema=0",
                f"--pid-file={self.directory / 'mariadb.pid'}",
                f"--ssl-cert={cert}",
                f"--ssl-key={key}",
                f"--ssl-ca={ca}",
                *user,
                *small,
            ],
            log,
        )
        # root@localhost authenticates by unix_socket: the client on the socket, as this user, is root
        ping = [client, "--no-defaults", f"--socket={sock}", "-uroot", "-e", "SELECT 1"]
        self.server.start(lambda: subprocess.run(ping, capture_output=True, check=False).returncode == 0)  # noqa: S603
        run_as(None, [client, "--no-defaults", f"--socket={sock}", "-uroot", "-e", self.SQL], log)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# --- PostgreSQL -------------------------------------------------------------------------------------------------


@dataclass
class PostgreSQL:
    """A private PostgreSQL cluster, TLS on, with one user per authentication method:

    * ``postgres``: trust;
    * ``scram_user``/``scram-secret``: SCRAM-SHA-256;
    * ``md5_user``/``md5-secret``: MD5 (password stored as MD5);
    * ``plain_user``/``plain-secret``: cleartext password;
    * ``tls_user``/``tls-secret``: SCRAM-SHA-256 over TLS only (pg_hba rejects it without).
    """

    directory: Path
    ca: trustme.CA
    port: int = 0
    server: ServerProcess | None = None

    HBA = """
        local all all trust
        host all postgres 127.0.0.1/32 trust
        hostnossl all tls_user 127.0.0.1/32 reject
        host all scram_user,tls_user 127.0.0.1/32 scram-sha-256
        host all md5_user 127.0.0.1/32 md5
        host all plain_user 127.0.0.1/32 password
    """
    SQL = """
        SET password_encryption = 'scram-sha-256';
        CREATE ROLE scram_user LOGIN PASSWORD 'scram-secret';
        CREATE ROLE plain_user LOGIN PASSWORD 'plain-secret';
        CREATE ROLE tls_user LOGIN PASSWORD 'tls-secret';
        SET password_encryption = 'md5';
        CREATE ROLE md5_user LOGIN PASSWORD 'md5-secret';
    """

    def start(self) -> PostgreSQL:
        bindirs = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
        if not bindirs:
            unavailable("PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)")
        bindir = Path(bindirs[-1])
        user = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres account
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root without a postgres account to run PostgreSQL as")
            user = "postgres"
            shutil.chown(self.directory, user, user)
        data, log = self.directory / "data", self.directory / "postgres.log"
        run_as(user, [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"], log)
        cert, key, _ca = write_certificates(self.ca, self.directory)
        hba = self.directory / "pg_hba.conf"
        hba.write_text("\n".join(line.strip() for line in self.HBA.strip().splitlines()) + "\n")
        if user is not None:
            for path in (cert, key, hba):
                shutil.chown(path, user, user)
        self.port = closed_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": self.port,
            "unix_socket_directories": self.directory,
            "hba_file": hba,
            "ssl": "on",
            "ssl_cert_file": cert,
            "ssl_key_file": key,
            "fsync": "off",
            "max_connections": 20,
            "shared_buffers": "16MB",
        }
        argv = [str(bindir / "postgres"), "-D", str(data)]
        for name, value in settings.items():
            argv += ["-c", f"{name}={value}"]
        # SIGINT: fast shutdown (SIGTERM would wait for clients to leave)
        self.server = ServerProcess("PostgreSQL", argv, log, user=user, stop_signal=signal.SIGINT)
        self.server.start(self._ready)
        with psycopg.connect(**self._admin()) as conn:
            conn.execute(self.SQL)
        return self

    def _admin(self) -> dict:
        return {"host": str(self.directory), "port": self.port, "user": "postgres", "dbname": "postgres"}

    def _ready(self) -> bool:
        try:
            psycopg.connect(**self._admin(), connect_timeout=2).close()
        except psycopg.OperationalError:
            return False
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# --- Redis ------------------------------------------------------------------------------------------------------


@dataclass
class Redis:
    """A private redis-server: the default user's password is ``red-secret``, ACL user ``alice``/``alice-secret``;
    plain on ``port``, TLS on ``tls_port``; no persistence."""

    directory: Path
    ca: trustme.CA
    port: int = 0
    tls_port: int = 0
    server: ServerProcess | None = None

    def start(self) -> Redis:
        binary = shutil.which("redis-server")
        if not binary:
            unavailable("redis-server is not installed")
        cert, key, ca = write_certificates(self.ca, self.directory)
        self.port, self.tls_port = closed_port(), closed_port()
        argv = [
            binary,
            *("--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory)),
            *("--save", "", "--appendonly", "no", "--requirepass", "red-secret"),
            *("--tls-port", str(self.tls_port), "--tls-cert-file", str(cert), "--tls-key-file", str(key)),
            *("--tls-ca-cert-file", str(ca), "--tls-auth-clients", "no"),
            *("--user", "alice", "on", ">alice-secret", "~*", "+@all"),
        ]
        self.server = ServerProcess("Redis", argv, self.directory / "redis.log")
        self.server.start(self._ready)
        return self

    def _ready(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, password="red-secret", socket_timeout=2)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# --- a listener that never speaks -------------------------------------------------------------------------------


@dataclass
class SilentServer:
    """Accepts connections and never sends a byte; counts the connections the client has closed since."""

    port: int = 0
    accepted: int = 0
    closed: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.writers.append(writer)
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass
        self.closed += 1

    async def start(self, bg: BackgroundLoop) -> SilentServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        bg.add_cleanup(self.stop)
        return self

    async def stop(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        if self.server is not None:
            self.server.close()


@dataclass
class ChattyServer:
    """Sends ``chunk`` over and over to whoever connects, until they hang up."""

    chunk: bytes
    port: int = 0
    server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while not writer.is_closing():
                writer.write(self.chunk)
                await writer.drain()

    async def start(self, bg: BackgroundLoop) -> ChattyServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        bg.add_cleanup(self.stop)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
