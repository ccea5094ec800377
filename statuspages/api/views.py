from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from statusapp.api.ids import ID_URL_PATTERN
from statusapp.api.viewsets import CreatedLocationMixin, OrganizationScopedViewSet, RateLimitFirstMixin
from statuspages import services, subscriptions
from statuspages.filters import StatusPageFilterSet
from statuspages.models import StatusPage, Subscriber

from .serializers import StatusPageSerializer, SubscriberSerializer

PAGE_CHANGE_EXAMPLES = [
    OpenApiExample("Rename", value={"name": "Updated Name", "description": "Updated description"}, request_only=True),
    OpenApiExample("Make private", value={"isPublic": False, "password": "correct horse battery"}, request_only=True),
    OpenApiExample(
        "Email subscribers about automatic incidents", value={"notifyAutomaticIncidents": True}, request_only=True
    ),
]


DOMAIN_CHECK = inline_serializer(
    "CustomDomainCheck",
    {
        "customDomain": serializers.CharField(allow_null=True),
        "customDomainVerified": serializers.BooleanField(),
        "verifiedBy": serializers.ChoiceField(choices=["dns", "http"], allow_null=True),
        "message": serializers.CharField(help_text="What the check found."),
    },
)


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "A page showing one monitor",
                value={
                    "name": "Acme Cloud Status",
                    "description": "Live status of the Acme Cloud API and dashboard.",
                    "components": ["mon_123"],
                },
                request_only=True,
            )
        ]
    ),
    update=extend_schema(examples=PAGE_CHANGE_EXAMPLES),
    partial_update=extend_schema(examples=PAGE_CHANGE_EXAMPLES),
)
class StatusPageViewSet(OrganizationScopedViewSet):
    queryset = StatusPage.objects.prefetch_related("components")
    serializer_class = StatusPageSerializer
    filterset_class = StatusPageFilterSet

    def perform_create(self, serializer):
        serializer.instance = services.status_page_create(
            organization=self.request.auth.organization, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.status_page_update(page=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.status_page_delete(page=instance)

    @extend_schema(
        summary="Verify a status page's custom domain",
        description="Checks now for the page's customDomainToken in a TXT record at "
        "_statusapp-challenge.<customDomain>, then at http://<customDomain>/.well-known/statusapp-challenge. "
        "A verified domain is routed to the page; until then requests for it are not. "
        "`message` says what the check found, or why it was not made (no custom domain, or another "
        "page has already verified it).",
        request=None,
        responses={200: DOMAIN_CHECK},
    )
    @action(detail=True, methods=["post"], url_path="verify-domain")
    def verify_domain(self, request, pk=None):
        page = self.get_object()
        result = services.verify_custom_domain(page=page)
        return Response(
            {
                "customDomain": page.custom_domain,
                "customDomainVerified": page.custom_domain_verified,
                "verifiedBy": result.method or None,
                "message": result.detail,
            }
        )


PAGE_ID = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The status page's id.")
SUBSCRIBER_ID = OpenApiParameter("subscriberId", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(
        summary="List a status page's subscribers",
        description="Pending and confirmed addresses; those that unsubscribed are left out.",
        parameters=[PAGE_ID],
    ),
    create=extend_schema(
        summary="Subscribe an address to a status page",
        description="Sends a confirmation email unless `confirmed` is true. Idempotent: an address "
        "already subscribed is returned as it is.",
        parameters=[PAGE_ID],
        examples=[
            OpenApiExample("Subscribe, confirming by email", value={"email": "ops@example.com"}, request_only=True),
            OpenApiExample(
                "Import an address that already opted in",
                value={"email": "cto@example.com", "confirmed": True},
                request_only=True,
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One subscriber",
        description="A pending or confirmed address; one that unsubscribed is a 404.",
        parameters=[PAGE_ID, SUBSCRIBER_ID],
    ),
    destroy=extend_schema(
        summary="Remove a subscriber",
        description="Erases the address and its email log; it may subscribe again later.",
        parameters=[PAGE_ID, SUBSCRIBER_ID],
    ),
)
class StatusPageSubscriberViewSet(
    CreatedLocationMixin,
    RateLimitFirstMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """/api/status-pages/{id}/subscribers and /api/status-pages/{id}/subscribers/{subscriberId}.

    `id` in the URL is the page's (as on /api/status-pages/{id}); another organization's
    page is a 404.
    """

    queryset = Subscriber.objects.all()
    serializer_class = SubscriberSerializer
    lookup_url_kwarg = "subscriberId"
    lookup_value_regex = ID_URL_PATTERN
    http_method_names = ["get", "post", "delete", "head", "options"]
    # A list page is read as light rows: just what the serializer shows.
    list_columns = ("id", "email", "confirmed_at", "created_at")

    @property
    def required_permission(self) -> str | None:
        # Anyone with a key may read the list; adding an address or removing one needs admin.
        return None if self.request.method in SAFE_METHODS else "admin"

    def get_page(self) -> StatusPage:
        if not hasattr(self, "_page"):
            self._page = get_object_or_404(
                StatusPage.objects.only("id", "organization_id", "slug", "name"),
                pk=self.kwargs["id"],
                organization=self.request.auth.organization,
            )
        return self._page

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Subscriber.objects.none()
        queryset = super().get_queryset().filter(page=self.get_page())
        if self.action in ("list", "retrieve"):
            queryset = queryset.filter(unsubscribed_at__isnull=True)
        return queryset

    def get_object(self):
        # For DELETE any of the page's subscribers, unsubscribed ones too, so an address can always be erased.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs[self.lookup_url_kwarg])

    def create(self, request, *args, **kwargs):
        page = self.get_page()  # an unknown page is a 404 before the body is judged
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            subscriber = subscriptions.subscribe(page=page, email=data["email"], confirmed=data["confirmed"])
        except subscriptions.AddressUnsubscribed as exc:
            raise ValidationError({"confirmed": [str(exc)]}) from None
        return Response(self.get_serializer(subscriber).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        subscriptions.subscriber_delete(subscriber=instance)
