"""Each SDK's own test suite (sdks/python, sdks/node, sdks/go) against a real StatusApp
served by gunicorn on loopback.

The organizations, keys and monitors the suites need are made here and handed over in
environment variables (sdks/README.md lists them): an SDK's tests never reach into the
server, they only speak HTTP to it, as its users do. The three suites run at once, each
with organizations of its own.
"""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.plans import Plan
from apikeys.services import api_key_create
from monitors.models import Monitor

from .conftest import REQUIRE_SERVICES
from .factories import MonitorFactory, OrganizationFactory
from .live_server import BASE_DIR, free_port, gunicorn_server, server_env

SDKS = BASE_DIR / "sdks"
PAGED_MONITORS = 250
RATE_LIMIT = 5  # requests per window for the limited organization
RATE_WINDOW = 3  # seconds: the server's STATUSAPP_RATELIMIT_WINDOW
SPARE_ORGANIZATIONS = 4


def _key(organization, permission: str) -> str:
    return api_key_create(organization=organization, name=f"sdk tests ({permission})", permission=permission)[1]


def _organization(name: str, **fields):
    return OrganizationFactory(name=name, slug=name.lower().replace(" ", "-"), plan=Plan.ENTERPRISE, **fields)


def _world(sdk: str, base_url: str, unavailable_url: str) -> dict[str, str]:
    """One SDK's organizations and keys, its own so the three suites can run at once."""
    main = _organization(f"{sdk} main")
    down = MonitorFactory(organization=main, name="SDK down", status=Monitor.Status.DOWN)  # to acknowledge
    other = _organization(f"{sdk} other")
    paged = _organization(f"{sdk} paged")
    MonitorFactory.create_batch(PAGED_MONITORS, organization=paged, status=Monitor.Status.UP)
    limited = _organization(f"{sdk} limited", custom_requests_per_hour=RATE_LIMIT)
    spares = [_organization(f"{sdk} spare {n}") for n in range(SPARE_ORGANIZATIONS)]
    return {
        "STATUSAPP_BASE_URL": base_url,
        "STATUSAPP_API_KEY": _key(main, "admin"),
        "STATUSAPP_TEST_WRITE_KEY": _key(main, "write"),
        "STATUSAPP_TEST_READ_KEY": _key(main, "read"),
        "STATUSAPP_TEST_DOWN_MONITOR": down.id,
        "STATUSAPP_TEST_OTHER_KEY": _key(other, "admin"),
        "STATUSAPP_TEST_PAGED_KEY": _key(paged, "read"),
        "STATUSAPP_TEST_PAGED_MONITORS": str(PAGED_MONITORS),
        "STATUSAPP_TEST_LIMITED_KEY": _key(limited, "admin"),
        "STATUSAPP_TEST_RATE_LIMIT": str(RATE_LIMIT),
        "STATUSAPP_TEST_RATE_WINDOW": str(RATE_WINDOW),
        "STATUSAPP_TEST_UNAVAILABLE_URL": unavailable_url,
        "STATUSAPP_TEST_SPARE_KEYS": ",".join(_key(spare, "admin") for spare in spares),
    }


def _tool(name: str) -> str:
    """A program the suites need (node, go), or a skip (a failure in CI)."""
    found = shutil.which(name)
    if found is None:
        message = f"{name} is not installed: .ci/run installs it"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run(commands: list[list[str]], cwd, world: dict[str, str], **extra: str) -> str:
    """Run the commands one after the other; what went wrong, or "" when all passed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "STATUSAPP_"))}
    env.pop("DATABASE_URL", None)
    env.update(world, **extra)
    for command in commands:
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=480)
        if result.returncode != 0:
            return f"{' '.join(command)} exited {result.returncode}\n{result.stdout[-12000:]}\n{result.stderr[-6000:]}"
    return ""


def test_every_sdk_suite_passes_against_a_live_server(transactional_db, tmp_path):
    node, go = _tool("node"), _tool("go")
    live = server_env(
        CELERY_TASK_ALWAYS_EAGER="1",  # webhook tests are delivered in the request: no worker needed
        STATUSAPP_ALLOW_PRIVATE_TARGETS="1",  # receivers and targets are on 127.0.0.1
        STATUSAPP_RATELIMIT_WINDOW=str(RATE_WINDOW),
    )
    # A StatusApp whose database is gone answers every API call 503 with Retry-After.
    unavailable = server_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/gone")
    # Standard library only: nothing to fetch, and no module proxy is reachable anyway.
    go_env = {
        "GOCACHE": os.environ.get("GOCACHE", str(tmp_path / "go-build")),
        "GOPATH": str(tmp_path / "go"),
        "GOPROXY": "off",
    }
    with (
        gunicorn_server(workers=3, env=live) as base_url,
        gunicorn_server(workers=1, env=unavailable, ready_status=None) as unavailable_url,
    ):
        worlds = {sdk: _world(sdk, base_url, unavailable_url) for sdk in ("python", "node", "go")}
        suites = {
            # From its source folder, on this interpreter (requests, PyYAML, pytest); its
            # tests/test_install.py installs it the README's way into a virtualenv of its own.
            "python": (
                [[sys.executable, "-m", "pytest", "-q", "-p", "no:django", "-p", "no:cacheprovider", "tests"]],
                {"PYTHONPATH": str(SDKS / "python" / "src")},
            ),
            "node": ([[node, "--test"]], {"npm_config_cache": str(tmp_path / "npm")}),
            "go": ([[go, "vet", "./..."], [go, "test", "-count=1", "./..."]], go_env),
        }
        # The three at once: each has its own organizations, and most of their time is waiting.
        with ThreadPoolExecutor(len(suites)) as pool:
            failures = {
                sdk: pool.submit(_run, commands, SDKS / sdk, worlds[sdk], **extra)
                for sdk, (commands, extra) in suites.items()
            }
            failures = {sdk: future.result() for sdk, future in failures.items()}
    assert {sdk: output for sdk, output in failures.items() if output} == {}
