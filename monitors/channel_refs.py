"""Alert channel ids (`ach_…`) as monitors see them.

A monitor names the alert channels that cover it, but channels belong to alerts/, a layer
above this app: alerts registers here, in its AppConfig.ready, how to find which ids exist
in an organization and how to list an organization's channels for the dashboard's form.
"""

import re
from collections.abc import Callable, Collection

# (organization id, ids) -> the ids among them that are channels of that organization
ChannelLookup = Callable[[str, Collection[str]], set[str]]
# organization id -> [(id, label)] of its channels, for a form's choices
ChannelChoices = Callable[[str], list[tuple[str, str]]]

# What alerts' PublicIdField("ach") issues.
CHANNEL_ID = re.compile(r"ach_[a-z0-9]{20}")

_lookup: ChannelLookup | None = None
_choices: ChannelChoices | None = None


def register(lookup: ChannelLookup, choices: ChannelChoices | None = None) -> None:
    global _lookup, _choices
    _lookup, _choices = lookup, choices


def unknown_channel_ids(organization_id: str, ids: Collection[str]) -> set[str]:
    """The ids that are not alert channels of the organization.

    With nothing registered (alerts not loaded) only the shape of an id can be checked.
    """
    ids = set(ids)
    malformed = {channel_id for channel_id in ids if not CHANNEL_ID.fullmatch(channel_id)}
    if _lookup is None or not ids - malformed:
        return malformed
    return ids - set(_lookup(organization_id, ids - malformed))


def channel_choices(organization_id: str) -> list[tuple[str, str]]:
    """(id, label) of the organization's alert channels; none with nothing registered."""
    return [] if _choices is None else list(_choices(organization_id))
