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


def _set_components(page: StatusPage, monitors: Sequence[Monitor]) -> None:
    StatusPageComponent.objects.filter(page=page).delete()
    StatusPageComponent.objects.bulk_create(
        StatusPageComponent(page=page, monitor=monitor, position=position) for position, monitor in enumerate(monitors)
    )


@transaction.atomic
def status_page_create(
    *,
    organization: Organization,
    name: str,
    slug: str = "",
    description: str = "",
    is_public: bool = True,
    components: Sequence[Monitor] = (),
) -> StatusPage:
    limit = organization.limits.status_pages
    if limit is not None and StatusPage.objects.filter(organization=organization).count() >= limit:
        raise PlanLimitReached(f"The {organization.plan} plan allows {limit} status pages.")
    page = StatusPage.objects.create(
        organization=organization,
        name=name,
        slug=slug or _free_slug(name),
        description=description,
        is_public=is_public,
    )
    _set_components(page, components)
    return page


@transaction.atomic
def status_page_update(*, page: StatusPage, components: Sequence[Monitor] | None = None, **fields) -> StatusPage:
    for name, value in fields.items():
        setattr(page, name, value)
    page.save()
    if components is not None:
        _set_components(page, components)
    return page


def status_page_delete(*, page: StatusPage) -> None:
    page.delete()
