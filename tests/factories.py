import factory

from accounts.models import Organization
from accounts.plans import Plan
from incidents.models import Incident
from monitors.models import Monitor
from statuspages.models import StatusPage
from webhooks.models import EventType, WebhookEndpoint
from webhooks.services import new_secret


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    plan = Plan.PROFESSIONAL


class MonitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Monitor

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Monitor {n}")
    type = Monitor.Type.HTTP
    url = factory.Sequence(lambda n: f"https://service{n}.example.com/health")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")


class StatusPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusPage

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Status {n}")
    slug = factory.Sequence(lambda n: f"status-{n}")


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(OrganizationFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/statusapp")
    events = factory.LazyFunction(lambda: list(EventType.values))
    secret = factory.LazyFunction(new_secret)
