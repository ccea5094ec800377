from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"

    def ready(self) -> None:
        from . import queues
        from .webhook_queue import WEBHOOKS

        queues.register(WEBHOOKS)
