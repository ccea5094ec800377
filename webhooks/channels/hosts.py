"""The fixed API base URLs the paging and push services are reached at; tests point them at 127.0.0.1."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hosts:
    pagerduty_events_url: str = "https://events.pagerduty.com/v2/enqueue"
    opsgenie_api_url: str = "https://api.opsgenie.com"
    telegram_api_url: str = "https://api.telegram.org"
    pushover_api_url: str = "https://api.pushover.net"
    twilio_api_url: str = "https://api.twilio.com"
