"""Proof that whoever set a page's custom domain controls it, before the domain is routed.

The page gets a token when its domain is set; the domain is proved when either
* a TXT record at _statusapp-challenge.<domain> holds the token, or
* http://<domain>/.well-known/statusapp-challenge answers 200 with the token as its body
  (redirects not followed; every address the name resolves to passes the monitors' address
  guard, and the connection goes to one of those very addresses, so no rebinding).

STATUSAPP_DOMAIN_RESOLVER ("address" or "address:port") names the DNS server asked for both;
empty reads /etc/resolv.conf. STATUSAPP_DOMAIN_CHALLENGE_PORT is the HTTP challenge's port
(80; tests serve it elsewhere).
"""

import http.client
import ipaddress
import secrets
from dataclasses import dataclass

import dns.exception
import dns.resolver
from django.conf import settings

from outbound import guard

CHALLENGE_LABEL = "_statusapp-challenge"
WELL_KNOWN_PATH = "/.well-known/statusapp-challenge"
TIMEOUT = 5.0
MAX_BODY = 1024
USER_AGENT = "StatusApp-DomainCheck/1.0"


@dataclass(frozen=True)
class Result:
    verified: bool
    method: str  # "dns" or "http" when verified, "" otherwise
    detail: str


def new_token() -> str:
    return f"statusapp-{secrets.token_urlsafe(24)}"


def _resolver() -> dns.resolver.Resolver:
    configured = settings.STATUSAPP_DOMAIN_RESOLVER
    if not configured:
        resolver = dns.resolver.Resolver()
    else:
        address, port = configured, "53"
        if configured.startswith("["):  # [IPv6]:port
            address, _, port = configured[1:].partition("]")
            port = port.lstrip(":") or "53"
        elif configured.count(":") == 1:  # IPv4:port
            address, port = configured.split(":")
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [address]
        resolver.port = int(port)
    resolver.cache = None
    resolver.timeout = resolver.lifetime = TIMEOUT
    return resolver


def _dns_record_holds(domain: str, token: str) -> str | None:
    """None when the TXT record holds the token, else what was wrong."""
    name = f"{CHALLENGE_LABEL}.{domain}"
    try:
        answer = _resolver().resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return f"no TXT record at {name}"
    except dns.exception.DNSException as exc:
        return f"the TXT lookup of {name} failed ({type(exc).__name__})"
    values = [b"".join(record.strings).decode(errors="replace") for record in answer]
    return None if token in values else f"the TXT record at {name} does not hold this page's token"


def _addresses(domain: str) -> list[str]:
    resolver, found = _resolver(), []
    for record_type in ("A", "AAAA"):
        try:
            found += [record.to_text() for record in resolver.resolve(domain, record_type)]
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
    return found


def _http_serves(domain: str, token: str) -> str | None:
    """None when the well-known URL answers the token, else what was wrong."""
    url = f"http://{domain}{WELL_KNOWN_PATH}"
    try:
        addresses = _addresses(domain)
    except dns.exception.DNSException as exc:
        return f"{domain} did not resolve ({type(exc).__name__})"
    if not addresses:
        return f"{domain} has no address"
    try:
        # Like guard.resolve: any refused address refuses the name (no mixing public and private).
        for address in addresses:
            guard.check_ip(ipaddress.ip_address(address), allow_private=settings.STATUSAPP_ALLOW_PRIVATE_TARGETS)
    except guard.AddressNotAllowed as exc:
        return f"{url}: {exc}"
    port = settings.STATUSAPP_DOMAIN_CHALLENGE_PORT
    connection = http.client.HTTPConnection(addresses[0], port, timeout=TIMEOUT)
    try:
        connection.request("GET", WELL_KNOWN_PATH, headers={"Host": domain, "User-Agent": USER_AGENT})
        response = connection.getresponse()
        body = response.read(MAX_BODY)
    except (OSError, http.client.HTTPException) as exc:
        return f"{url} could not be fetched ({type(exc).__name__})"
    finally:
        connection.close()
    if response.status != 200:
        return f"{url} answered {response.status}"
    return None if body.strip() == token.encode() else f"{url} does not answer this page's token"


def check(domain: str, token: str) -> Result:
    """Try the TXT record, then the well-known URL."""
    dns_problem = _dns_record_holds(domain, token)
    if dns_problem is None:
        return Result(True, "dns", f"The TXT record at {CHALLENGE_LABEL}.{domain} holds the token.")
    http_problem = _http_serves(domain, token)
    if http_problem is None:
        return Result(True, "http", f"http://{domain}{WELL_KNOWN_PATH} answers the token.")
    return Result(False, "", f"Not verified: {dns_problem}; {http_problem}.")
