from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts.client_address import client_address

from . import guessing
from .services import api_key_authenticate, is_kept


class ApiKeyUser:
    """The principal behind an API key: its organization, not a person."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, key, generation: str | None) -> None:
        self.key = key
        self.organization = key.organization
        self.generation = generation  # see accounts.generation

    def __str__(self) -> str:
        return f"API key {self.key.prefix}"


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer sk_live_…`, in the header only (never a query string)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <API key>'.")
        token, address = token.strip(), client_address(request)
        if not is_kept(token) and guessing.blocked(address):
            raise exceptions.Throttled(wait=guessing.WINDOW, detail=guessing.REFUSED)
        authenticated = api_key_authenticate(token)
        if authenticated is None:
            guessing.record_failure(address)
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        return ApiKeyUser(*authenticated), authenticated.key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Tells the OpenAPI schema (and Swagger UI's "Authorize") about Bearer keys."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "sk_live_…"}
