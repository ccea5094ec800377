"""Properties, checked on generated inputs (Hypothesis): the address guard, the status
machine and pagination. `make fuzz` runs them with many more examples
(HYPOTHESIS_PROFILE=fuzz)."""

import ipaddress
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from monitors.state import next_status
from outbound.guard import METADATA_ADDRESSES, AddressNotAllowed, check_host_literal, check_ip
from statusapp.api.pagination import positive_int

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

UP, DEGRADED, DOWN, PENDING = "UP", "DEGRADED", "DOWN", "PENDING"

ipv4 = st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address)
ipv6 = st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address)


def allowed(address) -> bool:
    try:
        check_ip(address, allow_private=False)
    except AddressNotAllowed:
        return False
    return True


@given(st.one_of(ipv4, ipv6))
def test_the_guard_lets_through_only_global_unicast_addresses(address):
    if allowed(address):
        assert address.is_global, address
        assert not address.is_multicast
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            assert address.ipv4_mapped.is_global


@given(ipv4)
def test_an_ipv4_address_is_judged_the_same_in_every_numeric_form(address):
    verdict = allowed(address)
    number = int(address)
    octets = str(address).split(".")
    forms = [
        str(number),  # 2130706433
        hex(number),  # 0x7f000001
        ".".join(hex(int(octet)) for octet in octets),  # 0x7f.0x0.0x0.0x1
        f"::ffff:{address}",  # IPv4-mapped IPv6
        f"[::ffff:{address}]",
    ]
    for form in forms:
        try:
            check_host_literal(form, allow_private=False)
            assert verdict, f"{form} ({address}) was let through"
        except AddressNotAllowed:
            assert not verdict, f"{form} ({address}) was refused"


@given(st.sampled_from(sorted(METADATA_ADDRESSES, key=str)), st.booleans())
def test_metadata_is_refused_even_when_private_targets_are_allowed(address, allow_private):
    with pytest.raises(AddressNotAllowed):
        check_ip(address, allow_private=allow_private)


@given(
    status=st.sampled_from([PENDING, UP, DEGRADED, DOWN]),
    failures=st.integers(min_value=0, max_value=20),
    retries=st.integers(min_value=0, max_value=10),
    results=st.lists(st.sampled_from([UP, DEGRADED, DOWN]), max_size=30),
)
def test_the_status_machine(status, failures, retries, results):
    for result in results:
        new_status, new_failures = next_status(status=status, failure_count=failures, retries=retries, result=result)
        if result != DOWN:
            # A success counts at once and clears the failures.
            assert (new_status, new_failures) == (result, 0)
        else:
            assert new_failures == failures + 1
            # DOWN exactly when more failures than retries; until then the status stays.
            assert new_status == (DOWN if new_failures > retries else status)
        status, failures = new_status, new_failures
    if len(results) > retries and results[-(retries + 1) :] == [DOWN] * (retries + 1):
        assert status == DOWN  # retries + 1 failures in a row always end DOWN


@given(st.text(max_size=30))
def test_pagination_parameters_are_a_positive_integer_or_a_400(raw):
    try:
        value = positive_int({"page": raw}, "page", 1)
    except ValidationError:
        return
    assert isinstance(value, int) and 1 <= value < 10**18
    assert raw.isascii() and raw.isdigit()


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.text(max_size=12), page=st.text(max_size=12))
def test_the_list_endpoint_answers_any_paging_with_200_or_the_400_envelope(make_client, org, limit, page):
    response = make_client(org, "read").get("/api/monitors", {"limit": limit, "page": page})
    assert response.status_code in (200, 400), response.content
    body = response.json()
    if response.status_code == 400:
        assert body["error"]["code"] == "invalid_request"
    else:
        assert set(body) == {"data", "pagination"}
        assert 1 <= body["pagination"]["limit"] <= 100 and body["pagination"]["page"] >= 1
