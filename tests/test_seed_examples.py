"""The seed's integration examples (api-reference-guide.md), run as written against a
real gunicorn: only the base URL ("https://api.statusapp.io" -> "<server>/api") and the
placeholder key are replaced."""

import json
import os
import shutil
import subprocess

import pytest

from accounts.plans import Plan
from apikeys.services import api_key_create, api_key_revoke
from incidents.models import Incident
from monitors.models import Monitor

from .factories import MonitorFactory, OrganizationFactory
from .live_server import gunicorn_server, venv_bin

SEED_BASE = "https://api.statusapp.io"

# --- the seed's code, verbatim --------------------------------------------------------

PYTHON_INTEGRATION = """\
import requests

api_key = "sk_live_abc123"
headers = {"Authorization": f"Bearer {api_key}"}

# Get all monitors
response = requests.get(
    "https://api.statusapp.io/monitors",
    headers=headers
)
monitors = response.json()

# Create incident
incident_data = {
    "title": "Service Degradation",
    "status": "INVESTIGATING",
    "affectedComponents": ["mon_123"]
}
response = requests.post(
    "https://api.statusapp.io/incidents",
    headers=headers,
    json=incident_data
)
"""

JAVASCRIPT_INTEGRATION = """\
const apiKey = "sk_live_abc123";

// Get all incidents
const response = await fetch(
  "https://api.statusapp.io/incidents",
  {
    headers: {
      "Authorization": `Bearer ${apiKey}`
    }
  }
);
const incidents = await response.json();

// Create monitor
const monitorData = {
  name: "Website Check",
  type: "http",
  url: "https://example.com",
  interval: 60
};

const createResponse = await fetch(
  "https://api.statusapp.io/monitors",
  {
    method: "POST",
    headers: {
      "Authorization": `Bearer ${apiKey}`,
      "Content-Type": "application/json"
    },
    body: JSON.stringify(monitorData)
  }
);
"""

CURL_AUTHENTICATION = """\
curl -H "Authorization: Bearer sk_live_abc123..." \\
  https://api.statusapp.io/monitors
"""

CURL_AUTOMATED_INCIDENT = """\
curl -X POST https://api.statusapp.io/incidents \\
  -H "Authorization: Bearer sk_live_abc123" \\
  -d '{
    "title": "External Alert",
    "description": "Alert from monitoring system",
    "status": "INVESTIGATING"
  }'
"""

PYTHON_BULK_MONITORS = """\
for url in ["https://api1.example.com", "https://api2.example.com"]:
    requests.post(
        "https://api.statusapp.io/monitors",
        headers=headers,
        json={
            "name": f"Monitor for {url}",
            "type": "http",
            "url": url,
            "interval": 60
        }
    )
"""

# The Python Integration example's setup, which the bulk example relies on (`requests`, `headers`).
PYTHON_SETUP = PYTHON_INTEGRATION.split("# Get all monitors")[0]


def adapt(code: str, base_url: str, raw_key: str) -> str:
    """Point the seed's code at the live server with a real key; nothing else changes."""
    code = code.replace("sk_live_abc123...", raw_key).replace("sk_live_abc123", raw_key)
    return code.replace(SEED_BASE, f"{base_url}/api")


def test_seed_code_is_copied_verbatim():
    """Guards the copies above: each snippet appears in the seed exactly as here."""
    seed_path = "/work/shared/seed/api-reference-guide.md"
    if not os.path.exists(seed_path):
        pytest.skip("seed file not available")
    with open(seed_path) as seed:
        text = seed.read()
    for snippet in (
        PYTHON_INTEGRATION,
        JAVASCRIPT_INTEGRATION,
        CURL_AUTHENTICATION,
        CURL_AUTOMATED_INCIDENT,
        PYTHON_BULK_MONITORS,
    ):
        assert snippet in text


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def seed_org(transactional_db):
    org = OrganizationFactory(plan=Plan.PROFESSIONAL)
    # The Create incident example names "mon_123"; the product checks component ids.
    MonitorFactory(id="mon_123", organization=org, name="API Server")
    return org


@pytest.fixture
def raw_key(seed_org) -> str:
    _key, raw = api_key_create(organization=seed_org, name="seed examples", permission="admin")
    return raw


@pytest.fixture
def server(seed_org) -> str:
    with gunicorn_server(workers=2) as base_url:
        yield base_url


