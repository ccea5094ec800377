from .models import Organization
from .plans import Plan


def organization_get_or_create(*, slug: str, plan: str = Plan.FREE, name: str = "") -> Organization:
    """The organization with this slug, created with the plan if missing.

    An existing organization is moved to `plan` when it differs.
    """
    organization, created = Organization.objects.get_or_create(slug=slug, defaults={"name": name or slug, "plan": plan})
    if not created and organization.plan != plan:
        organization.plan = plan
        organization.save(update_fields=["plan"])
    return organization
