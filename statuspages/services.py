from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Organization
from monitors.models import Monitor
from statusapp.api.exceptions import PlanLimitReached

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
    if limit is not None and StatusPage.objects.filter(organization=organization).count() >= limit:
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} status pages.")
    page = StatusPage(
        organization=organization,
        name=name,
        slug=slug or _free_slug(name),
        description=description,
        is_public=is_public,
        **settings,
    )
    _set_logo(page, logo)
    page.save()
    _set_components(page, components)
    return page


@transaction.atomic
def status_page_update(
    *, page: StatusPage, components: Components | None = None, logo: tuple[bytes, str] | None = None, **fields
) -> StatusPage:
    for name, value in fields.items():
        setattr(page, name, value)
    _set_logo(page, logo)
    page.save()
    if components is not None:
        _set_components(page, components)
    return page


def status_page_delete(*, page: StatusPage) -> None:
    page.delete()
