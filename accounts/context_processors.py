from django.utils.functional import SimpleLazyObject

from .dashboard import membership_of
from .models import Membership


def dashboard(request) -> dict:
    """For the layout's menu, read only if used: the signed-in person's `membership` and,
    for the organization switcher, all their `memberships`."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"membership": None, "memberships": []}
    return {
        "membership": SimpleLazyObject(lambda: getattr(request, "membership", None) or membership_of(request)),
        "memberships": SimpleLazyObject(
            lambda: list(Membership.objects.filter(user=request.user).select_related("organization"))
        ),
    }
