from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from ._http import Transport
from .resources import AlertChannels, ApiKeys, Events, Incidents, Maintenances, Monitors, StatusPages, Webhooks

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Client:
    """A StatusApp API client.

    `api_key` defaults to $STATUSAPP_API_KEY and `base_url` (the install's root: calls go to
    `<base_url>/api/...`) to $STATUSAPP_BASE_URL, then http://127.0.0.1:8000. Every call
    times out after `timeout` seconds. 429 and 503 answers are retried after their
    Retry-After, and reads after a connection failure, up to `max_retries` times (0: never).
    A `session` of your own carries proxies, certificates or hooks.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        *,
        session: requests.Session | None = None,
    ) -> None:
        self._transport = Transport(
            api_key=api_key or os.environ.get("STATUSAPP_API_KEY") or None,
            base_url=base_url or os.environ.get("STATUSAPP_BASE_URL") or DEFAULT_BASE_URL,
            timeout=timeout,
            max_retries=max_retries,
            session=session,
        )
        self.monitors = Monitors(self)
        self.incidents = Incidents(self)
        self.status_pages = StatusPages(self)
        self.webhooks = Webhooks(self)
        self.alert_channels = AlertChannels(self)
        self.maintenances = Maintenances(self)
        self.api_keys = ApiKeys(self)
        self.events = Events(self)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Any API call: `client.request("GET", "/api/monitors", params={"status": "DOWN"})`.

        Returns the decoded JSON (None for 204) and raises APIError subclasses as the
        resources do.
        """
        return self._transport.request(method, path, params=params, json=json)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        **path_params: str,
    ) -> Any:
        """An operation named as the API schema writes it, e.g. ("GET", "/api/monitors/{id}", id=...)."""
        for name, value in path_params.items():
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, not {value!r}")
        quoted = {name: quote(value, safe="") for name, value in path_params.items()}
        return self.request(method, path.format(**quoted), params=params, json=json)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
