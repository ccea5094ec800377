"""Plans and what each allows. `None` means unlimited."""

from dataclasses import dataclass

from django.db import models


class Plan(models.TextChoices):
    FREE = "free", "Free"
    STARTER = "starter", "Starter"
    PROFESSIONAL = "professional", "Professional"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


@dataclass(frozen=True)
class PlanLimits:
    requests_per_hour: int | None
    monitors: int | None
    status_pages: int | None
    webhooks: int | None
    alert_channels: int | None


PLAN_LIMITS: dict[str, PlanLimits] = {
    Plan.FREE: PlanLimits(requests_per_hour=100, monitors=50, status_pages=1, webhooks=2, alert_channels=2),
    Plan.STARTER: PlanLimits(requests_per_hour=1_000, monitors=200, status_pages=5, webhooks=10, alert_channels=10),
    Plan.PROFESSIONAL: PlanLimits(
        requests_per_hour=10_000, monitors=1_000, status_pages=20, webhooks=50, alert_channels=50
    ),
    Plan.BUSINESS: PlanLimits(
        requests_per_hour=50_000, monitors=10_000, status_pages=100, webhooks=200, alert_channels=200
    ),
    # Enterprise: the request limit is set per organization by an operator.
    Plan.ENTERPRISE: PlanLimits(
        requests_per_hour=None, monitors=None, status_pages=None, webhooks=None, alert_channels=None
    ),
}


def has_room(organization: models.Model, limit: int | None, existing: models.QuerySet) -> bool:
    """Whether one more row fits under ``limit``, ``existing`` being the organization's rows of that kind.

    Call it inside the transaction that inserts the row. It first locks the organization's row, so concurrent
    creates for one organization count and insert one after another and none passes the limit. (On SQLite,
    which has no row locks, IMMEDIATE transactions already let one writer in at a time.)
    """
    if limit is None:
        return True
    # type(organization): models.py imports this module, so Organization cannot be imported here.
    type(organization)._default_manager.select_for_update().only("pk").get(pk=organization.pk)
    return existing.count() < limit
