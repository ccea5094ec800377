from django.utils.functional import SimpleLazyObject

from .dashboard import membership_of


def dashboard(request) -> dict:
    """`membership` for the layout's menu: the signed-in person's, read only if used."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"membership": None}
    return {"membership": SimpleLazyObject(lambda: getattr(request, "membership", None) or membership_of(request))}
