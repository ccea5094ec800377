from django_filters import FilterSet
from rest_framework import status, viewsets
from rest_framework.generics import get_object_or_404

from .ids import ID_URL_PATTERN


class RateLimitFirstMixin:
    """Count a request against the plan before checking its permission.

    DRF checks permissions first, so a request refused with 403 would neither count
    nor carry the X-RateLimit headers; this is DRF's `initial()` with the two swapped.
    """

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)


class CreatedLocationMixin:
    """A create (201) answers `Location: <the collection's path>/<the new object's id>`.

    Every create in the API is a POST to a collection whose objects live at
    `<collection>/{id}`, so the path follows from the request and the body. DRF's own
    `get_success_headers` would take a `url` field, which for a monitor is its target.
    """

    def get_success_headers(self, data):
        return {}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_201_CREATED and isinstance(response.data, dict):
            created_id = response.data.get("id")
            if isinstance(created_id, str):
                response["Location"] = f"{request.path.rstrip('/')}/{created_id}"
        return response


class FindByIdMixin:
    """A detail lookup by id alone.

    DRF applies the list filters to detail lookups too: `?status=DOWN` would 404 an UP monitor.
    """

    def get_object(self):
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj


class OrganizationScopedViewSet(CreatedLocationMixin, FindByIdMixin, RateLimitFirstMixin, viewsets.ModelViewSet):
    """Objects of the caller's organization; another organization's object is a 404.

    `PUT` changes only the fields sent.
    """

    lookup_value_regex = ID_URL_PATTERN
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # The list's django-filter FilterSet (`<app>/filters.py`); an action listing other objects sets its own.
    filterset_class: type[FilterSet] | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return queryset.none()
        return queryset.filter(organization=self.request.auth.organization)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)
