"""Short, safe error texts for what goes wrong talking to a target.

Nothing here echoes what the target sent: parser errors of aiohttp and ssl can quote raw response bytes, so they
are reduced to a fixed phrase.
"""

from __future__ import annotations

import errno
import socket
import ssl

import aiohttp

from . import guard

__all__ = ["describe_cert_error", "describe_client_error", "describe_oserror", "describe_ssl_error", "find_in_chain"]

_ERRNO_TEXT = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.ETIMEDOUT: "connection timed out",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.EADDRNOTAVAIL: "address not available",
    errno.EPIPE: "connection closed by peer",
}

# OpenSSL X509_V_ERR_* codes a monitor meets in practice.
_VERIFY_TEXT = {
    9: "certificate is not yet valid",
    10: "certificate has expired",
    18: "self-signed certificate",
    19: "self-signed certificate in chain",
    20: "certificate issuer not trusted",
    21: "certificate issuer not trusted",
    23: "certificate has been revoked",
    62: "certificate hostname mismatch",
    64: "certificate IP address mismatch",
}


def find_in_chain(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first of its causes/contexts that is a ``kind``."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def describe_cert_error(exc: ssl.SSLCertVerificationError) -> str:
    text = _VERIFY_TEXT.get(getattr(exc, "verify_code", None) or 0)
    if text is None:
        message = getattr(exc, "verify_message", "") or "verification failed"
        text = f"certificate invalid: {message}"[:120]
    return text


def describe_ssl_error(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return describe_cert_error(exc)
    reason = getattr(exc, "reason", None)
    if reason:  # an OpenSSL constant like WRONG_VERSION_NUMBER: never target bytes
        return f"TLS handshake failed: {str(reason)[:60]}"
    return "TLS handshake failed"


def describe_oserror(exc: OSError) -> str:
    if isinstance(exc, ssl.SSLError):
        return describe_ssl_error(exc)
    if isinstance(exc, socket.gaierror):
        return "DNS lookup failed"
    if exc.errno in _ERRNO_TEXT:
        return _ERRNO_TEXT[exc.errno]
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if exc.strerror:
        return f"connection failed: {exc.strerror[:80]}"
    return "connection failed"


def describe_client_error(exc: BaseException) -> str:
    refused = find_in_chain(exc, guard.AddressNotAllowed)
    if refused is not None:
        return f"address not allowed: {refused}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        if isinstance(cert_error, ssl.SSLCertVerificationError):
            return describe_cert_error(cert_error)
        return "certificate invalid"
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        ssl_error = find_in_chain(exc, ssl.SSLError)
        return describe_ssl_error(ssl_error) if isinstance(ssl_error, ssl.SSLError) else "TLS handshake failed"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "DNS lookup failed"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return describe_oserror(exc.os_error)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server disconnected"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "invalid response body"
    if isinstance(exc, aiohttp.InvalidURL):
        return "invalid URL"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "invalid HTTP response"  # parser messages can quote response bytes
    if isinstance(exc, aiohttp.ClientOSError):
        return describe_oserror(exc)
    if isinstance(exc, ssl.SSLError):
        return describe_ssl_error(exc)
    if isinstance(exc, OSError):
        return describe_oserror(exc)
    return f"request failed: {type(exc).__name__}"
