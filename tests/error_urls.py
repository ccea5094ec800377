"""The app's URLs plus two that fail, for the error page tests (@pytest.mark.urls)."""

from django.db import OperationalError, connection
from django.urls import path

from statusapp.urls import handler400, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]


def crash(request):
    raise RuntimeError("boom: secret detail")


def _refuse(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def crash_as_the_database_goes(request):
    """A failure after which every query fails too: the error page has to do without the database."""
    connection.execute_wrappers.append(_refuse)
    raise RuntimeError("boom")


def database_back() -> None:
    if _refuse in connection.execute_wrappers:
        connection.execute_wrappers.remove(_refuse)


urlpatterns = [
    path("test/crash", crash),
    path("test/crash-without-database", crash_as_the_database_goes),
    *urlpatterns,
]
