"""Outbound connections that cannot reach where they must not: the address guard applied at
connect time, the process's TLS context, and short error texts that echo nothing a remote
end sent. Plain Python and aiohttp, no Django and no app: the check engine, webhooks and
alerts all connect through it.
"""
