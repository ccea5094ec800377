"""Dashboard pages for the organization: settings, members and invitations."""

app_name = "settings"

urlpatterns = []
