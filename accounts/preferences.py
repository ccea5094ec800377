"""A person's own preferences (their time zone), kept in their Profile."""

import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser

from .models import Profile

DEFAULT_TIME_ZONE = "UTC"


@cache
def time_zone_names() -> list[str]:
    """The zones the system's tz database knows, sorted, for the settings form."""
    return sorted(zoneinfo.available_timezones())


def time_zone_of(user_id: int) -> str:
    return Profile.objects.filter(user_id=user_id).values_list("time_zone", flat=True).first() or DEFAULT_TIME_ZONE


def time_zone_set(*, user: AbstractBaseUser, time_zone: str) -> Profile:
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"time_zone": time_zone})
    return profile
