"""Dashboard pages for apikeys."""

app_name = "apikeys"

urlpatterns = []
