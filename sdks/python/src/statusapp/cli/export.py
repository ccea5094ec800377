"""`statusapp export`: the organization's monitors, status pages, alert channels and
maintenance windows as a `statusapp.yaml` that `statusapp apply` reads back.

Objects are keyed by name and sorted, fields come in a fixed order, and nothing that changes
by itself (ids, timestamps, statuses) is written: the same organization always exports the
same text. Secrets are written as ${ENV_VAR} references, never as values.
"""

from __future__ import annotations

import re
from typing import TextIO

import yaml

from .document import ENV_REFERENCE
from .errors import CLIError
from .fileformat import FORMAT_VERSION, KINDS, MASK, secret_keys
from .progress import Progress
from .state import read_organization, sort_key

HEADER = """\
# StatusApp configuration written by `statusapp export` (statusapp {version}):
# monitors, status pages, alert channels and maintenance windows, keyed by name, with
# references between them by name. Ids, timestamps, statuses and other fields the server
# manages are left out. Apply it with `statusapp apply -f statusapp.yaml` (see CLI.md).
"""
SECRETS_HEADER = """\
# Secrets are ${{ENV_VAR}} references, never values: set these before applying:
{variables}
"""


def export(client, out: TextIO, err: TextIO, version: str) -> None:
    organization = read_organization(client, Progress(err))
    duplicates = [
        organization.duplicate_report(kind, name) for kind in KINDS for name in sorted(organization.duplicates[kind])
    ]
    if duplicates:
        raise CLIError("names are the file's keys, and these are not unique:\n  " + "\n  ".join(duplicates))
    current = organization.current()
    variables: list[str] = []
    document: dict = {"version": FORMAT_VERSION}
    for kind in KINDS:
        document[kind] = {
            name: _exported(kind, name, current[kind][name], variables) for name in sorted(current[kind], key=sort_key)
        }
    out.write(HEADER.format(version=version))
    if variables:
        out.write(SECRETS_HEADER.format(variables="\n".join(f"#   {name}" for name in variables)))
    out.write(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096))


def _exported(kind: str, name: str, fields: dict, variables: list[str]) -> dict:
    fields = _escaped(fields)
    if kind == "alertChannels":
        secret = secret_keys(fields["type"])
        config = dict(fields["config"])
        for key, value in config.items():
            if key in secret or MASK in str(value):
                config[key] = _reference(f"STATUSAPP_CHANNEL_{_upper(name)}_{_upper(key)}", variables)
        fields["config"] = config
    if kind == "statusPages" and "password" in fields:
        fields["password"] = _reference(f"STATUSAPP_PAGE_{_upper(name)}_PASSWORD", variables)
    if kind == "monitors" and "password" in fields:
        fields["password"] = _reference(f"STATUSAPP_MONITOR_{_upper(name)}_PASSWORD", variables)
    return fields


def _upper(text: str) -> str:
    """`Ops Slack` -> OPS_SLACK, `botToken` -> BOT_TOKEN."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper() or "X"


def _reference(variable: str, variables: list[str]) -> str:
    name, suffix = variable, 2
    while name in variables:  # two names made the same: `ops-slack` and `Ops Slack`
        name, suffix = f"{variable}_{suffix}", suffix + 1
    variables.append(name)
    return "${" + name + "}"


def _escaped(value):
    """Text that looks like an ${ENV_VAR} reference, written so that apply reads it as text."""
    if isinstance(value, str):
        return ENV_REFERENCE.sub(lambda match: "$" + match.group(0), value)
    if isinstance(value, dict):
        return {key: _escaped(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [_escaped(entry) for entry in value]
    return value
