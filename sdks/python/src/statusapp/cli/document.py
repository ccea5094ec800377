"""Reading a `statusapp.yaml`: YAML composed into nodes so every value keeps its line,
${ENV_VAR} references filled in, and the whole file checked against fileformat before
anything is changed. Every problem is collected; the file is refused if there is one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import fileformat
from .fileformat import FIELDS, KINDS, LABELS, MONITOR_TYPE_FIELDS, TYPED_MONITOR_FIELDS

# ${NAME} is the environment variable NAME; $${NAME} is the text ${NAME} itself.
ENV_REFERENCE = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Problem:
    line: int
    where: str
    message: str


class InvalidFile(Exception):
    """The file cannot be applied; `problems` says every reason, each with its line."""

    def __init__(self, filename: str, problems: list[Problem]) -> None:
        self.filename = filename
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{self.filename}:{p.line}: {p.where + ': ' if p.where else ''}{p.message}" for p in self.problems]
        count = len(self.problems)
        lines.append(f"{self.filename}: {count} problem{'s' if count != 1 else ''}; nothing was changed.")
        return "\n".join(lines)


def where(path: tuple) -> str:
    """A path in words: `monitor "API": escalation[0].channels[1]`."""
    if not path:
        return ""
    if len(path) == 1:
        return path[0]
    head = f'{LABELS.get(path[0], path[0])} "{path[1]}"'
    rest = ""
    for part in path[2:]:
        rest += f"[{part}]" if isinstance(part, int) else (f".{part}" if rest else part)
    return f"{head}: {rest}" if rest else head


@dataclass
class Document:
    """The file's objects by kind and name (fields as written, secrets filled in), the line
    of every value, and what is wrong with them. A kind absent from the file is not in
    `sections`: apply leaves it alone."""

    filename: str
    sections: dict[str, dict[str, dict]] = field(default_factory=dict)
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: tuple) -> int:
        """The line of `path`, or of its nearest written ancestor."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def problem(self, path: tuple, message: str) -> Problem:
        return Problem(self.line(path), where(path), message)


class _Reader:
    """Turns nodes into plain values, recording each value's line and every problem."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.lines: dict[tuple, int] = {}
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def complain(self, node: Node, path: tuple, message: str) -> None:
        self.problems.append(Problem(node.start_mark.line + 1, where(path), message))

    def value(self, node: Node, path: tuple):
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.tag == _STR:
            return self.substitute(node, path)
        if node.tag == _TIMESTAMP:
            return node.value  # checked (and converted) by the field that holds it
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            self.complain(node, path, f"cannot read this value ({exc.problem or exc})")
            return None

    def mapping(self, node: MappingNode, path: tuple) -> dict:
        result: dict = {}
        first_line: dict = {}
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:  # `<<: *defaults`: the anchor's keys, unless written here
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                merged += [pair for source in sources if isinstance(source, MappingNode) for pair in source.value]
                continue
            if not isinstance(key_node, ScalarNode):
                self.complain(key_node, path, "a key must be text")
                continue
            key = key_node.value  # as written: a name like `on` or `2024` stays text
            if key in result:
                self.complain(key_node, (*path, key), f'"{key}" is written twice (first on line {first_line[key]})')
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.value(value_node, (*path, key))
            self.lines[(*path, key)] = first_line[key]
        for key_node, value_node in merged:
            if isinstance(key_node, ScalarNode) and key_node.value not in result:
                result[key_node.value] = self.value(value_node, (*path, key_node.value))
        return result

    def substitute(self, node: ScalarNode, path: tuple) -> str:
        def fill(match: re.Match) -> str:
            escaped, name = match.groups()
            if escaped:
                return "${" + name + "}"
            value = self.environ.get(name)
            if not value:
                self.complain(node, path, f"the environment variable {name} is not set (the file says ${{{name}}})")
                return ""
            return value

        return ENV_REFERENCE.sub(fill, node.value)


def load(text: str, filename: str, environ: Mapping[str, str]) -> Document:
    """The document and its `problems`; InvalidFile when it is not even YAML. References are
    checked with the organization in hand (plan.make_plan): they may name its objects."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
        raise InvalidFile(filename, [Problem(line, "", f"not valid YAML: {message or exc}")]) from None
    reader = _Reader(environ)
    data = reader.value(root, ()) if root is not None else {}
    document = Document(filename, lines=reader.lines, problems=reader.problems)
    problems = document.problems
    if not isinstance(data, dict):
        problems.append(Problem(1, "", f"expected a mapping with {', '.join(KINDS)}"))
        return document
    for key, value in data.items():
        if key == "version":
            if value != fileformat.FORMAT_VERSION:
                problems.append(
                    document.problem(("version",), f"this statusapp reads version {fileformat.FORMAT_VERSION}")
                )
        elif key in KINDS:
            document.sections[key] = _section(document, key, value, problems)
        else:
            hint = fileformat.suggestion(key, (*KINDS, "version"))
            problems.append(document.problem((key,), f"unknown section{hint}; the sections are {', '.join(KINDS)}"))
    return document


