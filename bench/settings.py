"""Settings for benchmarks: the product's settings plus a trivial view to compare with."""

from statusapp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
