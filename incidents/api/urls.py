from rest_framework.routers import SimpleRouter

from .maintenance_views import MaintenanceViewSet
from .views import IncidentViewSet

router = SimpleRouter(trailing_slash=False)
router.register("incidents", IncidentViewSet, basename="incident")
router.register("maintenances", MaintenanceViewSet, basename="maintenance")

urlpatterns = router.urls
