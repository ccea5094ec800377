"""The address guard: the one place that decides whether a target address may be connected to.

Monitors, DNS resolvers and webhooks all go through it. The rule (see DESIGN.md, "Targets ... pass one guard"):

* unwrap IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo) and judge the
  embedded address too;
* cloud metadata addresses are ALWAYS refused, even when private targets are allowed;
* every other non-global address (loopback, RFC 1918, link-local, CGNAT, multicast, documentation, ...) is refused
  unless ``allow_private`` is set (``STATUSAPP_ALLOW_PRIVATE_TARGETS=1`` for a self-hosted install).

The check runs on the address actually connected to: ``resolve`` checks what getaddrinfo returned and
``GuardedResolver`` plugs that into aiohttp's connector, so DNS rebinding and redirects cannot get around it.
aiohttp does not call the resolver for literal IP hosts: callers check those with ``check_host_literal`` first.

Plain Python plus aiohttp: no Django here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult

__all__ = [
    "AddressNotAllowed",
    "GuardedResolver",
    "METADATA_ADDRESSES",
    "check_host_literal",
    "check_ip",
    "parse_numeric_host",
    "resolve",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressNotAllowed(Exception):
    """A target address the guard refuses. ``str(exc)`` is one sentence, e.g. "127.0.0.1 is loopback; set
    STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses" (no hint for metadata: nothing allows those)."""

    def __init__(self, reason: str, kind: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind  # what the address is ("loopback", "cloud metadata", ...), without the address

    def for_name(self, host: str) -> AddressNotAllowed:
        """The refusal as said of a name: its kind, not the address, which is what a resolver answered (for an
        internal name, a piece of the operator's network the user has no business learning)."""
        kind = f" ({self.kind})" if self.kind else ""
        hint = f"; {PRIVATE_HINT}" if PRIVATE_HINT in self.reason else ""
        return AddressNotAllowed(f"{host[:100]} resolves to a non-public address{kind}{hint}", self.kind)


# What lets a self-hosted install reach its own network, named wherever such an address is refused.
PRIVATE_HINT = "set STATUSAPP_ALLOW_PRIVATE_TARGETS=1 to allow private addresses"

# Refused even with allow_private: instance metadata / host agent endpoints of the big clouds.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure IMDS, OpenStack, Oracle, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer (a global-looking address)
    )
)

# (network, reason), most specific first where they overlap. Anything in here is "non-global".
_V4_SPECIAL: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/32", "unspecified"),
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space (CGNAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "reserved (6to4 relay)"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_V6_SPECIAL: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("2001:db8::/32", "documentation"),
        ("2001:2::/48", "benchmarking"),
        ("2001::/23", "IETF protocol assignment"),  # Teredo (2001::/32) is unwrapped before this table
        ("3fff::/20", "documentation"),
        ("5f00::/16", "reserved (SRv6)"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_NAT64_WKP = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _v4(value: int) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(value & 0xFFFFFFFF)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (possibly several candidates), for the guard to judge."""
    value = int(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:  # 2002:aabb:ccdd::/48
        return [ip.sixtofour]
    if ip.teredo is not None:  # 2001:0::/32 -> (server, client)
        return list(ip.teredo)
    if ip in _NAT64_WKP:  # 64:ff9b::a.b.c.d
        return [_v4(value)]
    if ip in _NAT64_LOCAL:
        # RFC 6052 layouts for the prefix lengths an operator may use inside 64:ff9b:1::/48. We don't know which one
        # is in use, so every candidate is judged (the address is refused as non-global anyway unless allow_private).
        candidates = [_v4(value)]  # /96
        for prefix_len in (48, 56, 64):
            # the 32 bits after the prefix, skipping the "u" octet (bits 64..71)
            bits = []
            for pos in range(prefix_len, 128):
                if 64 <= pos < 72:
                    continue
                bits.append((value >> (127 - pos)) & 1)
                if len(bits) == 32:
                    break
            candidates.append(_v4(int("".join(map(str, bits)), 2)))
        return candidates
    if ip in _V4_COMPATIBLE and value > 1:  # deprecated IPv4-compatible ::a.b.c.d (not :: or ::1)
        return [_v4(value)]
    return []


def _special_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a global address, or None if it is."""
    if isinstance(ip, ipaddress.IPv4Address):
        for net, reason in _V4_SPECIAL:
            if ip in net:
                return reason
        return None
    if ip.teredo is not None:
        return None  # Teredo is judged by the IPv4 addresses it embeds
    for net, reason in _V6_SPECIAL:
        if ip in net:
            return reason
    if ip not in _V6_GLOBAL_UNICAST and ip not in _NAT64_WKP and not _embedded_ipv4(ip):
        return "reserved"
    return None


def _as_ip(ip: Any) -> IPAddress:
    if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ip
    try:
        return ipaddress.ip_address(str(ip).strip("[]"))
    except ValueError:
        raise AddressNotAllowed(f"{str(ip)[:60]!r} is not an IP address") from None


def check_ip(ip: Any, *, allow_private: bool) -> None:
    """Raise AddressNotAllowed unless ``ip`` (str or ipaddress object) may be connected to."""
    addr = _as_ip(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id:
        addr = ipaddress.IPv6Address(str(addr).split("%", 1)[0])  # judge the address, not its zone
    embedded = _embedded_ipv4(addr) if isinstance(addr, ipaddress.IPv6Address) else []
    shown = str(addr)

    # Metadata first: refused whatever allow_private says.
    for candidate in (addr, *embedded):
        if candidate in METADATA_ADDRESSES:
            suffix = "" if candidate is addr else f" (embeds {candidate})"
            raise AddressNotAllowed(f"{shown} is cloud metadata{suffix}", "cloud metadata")
    if allow_private:
        return
    reason = _special_reason(addr)
    if reason:
        raise AddressNotAllowed(f"{shown} is {reason}; {PRIVATE_HINT}", reason)
    for candidate in embedded:
        reason = _special_reason(candidate)
        if reason:
            raise AddressNotAllowed(f"{shown} is {reason} (embeds {candidate}); {PRIVATE_HINT}", reason)


def parse_numeric_host(host: str) -> IPAddress | None:
    """The address a literal host means, including legacy IPv4 forms ("127.1", "0x7f.1", "2130706433", "0")
    that the C library still accepts. None for a name."""
    host = host.strip().strip("[]")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if ":" in host:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))  # accepts the legacy forms
    except (OSError, ValueError):
        return None


def check_host_literal(host: str, *, allow_private: bool) -> bool:
    """Check a URL host that is a literal address (any form); True if it was one, False if it is a name.

    aiohttp does not consult its resolver for IP literals, so every request (and redirect hop) calls this first.
    """
    addr = parse_numeric_host(host)
    if addr is None:
        return False
    check_ip(addr, allow_private=allow_private)
    return True


async def _getaddrinfo(host: str, port: int | str | None, family: int) -> list[Any]:
    loop = asyncio.get_running_loop()
    try:
        return await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG)
    except socket.gaierror:
        # AI_ADDRCONFIG hides every address on a machine without a non-loopback address of that family;
        # ask again without it so the caller sees the real answer (and the guard judges it).
        return await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)


