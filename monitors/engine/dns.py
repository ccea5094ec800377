"""DNS record checks with dnspython's asyncio resolver.

A custom resolver address is a target like any other: it passes the guard (check_ip with the monitor's
allow_private) before any query is sent to it. The system resolver (/etc/resolv.conf) sits inside the operator's
network and answers internal names, so its A/AAAA answers pass the guard too: a name that resolves to a
non-public address is a failure unless allow_private. Errors never list what a server answered.
"""

from __future__ import annotations

import ipaddress
import time

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from outbound import guard

from .context import EngineContext
from .types import CheckResult, CheckSpec, down, timeout_error, up_or_degraded

__all__ = ["RECORD_TYPES", "answer_values", "check_dns", "normalize_value"]

RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT")


def normalize_value(record_type: str, value: str) -> str:
    """Comparable form: case-insensitive, trailing dot ignored, addresses canonical, MX spacing collapsed."""
    text = " ".join(value.strip().split())
    if record_type == "TXT":
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        return text.lower()
    text = text.rstrip(".").lower()
    if record_type in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text


def answer_values(record_type: str, answer: dns.resolver.Answer) -> list[str]:
    """Normalized values of an answer; an MX record counts both as "10 mail.example.com" and "mail.example.com"."""
    values: list[str] = []
    for rdata in answer:
        if record_type in ("A", "AAAA"):
            values.append(normalize_value(record_type, rdata.address))
        elif record_type in ("CNAME", "NS"):
            values.append(normalize_value(record_type, rdata.target.to_text()))
        elif record_type == "MX":
            exchange = normalize_value("MX", rdata.exchange.to_text())
            values.append(f"{rdata.preference} {exchange}")
            values.append(exchange)
        elif record_type == "TXT":
            text = b"".join(rdata.strings).decode("utf-8", errors="replace")
            values.append(normalize_value("TXT", text))
    return values


def _refused_address(record_type: str, values: list[str], allow_private: bool) -> guard.AddressNotAllowed | None:
    """The guard's refusal of the first A/AAAA answer address it refuses (other record types are not addresses)."""
    if record_type not in ("A", "AAAA"):
        return None
    try:
        for value in values:
            guard.check_ip(value, allow_private=allow_private)
    except guard.AddressNotAllowed as exc:
        return exc
    return None


def _resolver(spec: CheckSpec, context: EngineContext) -> dns.asyncresolver.Resolver:
    if spec.resolver.strip():
        address = spec.resolver.strip().strip("[]")
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError("resolver must be an IP address") from None
        guard.check_ip(address, allow_private=spec.allow_private)
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [address]
        resolver.port = spec.resolver_port
    elif context.system_nameserver is not None:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [context.system_nameserver[0]]
        resolver.port = context.system_nameserver[1]
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.cache = None
    resolver.lifetime = spec.timeout
    resolver.timeout = spec.timeout
    return resolver


async def check_dns(spec: CheckSpec, context: EngineContext) -> CheckResult:
    """Call it through ``run_check`` (which applies the deadline)."""
    record_type = spec.record_type.strip().upper()
    if record_type not in RECORD_TYPES:
        return down("unsupported record type")
    name = spec.host.strip()
    if not name:
        return down("no host configured")
    try:
        resolver = _resolver(spec, context)
        qname = dns.name.from_text(name)
    except guard.AddressNotAllowed as exc:
        return down(f"address not allowed: resolver {exc}")
    except dns.resolver.NoResolverConfiguration:
        return down("no system DNS resolver configured")
    except ValueError as exc:
        return down(str(exc))
    except dns.exception.DNSException:
        return down("invalid host name")

    started = time.perf_counter()
    try:
        answer = await resolver.resolve(qname, dns.rdatatype.from_text(record_type), search=False)
    except dns.resolver.NXDOMAIN:
        return down("NXDOMAIN: no such domain")
    except dns.resolver.NoAnswer:
        return down(f"no {record_type} records")
    except dns.resolver.NoNameservers:
        return down("no DNS server answered (SERVFAIL or refused)")
    except dns.exception.Timeout:
        return down(timeout_error(spec))
    except dns.exception.DNSException as exc:
        return down(f"DNS query failed: {type(exc).__name__}")
    except OSError:
        return down("DNS query failed: network error")
    elapsed_ms = round((time.perf_counter() - started) * 1000)

    values = answer_values(record_type, answer)
    if not values:
        return down(f"no {record_type} records", elapsed_ms)
    refused = None if spec.resolver.strip() else _refused_address(record_type, values, spec.allow_private)
    if refused is not None:
        return down(str(refused.for_name(name)), elapsed_ms)
    if any(normalize_value(record_type, v) not in values for v in spec.expected_values):
        return down(f"DNS {record_type} answer did not match the expected values", elapsed_ms)
    return up_or_degraded(spec, elapsed_ms)
