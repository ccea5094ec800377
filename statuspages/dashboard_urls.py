"""Dashboard pages for status pages."""

app_name = "pages"

urlpatterns = []
