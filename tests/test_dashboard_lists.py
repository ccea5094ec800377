"""Dashboard lists a new user meets: status page descriptions rendered from Markdown, and
"New …" buttons that say so at the plan's limit instead of offering a form that fails."""

from accounts.models import Organization

from .factories import StatusPageFactory, WebhookEndpointFactory


def _free(org) -> None:
    Organization.objects.filter(pk=org.pk).update(plan="free")


def test_status_page_descriptions_are_rendered_markdown_not_raw(client, person, org):
    person(org, "viewer", client)
    StatusPageFactory(
        organization=org,
        name="Acme status",
        description="**Live** status of [Acme](https://acme.example.com)\n<script>alert(1)</script>",
    )
    html = client.get("/pages/").content.decode()
    description = html[html.index('<div class="muted description">') :].split("</div>")[0]
    assert "<strong>Live</strong>" in description
    assert '<a href="https://acme.example.com" rel="nofollow noopener noreferrer">Acme</a>' in description
    assert "**" not in description and "<script" not in description and "alert" not in description


def test_long_status_page_descriptions_are_cut_short_with_their_markup_closed(client, person, org):
    person(org, "viewer", client)
    StatusPageFactory(organization=org, description="**" + " ".join(["word"] * 100) + "**")
    html = client.get("/pages/").content.decode()
    description = html[html.index('<div class="muted description">') :].split("</div>")[0]
    assert description.count("word") == 30 and description.rstrip().endswith("…</strong></p>")


def test_the_new_status_page_button_says_when_the_plan_allows_no_more(client, person, org):
    person(org, "member", client)
    _free(org)
    assert '<a class="button" href="/pages/new">New status page</a>' in client.get("/pages/").content.decode()
    StatusPageFactory(organization=org)  # Free allows one
    html = client.get("/pages/").content.decode()
    assert '<button type="button" disabled>New status page</button>' in html
    assert "Plan limit reached: 1 status page on Free" in html and 'href="/pages/new"' not in html


def test_the_new_webhook_button_says_when_the_plan_allows_no_more(client, person, org):
    person(org, "admin", client)
    _free(org)
    WebhookEndpointFactory(organization=org)
    assert '<a class="button" href="/webhooks/new">New endpoint</a>' in client.get("/webhooks/").content.decode()
    WebhookEndpointFactory(organization=org)  # Free allows two
    html = client.get("/webhooks/").content.decode()
    assert '<button type="button" disabled>New endpoint</button>' in html
    assert '<a href="/settings/" data-plan-limit>Plan limit reached: 2 webhook endpoints on Free</a>' in html


def test_no_limit_no_notice(client, person, org):
    person(org, "admin", client)
    Organization.objects.filter(pk=org.pk).update(plan="enterprise")
    StatusPageFactory.create_batch(3, organization=org)
    assert "Plan limit" not in client.get("/pages/").content.decode()
    assert "Plan limit" not in client.get("/webhooks/").content.decode()
