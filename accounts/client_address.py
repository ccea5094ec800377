"""The address a request came from, as every throttle counts it.

Behind a proxy (TLS ended by nginx, a load balancer) REMOTE_ADDR is the proxy's, the same for
every client. Each proxy appends the address it received the request from to
X-Forwarded-For, so with STATUSAPP_TRUSTED_PROXIES = N hops in front of StatusApp, the client
is the N-th entry from the right: the one the outermost trusted proxy wrote. Entries left of
it were written by the client and are ignored; with no trusted proxies (the default) the
header is ignored altogether, so a client cannot choose the address it is counted under.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    hops = settings.STATUSAPP_TRUSTED_PROXIES
    if hops <= 0:
        return peer
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < hops:
        return peer  # not through every trusted proxy: only the peer is known
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:  # a proxy wrote something that is not an address: count the peer
        return peer
