from rest_framework.routers import SimpleRouter

from .views import StatusPageViewSet

router = SimpleRouter(trailing_slash=False)
router.register("status-pages", StatusPageViewSet, basename="status-page")

urlpatterns = router.urls
