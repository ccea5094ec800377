from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from accounts.plans import Plan
from accounts.services import organization_get_or_create
from apikeys.models import ApiKey
from apikeys.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key (and its organization if missing); the key is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization slug")
        parser.add_argument("--plan", choices=Plan.values, default=Plan.FREE)
        parser.add_argument("--permission", choices=ApiKey.Permission.values, default=ApiKey.Permission.ADMIN)
        parser.add_argument("--name", default="Command line key")

    def handle(self, *args, org, plan, permission, name, **options):
        try:
            validate_slug(org)
        except ValidationError:
            raise CommandError(f"--org must be a slug (letters, digits, - and _), got {org!r}") from None
        organization = organization_get_or_create(slug=org, plan=plan)
        key, raw_key = api_key_create(organization=organization, name=name[:100], permission=permission)
        self.stderr.write(f"Created {key.permission} key {key.id} for {organization.slug} ({organization.plan})")
        self.stdout.write(raw_key)
