from django.apps import AppConfig


def _existing_channels(organization_id, ids) -> set[str]:
    from .models import AlertChannel

    return set(AlertChannel.objects.filter(organization_id=organization_id, id__in=ids).values_list("id", flat=True))


def _channel_choices(organization_id) -> list[tuple[str, str]]:
    from .models import AlertChannel

    channels = AlertChannel.objects.filter(organization_id=organization_id).order_by("name", "id")
    return [(channel.id, f"{channel.name} ({channel.get_type_display()})") for channel in channels]


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from incidents.signals import monitors_transitioned
        from monitors import channel_refs
        from webhooks import queues
        from webhooks.publishing import events_published

        from .alert_queue import ALERTS
        from .routing import on_events, on_transitions

        queues.register(ALERTS)
        monitors_transitioned.connect(on_transitions, dispatch_uid="alerts.on_transitions")
        events_published.connect(on_events, dispatch_uid="alerts.on_events")
        channel_refs.register(_existing_channels, _channel_choices)

        # First run and sign-up: the owner's email channel, covering every monitor.
        from accounts.signals import organization_created

        from .services import owner_email_channel_on_signup

        organization_created.connect(owner_email_channel_on_signup, dispatch_uid="alerts.owner_email_channel")
