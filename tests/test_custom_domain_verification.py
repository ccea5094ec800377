"""A custom domain is routed to a page only once its owner proved control of it: a TXT record
at _statusapp-challenge.<domain>, or the token at http://<domain>/.well-known/statusapp-challenge.
A real DNS server and a real HTTP server on 127.0.0.1 answer the checks."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from statuspages.models import StatusPage

from .engine.servers import BackgroundLoop, DNSServer

DOMAIN = "status.acme.test"


class ChallengeServer:
    """Serves `body` at /.well-known/statusapp-challenge; remembers the Host of each request."""

    def __init__(self) -> None:
        self.body = b""
        self.hosts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                outer.hosts.append(self.headers.get("Host", ""))
                found = self.path == "/.well-known/statusapp-challenge"
                body = outer.body if found else b"not here"
                self.send_response(200 if found else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dns_server(settings):
    loop = BackgroundLoop()
    server = DNSServer({(DOMAIN, "A"): ["127.0.0.1"], ("other.acme.test", "A"): ["127.0.0.1"]})
    loop.call(server.start(loop))
    settings.STATUSAPP_DOMAIN_RESOLVER = f"127.0.0.1:{server.port}"
    yield server
    loop.close()


@pytest.fixture
def challenge(settings):
    server = ChallengeServer()
    settings.STATUSAPP_DOMAIN_CHALLENGE_PORT = server.port
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _domains_allowed(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, DOMAIN, "other.acme.test"]


def txt(dns_server: DNSServer, value: str, domain: str = DOMAIN) -> None:
    dns_server.records[(f"_statusapp-challenge.{domain}", "TXT")] = [f'"{value}"']


def create_page(client, name: str = "Acme", domain: str = DOMAIN) -> dict:
    response = client.post("/api/status-pages", {"name": name, "customDomain": domain}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def verify(client, page_id: str):
    return client.post(f"/api/status-pages/{page_id}/verify-domain")


def served_page(domain: str = DOMAIN):
    response = Client().get("/", HTTP_HOST=domain)
    return response.content.decode() if response.status_code == 200 else None


def test_a_new_domain_gets_a_token_and_is_not_routed_until_verified(writer, dns_server, challenge):
    page = create_page(writer)
    assert page["customDomain"] == DOMAIN and page["customDomainVerified"] is False
    assert page["customDomainToken"].startswith("statusapp-")
    assert served_page() is None or "Acme" not in served_page()

    txt(dns_server, page["customDomainToken"])
    response = verify(writer, page["id"])
    assert response.status_code == 200
    assert response.json() == {
        "customDomain": DOMAIN,
        "customDomainVerified": True,
        "verifiedBy": "dns",
        "message": f"The TXT record at _statusapp-challenge.{DOMAIN} holds the token.",
    }
    assert writer.get(f"/api/status-pages/{page['id']}").json()["customDomainVerified"] is True
    assert "Acme" in served_page()


def test_a_wrong_or_missing_token_does_not_verify(writer, dns_server, challenge, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True
    page = create_page(writer)
    first = verify(writer, page["id"]).json()
    assert first["customDomainVerified"] is False and first["verifiedBy"] is None
    assert f"no TXT record at _statusapp-challenge.{DOMAIN}" in first["message"]
    assert "does not answer this page's token" in first["message"]

    txt(dns_server, "statusapp-someone-elses-token")
    challenge.body = b"statusapp-someone-elses-token"
    second = verify(writer, page["id"]).json()
    assert second["customDomainVerified"] is False
    assert "does not hold this page's token" in second["message"]
    assert StatusPage.objects.get(pk=page["id"]).custom_domain_verified is False
    assert served_page() is None or "Acme" not in served_page()


def test_the_token_served_over_http_verifies(writer, dns_server, challenge, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = True  # the challenge server is on 127.0.0.1
    page = create_page(writer)
    challenge.body = page["customDomainToken"].encode() + b"\n"
    response = verify(writer, page["id"]).json()
    assert response["customDomainVerified"] is True and response["verifiedBy"] == "http"
    assert challenge.hosts == [DOMAIN]  # asked as the domain, at the address its A record gave
    assert "Acme" in served_page()


def test_the_http_challenge_goes_through_the_address_guard(writer, dns_server, challenge, settings):
    settings.STATUSAPP_ALLOW_PRIVATE_TARGETS = False
    page = create_page(writer)
    challenge.body = page["customDomainToken"].encode()
    response = verify(writer, page["id"]).json()
    assert response["customDomainVerified"] is False
    assert "127.0.0.1 is loopback" in response["message"]
    assert challenge.hosts == []  # refused before connecting


def test_a_tenant_cannot_take_a_domain_another_verified(writer, outsider, dns_server, challenge):
    mine = create_page(writer)
    txt(dns_server, mine["customDomainToken"])
    assert verify(writer, mine["id"]).json()["customDomainVerified"] is True

    response = outsider.post("/api/status-pages", {"name": "Squatter", "customDomain": DOMAIN}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["customDomain"] == ["Another page already uses this domain."]
    assert "Acme" in served_page()


def test_claiming_a_domain_first_does_not_keep_it_from_its_owner(writer, outsider, dns_server, challenge):
    squatter = create_page(outsider, "Squatter")
    owner = create_page(writer)  # the same domain, unproved on both pages: allowed
    assert owner["customDomainToken"] != squatter["customDomainToken"]
    txt(dns_server, owner["customDomainToken"])  # only the domain's owner can put it there

    assert verify(outsider, squatter["id"]).json()["customDomainVerified"] is False
    assert verify(writer, owner["id"]).json()["customDomainVerified"] is True
    assert "Acme" in served_page() and "Squatter" not in served_page()

    refused = verify(outsider, squatter["id"])
    assert refused.status_code == 200
    assert refused.json() == {
        "customDomain": DOMAIN,
        "customDomainVerified": False,
        "verifiedBy": None,
        "message": "Another status page has already verified this domain.",
    }


def test_changing_the_domain_resets_the_verification(writer, dns_server, challenge):
    page = create_page(writer)
    txt(dns_server, page["customDomainToken"])
    assert verify(writer, page["id"]).json()["customDomainVerified"] is True

    changed = writer.put(f"/api/status-pages/{page['id']}", {"customDomain": "other.acme.test"}, format="json")
    assert changed.status_code == 200
    data = changed.json()
    assert data["customDomainVerified"] is False
    assert data["customDomainToken"] != page["customDomainToken"]
    assert served_page() is None or "Acme" not in served_page()
    assert served_page("other.acme.test") is None or "Acme" not in served_page("other.acme.test")

    # The old token proves nothing for the new domain; the new one does.
    txt(dns_server, page["customDomainToken"], "other.acme.test")
    assert verify(writer, page["id"]).json()["customDomainVerified"] is False
    txt(dns_server, data["customDomainToken"], "other.acme.test")
    assert verify(writer, page["id"]).json()["customDomainVerified"] is True

    cleared = writer.put(f"/api/status-pages/{page['id']}", {"customDomain": None}, format="json").json()
    assert cleared["customDomain"] is None and cleared["customDomainToken"] is None
    assert cleared["customDomainVerified"] is False


def test_verifying_needs_a_write_key_a_page_of_ones_own_and_a_domain(writer, reader, outsider, dns_server):
    page = create_page(writer)
    assert verify(reader, page["id"]).status_code == 403
    assert verify(outsider, page["id"]).status_code == 404
    bare = writer.post("/api/status-pages", {"name": "No domain"}, format="json").json()
    assert bare["customDomainToken"] is None
    response = verify(writer, bare["id"])
    assert response.status_code == 200
    assert response.json()["customDomainVerified"] is False
    assert response.json()["message"] == "This page has no custom domain."


def test_a_dns_server_that_does_not_answer_is_a_failed_check(writer, settings, challenge):
    settings.STATUSAPP_DOMAIN_RESOLVER = "127.0.0.1:9"  # nothing listens there
    page = create_page(writer)
    response = verify(writer, page["id"])
    assert response.status_code == 200 and response.json()["customDomainVerified"] is False


def test_the_dashboard_form_shows_the_token_and_verifies(client, person, org, dns_server, challenge):
    from statuspages import services

    person(org, "member", client)
    page = services.status_page_create(organization=org, name="Acme", custom_domain=DOMAIN)
    edit = f"/pages/{page.id}/edit"
    form = client.get(edit).content.decode()
    assert "Not verified" in form and page.custom_domain_token in form
    assert f"_statusapp-challenge.{DOMAIN}" in form

    refused = client.post(edit, {"verifyDomain": "1", "name": "Typed but not saved"}).content.decode()
    assert f"no TXT record at _statusapp-challenge.{DOMAIN}" in refused
    assert 'value="Typed but not saved"' in refused  # the form comes back as typed, nothing saved
    page.refresh_from_db()
    assert page.name == "Acme" and not page.custom_domain_verified

    txt(dns_server, page.custom_domain_token)
    verified = client.post(edit, {"verifyDomain": "1"}).content.decode()
    assert f"{DOMAIN} is verified: it now serves this page." in verified
    page.refresh_from_db()
    assert page.custom_domain_verified
    assert "Verified:" in client.get(edit).content.decode()
    assert "Acme" in served_page()
