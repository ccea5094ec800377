from rest_framework.routers import SimpleRouter

from statusapp.api.ids import ID_URL_PATTERN

from .views import StatusPageSubscriberViewSet, StatusPageViewSet

router = SimpleRouter(trailing_slash=False)
router.register("status-pages", StatusPageViewSet, basename="status-page")
router.register(
    rf"status-pages/(?P<id>{ID_URL_PATTERN})/subscribers",
    StatusPageSubscriberViewSet,
    basename="status-page-subscriber",
)

urlpatterns = router.urls
