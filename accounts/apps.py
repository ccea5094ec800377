from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from . import generation

        generation.track(self.get_model("Organization"), organization_of=lambda organization: organization.pk)
