"""EngineContext and run_check the way a worker uses them: one context, many concurrent checks on one loop."""

from __future__ import annotations

import asyncio
import time

from monitors.engine import CheckSpec, EngineContext, run_check

from .conftest import SLOW_TIMEOUT, run


def test_batch_runs_concurrently_on_one_context(base_url: str, free_port: int, dns_server) -> None:
    specs = [
        CheckSpec(type="http", timeout=SLOW_TIMEOUT, url=f"{base_url}/slow", allow_private=True),
        CheckSpec(type="http", timeout=SLOW_TIMEOUT, url=f"{base_url}/drip", keyword="x" * 5, allow_private=True),
        *[CheckSpec(type="http", timeout=3.0, url=f"{base_url}/ok", allow_private=True) for _ in range(20)],
        CheckSpec(type="http", timeout=3.0, url=f"{base_url}/ok"),  # private targets not allowed: refused
        CheckSpec(type="tcp", timeout=3.0, host="127.0.0.1", port=free_port, allow_private=True),
        CheckSpec(
            type="dns",
            timeout=3.0,
            host="svc.example.test",
            record_type="A",
            resolver="127.0.0.1",
            resolver_port=dns_server.port,
            allow_private=True,
        ),
    ]

    async def go():
        context = EngineContext()
        started = time.monotonic()
        results = await asyncio.gather(*(run_check(spec, context) for spec in specs))
        return results, time.monotonic() - started

    results, elapsed = run(go())
    assert [r.status for r in results[:2]] == ["DOWN", "DOWN"]
    assert {r.error for r in results[:2]} == {"timeout after 1.0s"}
    assert all(r.status == "UP" for r in results[2:22])
    assert results[22].error == (
        "address not allowed: 127.0.0.1 is loopback; set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"
    )
    assert results[23].error == "connection refused"
    assert results[24].status == "UP"
    assert elapsed < SLOW_TIMEOUT + 0.5  # the slow ones did not hold up the rest, nor each other
