from django.apps import AppConfig


class MonitorsConfig(AppConfig):
    name = "monitors"

    def ready(self) -> None:
        from accounts import generation

        generation.track(self.get_model("Monitor"))
