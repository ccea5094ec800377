"""Fixtures for the engine tests: real servers on 127.0.0.1, a trustme CA, a client TLS context trusting it."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
import trustme

from monitors.engine import CheckResult, CheckSpec, EngineContext, run_check

from .servers import BackgroundLoop, CountingServer, DNSServer, closed_port, start_http

SLOW_TIMEOUT = 1.0  # seconds: the deadline for checks against targets that never finish


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def check(
    spec: CheckSpec, ssl_context: ssl.SSLContext | None = None, *, system_nameserver: tuple[str, int] | None = None
) -> tuple[CheckResult, float]:
    """Run one check in a fresh loop with a fresh EngineContext; returns (result, seconds it took)."""

    async def go() -> CheckResult:
        context = EngineContext(ssl_context, system_nameserver=system_nameserver)
        return await run_check(spec, context)

    started = time.monotonic()
    result = run(go())
    return result, time.monotonic() - started


def assert_within_deadline(elapsed: float, spec: CheckSpec) -> None:
    assert elapsed < spec.timeout + 0.5, f"took {elapsed:.2f}s for a {spec.timeout}s deadline"


@pytest.fixture(scope="session")
def bg() -> Iterator[BackgroundLoop]:
    loop = BackgroundLoop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def http_port(bg: BackgroundLoop) -> int:
    return bg.call(start_http(bg))


@pytest.fixture(scope="session")
def base_url(http_port: int) -> str:
    return f"http://127.0.0.1:{http_port}"


@pytest.fixture
def counting_server(bg: BackgroundLoop) -> CountingServer:
    return bg.call(CountingServer().start(bg))


@pytest.fixture(scope="session")
def hanging_server(bg: BackgroundLoop) -> CountingServer:
    return bg.call(CountingServer(hang=True).start(bg))


@pytest.fixture
def free_port() -> int:
    return closed_port()


# --- TLS --------------------------------------------------------------------------------------------------------


def _utc(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def client_ssl_context(ca: trustme.CA) -> ssl.SSLContext:
    """What EngineContext gets in tests: a normal verifying context that trusts our test CA (and nothing else)."""
    return ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())


def server_context_for(cert: Any) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


class TLSServers:
    """TLS listeners on 127.0.0.1 with certificates in various states, created on demand."""

    def __init__(self, bg: BackgroundLoop, ca: trustme.CA) -> None:
        self.bg = bg
        self.ca = ca
        self.other_ca = trustme.CA()  # nobody trusts it
        self._ports: dict[str, int] = {}

    def _listen(self, context: ssl.SSLContext, http: bool) -> int:
        if http:
            return self.bg.call(start_http(self.bg, context))
        return self.bg.call(CountingServer().start(self.bg, context)).port

    def port(self, kind: str, *, http: bool = False) -> int:
        key = f"{kind}:{http}"
        if key in self._ports:
            return self._ports[key]
        if kind == "valid":  # 90 days left
            cert = self.ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(90.5))
        elif kind == "soon":  # 10 days left
            cert = self.ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(10.5))
        elif kind == "very-soon":  # 2 days left
            cert = self.ca.issue_cert("localhost", "127.0.0.1", not_after=_utc(2.5))
        elif kind == "expired":
            cert = self.ca.issue_cert("localhost", "127.0.0.1", not_before=_utc(-60), not_after=_utc(-1))
        elif kind == "untrusted":
            cert = self.other_ca.issue_cert("localhost", "127.0.0.1")
        elif kind == "wrong-host":
            cert = self.ca.issue_cert("other.example.test")
        elif kind == "self-signed":
            # the untrusted CA's own (self-signed) certificate presented as the server's
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            with self.other_ca.cert_pem.tempfile() as certfile, self.other_ca.private_key_pem.tempfile() as keyfile:
                context.load_cert_chain(certfile, keyfile)
            self._ports[key] = self._listen(context, http)
            return self._ports[key]
        else:
            raise ValueError(kind)
        self._ports[key] = self._listen(server_context_for(cert), http)
        return self._ports[key]


@pytest.fixture(scope="session")
def tls(bg: BackgroundLoop, ca: trustme.CA) -> TLSServers:
    return TLSServers(bg, ca)


# --- DNS --------------------------------------------------------------------------------------------------------

DNS_RECORDS = {
    ("svc.example.test", "A"): ["192.0.2.10", "192.0.2.11"],
    ("svc.example.test", "AAAA"): ["2001:db8::10"],
    ("svc.example.test", "TXT"): ['"v=spf1 include:_spf.example.test ~all"', '"site-verification=AbC123"'],
    ("svc.example.test", "MX"): ["10 Mail.Example.Test.", "20 backup.example.test."],
    ("alias.example.test", "CNAME"): ["svc.example.test."],
    ("example.test", "NS"): ["ns1.example.test.", "ns2.example.test."],
    # what a resolver inside the operator's network answers for internal names, and for public ones
    ("db.internal.test", "A"): ["10.1.2.3"],
    ("db.internal.test", "AAAA"): ["fd00::5"],
    ("mixed.internal.test", "A"): ["93.184.216.34", "127.0.0.1"],
    ("imds.internal.test", "A"): ["169.254.169.254"],
    ("www.public.test", "A"): ["93.184.216.34"],
    ("www.public.test", "AAAA"): ["2606:2800:220:1:248:1893:25c8:1946"],
}


@pytest.fixture(scope="session")
def dns_server(bg: BackgroundLoop) -> DNSServer:
    return bg.call(DNSServer(DNS_RECORDS, silent=("blackhole.example.test",)).start(bg))
