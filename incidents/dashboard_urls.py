"""Dashboard pages for incidents."""

app_name = "incidents"

urlpatterns = []
