"""Heartbeat ping URLs, mounted at /ping/; a trailing slash is accepted too."""

from django.urls import re_path

from . import ping

urlpatterns = [
    re_path(r"^(?P<token>[^/]+)/?\Z", ping.ping, name="ping"),
    re_path(r"^(?P<token>[^/]+)/fail/?\Z", ping.ping_fail, name="ping-fail"),
    re_path(r"^(?P<token>[^/]+)/start/?\Z", ping.ping_start, name="ping-start"),
]
