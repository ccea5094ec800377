"""Schemathesis against /api/schema, in process: every operation (its schema's examples,
its coverage cases, then generated ones), then chains of operations along the links
schemathesis infers from the schema (create, then read, change or delete what was made).

Two organizations, each with a real API key and some of everything; the fuzzing uses the
first one's admin key. Every response must be documented (status code, content type,
headers, body), none may be a 5xx, and none may contain anything of the other
organization: an id, a name (each carries the organization's random tag) or a secret.
Generated path ids are often the real ids of either organization's objects, so the other
one's are asked for too: such a request must never succeed.

`make test` runs a short pass; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) a long one. Both
print what was done: operations, examples, scenarios, requests, failures.
"""

import os
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.validators import ProhibitNullCharactersValidator
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework import serializers
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from accounts import generation
from apikeys import guessing
from monitors.api.serializers import TYPE_FIELDS
from statusapp.api.ids import ID_URL_PATTERN
from statusapp.wsgi import application

from .schema_fuzz_world import World, make_world

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
# This file's Hypothesis settings under each profile (HYPOTHESIS_PROFILE, as for
# test_properties.py): generated examples per operation (the schema's examples and the
# coverage cases come on top, a fixed set), stateful scenarios and their steps. The
# world is made once per operation, not per example (each example runs in a savepoint
# rolled back after it), hence the function-scoped fixture; a big generated body may be
# slow to make, and no deadline: requests go through the whole stack.
_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
OPERATIONS = {
    "default": settings(max_examples=5, **_COMMON),
    "fuzz": settings(max_examples=250, **_COMMON),
}[PROFILE]
SCENARIOS = {
    "default": settings(max_examples=10, stateful_step_count=6, **_COMMON),
    "fuzz": settings(max_examples=400, stateful_step_count=10, **_COMMON),
}[PROFILE]

# Loaded from the app at import; every request goes through the whole Django stack, on
# the test's database connection. The key is the harness's (see FuzzingKey): examples do
# not leave it out or garble it, while the ignored_auth check still sends every operation
# without a key and with a wrong one. Two built-in checks are replaced below by narrower
# versions of themselves; to theirs, both add 413: a body over 256 KiB is refused whatever
# the schema allows (README), and an OpenAPI schema cannot state a size in bytes.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema?format=json",
    application,
    config=schemathesis.Config.from_dict(
        {
            "generation": {"with-security-parameters": False},
            "checks": {
                "positive_data_acceptance": {
                    "enabled": False,
                    "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 413, 429, "5xx"],
                },
                "negative_data_rejection": {
                    "enabled": False,
                    "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"],
                },
            },
        }
    ),
)


class Current:
    """The running test's world, for the hooks and checks below (registered at import)."""

    world: World | None = None


# --- authentication ----------------------------------------------------------------------

# Stands for the running test's key in generated examples, some of which are made at
# collection (before any key exists); `before_call` puts the real key in its place.
KEY_PLACEHOLDER = "Bearer <the fuzzed organization's admin key>"


@schema.auth(refresh_interval=None)
class FuzzingKey:
    """The fuzzed organization's admin key on every request."""

    def get(self, case, context) -> str:
        return KEY_PLACEHOLDER

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": data}


# --- what is sent ----------------------------------------------------------------------

_ID = re.compile(ID_URL_PATTERN)
# The kind of object a path parameter names, by the collection before it: its id prefix.
ID_PREFIXES = {
    "alert-channels": "ach_",
    "api-keys": "key_",
    "deliveries": "dlv_",
    "events": "evt_",
    "incidents": "inc_",
    "maintenances": "mnt_",
    "monitors": "mon_",
    "status-pages": "sp_",
    "subscribers": "sub_",
    "webhooks": "wh_",
}


