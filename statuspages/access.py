"""Finding a public page by slug or custom domain, and who may read it.

Public pages are for everyone. A private page with a password lets in whoever gave it
(remembered in a cookie tied to the password, so changing it locks everyone out again);
a private page without one is for the organization's members, logged in to the dashboard.

Password guesses are throttled before any hash is computed (each check is a PBKDF2 hash, so
unthrottled guessing is both a brute force and a way to tie up the workers): an address gets
MAX_GUESSES_PER_ADDRESS guesses per page per GUESS_WINDOW, and a page MAX_GUESSES_PER_PAGE
from everyone per PAGE_GUESS_WINDOW (against a guesser with many addresses). Past either, every
guess is refused unchecked, the right password too, until the window ends; a cookie already
given keeps working.

Pages are kept per process like API keys: while their organization's generation holds,
read at most once a second per process (GENERATION_WITHIN): a change made in another
process shows on the pages within that second.
"""

import time

from django.contrib.auth.hashers import check_password
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts import attempts, generation
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
    verified = StatusPage.objects.filter(custom_domain=host.lower(), custom_domain_verified=True)
    return verified.values_list("slug", flat=True).first()


def cookie_name(page: StatusPage) -> str:
    return f"statuspage_{page.id}"


def password_token(page: StatusPage) -> str:
    return salted_hmac("statuspages.access", f"{page.id}:{page.password_hash}").hexdigest()


MAX_GUESSES_PER_ADDRESS = 10
GUESS_WINDOW = 15 * 60
MAX_GUESSES_PER_PAGE = 100
PAGE_GUESS_WINDOW = 3600


class GuessesRefused(Exception):
    """Too many wrong passwords lately: the guess was refused without being checked."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def password_matches(page: StatusPage, password: str, address: str) -> bool:
    """Whether `password` is the page's; raises GuessesRefused, before hashing, once throttled.

    Every guess is counted before it is checked (so concurrent guesses cannot slip past the
    limit); a right one clears its address's count, and stays counted in the page's cap.
    """
    address_key = f"page-password:{page.id}:addr:{address}"
    over = [
        window
        for key, limit, window in (
            (address_key, MAX_GUESSES_PER_ADDRESS, GUESS_WINDOW),
            (f"page-password:{page.id}", MAX_GUESSES_PER_PAGE, PAGE_GUESS_WINDOW),
        )
        if attempts.record(key, window) > limit
    ]
    if over:
        raise GuessesRefused(max(over))
    if page.password_hash and check_password(password, page.password_hash):
        attempts.forget(address_key)
        return True
    return False


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