def client_env(tmp_path) -> dict[str, str]:
    """No proxies for 127.0.0.1, and no user curl config changing what curl sends."""
    env = dict(os.environ)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env.update(CURL_HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    return env


def run_python(tmp_path, code: str) -> subprocess.CompletedProcess:
    script = tmp_path / "example.py"
    script.write_text(code)
    result = subprocess.run(
        [venv_bin("python"), str(script)], capture_output=True, text=True, timeout=60, env=client_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    return result


def run_curl(tmp_path, command: str) -> tuple[int, str]:
    """Run a curl command exactly as written; a curlrc (not the command) adds the status code."""
    (tmp_path / ".curlrc").write_text('silent\nshow-error\nwrite-out = "\\n%{http_code}"\n')
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=client_env(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    body, _, status = result.stdout.rpartition("\n")
    return int(status), body


# --- the examples ---------------------------------------------------------------------

PYTHON_REPORT = """
import json
print(json.dumps({"monitors": monitors, "status": response.status_code, "incident": response.json()}))
"""


def test_python_integration_example_lists_monitors_and_creates_the_incident(tmp_path, server, raw_key, seed_org):
    result = run_python(tmp_path, adapt(PYTHON_INTEGRATION, server, raw_key) + PYTHON_REPORT)
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert [monitor["id"] for monitor in report["monitors"]["data"]] == ["mon_123"]
    assert report["monitors"]["pagination"]["total"] == 1
    assert report["status"] == 201, report["incident"]
    assert report["incident"]["title"] == "Service Degradation"
    assert report["incident"]["status"] == "INVESTIGATING"
    assert report["incident"]["affectedComponents"] == ["mon_123"]

    incident = Incident.objects.get(organization=seed_org)
    assert incident.id == report["incident"]["id"]
    assert (incident.title, incident.status) == ("Service Degradation", "INVESTIGATING")
    assert [component.monitor_id for component in incident.affected.all()] == ["mon_123"]


def test_python_integration_example_with_an_unknown_component_stores_nothing(tmp_path, server, raw_key, seed_org):
    seed_org.monitors.all().delete()  # no mon_123 in this organization
    result = run_python(tmp_path, adapt(PYTHON_INTEGRATION, server, raw_key) + PYTHON_REPORT)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == 400
    assert report["incident"]["error"]["code"] == "invalid_request"
    assert "affectedComponents" in report["incident"]["error"]["fields"]
    assert "mon_123" in json.dumps(report["incident"]["error"]["fields"])
    assert not Incident.objects.filter(organization=seed_org).exists()


def test_python_bulk_monitor_management_example_creates_both_monitors(tmp_path, server, raw_key, seed_org):
    run_python(tmp_path, adapt(PYTHON_SETUP + "\n" + PYTHON_BULK_MONITORS, server, raw_key))
    created = Monitor.objects.filter(organization=seed_org).exclude(id="mon_123").order_by("url")
    assert [(m.name, m.type, m.url, m.interval) for m in created] == [
        ("Monitor for https://api1.example.com", "http", "https://api1.example.com", 60),
        ("Monitor for https://api2.example.com", "http", "https://api2.example.com", 60),
    ]


JAVASCRIPT_REPORT = """
console.log(JSON.stringify({
  incidentsStatus: response.status,
  incidents,
  createStatus: createResponse.status,
  created: await createResponse.json(),
}));
"""


def test_javascript_integration_example_lists_incidents_and_creates_the_monitor(tmp_path, server, raw_key, seed_org):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "example.mjs"  # .mjs: top-level await, as the seed's code uses
    script.write_text(adapt(JAVASCRIPT_INTEGRATION, server, raw_key) + JAVASCRIPT_REPORT)
    result = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60, env=client_env(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["incidentsStatus"] == 200
    assert report["incidents"]["data"] == []
    assert report["createStatus"] == 201, report["created"]
    assert report["created"]["name"] == "Website Check"
    assert report["created"]["url"] == "https://example.com"
    assert report["created"]["interval"] == 60
    monitor = Monitor.objects.get(organization=seed_org, name="Website Check")
    assert (monitor.id, monitor.type, monitor.url, monitor.interval) == (
        report["created"]["id"],
        "http",
        "https://example.com",
        60,
    )


def test_curl_authentication_example_lists_monitors(tmp_path, server, raw_key):
    status, body = run_curl(tmp_path, adapt(CURL_AUTHENTICATION, server, raw_key))
    assert status == 200, body
    listing = json.loads(body)
    assert [monitor["id"] for monitor in listing["data"]] == ["mon_123"]
    assert listing["pagination"]["total"] == 1


def test_curl_authentication_example_with_a_revoked_key_is_401(tmp_path, server, raw_key, seed_org):
    api_key_revoke(key=seed_org.api_keys.get())
    status, body = run_curl(tmp_path, adapt(CURL_AUTHENTICATION, server, raw_key))
    assert status == 401
    assert json.loads(body)["error"]["code"] == "unauthorized"


def test_curl_automated_incident_creation_example_creates_the_incident(tmp_path, server, raw_key, seed_org):
    # As written: -d with curl's default form content type, a JSON body.
    status, body = run_curl(tmp_path, adapt(CURL_AUTOMATED_INCIDENT, server, raw_key))
    assert status == 201, body
    created = json.loads(body)
    assert (created["title"], created["description"], created["status"]) == (
        "External Alert",
        "Alert from monitoring system",
        "INVESTIGATING",
    )
    incident = Incident.objects.get(organization=seed_org)
    assert incident.id == created["id"]
    assert (incident.title, incident.description, incident.status) == (
        "External Alert",
        "Alert from monitoring system",
        "INVESTIGATING",
    )


def test_curl_automated_incident_creation_with_a_read_key_is_403_and_stores_nothing(tmp_path, server, seed_org):
    _key, read_key = api_key_create(organization=seed_org, name="read only", permission="read")
    status, body = run_curl(tmp_path, adapt(CURL_AUTOMATED_INCIDENT, server, read_key))
    assert status == 403
    assert json.loads(body)["error"]["code"] == "forbidden"
    assert not Incident.objects.filter(organization=seed_org).exists()
