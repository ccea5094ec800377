from rest_framework.routers import SimpleRouter

from .views import EventViewSet, WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=False)
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("events", EventViewSet, basename="event")

urlpatterns = router.urls
