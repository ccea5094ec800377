"""PostgreSQL, MySQL (MariaDB) and Redis checks against real servers: the machine's PostgreSQL and Redis, and
private servers started for the session (database_servers.py), plus a listener that never speaks.

Not exercised against a real server: caching_sha2_password (MySQL 8's; MariaDB does not have it). Its scramble is
checked against another driver's test vectors; its fast and full authentication rounds are not tested.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import psycopg
import pytest

from monitors.engine import CheckResult, CheckSpec, EngineContext, run_check
from monitors.engine.databases import _my_auth_response

from .conftest import SLOW_TIMEOUT, assert_within_deadline, check
from .database_servers import ChattyServer, MariaDB, PostgreSQL, Redis, SilentServer, listening, unavailable

LOOPBACK_REFUSED = (
    "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"
)


def spec(type_: str, port: int | None, **fields) -> CheckSpec:
    return CheckSpec(type=type_, timeout=5.0, host="127.0.0.1", port=port, allow_private=True, **fields)


def assert_up(result: CheckResult) -> None:
    assert (result.status, result.error) == ("UP", "")
    assert result.response_time_ms is not None
    assert result.response_time_ms < 2000


def assert_down(result: CheckResult, error: str, *secrets: str) -> None:
    assert (result.status, result.error) == ("DOWN", error)
    for secret in secrets:
        assert secret not in result.error


# --- servers ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def machine_postgres() -> int:
    if not listening(5432):
        unavailable("PostgreSQL is not running on 127.0.0.1:5432")
    return 5432


@pytest.fixture(scope="session")
def machine_redis() -> int:
    if not listening(6379):
        unavailable("Redis is not running on 127.0.0.1:6379")
    return 6379


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory, ca):
    server = MariaDB(tmp_path_factory.mktemp("mariadb"), ca)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres(ca):
    # not under pytest's tmp dir: that one is private to this user, and PostgreSQL runs as another
    directory = Path(tempfile.mkdtemp(prefix="statusapp-engine-pg-"))
    server = PostgreSQL(directory, ca)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory, ca):
    server = Redis(tmp_path_factory.mktemp("redis"), ca)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def silent(bg) -> SilentServer:
    return bg.call(SilentServer().start(bg))


# --- PostgreSQL -------------------------------------------------------------------------------------------------


def test_postgres_up_on_the_default_port(machine_postgres: int) -> None:
    result, elapsed = check(spec("postgres", None))  # port 5432, user postgres, database postgres
    assert_up(result)
    assert elapsed < 2


def test_postgres_unknown_database_is_down(machine_postgres: int) -> None:
    result, _ = check(spec("postgres", machine_postgres, database="no_such_database_here"))
    assert_down(result, "PostgreSQL error 3D000: database does not exist", "no_such_database_here")


def test_postgres_password_methods(postgres: PostgreSQL) -> None:
    for user, password in (("scram_user", "scram-secret"), ("md5_user", "md5-secret"), ("plain_user", "plain-secret")):
        result, _ = check(spec("postgres", postgres.port, username=user, password=password))
        assert_up(result)
    result, _ = check(spec("postgres", postgres.port, username="postgres", database="postgres"))  # trust
    assert_up(result)


def test_postgres_wrong_or_missing_password(postgres: PostgreSQL) -> None:
    for user in ("scram_user", "md5_user", "plain_user"):
        result, _ = check(spec("postgres", postgres.port, username=user, password="hunter2-wrong"))
        assert_down(result, "PostgreSQL error 28P01: password authentication failed", "hunter2-wrong")
        result, _ = check(spec("postgres", postgres.port, username=user))
        assert_down(result, "the server asks for a password and none is set")


def test_postgres_unknown_role(postgres: PostgreSQL) -> None:
    # pg_hba.conf has no line for it: refused before any password is asked
    result, _ = check(spec("postgres", postgres.port, username="nobody", password="whatever"))
    assert_down(result, "PostgreSQL error 28000: connection not authorized (no such role, or pg_hba.conf rejects it)")


def test_postgres_tls(postgres: PostgreSQL) -> None:
    # encrypted, certificate not verified (sslmode=require): the worker does not trust this server's CA
    tls_user = {"username": "tls_user", "password": "tls-secret"}
    result, _ = check(spec("postgres", postgres.port, tls=True, **tls_user))
    assert_up(result)
    # the same user without TLS: pg_hba.conf rejects it
    result, _ = check(spec("postgres", postgres.port, **tls_user))
    assert_down(result, "PostgreSQL error 28000: connection not authorized (no such role, or pg_hba.conf rejects it)")


def test_postgres_tls_refused_by_a_server_without_tls(machine_postgres: int) -> None:
    with psycopg.connect(host="127.0.0.1", port=machine_postgres, user="postgres", dbname="postgres") as conn:
        ssl_setting = conn.execute("SHOW ssl").fetchone()
    if ssl_setting != ("off",):
        pytest.skip("the machine's PostgreSQL has TLS on")
    result, _ = check(spec("postgres", machine_postgres, tls=True))
    assert_down(result, "server does not support TLS")


def test_postgres_against_another_kind_of_server(http_port: int) -> None:
    result, _ = check(spec("postgres", http_port))
    assert_down(result, "invalid PostgreSQL response")


# --- MySQL / MariaDB --------------------------------------------------------------------------------------------


def test_mysql_native_password_up(mariadb: MariaDB) -> None:
    result, _ = check(spec("mysql", mariadb.port, username="native", password="native-secret", database="statusdb"))
    assert_up(result)
    result, _ = check(spec("mysql", mariadb.port, username="native", password="native-secret"))  # no database
    assert_up(result)
    result, _ = check(spec("mysql", mariadb.port, username="nopass"))  # an empty password
    assert_up(result)


def test_mysql_wrong_password_and_unknown_database(mariadb: MariaDB) -> None:
    result, _ = check(spec("mysql", mariadb.port, username="native", password="hunter2-wrong"))
    assert_down(result, "MySQL error 1045: access denied (wrong user or password)", "hunter2-wrong")
    result, _ = check(spec("mysql", mariadb.port, username="nobody", password="whatever"))
    assert_down(result, "MySQL error 1045: access denied (wrong user or password)")
    result, _ = check(spec("mysql", mariadb.port, username="native", password="native-secret", database="nowhere"))
    assert_down(result, "MySQL error 1049: unknown database", "nowhere")


def test_mysql_auth_switch_to_an_unsupported_plugin(mariadb: MariaDB) -> None:
    # the server answers our mysql_native_password response with an AuthSwitchRequest to ed25519
    result, _ = check(spec("mysql", mariadb.port, username="ed", password="ed-secret"))
    assert_down(result, "unsupported authentication plugin client_ed25519")


def test_mysql_tls(mariadb: MariaDB) -> None:
    # encrypted, certificate not verified (like --ssl-mode=REQUIRED): the worker does not trust this server's CA
    tls_user = {"username": "tlsonly", "password": "tls-secret"}
    result, _ = check(spec("mysql", mariadb.port, tls=True, **tls_user))
    assert_up(result)
    # REQUIRE SSL refuses the same user without TLS
    result, _ = check(spec("mysql", mariadb.port, **tls_user))
    assert_down(result, "MySQL error 1045: access denied (wrong user or password)", "tls-secret")


def test_mysql_scrambles_match_another_implementation() -> None:
    # MariaDB has no caching_sha2_password, so its scramble is checked against the vectors of the Go MySQL
    # driver's tests (auth_test.go), and mysql_native_password's too
    nonce = bytes([10, 47, 74, 111, 75, 73, 34, 48, 88, 76, 114, 74, 37, 13, 3, 80, 82, 2, 23, 21])
    assert _my_auth_response("caching_sha2_password", "secret", nonce).hex() == (
        "f490e76f66d9d86665ce54d98c78d0acfe2fb0b08b423da807144873d30b312c"
    )
    assert _my_auth_response("caching_sha2_password", "secret2", nonce).hex() == (
        "abc3934a012cf342e876071c8ee202de51785b430258a7a0138bc79c4d800bc6"
    )
    nonce = bytes([70, 114, 92, 94, 1, 38, 11, 116, 63, 114, 23, 101, 126, 103, 26, 95, 81, 17, 24, 21])
    assert list(_my_auth_response("mysql_native_password", "secret", nonce)) == [
        *(53, 177, 140, 159, 251, 189, 127, 53, 109, 252, 172, 50, 211, 192, 240, 164, 26, 48, 207, 45)
    ]
    assert _my_auth_response("mysql_native_password", "", nonce) == b""


# --- Redis ------------------------------------------------------------------------------------------------------


def test_redis_up_on_the_default_port(machine_redis: int) -> None:
    result, _ = check(spec("redis", None))
    assert_up(result)


def test_redis_password_for_a_server_without_one(machine_redis: int) -> None:
    result, _ = check(spec("redis", machine_redis, password="hunter2"))
    assert_down(result, "Redis AUTH failed: ERR (no password is set on the server)", "hunter2")


def test_redis_auth(private_redis: Redis) -> None:
    result, _ = check(spec("redis", private_redis.port, password="red-secret"))
    assert_up(result)
    result, _ = check(spec("redis", private_redis.port, username="alice", password="alice-secret"))
    assert_up(result)


def test_redis_auth_failures(private_redis: Redis) -> None:
    result, _ = check(spec("redis", private_redis.port, password="hunter2-wrong"))
    assert_down(result, "Redis AUTH failed: WRONGPASS (wrong password or user)", "hunter2-wrong")
    result, _ = check(spec("redis", private_redis.port, username="alice", password="red-secret"))
    assert_down(result, "Redis AUTH failed: WRONGPASS (wrong password or user)", "red-secret")
    result, _ = check(spec("redis", private_redis.port))
    assert_down(result, "Redis PING failed: NOAUTH (authentication required)")


def test_redis_tls(private_redis: Redis) -> None:
    # encrypted, certificate not verified: the worker does not trust this server's CA
    result, _ = check(spec("redis", private_redis.tls_port, tls=True, password="red-secret"))
    assert_up(result)
    result, _ = check(spec("redis", private_redis.tls_port, tls=True, username="alice", password="hunter2-wrong"))
    assert_down(result, "Redis AUTH failed: WRONGPASS (wrong password or user)", "hunter2-wrong")
    # plain RESP to the TLS port: the server hangs up (with a reset when our bytes are still unread)
    result, _ = check(spec("redis", private_redis.tls_port, password="red-secret"))
    assert (result.status, result.error) in {("DOWN", "connection closed by server"), ("DOWN", "connection reset")}


def test_redis_against_another_kind_of_server(http_port: int) -> None:
    result, _ = check(spec("redis", http_port))
    assert_down(result, "unexpected reply to PING")


# --- all three: deadline, guard, bad settings --------------------------------------------------------------------

TYPES = ("postgres", "mysql", "redis")


@pytest.mark.parametrize("type_", TYPES)
def test_silent_server_times_out_and_the_connection_is_closed(type_: str, silent: SilentServer) -> None:
    database_spec = CheckSpec(
        type=type_, timeout=SLOW_TIMEOUT, host="127.0.0.1", port=silent.port, password="pw", allow_private=True
    )

    async def go() -> tuple[CheckResult, int]:
        result = await run_check(database_spec, EngineContext())
        for _ in range(100):
            if silent.closed:
                break
            await asyncio.sleep(0.01)
        return result, silent.closed

    # A socket or stream left open is closed by the garbage collector too, with a ResourceWarning: only the
    # absence of that warning shows the check closed its connection itself.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        started = time.monotonic()
        result, closed = asyncio.run(go())
        elapsed = time.monotonic() - started
        gc.collect()
    assert_down(result, f"timeout after {SLOW_TIMEOUT:.1f}s")
    assert (silent.accepted, closed) == (1, 1)
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert_within_deadline(elapsed, database_spec)


@pytest.mark.parametrize(
    ("type_", "chunk", "error"),
    [
        # notices forever, each well-formed: cut off at the engine's read cap
        ("postgres", b"N" + (1004).to_bytes(4, "big") + b"S" * 999 + b"\0", "response too large"),
        # a line that never ends
        ("redis", b"+" + b"P" * 4096, "invalid response"),
    ],
)
def test_endless_answer_is_cut_off(bg, type_: str, chunk: bytes, error: str) -> None:
    server = bg.call(ChattyServer(chunk).start(bg))
    result, elapsed = check(CheckSpec(type=type_, timeout=5.0, host="127.0.0.1", port=server.port, allow_private=True))
    assert_down(result, error)
    assert elapsed < 2


@pytest.mark.parametrize("type_", TYPES)
def test_private_address_refused(type_: str, silent: SilentServer) -> None:
    result, elapsed = check(CheckSpec(type=type_, timeout=2.0, host="127.0.0.1", port=silent.port))
    assert_down(result, LOOPBACK_REFUSED)
    assert silent.accepted == 0
    assert elapsed < 1


@pytest.mark.parametrize("type_", TYPES)
def test_bad_settings(type_: str, free_port: int) -> None:
    result, _ = check(CheckSpec(type=type_, timeout=2.0, host="", allow_private=True))
    assert_down(result, "no host configured")
    result, _ = check(CheckSpec(type=type_, timeout=2.0, host="127.0.0.1", port=70000, allow_private=True))
    assert_down(result, "invalid port")
    result, _ = check(CheckSpec(type=type_, timeout=2.0, host="127.0.0.1", port=free_port, allow_private=True))
    assert_down(result, "connection refused")
