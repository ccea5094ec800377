"""The SDK's tests run against a live StatusApp: the server's tests/test_sdks.py starts one
and hands over its address and keys in environment variables (sdks/README.md lists them).
Nothing is mocked: every call is real HTTP, and webhooks arrive at real loopback receivers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from support import Receiver, env

import statusapp


@pytest.fixture
def client() -> Iterator[statusapp.Client]:
    """The main organization's admin client, configured from the environment as users do."""
    env("STATUSAPP_BASE_URL")
    env("STATUSAPP_API_KEY")
    with statusapp.Client() as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def cleanup() -> Iterator[Callable[..., None]]:
    """`cleanup(client.monitors.delete, id)`: deleted after the test, unless the test did it."""
    deletions = []
    yield lambda delete, *ids: deletions.append((delete, ids))
    for delete, ids in reversed(deletions):
        with contextlib.suppress(statusapp.NotFoundError):
            delete(*ids)
