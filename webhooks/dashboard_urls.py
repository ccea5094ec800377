"""Dashboard pages for webhooks."""

app_name = "webhooks"

urlpatterns = []
