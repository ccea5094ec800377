"""Finding a public page by slug or custom domain, and who may read it.

Public pages are for everyone. A private page with a password lets in whoever gave it
(remembered in a cookie tied to the password, so changing it locks everyone out again);
a private page without one is for the organization's members, logged in to the dashboard.

Pages are kept per process like API keys: while their organization's generation holds,
read at most once a second per process (GENERATION_WITHIN): a change made in another
process shows on the pages within that second.
"""

import time

from django.contrib.auth.hashers import check_password
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import generation
from accounts.models import Membership

from .models import StatusPage

_organization_of: dict[str, str] = {}  # slug -> organization id; a page never moves
_kept: dict[str, tuple[StatusPage, str, float]] = {}
_MAX_KEPT = 1024
GENERATION_WITHIN = 1.0
_PAGE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "slug",
    "description",
    "is_public",
    "password_hash",
    "accent_color",
    "logo_type",
    "custom_domain",
    "updated_at",
)


def find(slug: str) -> tuple[StatusPage | None, str | None]:
    """The page with this slug and its organization's generation (None without Redis)."""
    organization_id = _organization_of.get(slug)
    current = generation.current(organization_id, within=GENERATION_WITHIN) if organization_id else None
    if current is not None:
        kept = _kept.get(slug)
        if kept is not None and kept[1] == current and time.monotonic() - kept[2] < generation.MAX_AGE:
            return kept[0], current
    page = StatusPage.objects.filter(slug=slug).only(*_PAGE_FIELDS).first()
    if page is None:
        _kept.pop(slug, None)
        return None, None
    if organization_id is None:
        _organization_of[slug] = page.organization_id
        current = generation.current(page.organization_id, within=GENERATION_WITHIN)
        page = StatusPage.objects.filter(slug=slug).only(*_PAGE_FIELDS).first() or page
    if current is not None:
        if len(_kept) >= _MAX_KEPT:
            _kept.clear()
        _kept[slug] = (page, current, time.monotonic())
    return page, current


def slug_for_domain(host: str) -> str | None:
    return StatusPage.objects.filter(custom_domain=host.lower()).values_list("slug", flat=True).first()


def cookie_name(page: StatusPage) -> str:
    return f"statuspage_{page.id}"


def password_token(page: StatusPage) -> str:
    return salted_hmac("statuspages.access", f"{page.id}:{page.password_hash}").hexdigest()


def password_matches(page: StatusPage, password: str) -> bool:
    return bool(page.password_hash) and check_password(password, page.password_hash)


def allowed(request, page: StatusPage) -> bool:
    if page.is_public:
        return True
    if page.password_hash:
        return constant_time_compare(request.COOKIES.get(cookie_name(page), ""), password_token(page))
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(user=user, organization_id=page.organization_id).exists()
    )