async def resolve(
    host: str, port: int | str | None, *, allow_private: bool, family: int = 0
) -> list[tuple[int, tuple[Any, ...]]]:
    """getaddrinfo (in the loop's executor) with every address passed through check_ip.

        Returns ``[(family, sockaddr), ...]`` without duplicates. Raises AddressNotAllowed if ANY address is refused
    (worded by ``for_name``: the refused address is not shown):
        a name that mixes public and private addresses is either misconfigured or a rebinding attempt, and the
        connection code (happy eyeballs) may pick any of them, so dropping only the bad ones would make the outcome
        depend on order. Raises socket.gaierror (an OSError) when the name does not resolve.
    """
    literal = parse_numeric_host(host)
    if literal is not None:
        check_ip(literal, allow_private=allow_private)  # before touching the resolver at all
        if isinstance(literal, ipaddress.IPv4Address) and family in (0, socket.AF_INET) and port is not None:
            # What getaddrinfo would answer, without its trip to a thread (a tenth of a check's CPU).
            return [(socket.AF_INET, (str(literal), int(port)))]
    try:
        infos = await _getaddrinfo(host, port, family)
    except UnicodeError:  # the idna codec refuses the name (empty or over-long label)
        raise socket.gaierror(socket.EAI_NONAME, "invalid host name") from None
    result: list[tuple[int, tuple[Any, ...]]] = []
    seen = set()
    for fam, _type, _proto, _canon, sockaddr in infos:
        if fam not in (socket.AF_INET, socket.AF_INET6):
            continue
        try:
            check_ip(sockaddr[0], allow_private=allow_private)
        except AddressNotAllowed as exc:
            raise exc.for_name(host) from None
        key = (fam, sockaddr)
        if key not in seen:
            seen.add(key)
            result.append(key)
    if not result:
        raise socket.gaierror(socket.EAI_NONAME, "no IPv4/IPv6 address")
    return result


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that only hands the connector addresses the guard accepts.

    The connector connects to exactly the addresses returned here, so the check happens at connect time. Use it
    with ``TCPConnector(resolver=..., use_dns_cache=False)``: the cache would be keyed by host only and would
    skip this check for a later request. Refusals raise AddressNotAllowed (not an OSError, so aiohttp lets it
    through unwrapped).
    """

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve(host, port, allow_private=self.allow_private, family=family)
        loop = asyncio.get_running_loop()
        results: list[ResolveResult] = []
        for fam, sockaddr in addresses:
            if fam == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]:
                # scoped (link-local) IPv6: let the C library spell address%zone, like aiohttp's ThreadedResolver
                addr, port_str = await loop.getnameinfo(sockaddr, socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)
                resolved_port = int(port_str)
            else:
                addr, resolved_port = sockaddr[0], sockaddr[1]
            results.append(
                ResolveResult(
                    hostname=host,
                    host=addr,
                    port=resolved_port,
                    family=fam,
                    proto=0,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        return results

    async def close(self) -> None:
        pass
