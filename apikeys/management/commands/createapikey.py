from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from accounts.models import Organization
from accounts.plans import Plan
from accounts.services import organization_get_or_create
from apikeys.models import ApiKey
from apikeys.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization (created if missing); the key is printed alone on the last line. "
        "Without --org, the key is for the only organization there is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Organization slug (Settings -> Organization shows it)")
        parser.add_argument(
            "--plan", choices=Plan.values, help="Plan of the organization (a new one is on free unless given)"
        )
        parser.add_argument("--permission", choices=ApiKey.Permission.values, default=ApiKey.Permission.ADMIN)
        parser.add_argument("--name", default="Command line key")

    def handle(self, *args, org, plan, permission, name, **options):
        slugs = list(Organization.objects.order_by("slug").values_list("slug", flat=True)[:21])
        if org is None:
            if len(slugs) != 1:
                known = ", ".join(slugs[:20]) or "none yet"
                raise CommandError(f"--org is required when there is not exactly one organization (there are: {known})")
            org = slugs[0]
        try:
            validate_slug(org)
        except ValidationError:
            raise CommandError(f"--org must be a slug (letters, digits, - and _), got {org!r}") from None
        organization, created = organization_get_or_create(slug=org, plan=plan)
        if created and slugs:
            # A mistyped slug would otherwise leave the key on a new, empty organization unnoticed.
            self.stderr.write(
                f"Created a new, empty organization {org!r}; existing organizations: {', '.join(slugs[:20])}"
            )
        key, raw_key = api_key_create(organization=organization, name=name[:100], permission=permission)
        self.stderr.write(f"Created {key.permission} key {key.id} for {organization.slug} ({organization.plan})")
        self.stdout.write(raw_key)
