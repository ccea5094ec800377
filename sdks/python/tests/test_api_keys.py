import pytest
from support import env, unique

import statusapp


def test_api_key_round_trip(client, cleanup):
    name = unique("SDK key")
    created = client.api_keys.create(name=name, permission="read")
    cleanup(client.api_keys.delete, created.id)
    assert isinstance(created, statusapp.ApiKey)
    assert created.id.startswith("key_")
    assert created.key.startswith(created.prefix)  # the secret key: shown in this answer only
    assert (created.name, created.permission, created.revoked_at) == (name, "read", None)

    fetched = client.api_keys.get(created.id)
    assert fetched.key is None
    assert (fetched.id, fetched.prefix) == (created.id, created.prefix)
    assert created.id in [found.id for found in client.api_keys.list(search=name)]
    assert created.id in {found.id for found in client.api_keys.iter()}

    with statusapp.Client(api_key=created.key, base_url=env("STATUSAPP_BASE_URL")) as reader:
        assert reader.monitors.list().pagination.total >= 1
        client.api_keys.delete(created.id)
        with pytest.raises(statusapp.AuthenticationError):
            reader.monitors.list()
    assert client.api_keys.get(created.id).revoked_at is not None
