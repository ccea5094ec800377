"""STATUSAPP_BASE_URL, the start of the links in emails: by default the address the app is served on.

Settings are read once per process, so each case imports them in a fresh interpreter with
the environment it names. The email itself is checked end to end in test_run_modes.py: a
subscriber's confirmation printed by `make run` on another port links to that port.
"""

import os
import subprocess
import sys

import pytest

from .live_server import BASE_DIR

PRINT_SETTINGS = """
from django.conf import settings
print(settings.STATUSAPP_BASE_URL)
print(",".join(settings.STATUSAPP_APP_HOSTS))
"""


def settings_in_fresh_process(tmp_path, **environ: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PORT", "STATUSAPP_BASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="statusapp.settings", STATUSAPP_VAR_DIR=str(tmp_path), **environ)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_base_url_follows_port_when_unset(tmp_path):
    done = settings_in_fresh_process(tmp_path, PORT="8123")
    assert done.returncode == 0, done.stderr
    base_url, hosts = done.stdout.splitlines()
    assert base_url == "http://127.0.0.1:8123"
    assert "127.0.0.1" in hosts.split(",")


def test_base_url_is_port_8000_without_port(tmp_path):
    done = settings_in_fresh_process(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "http://127.0.0.1:8000"


def test_base_url_set_wins_over_port_and_loses_its_trailing_slash(tmp_path):
    done = settings_in_fresh_process(tmp_path, PORT="8123", STATUSAPP_BASE_URL="https://status.example.com/")
    assert done.returncode == 0, done.stderr
    base_url, hosts = done.stdout.splitlines()
    assert base_url == "https://status.example.com"
    assert "status.example.com" in hosts.split(",")


@pytest.mark.parametrize("port", ["abc", "80.5"])
def test_a_port_that_is_not_a_number_stops_start_up_with_a_message(tmp_path, port):
    done = settings_in_fresh_process(tmp_path, PORT=port)
    assert done.returncode != 0
    assert f"PORT must be an integer, got '{port}'" in done.stderr
