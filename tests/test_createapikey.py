"""createapikey as a new user meets it: the organization made in the browser, found without its slug."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organization
from accounts.plans import Plan
from apikeys.models import ApiKey

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("createapikey", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_without_org_the_key_is_for_the_only_organization():
    organization = Organization.objects.create(name="My Company", slug="my-company", plan=Plan.STARTER)

    stdout, _ = run("--permission", "read", "--name", "laptop")

    key = ApiKey.objects.get()
    assert key.organization == organization
    assert key.permission == "read"
    assert stdout.strip().startswith("sk_live_")
    assert Organization.objects.count() == 1


def test_without_org_and_several_organizations_it_names_them_and_makes_nothing():
    Organization.objects.create(name="A", slug="alpha")
    Organization.objects.create(name="B", slug="beta")

    with pytest.raises(CommandError, match="alpha, beta"):
        run()

    assert not ApiKey.objects.exists()


def test_without_org_and_no_organization_it_says_so():
    with pytest.raises(CommandError, match="none yet"):
        run()


def test_a_new_slug_beside_existing_organizations_is_pointed_out():
    Organization.objects.create(name="My Company", slug="my-company")

    _, stderr = run("--org", "acme")

    assert "new, empty organization 'acme'" in stderr
    assert "my-company" in stderr
    assert Organization.objects.filter(slug="acme").exists()


def test_an_existing_organization_keeps_its_plan_unless_one_is_given():
    organization = Organization.objects.create(name="My Company", slug="my-company", plan=Plan.BUSINESS)

    run("--org", "my-company")
    organization.refresh_from_db()
    assert organization.plan == Plan.BUSINESS

    run("--org", "my-company", "--plan", "starter")
    organization.refresh_from_db()
    assert organization.plan == Plan.STARTER
