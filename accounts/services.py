from .models import Organization
from .plans import Plan


def organization_get_or_create(*, slug: str, plan: str | None = None, name: str = "") -> tuple[Organization, bool]:
    """The organization with this slug and whether it was created (on `plan`, free by default).

    An existing organization is moved to `plan` when one is given and differs.
    """
    organization, created = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name or slug, "plan": plan or Plan.FREE}
    )
    if not created and plan and organization.plan != plan:
        organization.plan = plan
        organization.save(update_fields=["plan"])
    return organization, created
