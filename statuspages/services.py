from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import Organization
from accounts.plans import has_room
from monitors.models import Monitor
from statusapp.api.exceptions import PlanLimitReached

from . import domain_verification
from .models import StatusPage, StatusPageComponent


def _free_slug(name: str) -> str:
    base = slugify(name)[:90] or "status"
    slug, suffix = base, 1
    while StatusPage.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


Components = Sequence[tuple[Monitor, str]]  # (monitor, group name or "")


def _set_components(page: StatusPage, components: Components) -> None:
    StatusPageComponent.objects.filter(page=page).delete()
    StatusPageComponent.objects.bulk_create(
        StatusPageComponent(page=page, monitor=monitor, group=group, position=position)
        for position, (monitor, group) in enumerate(components)
    )


def _set_logo(page: StatusPage, logo: tuple[bytes, str] | None) -> None:
    if logo is not None:
        page.logo, page.logo_type = logo


@transaction.atomic
def status_page_create(
    *,
    organization: Organization,
    name: str,
    slug: str = "",
    description: str = "",
    is_public: bool = True,
    components: Components = (),
    logo: tuple[bytes, str] | None = None,
    **settings,
) -> StatusPage:
    limit = organization.limits.status_pages
    if not has_room(organization, limit, StatusPage.objects.filter(organization=organization)):
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} status pages.")
    page = StatusPage(
        organization=organization,
        name=name,
        slug=slug or _free_slug(name),
        description=description,
        is_public=is_public,
        **settings,
    )
    if page.custom_domain:
        page.custom_domain_token = domain_verification.new_token()
    _set_logo(page, logo)
    page.save()
    _set_components(page, components)
    return page


@transaction.atomic
def status_page_update(
    *, page: StatusPage, components: Components | None = None, logo: tuple[bytes, str] | None = None, **fields
) -> StatusPage:
    if "custom_domain" in fields and fields["custom_domain"] != page.custom_domain:
        # A new domain is proved afresh, with a new token (one seen for the old domain proves nothing).
        page.custom_domain_verified = False
        page.custom_domain_token = domain_verification.new_token() if fields["custom_domain"] else ""
    for name, value in fields.items():
        setattr(page, name, value)
    _set_logo(page, logo)
    page.save()
    if components is not None:
        _set_components(page, components)
    return page


TAKEN = "Another status page has already verified this domain."


def verify_custom_domain(*, page: StatusPage) -> domain_verification.Result:
    """Check now that the page's owner controls its custom domain; on success the domain is routed.

    A domain another page holds verified stays that page's. A failed check leaves a verified
    domain verified.
    """
    if not page.custom_domain:
        return domain_verification.Result(False, "", "This page has no custom domain.")
    holder = StatusPage.objects.filter(custom_domain=page.custom_domain, custom_domain_verified=True)
    if holder.exclude(pk=page.pk).exists():
        return domain_verification.Result(False, "", TAKEN)
    result = domain_verification.check(page.custom_domain, page.custom_domain_token)
    if result.verified and not page.custom_domain_verified:
        page.custom_domain_verified = True
        try:
            with transaction.atomic():
                page.save(update_fields=["custom_domain_verified", "updated_at"])
        except IntegrityError:  # another page verified it while this one was being checked
            page.custom_domain_verified = False
            return domain_verification.Result(False, "", TAKEN)
    return result


def status_page_delete(*, page: StatusPage) -> None:
    page.delete()
