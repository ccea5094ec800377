from django.apps import AppConfig


class StatuspagesConfig(AppConfig):
    name = "statuspages"
    verbose_name = "Status pages"

    def ready(self) -> None:
        # Imported here, not at module level: models are not loaded before ready().
        from accounts import generation
        from incidents.signals import incident_updates_published

        from . import subscriptions

        generation.track(self.get_model("StatusPage"))
        generation.track(self.get_model("StatusPageComponent"), organization_of=lambda row: row.page.organization_id)

        incident_updates_published.connect(
            subscriptions.notify_subscribers_of_updates, dispatch_uid="statuspages.notify_subscribers_of_updates"
        )
