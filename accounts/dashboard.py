"""What every dashboard view shares: the signed-in person's organization and role.

A person may belong to several organizations; the one they work in is kept in the
session (switched from the menu), else their first. Roles, lowest first: a viewer reads,
a member also creates and edits monitors, incidents and pages, an admin also manages
webhooks, API keys and members, and the owner also the organization itself.
"""

from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .models import Membership

ROLE_RANK = {Membership.Role.VIEWER: 0, Membership.Role.MEMBER: 1, Membership.Role.ADMIN: 2, Membership.Role.OWNER: 3}
SESSION_KEY = "organization_id"


def membership_of(request) -> Membership | None:
    memberships = Membership.objects.filter(user=request.user).select_related("organization").order_by("created_at")
    chosen = request.session.get(SESSION_KEY)
    return (chosen and memberships.filter(organization_id=chosen).first()) or memberships.first()


def can(membership: Membership, role: str) -> bool:
    return ROLE_RANK[membership.role] >= ROLE_RANK[role]


def dashboard_view(role: str = Membership.Role.VIEWER) -> Callable:
    """Signed in, a member of an organization, with at least `role`. The view gets
    `request.membership` and `request.organization`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            membership = membership_of(request)
            if membership is None:  # e.g. removed from their organization
                message = "You are not a member of any organization. Ask an admin for an invitation link."
                context = {"title": "No organization", "message": message}
                return render(request, "accounts/message.html", context, status=403)
            if not can(membership, role):
                raise PermissionDenied(f"This needs the {role} role.")
            request.membership, request.organization = membership, membership.organization
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def error_text(detail) -> str:
    """A serializer's errors for one field as one sentence (nested ones flattened)."""
    if isinstance(detail, dict):
        return " ".join(error_text(value) for value in detail.values())
    if isinstance(detail, list | tuple):
        return " ".join(error_text(value) for value in detail)
    return str(detail)


def field_errors(serializer_errors: dict) -> dict[str, str]:
    """An API serializer's errors as {field: message}, for showing next to form fields."""
    return {name: error_text(detail) for name, detail in serializer_errors.items()}


def api_context(request) -> dict:
    """What the API serializers read from their request (the caller's organization and the
    absolute URLs), for a dashboard view that validates through them."""
    stand_in = SimpleNamespace(
        auth=SimpleNamespace(organization=request.organization), build_absolute_uri=request.build_absolute_uri
    )
    return {"request": stand_in}
