"""The one verifying TLS client context of a process."""

import functools
import ssl


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """One verifying client context per process (loading the CA store costs tens of ms; the context is not tied to
    an event loop, so every event loop of the process can share it)."""
    return ssl.create_default_context()
