"""One class per API resource, each a namespace on the Client (`client.monitors`)."""

from .alert_channels import AlertChannels
from .api_keys import ApiKeys
from .events import Events
from .incidents import Incidents
from .maintenances import Maintenances
from .monitors import Monitors
from .status_pages import StatusPages
from .webhooks import Webhooks

__all__ = ["AlertChannels", "ApiKeys", "Events", "Incidents", "Maintenances", "Monitors", "StatusPages", "Webhooks"]
