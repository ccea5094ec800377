"""`pip install ./sdks/python`, as the README says, into a fresh virtualenv: the installed
package (not the source folder) talks to the server, and the command line runs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
# What a fresh clone holds, without what building or testing here leaves behind.
LEFT_BEHIND = shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache", "tests")


def run(command: list[str], cwd: Path, environment: dict[str, str], timeout: int = 120) -> str:
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_pip_install_from_a_clone(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(PACKAGE, clone / "sdks" / "python", ignore=LEFT_BEHIND)
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    run([sys.executable, "-m", "venv", str(tmp_path / "venv")], tmp_path, environment)
    bin = tmp_path / "venv" / "bin"
    run([str(bin / "pip"), "install", "-q", "./sdks/python"], clone, environment, timeout=600)

    script = (
        "import pathlib, statusapp\n"
        "print(statusapp.__file__)\n"
        "print(pathlib.Path(statusapp.__file__).with_name('py.typed').exists())\n"
        "print(statusapp.Client().monitors.list().pagination.total)\n"
    )
    location, typed, total = run([str(bin / "python"), "-c", script], tmp_path, environment).split()
    assert location.startswith(str(tmp_path / "venv"))  # the installed copy, not the source
    assert typed == "True"
    assert int(total) >= 1  # from $STATUSAPP_BASE_URL: the main organization has its DOWN monitor

    help_text = run([str(bin / "statusapp"), "--help"], tmp_path, environment)
    assert "usage" in help_text.lower()
