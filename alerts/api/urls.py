from django.urls import re_path
from rest_framework.routers import SimpleRouter

from statusapp.api.ids import ID_URL_PATTERN

from .views import AlertChannelViewSet, MonitorAcknowledgeView

router = SimpleRouter(trailing_slash=False)
router.register("alert-channels", AlertChannelViewSet, basename="alert-channel")

urlpatterns = [
    *router.urls,
    re_path(
        rf"^monitors/(?P<id>{ID_URL_PATTERN})/acknowledge$",
        MonitorAcknowledgeView.as_view(),
        name="monitor-acknowledge",
    ),
]
