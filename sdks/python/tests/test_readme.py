"""Every Python example of the README runs, as written, against the live server, and the
API guide's integration examples make what they say they make."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

# Heading of a guide example -> what it creates: {"monitors" or "incidents": [names]}.
GUIDE_EXAMPLES = {
    "Python Integration": {"incidents": ["Service Degradation"]},
    "JavaScript Integration": {"monitors": ["Website Check"]},
    "Automated Incident Creation": {"incidents": ["External Alert"]},
    "Bulk Monitor Management": {
        "monitors": ["Monitor for https://api1.example.com", "Monitor for https://api2.example.com"]
    },
}
# Output an example prints, where it shows that the example did its work.
PRINTS = {
    "Errors": "invalid_request {'url':",
    "Python Integration": "INVESTIGATING",
    "Bulk Monitor Management": "created mon_",
}


def examples() -> list[tuple[str, str]]:
    """(heading above it, code) of each ```python block of the README."""
    found = []
    heading = ""
    for match in re.finditer(r"^(#+) ([^\n]+)$|^```python\n(.*?)^```$", README.read_text(), re.M | re.S):
        if match.group(1):
            heading = match.group(2).strip()
        else:
            found.append((heading, match.group(3)))
    return found


def test_the_readme_rewrites_every_guide_example():
    assert set(GUIDE_EXAMPLES) <= {heading for heading, _ in examples()}


def names(client) -> dict[str, dict[str, str]]:
    return {
        "monitors": {monitor.id: monitor.name for monitor in client.monitors.iter()},
        "incidents": {incident.id: incident.title for incident in client.incidents.iter()},
    }


@pytest.mark.parametrize(("heading", "code"), examples(), ids=[heading for heading, _ in examples()])
def test_readme_example(heading, code, client, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(code)
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))

    before = names(client)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    after = names(client)
    created = {kind: sorted(after[kind][id] for id in after[kind].keys() - before[kind].keys()) for kind in after}
    for id in after["monitors"].keys() - before["monitors"].keys():
        client.monitors.delete(id)
    for id in after["incidents"].keys() - before["incidents"].keys():
        client.incidents.delete(id)

    assert result.returncode == 0, f"{heading} example failed:\n{result.stdout}\n{result.stderr}"
    expected = {"monitors": [], "incidents": [], **GUIDE_EXAMPLES.get(heading, {})}
    assert created == {kind: sorted(expected[kind]) for kind in created}
    assert PRINTS.get(heading, "") in result.stdout