def _id_prefixes(path: str) -> dict[str, str | None]:
    segments = path.strip("/").split("/")
    return {
        segment[1:-1]: ID_PREFIXES.get(before)
        for before, segment in zip(segments, segments[1:], strict=False)
        if segment.startswith("{")
    }


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Often the real id of one of either organization's objects of the right kind in
    place of a generated id; only where that is a valid id, so a negative example stays
    negative (the coverage phase keeps sending the generated ids)."""
    if Current.world is None or not path_parameters:
        return st.just(path_parameters)
    prefixes = _id_prefixes(context.operation.path)
    strategies = {}
    for name, value in path_parameters.items():
        real = [known for known in Current.world.known_ids if known.startswith(prefixes.get(name) or "")]
        if isinstance(value, str) and _ID.fullmatch(value) and real:
            strategies[name] = st.one_of(st.sampled_from(real), st.just(value))
        else:
            strategies[name] = st.just(value)
    return st.fixed_dictionaries(strategies)


@schemathesis.hook  # global: schemathesis has no schema-scoped before_call
def before_call(context, case, kwargs) -> None:
    if case.operation.app is not application:
        return
    if case.headers and case.headers.get("Authorization") == KEY_PLACEHOLDER:
        case.headers["Authorization"] = f"Bearer {Current.world.raw_key}"
    # The API ignores query parameters it does not declare, as HTTP APIs commonly do (a
    # body's unknown keys are a 400): a negative example is not made of those.
    if case.query and case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY):
        declared = {parameter.name for parameter in case.operation.query}
        for name in [name for name in case.query if name not in declared]:
            del case.query[name]


# --- checks ----------------------------------------------------------------------------


@schemathesis.check
def nothing_of_the_other_organization(ctx, response, case) -> None:
    """No id, name or secret of the other organization in any response, and none of its
    objects found."""
    world = Current.world
    REPORT.statuses[response.status_code] += 1
    sent = f"{case.formatted_path} {case.query} {case.body}"
    # An error may repeat what was sent (`Unknown monitor: mon_…`): that is no leak.
    leaked = [value for value in world.other_values if value in response.text and value not in sent]
    assert not leaked, f"{case.method} {case.formatted_path} answered with the other organization's {leaked}"
    asked_for = [value for value in world.other_ids if value in (case.path_parameters or {}).values()]
    if asked_for:
        REPORT.asked_for_the_other += 1
        assert response.status_code >= 400, (
            f"{case.method} {case.formatted_path} found the other organization's {asked_for}: {response.status_code}"
        )
        REPORT.refused_the_other += 1


# Rules the schema cannot state: they need the database (the caller's own monitors, a
# free slug or domain, an address that unsubscribed), the clock (an expiry in the
# future), another field (endsAt after startsAt, timeout below interval, the fields each
# monitor type takes) or more than a pattern (a URL or address the engine may connect to,
# a data URL of an image, a signed cursor). The API checks them with a 400 naming the
# field; a schema-valid request refused for anything else fails.
RULES_THE_SCHEMA_CANNOT_STATE = {
    # A config's fields depend on the type; apprise is allowed by a server setting.
    "/api/alert-channels": {"config", "type"},
    "/api/api-keys": {"expiresAt"},
    "/api/events": {"cursor"},
    "/api/incidents": {"affectedComponents"},
    "/api/maintenances": {"monitors", "startsAt", "endsAt"},
    # "Required for …" or "Not used by … monitors", and the checks of these fields
    # Ids that must name the organization's own channels and monitors, with no cycle
    # confirmations: at most the number of regions the monitor is checked from
    "/api/monitors": {
        *("timeout", "alertChannels", "escalation", "dependsOn", "confirmations"),
        *set().union(*TYPE_FIELDS.values()),
    },
    "/api/status-pages": {"components", "slug", "customDomain", "password", "logo"},
    "/api/status-pages/{id}/subscribers": {"email", "confirmed"},
    "/api/webhooks": {"url"},
}


# What DRF's text fields refuse whatever the field: a NUL (PostgreSQL cannot store one)
# and a value that is blank once trimmed. The schema would need a pattern on every string
# (and JSON Schema's \s is not Python's idea of whitespace).
DRF_TEXT_REFUSALS = {
    str(ProhibitNullCharactersValidator.message),
    str(serializers.CharField.default_error_messages["blank"]),
}


def _collection(path: str) -> str:
    return re.sub(r"/\{[^}]+\}$", "", path)


def _excuse(name: str, messages: list[str], rules: set[str]) -> str | None:
    """Why a field of a schema-valid request may be refused, if it may."""
    field_name = name.split(".")[0]
    if field_name in rules:
        return field_name
    return "text" if set(messages) <= DRF_TEXT_REFUSALS else None


@schemathesis.check
def positive_data_accepted(ctx, response, case) -> None:
    """positive_data_acceptance, except for a 400 that names only fields refused by a rule
    the schema cannot state or by what DRF refuses in any text field."""
    # Only a DOWN monitor can be acknowledged: its state, which no schema states.
    acknowledging = response.status_code == 400 and case.operation.path.endswith("/acknowledge")
    if acknowledging and "not DOWN" in response.json()["error"]["message"]:
        REPORT.refused_by_rule.update(["/api/monitors/{id}/acknowledge: not DOWN"])
        return
    if response.status_code == 400 and case.meta is not None and case.meta.generation.mode.is_positive:
        collection = _collection(case.operation.path)
        rules = RULES_THE_SCHEMA_CANNOT_STATE.get(collection, set())
        fields = response.json()["error"].get("fields", {})
        excuses = [_excuse(name, messages, rules) for name, messages in fields.items()]
        if excuses and None not in excuses:
            REPORT.refused_by_rule.update(f"{collection} {excuse}" for excuse in set(excuses))
            return
    positive_data_acceptance(ctx, response, case)


# DRF's fields take values of other JSON types that convert cleanly to their own.
_DRF_FIELDS = {
    "string": serializers.CharField(allow_blank=True, trim_whitespace=False),
    "boolean": serializers.BooleanField(),
    "integer": serializers.IntegerField(),
    "number": serializers.FloatField(),
}
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _drf_takes(declared_type: str | None, value) -> bool:
    drf_field = _DRF_FIELDS.get(declared_type)
    if drf_field is None:
        return False
    try:
        drf_field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


def _body_property(case, name: str) -> dict:
    """What the schema declares for a top-level property of the request body."""
    node = schema.raw_schema["paths"][case.operation.path][case.method.lower()]["requestBody"]
    node = node["content"][case.media_type]["schema"]
    while "$ref" in node:  # references to components only
        node = schema.raw_schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node.get("properties", {}).get(name, {})


def _drf_normalizes(case, mutation) -> bool:
    """Whether DRF makes this mutated value a valid one before judging it: a value of
    another JSON type that converts to the declared one, or text too long only by the
    surrounding whitespace DRF trims first."""
    if mutation.operator == OperatorKind.CHANGE_TYPE:
        return _drf_takes(_JSON_TYPES.get(type(mutation.original_value)), mutation.new_value)
    if mutation.keywords == ("maxLength",) and isinstance(mutation.new_value, str) and len(mutation.path) == 1:
        limit = _body_property(case, str(mutation.path[0])).get("maxLength")
        return limit is not None and len(mutation.new_value.strip()) <= limit
    return False


def _only_what_drf_normalizes(case) -> bool:
    """Whether each change that made this example's body invalid is undone by DRF's
    fields before they judge it: a number for a string, 1 or "true" for a boolean, "5"
    for an integer, whitespace around text."""
    data = case.meta.phase.data if case.meta is not None else None
    if getattr(data, "parameter_location", None) != ParameterLocation.BODY or not isinstance(case.body, dict):
        return False
    if getattr(data, "scenario", None) == CoverageScenario.INCORRECT_TYPE:  # the coverage phase
        top_level = re.fullmatch(r"/properties/([^/]+)/type", data.location or "")
        if top_level is None:
            return False
        name = top_level[1]
        return _drf_takes(_body_property(case, name).get("type"), case.body.get(name))
    mutations = getattr(data, "mutations", ())  # the fuzzing phase
    return bool(mutations) and all(_drf_normalizes(case, mutation) for mutation in mutations)


@schemathesis.check
def negative_data_rejected(ctx, response, case) -> None:
    """negative_data_rejection, except where the body is invalid only by what DRF's
    fields normalize, as they are built to (the serializers also validate the dashboard's
    form data); anything else invalid is still to be refused."""
    if _only_what_drf_normalizes(case):
        REPORT.normalized_by_drf += 1
        return
    negative_data_rejection(ctx, response, case)


# --- the report ------------------------------------------------------------------------


@dataclass
class Report:
    """What the fuzzing did, printed at the end of the run."""

    operations: set[str] = field(default_factory=set)
    examples: int = 0
    scenarios: int = 0
    steps: int = 0
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    asked_for_the_other: int = 0
    refused_the_other: int = 0
    refused_by_rule: Counter = field(default_factory=Counter)
    normalized_by_drf: int = 0
    failed: set[str] = field(default_factory=set)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        write = terminalreporter.write_line
        terminalreporter.write_sep("-", f"schemathesis ({PROFILE} profile)")
        write(
            f"{len(self.operations)} operations, {self.examples} examples; {self.scenarios} stateful scenarios, "
            f"{self.steps} steps; {self.requests} requests; failures: {len(self.failed)}"
            + (f" ({', '.join(sorted(self.failed))})" if self.failed else "")
        )
        write("responses by status: " + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())))
        write(
            f"requests for the other organization's objects: {self.asked_for_the_other}, "
            f"refused: {self.refused_the_other}"
        )
        refused = ", ".join(f"{name}: {n}" for name, n in self.refused_by_rule.most_common(8))
        more = len(self.refused_by_rule) - 8
        write(
            f"schema-valid requests refused by a rule the schema cannot state: {sum(self.refused_by_rule.values())}"
            + (f" ({refused}{f', {more} more fields' if more > 0 else ''})" if refused else "")
        )
        write(f"schema-invalid bodies accepted as DRF converts or trims their values: {self.normalized_by_drf}")


REPORT = Report()


# --- the tests -------------------------------------------------------------------------


@pytest.fixture
def world(db, monkeypatch, request):
    if not request.config.pluginmanager.is_registered(REPORT):
        request.config.pluginmanager.register(REPORT, "schema-fuzz-report")
    # Schemathesis sends invalid keys on purpose (to check that auth is enforced): the
    # per-address guessing throttle would soon answer everything with 429.
    monkeypatch.setattr(guessing, "MAX_FAILURES", 10**9)
    requests = Counter()

    def count(**kwargs) -> None:
        requests["all"] += 1

    # As Django's test client does: the end of a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        Current.world = make_world()
        request_started.connect(count, weak=False)
        yield Current.world
    finally:
        request_started.disconnect(count)
        REPORT.requests += requests["all"]
        Current.world = None
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@contextmanager
def rolled_back(world: World):
    """A savepoint rolled back at the end, so that what the requests in it change is
    undone; and a new generation for the organization, since what the process kept (an
    API key it checked, a page of monitors) may have been read from the undone rows. The
    product never rolls back what a request committed: only tests need this."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        generation.bump([world.organization_id])


@schema.parametrize()
@OPERATIONS
def test_every_operation(case, world):
    REPORT.operations.add(case.operation.label)
    REPORT.examples += 1
    try:
        with rolled_back(world):  # each example starts from the same world
            case.call_and_validate()
    except Exception:
        REPORT.failed.add(case.operation.label)
        raise


def test_stateful_workflows(world):
    class Workflow(schema.as_state_machine()):
        def setup(self) -> None:
            # Each scenario from the same world.
            self.rolled_back = rolled_back(world)
            self.rolled_back.__enter__()
            REPORT.scenarios += 1

        def teardown(self) -> None:
            self.rolled_back.__exit__(None, None, None)

        def after_call(self, response, case) -> None:
            super().after_call(response, case)
            REPORT.steps += 1

    try:
        Workflow.run(settings=SCENARIOS)
    except Exception:
        REPORT.failed.add("stateful scenarios")
        raise
