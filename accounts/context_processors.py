from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from .dashboard import membership_of
from .models import Membership


def dashboard(request) -> dict:
    """For the layout's menu, read only if used: the signed-in person's `membership` and,
    for the organization switcher, all their `memberships`.

    The error pages use the layout too, the 500 page maybe because the database went away:
    whatever cannot be read then is left out (no menu) rather than failing the page."""
    try:
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    except DatabaseError:  # the session or the user could not be read
        signed_in = False
    if not signed_in:
        return {"membership": None, "memberships": []}
    return {
        "membership": SimpleLazyObject(lambda: getattr(request, "membership", None) or _read(membership_of, request)),
        "memberships": SimpleLazyObject(lambda: _read(_memberships, request) or []),
    }


def _memberships(request) -> list[Membership]:
    return list(Membership.objects.filter(user=request.user).select_related("organization"))


def _read(query, request):
    try:
        return query(request)
    except DatabaseError:
        return None
