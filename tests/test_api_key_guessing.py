"""Many invalid API keys from one address get 429s, for a while, whatever key comes next."""

from rest_framework.test import APIClient

from apikeys import guessing

BAD_KEY = "sk_live_aaaaaaaaaaaa_" + "A" * 43


def call(key: str, address: str) -> int:
    return APIClient().get("/api/monitors", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=address).status_code


def test_an_address_sending_bad_keys_is_throttled(make_client, org):
    good = make_client(org, "read")
    for _ in range(guessing.MAX_FAILURES):
        assert call(BAD_KEY, "192.0.2.10") == 401

    response = APIClient().get("/api/monitors", HTTP_AUTHORIZATION=f"Bearer {BAD_KEY}", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    # A key this process has not kept yet is refused from there too, right or wrong...
    assert call(good.raw_key, "192.0.2.10") == 429
    # ...while other addresses are not affected.
    assert call(good.raw_key, "192.0.2.11") == 200
    assert call(BAD_KEY, "192.0.2.11") == 401


def test_below_the_limit_bad_keys_are_plain_401s(db):
    for _ in range(guessing.MAX_FAILURES - 1):
        assert call(BAD_KEY, "198.51.100.3") == 401


def test_the_429_says_invalid_keys_were_the_reason_not_the_plan(db):
    for _ in range(guessing.MAX_FAILURES):
        call(BAD_KEY, "198.51.100.44")
    response = APIClient().get("/api/monitors", HTTP_AUTHORIZATION=f"Bearer {BAD_KEY}", REMOTE_ADDR="198.51.100.44")
    assert response.status_code == 429
    error = response.json()["error"]
    assert "Hourly request limit" not in error["details"]
    assert error["details"].startswith("Too many invalid API keys from this address.")
    assert f"{guessing.WINDOW} seconds" in error["details"]
    assert response["Retry-After"] == str(guessing.WINDOW)