def _section(document: Document, kind: str, value, problems: list[Problem]) -> dict[str, dict]:
    if value is None:
        return {}  # written but empty: the file names no object of this kind
    if not isinstance(value, dict):
        problems.append(document.problem((kind,), f"expected a mapping of names to {LABELS[kind]}s"))
        return {}
    objects: dict[str, dict] = {}
    for written_name, fields in value.items():
        name = written_name.strip()  # the API strips names and titles
        path = (kind, written_name)
        if not name:
            problems.append(document.problem(path, "a name may not be blank"))
            continue
        if name in objects:
            problems.append(document.problem(path, f'"{name}" is named twice in {kind}'))
            continue
        fields = {} if fields is None else fields
        if not isinstance(fields, dict):
            problems.append(
                document.problem(path, f"expected the {LABELS[kind]}'s fields, got {fileformat.describe(fields)}")
            )
            continue
        if name != written_name:  # keep lines findable under the name used from here on
            for known in [known for known in document.lines if known[:2] == path]:
                document.lines[(kind, name, *known[2:])] = document.lines[known]
        problems += [document.problem((kind, name, *sub), message) for sub, message in _field_problems(kind, fields)]
        objects[name] = _cleaned(kind, fields)
    return objects


def _field_problems(kind: str, fields: dict) -> fileformat.Problems:
    problems = fileformat.mapping(FIELDS[kind])(fields)
    if kind == "monitors" and isinstance(fields.get("type"), str) and fields["type"] in MONITOR_TYPE_FIELDS:
        used = MONITOR_TYPE_FIELDS[fields["type"]]
        for name in fields:
            if name in TYPED_MONITOR_FIELDS and name not in used:
                problems.append(((name,), f"not used by {fields['type']} monitors"))
    if kind == "alertChannels":
        problems += _config_problems(fields)
    return problems


def _config_problems(fields: dict) -> fileformat.Problems:
    config, channel_type = fields.get("config"), fields.get("type")
    if not isinstance(config, dict):
        return []
    problems = [
        (("config", key, *sub), message) for key, value in config.items() for sub, message in _config_value(value)
    ]
    keys = fileformat.CHANNEL_CONFIG.get(channel_type) if isinstance(channel_type, str) else None
    if keys is None:
        return problems  # the type is missing (a config change of an existing channel) or reported as wrong
    for key in config:
        if key not in keys:
            problems.append(
                (("config", key), f'unknown key "{key}" for {channel_type} channels{fileformat.suggestion(key, keys)}')
            )
    for key, (_secret, required) in keys.items():
        if required and key not in config:
            problems.append((("config",), f'"{key}" is required for {channel_type} channels'))
    return problems


def _config_value(value) -> fileformat.Problems:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return []  # a chat id or a number written unquoted: sent as text
    return fileformat.config_value(value)


def _cleaned(kind: str, fields: dict) -> dict:
    """Numbers in a channel's config become the text the API takes (a Telegram chat id)."""
    if kind == "alertChannels" and isinstance(fields.get("config"), dict):
        config = {
            key: str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
            for key, value in fields["config"].items()
        }
        return {**fields, "config": config}
    return fields
