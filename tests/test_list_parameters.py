"""A list's query parameters: pagination (`page`, `limit`) and what a bad value answers."""

import pytest

pytestmark = pytest.mark.django_db


def assert_invalid_parameter(response, name: str) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert set(error["fields"]) == {name}, error
    return error


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/monitors?limit=abc", "limit"),
        ("/api/monitors?limit=0", "limit"),
        ("/api/monitors?limit=-5", "limit"),
        ("/api/monitors?page=abc", "page"),
        ("/api/monitors?page=0", "page"),
        ("/api/incidents?page=1.5", "page"),
        ("/api/events?limit=abc", "limit"),
    ],
)
def test_a_bad_page_or_limit_names_itself_in_the_message(admin, url, name):
    error = assert_invalid_parameter(admin.get(url), name)

    # Not "Must be a positive integer.", which reads like a plan limit.
    assert error["details"] == f"{name} must be a positive integer."
    assert error["fields"][name] == [f"{name} must be a positive integer."]
