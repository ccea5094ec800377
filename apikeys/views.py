"""Dashboard pages for API keys (admins only): the list, creation (the raw key is shown
once, in the answer to the POST that made it: never stored, put in a message or a URL)
and revocation. The form is validated by the API's serializer, so the rules and the
messages are the API's."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.dashboard import dashboard_view, field_errors
from accounts.models import Membership

from . import services
from .api.serializers import ApiKeySerializer
from .models import ApiKey

ADMIN = Membership.Role.ADMIN
PAGE_SIZE = 50
PERMISSION_HELP = {
    ApiKey.Permission.READ: "reads everything (GET)",
    ApiKey.Permission.WRITE: "reads, creates and updates",
    ApiKey.Permission.ADMIN: "everything, including deletes, webhooks and API keys",
}


@dashboard_view(ADMIN)
def key_list(request):
    keys = ApiKey.objects.filter(organization=request.organization).order_by("-created_at", "id")
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "section": "apikeys",
        "title": "API keys",
        "page": page,
        "keys": page.object_list,
        "now": timezone.now(),
    }
    return render(request, "apikeys/list.html", context)


def _expires_at(value: str) -> str:
    """A date from the form's date field as the API's date-time: 00:00 UTC that day.
    Anything else goes to the serializer as it is, for its own message."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.isoformat()}T00:00:00Z"


def _api_data(post) -> dict:
    """The form as the API's body: an empty permission or expiry is left out, as the API's clients would."""
    data = {"name": post.get("name", "").strip()}
    if post.get("permission"):
        data["permission"] = post["permission"]
    expires = post.get("expiresAt", "").strip()
    if expires:
        data["expiresAt"] = _expires_at(expires)
    return data


@dashboard_view(ADMIN)
def key_create(request):
    errors: dict[str, str] = {}
    values = {"name": "", "permission": ApiKey.Permission.READ, "expiresAt": ""}
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in values}
        serializer = ApiKeySerializer(data=_api_data(request.POST))
        if serializer.is_valid():
            key, raw_key = services.api_key_create(
                organization=request.organization,
                name=serializer.validated_data["name"],
                permission=serializer.validated_data["permission"],
                expires_at=serializer.validated_data.get("expires_at"),
                created_by=request.user,
            )
            response = render(
                request,
                "apikeys/created.html",
                {"section": "apikeys", "title": "API key created", "key": key, "raw_key": raw_key},
            )
            add_never_cache_headers(response)  # no copy of the key in any cache, the browser's included
            return response
        errors = field_errors(serializer.errors)
    context = {
        "section": "apikeys",
        "title": "New API key",
        "values": values,
        "errors": errors,
        "permissions": [(value, label, PERMISSION_HELP[value]) for value, label in ApiKey.Permission.choices],
        "today": timezone.now().date(),
    }
    return render(request, "apikeys/form.html", context, status=400 if errors else 200)


@dashboard_view(ADMIN)
def key_revoke(request, api_key_id: str):
    key = get_object_or_404(ApiKey, pk=api_key_id, organization=request.organization)
    if key.revoked_at is not None:
        messages.info(request, f"API key “{key.name}” ({key.prefix}…) is revoked already.")
        return redirect("apikeys:list")
    if request.method == "POST":
        services.api_key_revoke(key=key)
        messages.success(request, f"API key “{key.name}” ({key.prefix}…) revoked.")
        return redirect("apikeys:list")
    context = {"section": "apikeys", "title": "Revoke API key", "key": key}
    return render(request, "apikeys/confirm_revoke.html", context)
